package io.mpac.collector.pipeline;

import java.util.Set;

/**
 * Names of Grafana Alloy's components and top-level config blocks. A config that uses an Alloy
 * component we do not implement gets "not supported", which is a different problem for the user
 * than a misspelled name.
 */
final class AlloyComponents {

  private AlloyComponents() {}

  /** Top-level blocks that are configuration, not components; they take no label. */
  static final Set<String> CONFIG_BLOCKS = Set.of(
      "logging", "livedebugging", "tracing", "http", "remotecfg", "argument", "export", "declare",
      "foreach", "import.file", "import.git", "import.http", "import.string");

  /** Components of Alloy 1.x (the ones a platform config is likely to contain). */
  static final Set<String> KNOWN = Set.of(
      "discovery.docker", "discovery.dockerswarm", "discovery.relabel", "discovery.kubernetes",
      "discovery.file", "discovery.http", "discovery.dns", "discovery.ec2", "discovery.ecs",
      "discovery.consul", "discovery.static",
      "local.file", "local.file_match", "remote.http", "remote.s3", "remote.vault",
      "loki.echo", "loki.enrich", "loki.process", "loki.relabel", "loki.rules.kubernetes",
      "loki.secretfilter", "loki.source.api", "loki.source.awsfirehose", "loki.source.azure_event_hubs",
      "loki.source.cloudflare", "loki.source.docker", "loki.source.file", "loki.source.gcplog",
      "loki.source.gelf", "loki.source.heroku", "loki.source.journal", "loki.source.kafka",
      "loki.source.kubernetes", "loki.source.kubernetes_events", "loki.source.podlogs",
      "loki.source.syslog", "loki.source.windowsevent", "loki.write",
      "otelcol.auth.basic", "otelcol.auth.bearer", "otelcol.auth.headers", "otelcol.auth.oauth2",
      "otelcol.auth.sigv4", "otelcol.connector.count", "otelcol.connector.host_info",
      "otelcol.connector.servicegraph", "otelcol.connector.spanlogs", "otelcol.connector.spanmetrics",
      "otelcol.exporter.awss3", "otelcol.exporter.datadog", "otelcol.exporter.debug",
      "otelcol.exporter.kafka", "otelcol.exporter.loadbalancing", "otelcol.exporter.logging",
      "otelcol.exporter.loki", "otelcol.exporter.otlp", "otelcol.exporter.otlphttp",
      "otelcol.exporter.prometheus", "otelcol.exporter.splunkhec", "otelcol.exporter.syslog",
      "otelcol.extension.jaeger_remote_sampling", "otelcol.processor.attributes",
      "otelcol.processor.batch", "otelcol.processor.deltatocumulative", "otelcol.processor.discovery",
      "otelcol.processor.filter", "otelcol.processor.groupbyattrs", "otelcol.processor.interval",
      "otelcol.processor.k8sattributes", "otelcol.processor.memory_limiter",
      "otelcol.processor.probabilistic_sampler", "otelcol.processor.resourcedetection",
      "otelcol.processor.span", "otelcol.processor.tail_sampling", "otelcol.processor.transform",
      "otelcol.receiver.datadog", "otelcol.receiver.filelog", "otelcol.receiver.jaeger",
      "otelcol.receiver.kafka", "otelcol.receiver.loki", "otelcol.receiver.opencensus",
      "otelcol.receiver.otlp", "otelcol.receiver.prometheus", "otelcol.receiver.syslog",
      "otelcol.receiver.vcenter", "otelcol.receiver.zipkin", "otelcol.storage.file",
      "prometheus.enrich", "prometheus.exporter.blackbox", "prometheus.exporter.cadvisor",
      "prometheus.exporter.postgres", "prometheus.exporter.redis", "prometheus.exporter.self",
      "prometheus.exporter.unix", "prometheus.operator.podmonitors",
      "prometheus.operator.servicemonitors", "prometheus.receive_http", "prometheus.relabel",
      "prometheus.remote_write", "prometheus.scrape", "prometheus.write.queue",
      "pyroscope.ebpf", "pyroscope.java", "pyroscope.scrape", "pyroscope.write",
      "faro.receiver", "beyla.ebpf", "database_observability.mysql", "mimir.rules.kubernetes");
}
