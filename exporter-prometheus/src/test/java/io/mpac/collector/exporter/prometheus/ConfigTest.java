package io.mpac.collector.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Pipeline;
import io.mpac.collector.pipeline.PipelineBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Both components' schemas, defaults and validation, through the real config parser and builder. */
class ConfigTest {

  private Pipeline build(String config) throws ConfigException {
    return new PipelineBuilder(new PipelineBuilder.Settings(
        new ComponentRegistry(List.of(new PrometheusExporterFactory(), new RemoteWriteFactory())), Map.of(),
        Path.of("target", "config-test"), new SimpleMeterRegistry())).build(List.of(Parser.parse("t.alloy", config)),
        null);
  }

  private List<String> errors(String config) {
    try {
      build(config);
    } catch (ConfigException e) {
      return e.diagnostics().stream().map(Object::toString).toList();
    }
    throw new AssertionError("config was accepted");
  }

  @Test
  void factoriesAreRegisteredForTheServiceLoader() {
    List<String> names = ServiceLoader.load(ComponentFactory.class).stream().map(p -> p.get().name()).toList();
    assertThat(names).contains("otelcol.exporter.prometheus", "prometheus.remote_write");
  }

  @Test
  void minimalConfigGetsAlloysDefaults() throws Exception {
    Pipeline p = build("""
        otelcol.exporter.prometheus "default" {
          forward_to = [prometheus.remote_write.default.receiver]
        }
        prometheus.remote_write "default" {
          endpoint {
            url = "http://prometheus:9090/api/v1/write"
          }
        }
        """);
    PrometheusExporter e = (PrometheusExporter) p.node(new ComponentId("otelcol.exporter.prometheus", "default"))
        .component();
    assertThat(e.receivers()).hasSize(1);
    PrometheusExporterConfig c = PrometheusExporterConfig.from(
        p.node(new ComponentId("otelcol.exporter.prometheus", "default")).args());
    assertThat(c).isEqualTo(PrometheusExporterConfig.defaults(c.forwardTo()));
    RemoteWrite rw = (RemoteWrite) p.node(new ComponentId("prometheus.remote_write", "default")).component();
    RemoteWriteConfig.Endpoint ep = rw.endpoints().get(0).config;
    assertThat(ep.remoteTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(ep.sendExemplars()).isTrue();
    assertThat(ep.sendNativeHistograms()).isFalse();
    assertThat(ep.queue()).isEqualTo(RemoteWriteConfig.Queue.DEFAULTS);
    assertThat(ep.metadata()).isEqualTo(RemoteWriteConfig.MetadataSettings.DEFAULTS);
    assertThat(ep.name()).hasSize(6);
  }

  @Test
  void everyArgumentIsRead() throws Exception {
    Pipeline p = build("""
        otelcol.exporter.prometheus "x" {
          forward_to                           = [prometheus.remote_write.x.receiver]
          include_target_info                  = false
          include_scope_info                   = true
          include_scope_labels                 = false
          add_metric_suffixes                  = false
          resource_to_telemetry_conversion     = true
          gc_frequency                         = "10m"
          keep_identifying_resource_attributes = true
        }
        prometheus.remote_write "x" {
          external_labels = { cluster = "eu-1" }
          endpoint {
            name                   = "main"
            url                    = "https://mimir:9009/api/v1/push"
            remote_timeout         = "10s"
            headers                = { "X-Scope-OrgID" = "tenant" }
            send_exemplars         = false
            send_native_histograms = true
            basic_auth {
              username = "u"
              password = "p"
            }
            queue_config {
              capacity             = 500
              min_shards           = 2
              max_shards           = 4
              max_samples_per_send = 100
              batch_send_deadline  = "1s"
              min_backoff          = "50ms"
              max_backoff          = "2s"
              retry_on_http_429    = false
              sample_age_limit     = "1h"
            }
            metadata_config {
              send          = false
              send_interval = "2m"
            }
          }
          wal {
            truncate_frequency = "30m"
            min_keepalive_time = "1m"
            max_keepalive_time = "4h"
            max_size           = "256MiB"
          }
        }
        """);
    PrometheusExporterConfig c = PrometheusExporterConfig.from(
        p.node(new ComponentId("otelcol.exporter.prometheus", "x")).args());
    assertThat(c).isEqualTo(new PrometheusExporterConfig(c.forwardTo(), false, true, false, false, true,
        Duration.ofMinutes(10), true));
    RemoteWriteConfig rc = RemoteWriteConfig.from(p.node(new ComponentId("prometheus.remote_write", "x")).args());
    assertThat(rc.externalLabels()).containsExactly(Map.entry("cluster", "eu-1"));
    RemoteWriteConfig.Endpoint ep = rc.endpoints().get(0);
    assertThat(ep.name()).isEqualTo("main");
    assertThat(ep.headers()).containsExactly(Map.entry("X-Scope-OrgID", "tenant"));
    assertThat(ep.auth()).isEqualTo(new RemoteWriteConfig.Auth.Basic("u", "p"));
    assertThat(ep.queue()).isEqualTo(new RemoteWriteConfig.Queue(500, 2, 4, 100, Duration.ofSeconds(1),
        Duration.ofMillis(50), Duration.ofSeconds(2), false, Duration.ofHours(1)));
    assertThat(ep.metadata().send()).isFalse();
    assertThat(ep.sendExemplars()).isFalse();
    assertThat(ep.sendNativeHistograms()).isTrue();
    assertThat(rc.wal()).isEqualTo(new RemoteWriteConfig.Wal(Duration.ofMinutes(30), Duration.ofMinutes(1),
        Duration.ofHours(4), 256L << 20));
  }

  @Test
  void walDefaultsAreAlloysAndBadWalValuesArePositioned() throws Exception {
    Pipeline p = build("""
        prometheus.remote_write "d" {
          endpoint {
            url = "http://prometheus:9090/api/v1/write"
          }
        }
        """);
    RemoteWriteConfig rc = RemoteWriteConfig.from(p.node(new ComponentId("prometheus.remote_write", "d")).args());
    assertThat(rc.wal()).isEqualTo(new RemoteWriteConfig.Wal(Duration.ofHours(2), Duration.ofMinutes(5),
        Duration.ofHours(8), 1L << 30));
    assertThat(errors("""
        prometheus.remote_write "x" {
          endpoint {
            url = "http://a/api/v1/write"
          }
          wal {
            truncate_frequency = "0s"
            min_keepalive_time = "2h"
            max_keepalive_time = "1h"
          }
        }
        """)).anySatisfy(e -> assertThat(e).contains("t.alloy:6").contains("truncate_frequency must be > 0"))
        .anySatisfy(e -> assertThat(e).contains("t.alloy:8")
            .contains("max_keepalive_time (PT1H) must not be less than min_keepalive_time (PT2H)"));
    assertThat(errors("""
        prometheus.remote_write "x" {
          endpoint {
            url = "http://a/api/v1/write"
          }
          wal {
            min_keepalive_time = "9h"
          }
        }
        """)).anySatisfy(e -> assertThat(e).contains("t.alloy:6").contains("must not be less than"));
    assertThat(errors("""
        prometheus.remote_write "x" {
          endpoint {
            url = "http://a/api/v1/write"
          }
          wal {
            max_size = "0B"
          }
        }
        """)).anySatisfy(e -> assertThat(e).contains("t.alloy:6").contains("max_size"));
  }

  @Test
  void badValuesGetPositionedDiagnostics() {
    assertThat(errors("""
        prometheus.remote_write "x" {
          external_labels = { "bad-name" = "v" }
          endpoint {
            url         = "prometheus:9090"
            bearer_token = "t"
            basic_auth {
              username = "u"
            }
            queue_config {
              min_shards  = 5
              max_shards  = 2
              min_backoff = "0s"
            }
          }
        }
        """)).anySatisfy(e -> assertThat(e).contains("t.alloy:2").contains("bad-name"))
        .anySatisfy(e -> assertThat(e).contains("t.alloy:4").contains("absolute http:// or https:// URL"))
        .anySatisfy(e -> assertThat(e).contains("at most one of basic_auth"))
        .anySatisfy(e -> assertThat(e).contains("max_shards must be between min_shards"))
        .anySatisfy(e -> assertThat(e).contains("min_backoff must be > 0"));
    assertThat(errors("""
        otelcol.exporter.prometheus "x" {
          forward_to   = []
          gc_frequency = "0s"
        }
        """)).anySatisfy(e -> assertThat(e).contains("t.alloy:3").contains("gc_frequency must be greater than 0"));
    assertThat(errors("""
        otelcol.exporter.prometheus "x" {
        }
        """)).anySatisfy(e -> assertThat(e).contains("forward_to"));
    assertThat(errors("""
        prometheus.remote_write "x" {
          endpoint {
            url              = "http://a/api/v1/write"
            protobuf_message = "io.prometheus.write.v2.Request"
          }
        }
        """)).anySatisfy(e -> assertThat(e).contains("only \"prometheus.WriteRequest\""));
  }

  @Test
  void tlsConfigIsTheCommonBlockWithServerNameAndCheckedInlinePem() throws Exception {
    RemoteWriteConfig rc = RemoteWriteConfig.from(build("""
        prometheus.remote_write "x" {
          endpoint {
            url = "https://a/api/v1/write"
            tls_config {
              ca_file     = "/etc/ca.pem"
              server_name = "prom.internal"
            }
          }
        }
        """).node(new io.mpac.collector.component.ComponentId("prometheus.remote_write", "x")).args());
    assertThat(rc.endpoints().get(0).tls()).isEqualTo(io.mpac.collector.exporter.tls.TlsSettings.NONE
        .withCaFile("/etc/ca.pem").withServerName("prom.internal")
        .withReloadInterval(io.mpac.collector.exporter.tls.TlsBlocks.TLS_CONFIG_RELOAD_INTERVAL));
    assertThat(errors("""
        prometheus.remote_write "x" {
          endpoint {
            url = "https://a/api/v1/write"
            tls_config {
              cert_file = "/etc/client.pem"
              key_pem   = "-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----"
            }
          }
        }
        """)).anySatisfy(e -> assertThat(e).contains("t.alloy:6").contains("key_pem").doesNotContain("AAAA"));
  }

  @Test
  void exporterInputIsAMetricsConsumerThatTracesCannotBeWiredTo() throws Exception {
    Pipeline p = build("""
        otelcol.exporter.prometheus "x" {
          forward_to = []
        }
        """);
    var input = (io.mpac.collector.consumer.OtlpConsumer) p.node(new ComponentId("otelcol.exporter.prometheus", "x"))
        .exports().get("input");
    assertThat(input.signals()).containsExactly(io.mpac.collector.pdata.Signal.METRICS);
  }
}
