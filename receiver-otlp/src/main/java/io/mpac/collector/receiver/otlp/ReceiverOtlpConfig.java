package io.mpac.collector.receiver.otlp;

import io.mpac.collector.auth.AuthHandler;
import io.mpac.collector.auth.ServerAuthenticator;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.DebugMetrics;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Schema.BlockSpec.Cardinality;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.consumer.FanoutConsumer;
import io.mpac.collector.consumer.NoopConsumer;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The arguments of {@code otelcol.receiver.otlp}. A {@code null} {@link #grpc} or {@link #http}
 * means that server is off (the block was left out), as in Alloy.
 *
 * @param grpc the gRPC server, or null
 * @param http the HTTP server, or null
 * @param traces where traces go ({@link NoopConsumer} when none is listed: dropped, counted)
 * @param metrics where metrics go
 * @param logs where logs go
 */
public record ReceiverOtlpConfig(Grpc grpc, Http http, OtlpConsumer traces, OtlpConsumer metrics, OtlpConsumer logs,
    long maxInFlightBytes, long maxInFlightBytesPerClient) {

  public static final String DEFAULT_GRPC_ENDPOINT = "0.0.0.0:4317";
  public static final String DEFAULT_HTTP_ENDPOINT = "0.0.0.0:4318";
  public static final long DEFAULT_MAX_RECV_MSG_SIZE = 4L << 20;
  public static final long DEFAULT_MAX_REQUEST_BODY_SIZE = 20L << 20;
  public static final long DEFAULT_READ_BUFFER_SIZE = 512L << 10;
  public static final Duration DEFAULT_MIN_KEEPALIVE_TIME = Duration.ofMinutes(5);
  public static final int DEFAULT_MAX_CONNECTIONS = 1000;
  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
  public static final Duration DEFAULT_READ_HEADER_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

  /** {@code maxInFlightBytes} 0 means: use the process-wide budget shared by all OTLP receivers. */
  public ReceiverOtlpConfig(Grpc grpc, Http http, OtlpConsumer traces, OtlpConsumer metrics, OtlpConsumer logs) {
    this(grpc, http, traces, metrics, logs, 0);
  }

  /** {@code maxInFlightBytesPerClient} 0: half of the budget. */
  public ReceiverOtlpConfig(Grpc grpc, Http http, OtlpConsumer traces, OtlpConsumer metrics, OtlpConsumer logs,
      long maxInFlightBytes) {
    this(grpc, http, traces, metrics, logs, maxInFlightBytes, 0);
  }

  /** Bytes one client (remote address) may hold: {@code maxInFlightBytesPerClient}, or half of {@code budget}. */
  public long perClientLimit(long budget) {
    return maxInFlightBytesPerClient > 0 ? Math.min(maxInFlightBytesPerClient, budget) : Math.max(1, budget / 2);
  }

  public ReceiverOtlpConfig {
    Objects.requireNonNull(traces, "traces");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(logs, "logs");
  }

  /** The consumer for {@code signal}. */
  public OtlpConsumer consumer(Signal signal) {
    return switch (signal) {
      case TRACES -> traces;
      case METRICS -> metrics;
      case LOGS -> logs;
    };
  }

  /**
   * What one server lets a client hold.
   *
   * @param maxConnections open connections at most; more are closed as soon as they are accepted
   * @param readHeaderTimeout HTTP only: from a request's first byte until its headers are complete
   * @param readTimeout HTTP: from a request's first byte until its body is complete; gRPC: from a
   *     call's start until its request message is complete
   * @param maxConnectionInFlightBytes gRPC only: message bytes one connection may hold across its
   *     streams (0 = twice {@code max_recv_msg_size}); HTTP reads one request per connection at a
   *     time, so there {@code max_request_body_size} is the per-connection limit
   */
  public record Limits(int maxConnections, Duration readHeaderTimeout, Duration readTimeout,
      long maxConnectionInFlightBytes) {
    public static final Limits DEFAULT =
        new Limits(DEFAULT_MAX_CONNECTIONS, DEFAULT_READ_HEADER_TIMEOUT, DEFAULT_READ_TIMEOUT, 0);
  }

  /**
   * Server TLS from PEM files; {@code clientCaFile} or {@code clientCaPem} (both nullable) turn on
   * client certificate checks (mutual TLS): a client without a certificate signed by them is refused.
   *
   * @param reloadInterval how often the certificate and key files are checked for changes (new
   *     connections then use the new pair); null = read once at start, as in Alloy
   * @param clientCaFileReload re-read {@code clientCaFile} when it changes (checked every
   *     {@code reloadInterval}, or every 5 s without one)
   */
  public record Tls(String certFile, String keyFile, String clientCaFile, String clientCaPem, Duration reloadInterval,
      boolean clientCaFileReload) {
    public Tls(String certFile, String keyFile, String clientCaFile) {
      this(certFile, keyFile, clientCaFile, null);
    }

    public Tls(String certFile, String keyFile, String clientCaFile, String clientCaPem) {
      this(certFile, keyFile, clientCaFile, clientCaPem, null, false);
    }

    public Tls withReload(Duration interval, boolean clientCa) {
      return new Tls(certFile, keyFile, clientCaFile, clientCaPem, interval, clientCa);
    }

    public boolean requiresClientCertificate() {
      return clientCaFile != null || clientCaPem != null;
    }
  }

  /**
   * {@code keepalive { server_parameters {...} enforcement_policy {...} }}; a null duration means
   * the gRPC default (idle/age: unlimited; time 2h; timeout 20s).
   */
  public record Keepalive(Duration maxConnectionIdle, Duration maxConnectionAge, Duration maxConnectionAgeGrace,
      Duration time, Duration timeout, Duration minTime, boolean permitWithoutStream) {
    public static final Keepalive DEFAULT =
        new Keepalive(null, null, null, null, null, DEFAULT_MIN_KEEPALIVE_TIME, false);
  }

  /**
   * The gRPC server.
   *
   * @param readBufferSize not configurable (read_buffer_size is refused): grpc-java sizes its buffers itself
   * @param maxConcurrentStreams per connection; 0 = unlimited
   */
  public record Grpc(String host, int port, long maxRecvMsgSize, int maxConcurrentStreams, long readBufferSize,
      boolean includeMetadata, Keepalive keepalive, Tls tls, Limits limits, ServerAuthenticator auth) {

    /** Defaults on {@code host:port} (tests use 127.0.0.1 and port 0). */
    public static Grpc of(String host, int port) {
      return new Grpc(host, port, DEFAULT_MAX_RECV_MSG_SIZE, DEFAULT_MAX_CONCURRENT_STREAMS, DEFAULT_READ_BUFFER_SIZE,
          false, Keepalive.DEFAULT, null, Limits.DEFAULT, null);
    }

    public Grpc withMaxRecvMsgSize(long size) {
      return new Grpc(host, port, size, maxConcurrentStreams, readBufferSize, includeMetadata, keepalive, tls, limits, auth);
    }

    public Grpc withIncludeMetadata(boolean include) {
      return new Grpc(host, port, maxRecvMsgSize, maxConcurrentStreams, readBufferSize, include, keepalive, tls,
          limits, auth);
    }

    public Grpc withKeepalive(Keepalive k) {
      return new Grpc(host, port, maxRecvMsgSize, maxConcurrentStreams, readBufferSize, includeMetadata, k, tls,
          limits, auth);
    }

    public Grpc withTls(Tls t) {
      return new Grpc(host, port, maxRecvMsgSize, maxConcurrentStreams, readBufferSize, includeMetadata, keepalive, t,
          limits, auth);
    }

    public Grpc withLimits(Limits l) {
      return new Grpc(host, port, maxRecvMsgSize, maxConcurrentStreams, readBufferSize, includeMetadata, keepalive, tls,
          l, auth);
    }

    public Grpc withMaxConcurrentStreams(int n) {
      return new Grpc(host, port, maxRecvMsgSize, n, readBufferSize, includeMetadata, keepalive, tls, limits, auth);
    }

    public Grpc withAuth(ServerAuthenticator a) {
      return new Grpc(host, port, maxRecvMsgSize, maxConcurrentStreams, readBufferSize, includeMetadata, keepalive, tls,
          limits, a);
    }

    /** Message bytes one connection may hold across its streams. */
    public long connectionInFlightLimit() {
      return limits.maxConnectionInFlightBytes() > 0 ? limits.maxConnectionInFlightBytes() : 2 * maxRecvMsgSize;
    }

    public String endpoint() {
      return ReceiverOtlpConfig.endpoint(host, port);
    }
  }

  /**
   * {@code cors {}}: off unless {@code allowedOrigins} is non-empty. {@code maxAge} in seconds, 0 =
   * unset. {@code exposedHeaders}: response headers a browser script may read
   * ({@code Access-Control-Expose-Headers}).
   */
  public record Cors(List<String> allowedOrigins, List<String> allowedHeaders, long maxAge, List<String> exposedHeaders) {
    public Cors {
      allowedOrigins = List.copyOf(allowedOrigins);
      allowedHeaders = List.copyOf(allowedHeaders);
      exposedHeaders = List.copyOf(exposedHeaders);
    }

    public Cors(List<String> allowedOrigins, List<String> allowedHeaders, long maxAge) {
      this(allowedOrigins, allowedHeaders, maxAge, List.of());
    }

    public static final Cors NONE = new Cors(List.of(), List.of(), 0);

    public boolean enabled() {
      return !allowedOrigins.isEmpty();
    }
  }

  /** The HTTP server. */
  public record Http(String host, int port, long maxRequestBodySize, boolean includeMetadata,
      String tracesUrlPath, String metricsUrlPath, String logsUrlPath, Cors cors, Tls tls, Limits limits,
      ServerAuthenticator auth) {

    public static Http of(String host, int port) {
      return new Http(host, port, DEFAULT_MAX_REQUEST_BODY_SIZE, false, "/v1/traces", "/v1/metrics", "/v1/logs",
          Cors.NONE, null, Limits.DEFAULT, null);
    }

    public Http withMaxRequestBodySize(long size) {
      return new Http(host, port, size, includeMetadata, tracesUrlPath, metricsUrlPath, logsUrlPath, cors, tls, limits, auth);
    }

    public Http withIncludeMetadata(boolean include) {
      return new Http(host, port, maxRequestBodySize, include, tracesUrlPath, metricsUrlPath, logsUrlPath, cors, tls,
          limits, auth);
    }

    public Http withCors(Cors c) {
      return new Http(host, port, maxRequestBodySize, includeMetadata, tracesUrlPath, metricsUrlPath, logsUrlPath, c,
          tls, limits, auth);
    }

    public Http withTls(Tls t) {
      return new Http(host, port, maxRequestBodySize, includeMetadata, tracesUrlPath, metricsUrlPath, logsUrlPath, cors,
          t, limits, auth);
    }

    public Http withLimits(Limits l) {
      return new Http(host, port, maxRequestBodySize, includeMetadata, tracesUrlPath, metricsUrlPath, logsUrlPath, cors,
          tls, l, auth);
    }

    public Http withAuth(ServerAuthenticator a) {
      return new Http(host, port, maxRequestBodySize, includeMetadata, tracesUrlPath, metricsUrlPath, logsUrlPath, cors,
          tls, limits, a);
    }

    public String path(Signal s) {
      return switch (s) {
        case TRACES -> tracesUrlPath;
        case METRICS -> metricsUrlPath;
        case LOGS -> logsUrlPath;
      };
    }

    public String endpoint() {
      return ReceiverOtlpConfig.endpoint(host, port);
    }
  }

  static String endpoint(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  // ---- schema ----

  static final Schema TLS = Schema.builder()
      .required("cert_file", Types.STRING)
      .required("key_file", Types.STRING)
      .optional("client_ca_file", Types.STRING, null, "PEM file of the CAs client certificates must chain to (mutual TLS)")
      .optional("client_ca_pem", Types.STRING, null, "the same as PEM text")
      .optional("reload_interval", Types.DURATION, null,
          "check cert_file and key_file this often and use a changed pair for new connections; unset = read once")
      .optional("client_ca_file_reload", Types.BOOL, false,
          "re-read client_ca_file when it changes (checked every reload_interval, or every 5s)")
      .build();

  static final Schema SERVER_PARAMETERS = Schema.builder()
      .optional("max_connection_idle", Types.DURATION, null)
      .optional("max_connection_age", Types.DURATION, null)
      .optional("max_connection_age_grace", Types.DURATION, null)
      .optional("time", Types.DURATION, null)
      .optional("timeout", Types.DURATION, null)
      .build();

  static final Schema ENFORCEMENT_POLICY = Schema.builder()
      .optional("min_time", Types.DURATION, DEFAULT_MIN_KEEPALIVE_TIME)
      .optional("permit_without_stream", Types.BOOL, false)
      .build();

  static final Schema KEEPALIVE = Schema.builder()
      .block("server_parameters", SERVER_PARAMETERS, Cardinality.OPTIONAL)
      .block("enforcement_policy", ENFORCEMENT_POLICY, Cardinality.OPTIONAL)
      .build();

  static final Schema GRPC = Schema.builder()
      .optional("endpoint", Types.STRING, DEFAULT_GRPC_ENDPOINT)
      .optional("transport", Types.oneOf("tcp"), "tcp", "only \"tcp\" (Alloy's \"unix\" is refused as a value outside the list)")
      .optional("max_recv_msg_size", Types.BYTES, DEFAULT_MAX_RECV_MSG_SIZE)
      .optional("max_concurrent_streams", Types.INT, (long) DEFAULT_MAX_CONCURRENT_STREAMS)
      .refused("read_buffer_size", Types.BYTES, "grpc-java sizes its read buffers itself; remove it")
      .refused("write_buffer_size", Types.BYTES, "grpc-java sizes its write buffers itself; remove it")
      .optional("include_metadata", Types.BOOL, false)
      .optional("auth", AuthHandler.TYPE, null, "otelcol.auth.X.handler: calls without its credential get UNAUTHENTICATED")
      .optional("max_connections", Types.INT, (long) DEFAULT_MAX_CONNECTIONS,
          "open connections at most; more are closed when accepted")
      .optional("read_timeout", Types.DURATION, DEFAULT_READ_TIMEOUT,
          "a call's request message must be complete within this")
      .optional("max_connection_in_flight_bytes", Types.BYTES, 0L,
          "message bytes one connection may hold across its streams; 0 = twice max_recv_msg_size")
      .block("keepalive", KEEPALIVE, Cardinality.OPTIONAL)
      .block("tls", TLS, Cardinality.OPTIONAL)
      .build();

  static final Schema CORS = Schema.builder()
      .optional("allowed_origins", Types.STRING_LIST, List.of())
      .optional("allowed_headers", Types.STRING_LIST, List.of())
      .optional("exposed_headers", Types.STRING_LIST, List.of(),
          "response headers a browser script may read (Access-Control-Expose-Headers)")
      .optional("max_age", Types.INT, 0L)
      .build();

  static final Schema HTTP = Schema.builder()
      .optional("endpoint", Types.STRING, DEFAULT_HTTP_ENDPOINT)
      .optional("max_request_body_size", Types.BYTES, DEFAULT_MAX_REQUEST_BODY_SIZE)
      .optional("include_metadata", Types.BOOL, false)
      .optional("traces_url_path", Types.STRING, "/v1/traces")
      .optional("metrics_url_path", Types.STRING, "/v1/metrics")
      .optional("logs_url_path", Types.STRING, "/v1/logs")
      .optional("auth", AuthHandler.TYPE, null, "otelcol.auth.X.handler: requests without its credential get 401")
      .optional("max_connections", Types.INT, (long) DEFAULT_MAX_CONNECTIONS,
          "open connections at most; more are closed when accepted")
      .optional("read_header_timeout", Types.DURATION, DEFAULT_READ_HEADER_TIMEOUT,
          "from a request's first byte until its headers are complete")
      .optional("read_timeout", Types.DURATION, DEFAULT_READ_TIMEOUT,
          "from a request's first byte until its body is complete")
      .block("cors", CORS, Cardinality.OPTIONAL)
      .block("tls", TLS, Cardinality.OPTIONAL)
      .build();

  static final Schema OUTPUT = Schema.builder()
      .optional("traces", Types.consumersOf(Signal.TRACES), List.of())
      .optional("metrics", Types.consumersOf(Signal.METRICS), List.of())
      .optional("logs", Types.consumersOf(Signal.LOGS), List.of())
      .build();

  /** The component's schema: no attributes; blocks {@code grpc}, {@code http}, {@code output}. */
  public static final Schema SCHEMA = Schema.builder()
      .optional("max_in_flight_bytes", Types.BYTES, 0L,
          "request bytes being received at once; 0 = the process-wide budget (10% of the heap) shared by all OTLP receivers")
      .optional("max_in_flight_bytes_per_client", Types.BYTES, 0L,
          "of those, what one client (remote address, all its connections) may hold; 0 = half of the budget")
      .block("grpc", GRPC, Cardinality.OPTIONAL, "the OTLP/gRPC server; absent = off")
      .block("http", HTTP, Cardinality.OPTIONAL, "the OTLP/HTTP server; absent = off")
      .block("output", OUTPUT, Cardinality.REQUIRED)
      .block("debug_metrics", DebugMetrics.SCHEMA, Cardinality.OPTIONAL, DebugMetrics.DOC)
      .build();

  /** Builds the config from decoded arguments, reporting every semantic problem at once. */
  public static ReceiverOtlpConfig from(Args args) throws ConfigException {
    List<Diagnostic> problems = new ArrayList<>();
    Grpc grpc = null;
    Args g = args.block("grpc");
    if (g != null) {
      HostPort hp = hostPort(g, "endpoint", problems);
      long max = positiveSize(g, "max_recv_msg_size", problems);
      long streams = g.integer("max_concurrent_streams");
      if (streams < 0 || streams > Integer.MAX_VALUE) {
        problems.add(new Diagnostic(g.positionOf("max_concurrent_streams"), "max_concurrent_streams must be >= 0"));
      }
      Args ka = g.blockOrDefaults("keepalive");
      Args sp = ka.blockOrDefaults("server_parameters");
      Args ep = ka.blockOrDefaults("enforcement_policy");
      Keepalive keepalive = new Keepalive(nonNegative(sp, "max_connection_idle", problems),
          nonNegative(sp, "max_connection_age", problems), nonNegative(sp, "max_connection_age_grace", problems),
          nonNegative(sp, "time", problems), nonNegative(sp, "timeout", problems),
          nonNegative(ep, "min_time", problems), ep.bool("permit_without_stream"));
      long perConnection = g.bytes("max_connection_in_flight_bytes");
      if (perConnection < 0) {
        problems.add(new Diagnostic(g.positionOf("max_connection_in_flight_bytes"),
            "max_connection_in_flight_bytes must be >= 0"));
      }
      Limits limits = new Limits(maxConnections(g, problems), null, positiveDuration(g, "read_timeout", problems),
          Math.max(0, perConnection));
      grpc = new Grpc(hp.host, hp.port, max, (int) Math.max(0, Math.min(streams, Integer.MAX_VALUE)),
          DEFAULT_READ_BUFFER_SIZE, g.bool("include_metadata"), keepalive, tls(g.block("tls"), problems), limits,
          serverAuth(g, problems));
    }
    Http http = null;
    Args h = args.block("http");
    if (h != null) {
      HostPort hp = hostPort(h, "endpoint", problems);
      long max = positiveSize(h, "max_request_body_size", problems);
      if (max > Integer.MAX_VALUE - 16) {
        problems.add(new Diagnostic(h.positionOf("max_request_body_size"), "max_request_body_size must be below 2GiB"));
      }
      List<String> paths = new ArrayList<>();
      for (String attr : List.of("traces_url_path", "metrics_url_path", "logs_url_path")) {
        String p = h.string(attr);
        if (p == null || !p.startsWith("/")) {
          problems.add(new Diagnostic(h.positionOf(attr), attr + " must start with \"/\", got \"" + p + "\""));
        } else if (paths.contains(p)) {
          problems.add(new Diagnostic(h.positionOf(attr), attr + " \"" + p + "\" is already used by another signal"));
        }
        paths.add(p);
      }
      Args c = h.block("cors");
      Cors cors = Cors.NONE;
      if (c != null) {
        List<String> origins = c.list("allowed_origins");
        if (origins.contains("*")) {
          problems.add(new Diagnostic(c.positionOf("allowed_origins"),
              "allowed_origins cannot contain \"*\" (credentials are allowed); list the origins"));
        }
        long maxAge = c.integer("max_age");
        if (maxAge < 0) problems.add(new Diagnostic(c.positionOf("max_age"), "max_age must be >= 0"));
        cors = new Cors(origins, c.list("allowed_headers"), Math.max(0, maxAge), c.list("exposed_headers"));
      }
      Limits limits = new Limits(maxConnections(h, problems), positiveDuration(h, "read_header_timeout", problems),
          positiveDuration(h, "read_timeout", problems), 0);
      http = new Http(hp.host, hp.port, Math.min(max, Integer.MAX_VALUE - 16), h.bool("include_metadata"),
          paths.get(0), paths.get(1), paths.get(2), cors, tls(h.block("tls"), problems), limits,
          serverAuth(h, problems));
    }
    if (grpc != null && http != null && grpc.port != 0 && grpc.port == http.port
        && (grpc.host.equals(http.host) || isWildcard(grpc.host) || isWildcard(http.host))) {
      problems.add(new Diagnostic(h.positionOf("endpoint"), "http endpoint " + http.endpoint()
          + " uses the same port as the grpc endpoint " + grpc.endpoint()));
    }
    long inFlight = args.bytes("max_in_flight_bytes");
    if (inFlight < 0) {
      problems.add(new Diagnostic(args.positionOf("max_in_flight_bytes"), "max_in_flight_bytes must be >= 0"));
    }
    long perClient = args.bytes("max_in_flight_bytes_per_client");
    if (perClient < 0) {
      problems.add(new Diagnostic(args.positionOf("max_in_flight_bytes_per_client"),
          "max_in_flight_bytes_per_client must be >= 0"));
    } else if (inFlight > 0 && perClient > inFlight) {
      problems.add(new Diagnostic(args.positionOf("max_in_flight_bytes_per_client"),
          "max_in_flight_bytes_per_client (" + perClient + ") is above max_in_flight_bytes (" + inFlight + ")"));
    }
    if (!problems.isEmpty()) throw new ConfigException(problems);
    Args out = args.blockOrDefaults("output");
    return new ReceiverOtlpConfig(grpc, http, FanoutConsumer.of(out.list("traces")),
        FanoutConsumer.of(out.list("metrics")), FanoutConsumer.of(out.list("logs")), inFlight, perClient);
  }

  private static boolean isWildcard(String host) {
    return host.isEmpty() || host.equals("0.0.0.0") || host.equals("::");
  }

  private static Tls tls(Args t, List<Diagnostic> problems) {
    if (t != null && t.string("client_ca_file") != null && t.string("client_ca_pem") != null) {
      problems.add(new Diagnostic(t.positionOf("client_ca_pem"), "set client_ca_file or client_ca_pem, not both"));
    }
    if (t == null) return null;
    Duration reload = t.duration("reload_interval");
    if (reload != null && (reload.isNegative() || reload.isZero())) {
      problems.add(new Diagnostic(t.positionOf("reload_interval"), "reload_interval must be positive"));
    }
    if (t.bool("client_ca_file_reload") && t.string("client_ca_file") == null) {
      problems.add(new Diagnostic(t.positionOf("client_ca_file_reload"),
          "client_ca_file_reload needs client_ca_file (client_ca_pem has no file to re-read)"));
    }
    return new Tls(t.string("cert_file"), t.string("key_file"), t.string("client_ca_file"), t.string("client_ca_pem"),
        reload, t.bool("client_ca_file_reload"));
  }

  /** The server side of {@code auth = otelcol.auth.X.handler}, or null; refused when X has none. */
  private static ServerAuthenticator serverAuth(Args a, List<Diagnostic> problems) {
    AuthHandler handler = (AuthHandler) a.get("auth");
    if (handler == null) return null;
    if (handler.server() == null) {
      problems.add(new Diagnostic(a.positionOf("auth"), handler.componentName()
          + " does not authenticate incoming requests (client side only, or no users configured)"));
    }
    return handler.server();
  }

  private static int maxConnections(Args a, List<Diagnostic> problems) {
    long n = a.integer("max_connections");
    if (n < 1 || n > 1_000_000) {
      problems.add(new Diagnostic(a.positionOf("max_connections"), "max_connections must be between 1 and 1000000"));
      return DEFAULT_MAX_CONNECTIONS;
    }
    return (int) n;
  }

  private static Duration positiveDuration(Args a, String attr, List<Diagnostic> problems) {
    Duration d = a.duration(attr);
    if (d == null || d.isNegative() || d.isZero()) {
      problems.add(new Diagnostic(a.positionOf(attr), attr + " must be positive"));
      return Duration.ofSeconds(1);
    }
    return d;
  }

  private static long positiveSize(Args a, String attr, List<Diagnostic> problems) {
    long v = a.bytes(attr);
    if (v <= 0) problems.add(new Diagnostic(a.positionOf(attr), attr + " must be positive"));
    return v;
  }

  private static Duration nonNegative(Args a, String attr, List<Diagnostic> problems) {
    Duration d = a.duration(attr);
    if (d != null && d.isNegative()) problems.add(new Diagnostic(a.positionOf(attr), attr + " must not be negative"));
    return d;
  }

  private record HostPort(String host, int port) {}

  private static HostPort hostPort(Args a, String attr, List<Diagnostic> problems) {
    String text = a.string(attr);
    try {
      return parseEndpoint(text);
    } catch (IllegalArgumentException e) {
      problems.add(new Diagnostic(a.positionOf(attr), e.getMessage()));
      return new HostPort("0.0.0.0", 0);
    }
  }

  /** Parses {@code host:port}, {@code [v6]:port} or {@code :port} (all interfaces). */
  static HostPort parseEndpoint(String text) {
    String bad = "invalid endpoint \"" + text + "\": expected host:port";
    if (text == null) throw new IllegalArgumentException(bad);
    int colon = text.lastIndexOf(':');
    if (colon < 0) throw new IllegalArgumentException(bad);
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    else if (host.indexOf(':') >= 0) throw new IllegalArgumentException(bad + " (put IPv6 addresses in [])");
    if (host.isEmpty()) host = "0.0.0.0";
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(bad);
    }
    if (port < 0 || port > 65535) throw new IllegalArgumentException("invalid port in endpoint \"" + text + "\"");
    return new HostPort(host, port);
  }
}
