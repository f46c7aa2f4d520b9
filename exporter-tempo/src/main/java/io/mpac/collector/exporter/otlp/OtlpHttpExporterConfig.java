package io.mpac.collector.exporter.otlp;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.DebugMetrics;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Schema.BlockSpec.Cardinality;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.exporter.tls.OtlpTls;
import io.mpac.collector.exporter.tls.TlsBlocks;
import io.mpac.collector.exporter.DeliveryBlocks;
import io.mpac.collector.exporter.QueueConfig;
import io.mpac.collector.exporter.RetryConfig;
import io.mpac.collector.pdata.Signal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Arguments of {@code otelcol.exporter.otlphttp}, with Alloy's names and defaults.
 *
 * <pre>
 * otelcol.exporter.otlphttp "loki" {
 *   client {
 *     endpoint    = "http://loki:3100/otlp"  // required; signals go to &lt;endpoint&gt;/v1/&lt;signal&gt;
 *     timeout     = "30s"
 *     compression = "gzip"                   // "gzip" | "none" | ""
 *     headers     = { "X-Scope-OrgID" = "team-a" }
 *     tls { ca_file = "/etc/ca.pem" }        // used for https:// endpoints
 *   }
 *   traces_endpoint = ""  metrics_endpoint = ""  logs_endpoint = ""   // full URLs, override the default
 *   encoding = "proto"                       // "proto" | "json"
 *   sending_queue { ... }  retry_on_failure { ... }
 * }
 * </pre>
 *
 * @param urls the URL per signal (index {@link Signal#ordinal()})
 * @param encoding request body encoding
 * @param compression body compression
 * @param headers sent with every request
 * @param tls TLS settings for https URLs
 * @param timeout per request
 * @param queue the sending queue
 * @param retry the retry policy
 */
public record OtlpHttpExporterConfig(List<URI> urls, Encoding encoding, Compression compression,
    Map<String, String> headers, OtlpTls tls, Duration timeout, QueueConfig queue, RetryConfig retry) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

  /** Headers java.net.http sets itself and refuses to take from us. */
  static final Set<String> RESTRICTED_HEADERS = Set.of("connection", "content-length", "expect", "host", "upgrade",
      "content-type", "content-encoding");

  public enum Encoding {
    PROTO("application/x-protobuf"), JSON("application/json");

    private final String contentType;

    Encoding(String contentType) {
      this.contentType = contentType;
    }

    public String contentType() {
      return contentType;
    }
  }

  public static final Schema CLIENT_SCHEMA = Schema.builder()
      .required("endpoint", Types.STRING, "base URL, e.g. http://tempo:4318")
      .optional("timeout", Types.DURATION, DEFAULT_TIMEOUT, "per request")
      .optional("compression", Types.STRING, "gzip", "\"gzip\" or \"none\"")
      .optional("headers", Types.mapOf(Types.SECRET), Map.of(), "HTTP headers sent with every request")
      .optional("auth", io.mpac.collector.auth.AuthHandler.TYPE, null,
          "otelcol.auth.X.handler: its credential is sent with every request")
      .refused("read_buffer_size", Types.BYTES, "the HTTP client sizes its buffers itself; remove it")
      .refused("write_buffer_size", Types.BYTES, "the HTTP client sizes its buffers itself; remove it")
      .refused("max_idle_conns", Types.INT, "the HTTP client's connection pool is not configurable; remove it")
      .refused("max_idle_conns_per_host", Types.INT, "the HTTP client's connection pool is not configurable; remove it")
      .refused("max_conns_per_host", Types.INT, "the HTTP client's connection pool is not configurable; remove it")
      .refused("idle_conn_timeout", Types.DURATION, "the HTTP client's connection pool is not configurable; remove it")
      .onlyValue("disable_keep_alives", Types.BOOL, false, "connections are always kept alive")
      .block("tls", TlsBlocks.OTLP_TLS, Cardinality.OPTIONAL)
      .build();

  public static final Schema SCHEMA = Schema.builder()
      .optional("traces_endpoint", Types.STRING, "", "full URL for traces; default <endpoint>/v1/traces")
      .optional("metrics_endpoint", Types.STRING, "", "full URL for metrics; default <endpoint>/v1/metrics")
      .optional("logs_endpoint", Types.STRING, "", "full URL for logs; default <endpoint>/v1/logs")
      .optional("encoding", Types.oneOf("proto", "json"), "proto", "request body encoding")
      .block("client", CLIENT_SCHEMA, Cardinality.REQUIRED)
      .block("sending_queue", QueueConfig.SCHEMA, Cardinality.OPTIONAL)
      .block("retry_on_failure", RetryConfig.SCHEMA, Cardinality.OPTIONAL)
      .block("debug_metrics", DebugMetrics.SCHEMA, Cardinality.OPTIONAL, DebugMetrics.DOC)
      .build();

  public OtlpHttpExporterConfig {
    urls = List.copyOf(urls);
    if (urls.size() != Signal.values().length) throw new IllegalArgumentException("one URL per signal");
    Objects.requireNonNull(encoding);
    Objects.requireNonNull(compression);
    Objects.requireNonNull(tls);
    Objects.requireNonNull(queue);
    Objects.requireNonNull(retry);
    headers = OtlpGrpcExporterConfig.normaliseHeaders(headers);
    if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout <= 0");
  }

  /** Defaults for {@code endpoint} (tests, simple setups). */
  public static OtlpHttpExporterConfig of(String endpoint) {
    return new OtlpHttpExporterConfig(defaultUrls(URI.create(trimSlash(endpoint))), Encoding.PROTO, Compression.GZIP,
        Map.of(), OtlpTls.DEFAULTS, DEFAULT_TIMEOUT, QueueConfig.DEFAULTS, RetryConfig.DEFAULTS);
  }

  public URI url(Signal signal) {
    return urls.get(signal.ordinal());
  }

  public OtlpHttpExporterConfig with(Encoding enc, Compression comp, Map<String, String> hdrs, Duration to,
      QueueConfig q, RetryConfig r) {
    return new OtlpHttpExporterConfig(urls, enc, comp, hdrs, tls, to, q, r);
  }

  public static OtlpHttpExporterConfig from(Args args) throws ConfigException {
    List<Diagnostic> diags = new ArrayList<>();
    Args c = args.blockOrDefaults("client");
    URI base = null;
    try {
      base = parseUrl(c.string("endpoint"), "endpoint");
    } catch (IllegalArgumentException e) {
      diags.add(new Diagnostic(c.positionOf("endpoint"), e.getMessage()));
    }
    List<URI> urls = new ArrayList<>();
    for (Signal s : Signal.values()) {
      String attr = s.lowerName() + "_endpoint";
      String explicit = args.string(attr);
      if (!explicit.isEmpty()) {
        try {
          urls.add(parseUrl(explicit, attr));
        } catch (IllegalArgumentException e) {
          diags.add(new Diagnostic(args.positionOf(attr), e.getMessage()));
        }
      } else if (base != null) {
        urls.add(URI.create(trimSlash(base.toString()) + "/v1/" + s.lowerName()));
      }
    }
    Compression compression = null;
    try {
      compression = Compression.parse(c.string("compression"));
    } catch (IllegalArgumentException e) {
      diags.add(new Diagnostic(c.positionOf("compression"), e.getMessage()));
    }
    Map<String, String> headers = c.map("headers");
    for (String k : headers.keySet()) {
      if (RESTRICTED_HEADERS.contains(k.toLowerCase(Locale.ROOT))) {
        diags.add(new Diagnostic(c.positionOf("headers"), "header \"" + k + "\" is set by the exporter itself"));
      } else if (k.isEmpty() || !k.chars().allMatch(ch -> ch > 32 && ch < 127 && ch != ':')) {
        diags.add(new Diagnostic(c.positionOf("headers"), "invalid header name \"" + k + "\""));
      }
    }
    headers = OtlpGrpcExporterConfig.withAuth(c, headers, diags);
    OtlpTls tls = TlsBlocks.otlpTls(c.block("tls"), diags);
    Duration timeout = c.duration("timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      diags.add(new Diagnostic(c.positionOf("timeout"), "timeout must be greater than 0"));
    }
    DeliveryBlocks delivery = DeliveryBlocks.from(args, diags);
    QueueConfig queue = delivery.queue();
    RetryConfig retry = delivery.retry();
    if (!diags.isEmpty()) throw new ConfigException(diags);
    Encoding encoding = Encoding.valueOf(args.string("encoding").toUpperCase(Locale.ROOT));
    return new OtlpHttpExporterConfig(urls, encoding, compression, headers, tls, timeout, queue, retry);
  }

  static List<URI> defaultUrls(URI base) {
    List<URI> out = new ArrayList<>();
    for (Signal s : Signal.values()) out.add(URI.create(trimSlash(base.toString()) + "/v1/" + s.lowerName()));
    return out;
  }

  static URI parseUrl(String text, String attr) {
    String t = text.trim();
    URI u;
    try {
      u = new URI(t);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(attr + " \"" + text + "\" is not a valid URL: " + e.getReason());
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || u.getHost() == null) {
      throw new IllegalArgumentException(attr + " \"" + text + "\" must be an http:// or https:// URL, e.g."
          + " http://tempo:4318 (for host:port gRPC endpoints use otelcol.exporter.otlp)");
    }
    if (u.getQuery() != null || u.getFragment() != null) {
      throw new IllegalArgumentException(attr + " \"" + text + "\" must not have a query or fragment");
    }
    return u;
  }

  static String trimSlash(String s) {
    String out = s;
    while (out.endsWith("/")) out = out.substring(0, out.length() - 1);
    return out;
  }

  /** Header values are secrets in the schema: only their names show. */
  @Override
  public String toString() {
    return "OtlpHttpExporterConfig[urls=" + urls + ", encoding=" + encoding + ", compression=" + compression
        + ", headers=" + headers.keySet() + ", tls=" + tls + ", timeout=" + timeout + "]";
  }
}
