package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.exporter.tls.TlsBlocks;
import io.mpac.collector.exporter.tls.TlsSettings;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Arguments of {@code prometheus.remote_write} (Alloy's names and defaults).
 *
 * @param externalLabels labels added to every series that does not already have them
 * @param endpoints where to send; every endpoint gets all data
 */
public record RemoteWriteConfig(Map<String, String> externalLabels, List<Endpoint> endpoints, Wal wal) {

  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  public RemoteWriteConfig {
    externalLabels = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(externalLabels));
    endpoints = List.copyOf(endpoints);
    Objects.requireNonNull(wal, "wal");
  }

  /** External labels and endpoints with the default {@code wal} settings. */
  public RemoteWriteConfig(Map<String, String> externalLabels, List<Endpoint> endpoints) {
    this(externalLabels, endpoints, Wal.DEFAULTS);
  }

  /**
   * The {@code wal} block. The WAL is always on (as in Alloy); this only tunes it.
   *
   * @param truncateFrequency how often the WAL is truncated: records older than {@code maxKeepalive}
   *     become expired (dropped by the reader and the shards), mostly-acked segments are compacted
   * @param minKeepalive undelivered data younger than this is never dropped from the WAL; must not
   *     exceed {@code maxKeepalive}
   * @param maxKeepalive undelivered data older than this is dropped (counted, reason
   *     {@code max_keepalive_time})
   * @param maxSize disk bound of one endpoint's WAL: past it, appends are refused (back-pressure)
   */
  public record Wal(Duration truncateFrequency, Duration minKeepalive, Duration maxKeepalive, long maxSize) {
    public static final long DEFAULT_MAX_SIZE = 1L << 30;
    public static final Wal DEFAULTS = new Wal(Duration.ofHours(2), Duration.ofMinutes(5), Duration.ofHours(8),
        DEFAULT_MAX_SIZE);

    public Wal {
      if (!positive(truncateFrequency) || !positive(minKeepalive) || maxKeepalive.compareTo(minKeepalive) < 0) {
        throw new IllegalArgumentException("need truncate_frequency > 0 and 0 < min_keepalive_time <= max_keepalive_time");
      }
      if (maxSize < 1) throw new IllegalArgumentException("max_size must be at least 1 byte");
    }
  }

  /**
   * One {@code endpoint} block.
   *
   * @param url where to POST, e.g. {@code http://prometheus:9090/api/v1/write}
   * @param name the {@code remote_name} in metrics and logs; defaults to a hash of the URL
   * @param remoteTimeout per-request timeout (default 30s)
   * @param headers extra HTTP headers (cannot replace the protocol headers)
   * @param sendExemplars send exemplars (default true)
   * @param sendNativeHistograms send native histograms (default false: they are dropped and counted)
   * @param enableHttp2 use HTTP/2 (default false, as Alloy)
   * @param followRedirects follow 3xx (default true)
   * @param auth how to authenticate
   * @param tls TLS settings for https URLs (the {@code tls_config} block)
   * @param queue queue and retry settings
   * @param metadata metadata sending
   */
  public record Endpoint(URI url, String name, Duration remoteTimeout, Map<String, String> headers,
      boolean sendExemplars, boolean sendNativeHistograms, boolean enableHttp2, boolean followRedirects,
      Auth auth, TlsSettings tls, Queue queue, MetadataSettings metadata) {
    public Endpoint {
      Objects.requireNonNull(url, "url");
      Objects.requireNonNull(name, "name");
      headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
      Objects.requireNonNull(auth, "auth");
      Objects.requireNonNull(tls, "tls");
      Objects.requireNonNull(queue, "queue");
      Objects.requireNonNull(metadata, "metadata");
    }

    /** An endpoint with Alloy's defaults for everything but the URL. */
    public static Endpoint defaults(URI url) {
      return new Endpoint(url, defaultName(url), Duration.ofSeconds(30), Map.of(), true, false, false, true,
          Auth.NONE, TlsSettings.NONE, Queue.DEFAULTS, MetadataSettings.DEFAULTS);
    }

    public Endpoint withQueue(Queue q) {
      return new Endpoint(url, name, remoteTimeout, headers, sendExemplars, sendNativeHistograms, enableHttp2,
          followRedirects, auth, tls, q, metadata);
    }

    public Endpoint withNativeHistograms(boolean on) {
      return new Endpoint(url, name, remoteTimeout, headers, sendExemplars, on, enableHttp2, followRedirects,
          auth, tls, queue, metadata);
    }

    public Endpoint withMetadata(MetadataSettings m) {
      return new Endpoint(url, name, remoteTimeout, headers, sendExemplars, sendNativeHistograms, enableHttp2,
          followRedirects, auth, tls, queue, m);
    }

    public Endpoint withRemoteTimeout(Duration t) {
      return new Endpoint(url, name, t, headers, sendExemplars, sendNativeHistograms, enableHttp2,
          followRedirects, auth, tls, queue, metadata);
    }

    public Endpoint withAuth(Auth a, Map<String, String> extraHeaders) {
      return new Endpoint(url, name, remoteTimeout, extraHeaders, sendExemplars, sendNativeHistograms, enableHttp2,
          followRedirects, a, tls, queue, metadata);
    }
  }

  /**
   * The {@code queue_config} block. The shards hold up to {@code capacity × shards} samples (and
   * histograms) read from the WAL; between {@code min_shards} and {@code max_shards} senders run,
   * as many as the load needs ({@link ShardTuner}). Sending retries 5xx, 429 (if enabled) and network
   * errors with a doubling backoff from {@code min_backoff} to {@code max_backoff}, without limit
   * unless {@code sample_age_limit} is set.
   */
  public record Queue(int capacity, int minShards, int maxShards, int maxSamplesPerSend, Duration batchSendDeadline,
      Duration minBackoff, Duration maxBackoff, boolean retryOnHttp429, Duration sampleAgeLimit) {
    public static final Queue DEFAULTS = new Queue(10_000, 1, 50, 2_000, Duration.ofSeconds(5),
        Duration.ofMillis(30), Duration.ofSeconds(5), true, Duration.ZERO);

    public Queue {
      if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1");
      if (minShards < 1 || maxShards < minShards) throw new IllegalArgumentException("need 1 <= min_shards <= max_shards");
      if (maxSamplesPerSend < 1) throw new IllegalArgumentException("max_samples_per_send must be at least 1");
      if (!positive(batchSendDeadline) || !positive(minBackoff) || maxBackoff.compareTo(minBackoff) < 0) {
        throw new IllegalArgumentException("need batch_send_deadline > 0 and 0 < min_backoff <= max_backoff");
      }
      if (sampleAgeLimit.isNegative()) throw new IllegalArgumentException("sample_age_limit must not be negative");
    }
  }

  /** The {@code metadata_config} block. */
  public record MetadataSettings(boolean send, Duration sendInterval, int maxSamplesPerSend) {
    public static final MetadataSettings DEFAULTS = new MetadataSettings(true, Duration.ofMinutes(1), 2000);
  }

  /** How requests authenticate: at most one of basic_auth, bearer_token(_file), authorization. */
  public sealed interface Auth {
    Auth NONE = new None();

    /** The {@code Authorization} header value, or null. */
    String header();

    /** The raw secrets the header is made of (kept out of logs). */
    default String[] secrets() {
      return new String[0];
    }

    record None() implements Auth {
      @Override
      public String header() {
        return null;
      }
    }

    record Basic(String username, String password) implements Auth {
      @Override
      public String header() {
        return "Basic " + java.util.Base64.getEncoder()
            .encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
      }

      @Override
      public String[] secrets() {
        return new String[] {password};
      }

      @Override
      public String toString() {
        return "Basic[" + username + ", (secret)]";
      }
    }

    record Credentials(String type, String credentials) implements Auth {
      @Override
      public String header() {
        return type + " " + credentials;
      }

      @Override
      public String[] secrets() {
        return new String[] {credentials};
      }

      @Override
      public String toString() {
        return "Credentials[" + type + ", (secret)]";
      }
    }
  }

  static String defaultName(URI url) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(url.toString().getBytes(StandardCharsets.UTF_8));
      return OtlpToPrometheus.hex(d).substring(0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  // ------------------------------------------------------------------ decoding

  static RemoteWriteConfig from(Args args) throws ConfigException {
    List<Diagnostic> diags = new ArrayList<>();
    Map<String, String> external = args.map("external_labels");
    for (String name : external.keySet()) {
      if (!LABEL_NAME.matcher(name).matches() || name.startsWith("__")) {
        diags.add(new Diagnostic(args.positionOf("external_labels"), "external label name \"" + name
            + "\" is not a valid Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting with __)"));
      }
    }
    List<Endpoint> endpoints = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (Args e : args.blocks("endpoint")) {
      Endpoint ep = endpoint(e, diags);
      if (ep == null) continue;
      if (!names.add(ep.name())) {
        diags.add(new Diagnostic(e.positionOf("name"), "endpoint name \"" + ep.name() + "\" is used twice"));
      }
      endpoints.add(ep);
    }
    Wal wal = wal(args.blockOrDefaults("wal"), diags);
    if (!diags.isEmpty()) throw new ConfigException(diags);
    return new RemoteWriteConfig(external, endpoints, wal);
  }

  private static Wal wal(Args w, List<Diagnostic> diags) {
    int before = diags.size();
    Duration truncate = w.duration("truncate_frequency");
    Duration min = w.duration("min_keepalive_time");
    Duration max = w.duration("max_keepalive_time");
    long maxSize = w.bytes("max_size");
    if (!positive(truncate)) diags.add(new Diagnostic(w.positionOf("truncate_frequency"), "truncate_frequency must be > 0"));
    if (!positive(min)) diags.add(new Diagnostic(w.positionOf("min_keepalive_time"), "min_keepalive_time must be > 0"));
    if (max.compareTo(min) < 0) {
      diags.add(new Diagnostic(w.positionOf(w.isSet("max_keepalive_time") ? "max_keepalive_time" : "min_keepalive_time"),
          "max_keepalive_time (" + max + ") must not be less than min_keepalive_time (" + min + ")"));
    }
    if (maxSize < 1) diags.add(new Diagnostic(w.positionOf("max_size"), "max_size must be at least 1 byte"));
    if (diags.size() > before) return Wal.DEFAULTS;
    return new Wal(truncate, min, max, maxSize);
  }

  private static Endpoint endpoint(Args e, List<Diagnostic> diags) {
    int before = diags.size();
    URI url = null;
    String rawUrl = e.string("url");
    try {
      url = URI.create(rawUrl);
      if (url.getScheme() == null || !(url.getScheme().equals("http") || url.getScheme().equals("https"))
          || url.getHost() == null) {
        diags.add(new Diagnostic(e.positionOf("url"), "url must be an absolute http:// or https:// URL, got \""
            + rawUrl + "\""));
      }
    } catch (IllegalArgumentException ex) {
      diags.add(new Diagnostic(e.positionOf("url"), "url \"" + rawUrl + "\" is not a valid URL: " + ex.getMessage()));
    }
    Duration timeout = e.duration("remote_timeout");
    if (!positive(timeout)) diags.add(new Diagnostic(e.positionOf("remote_timeout"), "remote_timeout must be > 0"));
    String message = e.string("protobuf_message");
    if (!message.equals("prometheus.WriteRequest")) {
      diags.add(new Diagnostic(e.positionOf("protobuf_message"), "protobuf_message \"" + message
          + "\" is not supported; only \"prometheus.WriteRequest\" (remote write 1.0) is implemented"));
    }
    Auth auth = auth(e, diags);
    TlsSettings tls = TlsBlocks.tlsConfig(e.block("tls_config"), diags);
    Queue queue = queue(e.blockOrDefaults("queue_config"), diags);
    Args md = e.blockOrDefaults("metadata_config");
    Duration interval = md.duration("send_interval");
    long mdMax = md.integer("max_samples_per_send");
    if (md.bool("send") && !positive(interval)) {
      diags.add(new Diagnostic(md.positionOf("send_interval"), "send_interval must be > 0"));
    }
    if (mdMax < 1) diags.add(new Diagnostic(md.positionOf("max_samples_per_send"), "max_samples_per_send must be >= 1"));
    if (diags.size() > before) return null;
    Map<String, String> headers = e.map("headers");
    String name = e.string("name");
    if (name == null || name.isEmpty()) name = defaultName(url);
    return new Endpoint(url, name, timeout, headers, e.bool("send_exemplars"), e.bool("send_native_histograms"),
        e.bool("enable_http2"), e.bool("follow_redirects"), auth, tls, queue,
        new MetadataSettings(md.bool("send"), interval, (int) mdMax));
  }

  private static Auth auth(Args e, List<Diagnostic> diags) {
    List<Auth> found = new ArrayList<>();
    Args basic = e.block("basic_auth");
    if (basic != null) {
      String password = basic.string("password");
      String file = basic.string("password_file");
      if (!password.isEmpty() && !file.isEmpty()) {
        diags.add(new Diagnostic(basic.positionOf("password_file"), "at most one of password and password_file"));
      }
      found.add(new Auth.Basic(basic.string("username"), file.isEmpty() ? password : readSecret(basic, "password_file", diags)));
    }
    String token = e.string("bearer_token");
    String tokenFile = e.string("bearer_token_file");
    if (!token.isEmpty()) found.add(new Auth.Credentials("Bearer", token));
    if (!tokenFile.isEmpty()) found.add(new Auth.Credentials("Bearer", readSecret(e, "bearer_token_file", diags)));
    Args authz = e.block("authorization");
    if (authz != null) {
      String creds = authz.string("credentials");
      if (!authz.string("credentials_file").isEmpty()) creds = readSecret(authz, "credentials_file", diags);
      found.add(new Auth.Credentials(authz.string("type"), creds));
    }
    if (found.size() > 1) {
      diags.add(new Diagnostic(e.position(), "at most one of basic_auth, authorization, bearer_token and "
          + "bearer_token_file may be set"));
    }
    return found.isEmpty() ? Auth.NONE : found.get(0);
  }

  private static String readSecret(Args block, String attribute, List<Diagnostic> diags) {
    String path = block.string(attribute);
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of(path)).strip();
    } catch (java.io.IOException | RuntimeException ex) {
      diags.add(new Diagnostic(block.positionOf(attribute), "cannot read " + attribute + " \"" + path + "\": " + ex));
      return "";
    }
  }

  private static Queue queue(Args q, List<Diagnostic> diags) {
    long capacity = q.integer("capacity");
    long minShards = q.integer("min_shards");
    long maxShards = q.integer("max_shards");
    long maxSamples = q.integer("max_samples_per_send");
    Duration deadline = q.duration("batch_send_deadline");
    Duration minBackoff = q.duration("min_backoff");
    Duration maxBackoff = q.duration("max_backoff");
    Duration age = q.duration("sample_age_limit");
    int before = diags.size();
    if (capacity < 1 || capacity > 100_000_000) {
      diags.add(new Diagnostic(q.positionOf("capacity"), "capacity must be between 1 and 100000000"));
    }
    if (minShards < 1 || minShards > 1000) {
      diags.add(new Diagnostic(q.positionOf("min_shards"), "min_shards must be between 1 and 1000"));
    }
    if (maxShards < minShards || maxShards > 1000) {
      diags.add(new Diagnostic(q.positionOf("max_shards"), "max_shards must be between min_shards and 1000"));
    }
    if (maxSamples < 1 || maxSamples > 1_000_000) {
      diags.add(new Diagnostic(q.positionOf("max_samples_per_send"), "max_samples_per_send must be between 1 and 1000000"));
    }
    if (!positive(deadline)) diags.add(new Diagnostic(q.positionOf("batch_send_deadline"), "batch_send_deadline must be > 0"));
    if (!positive(minBackoff)) diags.add(new Diagnostic(q.positionOf("min_backoff"), "min_backoff must be > 0"));
    if (maxBackoff.compareTo(minBackoff) < 0) {
      diags.add(new Diagnostic(q.positionOf("max_backoff"), "max_backoff must not be less than min_backoff"));
    }
    if (age.isNegative()) diags.add(new Diagnostic(q.positionOf("sample_age_limit"), "sample_age_limit must not be negative"));
    if (diags.size() > before) return Queue.DEFAULTS;
    return new Queue((int) capacity, (int) minShards, (int) maxShards, (int) maxSamples, deadline, minBackoff,
        maxBackoff, q.bool("retry_on_http_429"), age);
  }
}
