package io.mpac.collector.exporter.loadbalancing;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.DebugMetrics;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Schema.BlockSpec.Cardinality;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.exporter.QueueConfig;
import io.mpac.collector.exporter.RetryConfig;
import io.mpac.collector.exporter.otlp.GrpcEndpoint;
import io.mpac.collector.exporter.otlp.OtlpGrpcExporterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Arguments of {@code otelcol.exporter.loadbalancing}, with Alloy's names and defaults.
 *
 * <pre>
 * otelcol.exporter.loadbalancing "writers" {
 *   routing_key = "traceID"          // "service" | "resource" | "metric" | "streamID"
 *   resolver {
 *     dns { hostname = "writer.collector.local"  port = "4317"  interval = "5s"  timeout = "1s" }
 *     // or: static { hostnames = ["writer-1:4317", "writer-2:4317"] }
 *   }
 *   protocol {
 *     otlp {
 *       timeout = "5s"
 *       client { tls { insecure = true } }   // otelcol.exporter.otlp's client block, without endpoint
 *       queue { ... }  retry { ... }         // its sending_queue and retry_on_failure blocks
 *     }
 *   }
 * }
 * </pre>
 *
 * <p>The resolvers {@code kubernetes} and {@code aws_cloud_map}, the top-level {@code timeout},
 * {@code queue} and {@code retry} (Alloy's re-routing queue: here a departing back end's data is
 * always re-routed) and a persistent per-back-end queue are refused with a positioned error.
 *
 * @param routingKey what keeps data together
 * @param resolver where the back ends come from
 * @param otlp the exporter settings every back end gets; its endpoint is a placeholder, replaced
 *     per back end ({@link OtlpGrpcExporterConfig.Client#withEndpoint})
 */
record LoadBalancingConfig(RoutingKey routingKey, ResolverConfig resolver, OtlpGrpcExporterConfig otlp) {

  /** The endpoint the template client carries until a back end's replaces it. */
  static final GrpcEndpoint PLACEHOLDER = new GrpcEndpoint("backend", 4317, "");

  static final Schema STATIC_SCHEMA = Schema.builder()
      .required("hostnames", Types.STRING_LIST, "the back ends, host:port each")
      .build();

  static final Schema DNS_SCHEMA = Schema.builder()
      .required("hostname", Types.STRING, "name whose addresses are the back ends")
      .optional("port", Types.STRING, "4317", "port used with every resolved address")
      .optional("interval", Types.DURATION, Duration.ofSeconds(5), "how often to resolve again")
      .optional("timeout", Types.DURATION, Duration.ofSeconds(1), "a lookup taking longer counts as failed")
      .build();

  /** Declared so that its use gets a clear refusal rather than "unknown block". */
  static final Schema KUBERNETES_SCHEMA = Schema.builder()
      .required("service", Types.STRING, "not supported")
      .optional("ports", Types.listOf(Types.NUMBER), null, "not supported")
      .optional("timeout", Types.DURATION, Duration.ofSeconds(1), "not supported")
      .optional("return_hostnames", Types.BOOL, false, "not supported")
      .build();

  /** Declared so that its use gets a clear refusal rather than "unknown block". */
  static final Schema AWS_CLOUD_MAP_SCHEMA = Schema.builder()
      .required("namespace", Types.STRING, "not supported")
      .required("service_name", Types.STRING, "not supported")
      .optional("interval", Types.DURATION, Duration.ofSeconds(30), "not supported")
      .optional("timeout", Types.DURATION, Duration.ofSeconds(5), "not supported")
      .optional("health_status", Types.STRING, "HEALTHY", "not supported")
      .optional("port", Types.NUMBER, null, "not supported")
      .build();

  static final Schema RESOLVER_SCHEMA = Schema.builder()
      .block("static", STATIC_SCHEMA, Cardinality.OPTIONAL, "a fixed list of back ends")
      .block("dns", DNS_SCHEMA, Cardinality.OPTIONAL, "back ends from a DNS name (ECS Cloud Map, Route 53)")
      .refusedBlock("kubernetes", KUBERNETES_SCHEMA, "use static or dns")
      .refusedBlock("aws_cloud_map", AWS_CLOUD_MAP_SCHEMA,
          "use dns with the Cloud Map service's DNS name (service discovery registers an A record per task)")
      .build();

  /** The exporters' {@code sending_queue} block with {@code storage} refused: each back end's queue is in memory. */
  static final Schema QUEUE_SCHEMA = queueSchema();

  private static Schema queueSchema() {
    Schema.Builder b = Schema.builder();
    for (Schema.AttributeSpec a : QueueConfig.SCHEMA.attributes().values()) {
      if (a.name().equals("storage")) {
        b.refused("storage", Types.ANY, "the back ends' queues are in memory; a departing back end's data is"
            + " re-routed through the ring instead");
      } else {
        b.optional(a.name(), a.type(), a.defaultValue(), a.doc());
      }
    }
    return b.build();
  }

  static final Schema OTLP_SCHEMA = Schema.builder()
      .optional("timeout", Types.DURATION, OtlpGrpcExporterConfig.DEFAULT_TIMEOUT, "deadline of one export call")
      .block("client", OtlpGrpcExporterConfig.CLIENT_SCHEMA_WITHOUT_ENDPOINT, Cardinality.OPTIONAL,
          "otelcol.exporter.otlp's client block; the endpoints come from the resolver")
      .block("queue", QUEUE_SCHEMA, Cardinality.OPTIONAL, "each back end's sending queue")
      .block("retry", RetryConfig.SCHEMA, Cardinality.OPTIONAL, "each back end's retries")
      .build();

  static final Schema PROTOCOL_SCHEMA = Schema.builder()
      .block("otlp", OTLP_SCHEMA, Cardinality.OPTIONAL, "OTLP/gRPC to each back end")
      .build();

  static final Schema SCHEMA = Schema.builder()
      .optional("routing_key", Types.oneOf("traceID", "service", "resource", "metric", "streamID"), "traceID",
          "what keeps data on one back end")
      .refused("timeout", Types.DURATION, "set protocol { otlp { timeout = ... } }; a departing back end's data is"
          + " re-routed through the new ring without it")
      .block("resolver", RESOLVER_SCHEMA, Cardinality.REQUIRED)
      .block("protocol", PROTOCOL_SCHEMA, Cardinality.OPTIONAL)
      .refusedBlock("queue", QueueConfig.SCHEMA, "use protocol { otlp { queue { ... } } }; a departing back end's"
          + " data is re-routed through the new ring without it")
      .refusedBlock("retry", RetryConfig.SCHEMA, "use protocol { otlp { retry { ... } } }; a departing back end's"
          + " data is re-routed through the new ring without it")
      .block("debug_metrics", DebugMetrics.SCHEMA, Cardinality.OPTIONAL, DebugMetrics.DOC)
      .build();

  LoadBalancingConfig {
    Objects.requireNonNull(routingKey, "routingKey");
    Objects.requireNonNull(resolver, "resolver");
    Objects.requireNonNull(otlp, "otlp");
  }

  /** Reads and checks the component's arguments; every problem is reported with its position. */
  static LoadBalancingConfig from(Args args) throws ConfigException {
    List<Diagnostic> diags = new ArrayList<>();
    RoutingKey key = RoutingKey.parse(args.string("routing_key"));
    if (key == null) {
      diags.add(new Diagnostic(args.positionOf("routing_key"), "routing_key must be one of " + RoutingKey.choices()));
    }
    ResolverConfig resolver = resolver(args.blockOrDefaults("resolver"), diags);
    OtlpGrpcExporterConfig otlp = otlp(args.blockOrDefaults("protocol").blockOrDefaults("otlp"), diags);
    if (!diags.isEmpty()) throw new ConfigException(diags);
    return new LoadBalancingConfig(key, resolver, otlp);
  }

  private static ResolverConfig resolver(Args r, List<Diagnostic> diags) {
    Args st = r.block("static");
    Args dns = r.block("dns");
    if (st != null && dns != null) {
      diags.add(new Diagnostic(dns.position(), "resolver has both static and dns; set exactly one"));
      return null;
    }
    if (st == null && dns == null) {
      diags.add(new Diagnostic(r.position(), "resolver needs a static or a dns block"));
      return null;
    }
    if (st != null) return staticResolver(st, diags);
    return dnsResolver(dns, diags);
  }

  private static ResolverConfig staticResolver(Args st, List<Diagnostic> diags) {
    List<String> hostnames = st.list("hostnames");
    int before = diags.size();
    if (hostnames.isEmpty()) diags.add(new Diagnostic(st.positionOf("hostnames"), "hostnames must not be empty"));
    Set<String> seen = new HashSet<>();
    List<String> out = new ArrayList<>();
    for (String h : hostnames) {
      GrpcEndpoint e;
      try {
        e = GrpcEndpoint.parse(h);
      } catch (IllegalArgumentException ex) {
        diags.add(new Diagnostic(st.positionOf("hostnames"), "hostnames: " + ex.getMessage()));
        continue;
      }
      if (!e.scheme().isEmpty()) {
        diags.add(new Diagnostic(st.positionOf("hostnames"), "hostnames: \"" + h + "\" has a scheme; give host:port"
            + " (TLS is set by protocol { otlp { client { tls { ... } } } })"));
        continue;
      }
      if (!seen.add(e.hostPort())) {
        diags.add(new Diagnostic(st.positionOf("hostnames"), "hostnames: \"" + h + "\" is listed twice"));
        continue;
      }
      out.add(e.hostPort());
    }
    return diags.size() == before ? new ResolverConfig.Static(out) : null;
  }

  private static ResolverConfig dnsResolver(Args d, List<Diagnostic> diags) {
    int before = diags.size();
    String hostname = d.string("hostname").trim();
    if (hostname.isEmpty() || hostname.contains(":") || hostname.contains("/")) {
      diags.add(new Diagnostic(d.positionOf("hostname"), "hostname must be a DNS name (no port, no scheme), got \""
          + d.string("hostname") + "\""));
    }
    int port = -1;
    try {
      port = Integer.parseInt(d.string("port").trim());
    } catch (NumberFormatException e) {
      // reported below
    }
    if (port < 1 || port > 65535) {
      diags.add(new Diagnostic(d.positionOf("port"), "port must be a number from 1 to 65535, got \""
          + d.string("port") + "\""));
    }
    Duration interval = d.duration("interval");
    Duration timeout = d.duration("timeout");
    if (interval.isNegative() || interval.isZero()) {
      diags.add(new Diagnostic(d.positionOf("interval"), "interval must be greater than 0"));
    }
    if (timeout.isNegative() || timeout.isZero()) {
      diags.add(new Diagnostic(d.positionOf("timeout"), "timeout must be greater than 0"));
    }
    return diags.size() == before ? new ResolverConfig.Dns(hostname, port, interval, timeout) : null;
  }

  private static OtlpGrpcExporterConfig otlp(Args o, List<Diagnostic> diags) {
    Duration timeout = o.duration("timeout");
    int before = diags.size();
    if (timeout.isNegative() || timeout.isZero()) {
      diags.add(new Diagnostic(o.positionOf("timeout"), "timeout must be greater than 0"));
    }
    OtlpGrpcExporterConfig.Client client = null;
    QueueConfig queue = null;
    RetryConfig retry = null;
    try {
      client = OtlpGrpcExporterConfig.clientFrom(o.blockOrDefaults("client"), PLACEHOLDER);
    } catch (ConfigException e) {
      diags.addAll(e.diagnostics());
    }
    try {
      queue = QueueConfig.from(o.blockOrDefaults("queue"));
    } catch (ConfigException e) {
      diags.addAll(e.diagnostics());
    }
    try {
      retry = RetryConfig.from(o.blockOrDefaults("retry"));
    } catch (ConfigException e) {
      diags.addAll(e.diagnostics());
    }
    if (diags.size() != before) return null;
    return new OtlpGrpcExporterConfig(timeout, client, queue, retry);
  }
}
