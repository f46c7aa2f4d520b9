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
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Arguments of {@code otelcol.exporter.otlp}, with Alloy's names and defaults.
 *
 * <pre>
 * otelcol.exporter.otlp "tempo" {
 *   timeout = "5s"                         // per attempt
 *   client {
 *     endpoint    = "tempo:4317"           // required; "http://tempo:4317" means plaintext
 *     compression = "gzip"                 // "gzip" | "none" | ""
 *     headers     = { "X-Scope-OrgID" = "team-a" }
 *     tls { insecure = true }              // TLS is on by default
 *     keepalive { ping_wait = "30s" }
 *     authority = ""  balancer_name = "round_robin"  wait_for_ready = false
 *   }
 *   sending_queue { ... }  retry_on_failure { ... }
 * }
 * </pre>
 *
 * @param timeout deadline of one export call
 * @param client the gRPC client settings
 * @param queue the sending queue
 * @param retry the retry policy
 */
public record OtlpGrpcExporterConfig(Duration timeout, Client client, QueueConfig queue, RetryConfig retry) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  /**
   * The {@code client} block.
   *
   * @param endpoint where to connect
   * @param useTls whether to use TLS (scheme, else {@code !tls.insecure})
   * @param compression message compression
   * @param headers sent as gRPC metadata on every call (keys lower-cased), e.g. {@code x-scope-orgid}
   * @param tls TLS settings
   * @param keepalive keepalive settings, or null
   * @param authority the {@code :authority} to send, "" for the endpoint's
   * @param balancerName "round_robin" or "pick_first"
   * @param waitForReady wait for a connection instead of failing fast while the backend is down
   */
  public record Client(GrpcEndpoint endpoint, boolean useTls, Compression compression, Map<String, String> headers,
      OtlpTls tls, KeepaliveConfig keepalive, String authority, String balancerName, boolean waitForReady) {
    public Client {
      Objects.requireNonNull(endpoint, "endpoint");
      Objects.requireNonNull(compression, "compression");
      Objects.requireNonNull(tls, "tls");
      headers = normaliseHeaders(headers);
      authority = authority == null ? "" : authority;
      balancerName = balancerName == null ? "round_robin" : balancerName;
    }

    /** Header values are secrets in the schema: only their names show. */
    @Override
    public String toString() {
      return "Client[endpoint=" + endpoint + ", useTls=" + useTls + ", compression=" + compression + ", headers="
          + headers.keySet() + ", tls=" + tls + ", authority=" + authority + "]";
    }

    /** A plaintext client for {@code host:port} with defaults otherwise (tests, simple setups). */
    public static Client plaintext(String hostPort) {
      return new Client(GrpcEndpoint.parse(hostPort), false, Compression.GZIP, Map.of(), OtlpTls.INSECURE, null,
          "", "round_robin", false);
    }

    public Client withHeaders(Map<String, String> h) {
      return new Client(endpoint, useTls, compression, h, tls, keepalive, authority, balancerName, waitForReady);
    }

    public Client withCompression(Compression c) {
      return new Client(endpoint, useTls, c, headers, tls, keepalive, authority, balancerName, waitForReady);
    }

    /** The same settings for another {@code host:port} (TLS as decided by {@code tls { insecure }}). */
    public Client withEndpoint(GrpcEndpoint e) {
      return new Client(e, useTls, compression, headers, tls, keepalive, authority, balancerName, waitForReady);
    }

    public Client withTls(boolean on, OtlpTls t) {
      return new Client(endpoint, on, compression, headers, t, keepalive, authority, balancerName, waitForReady);
    }
  }

  public static final Schema KEEPALIVE_SCHEMA = KeepaliveConfig.SCHEMA;

  public static final Schema CLIENT_SCHEMA = clientSchema(true);

  /**
   * The {@code client} block without {@code endpoint}, for an exporter whose endpoints come from
   * elsewhere ({@code otelcol.exporter.loadbalancing}'s resolver); read it with
   * {@link #clientFrom(Args, GrpcEndpoint)}.
   */
  public static final Schema CLIENT_SCHEMA_WITHOUT_ENDPOINT = clientSchema(false);

  private static Schema clientSchema(boolean withEndpoint) {
    Schema.Builder b = Schema.builder();
    if (withEndpoint) b.required("endpoint", Types.STRING, "host:port of the OTLP gRPC server");
    return b
      .optional("compression", Types.STRING, "gzip", "\"gzip\" or \"none\"")
      .optional("headers", Types.mapOf(Types.SECRET), Map.of(), "gRPC metadata sent with every call")
      .optional("auth", io.mpac.collector.auth.AuthHandler.TYPE, null,
          "otelcol.auth.X.handler: its credential is sent as metadata with every call")
      .optional("authority", Types.STRING, "", "override the :authority header")
      .optional("balancer_name", Types.oneOf("round_robin", "pick_first"), "round_robin", "load balancing policy")
      .optional("wait_for_ready", Types.BOOL, false, "wait for a connection instead of failing fast")
      .refused("read_buffer_size", Types.BYTES, "grpc-java sizes its read buffers itself; remove it")
      .refused("write_buffer_size", Types.BYTES, "grpc-java sizes its write buffers itself; remove it")
      .block("tls", TlsBlocks.OTLP_TLS, Cardinality.OPTIONAL)
      .block("keepalive", KEEPALIVE_SCHEMA, Cardinality.OPTIONAL)
      .build();
  }

  public static final Schema SCHEMA = Schema.builder()
      .optional("timeout", Types.DURATION, DEFAULT_TIMEOUT, "deadline of one export call")
      .block("client", CLIENT_SCHEMA, Cardinality.REQUIRED)
      .block("sending_queue", QueueConfig.SCHEMA, Cardinality.OPTIONAL)
      .block("retry_on_failure", RetryConfig.SCHEMA, Cardinality.OPTIONAL)
      .block("debug_metrics", DebugMetrics.SCHEMA, Cardinality.OPTIONAL, DebugMetrics.DOC)
      .build();

  public OtlpGrpcExporterConfig {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(retry, "retry");
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be greater than 0");
    }
  }

  /** Reads and checks the component's arguments. */
  public static OtlpGrpcExporterConfig from(Args args) throws ConfigException {
    List<Diagnostic> diags = new ArrayList<>();
    Duration timeout = args.duration("timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      diags.add(new Diagnostic(args.positionOf("timeout"), "timeout must be greater than 0"));
    }
    Client client = null;
    try {
      client = clientFrom(args.blockOrDefaults("client"));
    } catch (ConfigException e) {
      diags.addAll(e.diagnostics());
    }
    DeliveryBlocks delivery = DeliveryBlocks.from(args, diags);
    QueueConfig queue = delivery.queue();
    RetryConfig retry = delivery.retry();
    if (!diags.isEmpty()) throw new ConfigException(diags);
    return new OtlpGrpcExporterConfig(timeout, client, queue, retry);
  }

  static Client clientFrom(Args c) throws ConfigException {
    GrpcEndpoint endpoint = null;
    try {
      endpoint = GrpcEndpoint.parse(c.string("endpoint"));
    } catch (IllegalArgumentException e) {
      List<Diagnostic> diags = new ArrayList<>();
      diags.add(new Diagnostic(c.positionOf("endpoint"), e.getMessage()));
      try {
        clientFrom(c, GrpcEndpoint.parse("placeholder:1"));
      } catch (ConfigException more) {
        diags.addAll(more.diagnostics());
      }
      throw new ConfigException(diags);
    }
    return clientFrom(c, endpoint);
  }

  /**
   * Reads a {@code client} block whose endpoint is given rather than read from it (the block may
   * use {@link #CLIENT_SCHEMA_WITHOUT_ENDPOINT}); {@link Client#withEndpoint} retargets the result.
   */
  public static Client clientFrom(Args c, GrpcEndpoint endpoint) throws ConfigException {
    List<Diagnostic> diags = new ArrayList<>();
    Compression compression = null;
    try {
      compression = Compression.parse(c.string("compression"));
    } catch (IllegalArgumentException e) {
      diags.add(new Diagnostic(c.positionOf("compression"), e.getMessage()));
    }
    Map<String, String> headers = c.map("headers");
    for (String k : headers.keySet()) {
      String problem = headerProblem(k);
      if (problem != null) diags.add(new Diagnostic(c.positionOf("headers"), problem));
    }
    headers = withAuth(c, headers, diags);
    for (String k : headers.keySet()) {
      String problem = headerProblem(k);
      if (problem != null && !c.map("headers").containsKey(k)) diags.add(new Diagnostic(c.positionOf("auth"), problem));
    }
    Args tlsBlock = c.block("tls");
    OtlpTls tls = TlsBlocks.otlpTls(tlsBlock, diags);
    boolean useTls = !tls.insecure();
    if (endpoint != null && endpoint.scheme().equals("http")) {
      if (tlsBlock != null && (tls.hasTlsSettings() || (tlsBlock.isSet("insecure") && !tls.insecure()))) {
        diags.add(new Diagnostic(c.positionOf("endpoint"), "endpoint \"" + endpoint.scheme() + "://" + endpoint.hostPort()
            + "\" says http:// (plaintext) but the tls block asks for TLS; use https:// or host:port"));
      }
      useTls = false;
    } else if (endpoint != null && endpoint.scheme().equals("https")) {
      if (tls.insecure()) {
        diags.add(new Diagnostic(c.positionOf("endpoint"), "endpoint \"" + endpoint.scheme() + "://" + endpoint.hostPort()
            + "\" says https:// but tls { insecure = true } turns TLS off; use http:// or host:port"));
      }
      useTls = true;
    }
    KeepaliveConfig keepalive = c.block("keepalive") == null ? null : KeepaliveConfig.from(c.block("keepalive"));
    if (!diags.isEmpty()) throw new ConfigException(diags);
    return new Client(endpoint, useTls, compression, headers, tls, keepalive, c.string("authority"),
        c.string("balancer_name"), c.bool("wait_for_ready"));
  }

  /** Why a header name cannot be sent as gRPC metadata, or null. */
  static String headerProblem(String name) {
    String k = name.toLowerCase(Locale.ROOT);
    if (k.isEmpty()) return "empty header name";
    for (int i = 0; i < k.length(); i++) {
      char ch = k.charAt(i);
      boolean ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
      if (!ok) return "header name \"" + name + "\" is not a valid gRPC metadata key";
    }
    if (k.endsWith("-bin")) return "binary header \"" + name + "\" (-bin) is not supported";
    if (k.startsWith("grpc-") || k.startsWith(":")) return "header \"" + name + "\" is reserved by gRPC";
    return null;
  }

  /**
   * {@code headers} with the credential of {@code auth = otelcol.auth.X.handler} applied (it wins
   * over a header of the same name); a handler without a client side is a positioned error.
   */
  static Map<String, String> withAuth(Args c, Map<String, String> headers, List<Diagnostic> diags) {
    io.mpac.collector.auth.AuthHandler auth = (io.mpac.collector.auth.AuthHandler) c.get("auth");
    if (auth == null) return headers;
    if (auth.client() == null) {
      diags.add(new Diagnostic(c.positionOf("auth"), auth.componentName()
          + " does not authenticate outgoing requests (server side only)"));
      return headers;
    }
    Map<String, String> out = new LinkedHashMap<>(normaliseHeaders(headers));
    auth.client().applyTo(out);
    return out;
  }

  static Map<String, String> normaliseHeaders(Map<String, String> headers) {
    Map<String, String> out = new LinkedHashMap<>();
    if (headers != null) headers.forEach((k, v) -> out.put(k.toLowerCase(Locale.ROOT), v));
    return java.util.Collections.unmodifiableMap(out);
  }
}
