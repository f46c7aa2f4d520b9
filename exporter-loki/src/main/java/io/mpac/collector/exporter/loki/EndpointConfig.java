package io.mpac.collector.exporter.loki;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.exporter.tls.TlsBlocks;
import io.mpac.collector.exporter.tls.TlsSettings;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One {@code endpoint} block of {@code loki.write}.
 *
 * @param url the push URL, e.g. {@code http://loki:3100/loki/api/v1/push}
 * @param name a name for logs (default: the URL's host and port)
 * @param tenantId sent as {@code X-Scope-OrgID} when not empty (an entry's {@code __tenant_id__} label wins)
 * @param headers extra request headers
 * @param batchWait how long a batch may wait for more entries before it is sent
 * @param batchSize a batch is sent once adding an entry would take it past this many bytes
 *     (lines plus structured metadata)
 * @param remoteTimeout time limit of one push request
 * @param minBackoff first retry delay
 * @param maxBackoff largest retry delay
 * @param maxBackoffRetries retries of a failed batch before it is dropped; 0 retries until shutdown
 * @param retryOnHttp429 retry 429 (rate limited) answers; false drops such batches at once
 * @param basicAuthUsername basic auth user, or empty
 * @param basicAuthPassword basic auth password
 * @param bearerToken a bearer token, or empty
 * @param tls TLS settings for https URLs
 * @param queueCapacity bytes of entries queued, batched or in flight for this endpoint (in memory;
 *     never more than {@link io.mpac.collector.component.HeapBudget#EXPORTER_QUEUE} of the heap)
 *     before {@code loki.write} refuses more (back-pressure)
 * @param blockOnOverflow when the queue is full, wait up to {@link #BLOCK_LIMIT} for room before
 *     refusing; false refuses at once
 * @param drainTimeout how long a shutdown keeps sending what is queued (without the WAL)
 */
public record EndpointConfig(
    URI url,
    String name,
    String tenantId,
    Map<String, String> headers,
    Duration batchWait,
    long batchSize,
    Duration remoteTimeout,
    Duration minBackoff,
    Duration maxBackoff,
    int maxBackoffRetries,
    boolean retryOnHttp429,
    String basicAuthUsername,
    String basicAuthPassword,
    String bearerToken,
    TlsSettings tls,
    long queueCapacity,
    boolean blockOnOverflow,
    Duration drainTimeout) {

  public static final Duration DEFAULT_BATCH_WAIT = Duration.ofSeconds(1);
  public static final long DEFAULT_BATCH_SIZE = 1024 * 1024;
  public static final Duration DEFAULT_REMOTE_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_MIN_BACKOFF = Duration.ofMillis(500);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(5);
  public static final int DEFAULT_MAX_BACKOFF_RETRIES = 10;
  public static final long DEFAULT_QUEUE_CAPACITY = 10L * 1024 * 1024;
  public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(15);
  /** The longest a push waits for room with {@code block_on_overflow} before it is refused. */
  public static final Duration BLOCK_LIMIT = Duration.ofSeconds(5);

  /** Headers java.net.http manages itself; setting them is a config error. */
  private static final Set<String> RESTRICTED_HEADERS = Set.of("connection", "content-length", "expect", "host",
      "upgrade", "content-type");

  static final Schema BASIC_AUTH = Schema.builder()
      .required("username", Types.STRING, "basic auth user name")
      .optional("password", Types.SECRET, "", "basic auth password")
      .build();

  static final Schema QUEUE = Schema.builder()
      .optional("capacity", Types.BYTES, DEFAULT_QUEUE_CAPACITY,
          "bytes of entries queued, batched or in flight before loki.write refuses more (back-pressure); at most 10% of the heap")
      .optional("block_on_overflow", Types.BOOL, true,
          "when the queue is full, wait up to 5s for room before refusing; false refuses at once")
      .optional("drain_timeout", Types.DURATION, DEFAULT_DRAIN_TIMEOUT,
          "longest a shutdown keeps sending what is queued (without the WAL); the rest is counted as dropped")
      .build();

  static final Schema SCHEMA = Schema.builder()
      .required("url", Types.STRING, "push URL, e.g. http://loki:3100/loki/api/v1/push")
      .optional("name", Types.STRING, "", "name used in logs (default: host:port of the URL)")
      .optional("tenant_id", Types.STRING, "", "tenant sent as X-Scope-OrgID; empty sends no header")
      .optional("headers", Types.STRING_MAP, Map.of(), "extra HTTP headers")
      .optional("batch_wait", Types.DURATION, DEFAULT_BATCH_WAIT, "longest time a batch waits before it is sent")
      .optional("batch_size", Types.BYTES, DEFAULT_BATCH_SIZE, "batch size (line and structured metadata bytes) that triggers a send")
      .optional("remote_timeout", Types.DURATION, DEFAULT_REMOTE_TIMEOUT, "time limit of one push request")
      .optional("min_backoff_period", Types.DURATION, DEFAULT_MIN_BACKOFF, "first retry delay (doubles each retry, with jitter)")
      .optional("max_backoff_period", Types.DURATION, DEFAULT_MAX_BACKOFF, "largest retry delay")
      .optional("max_backoff_retries", Types.INT, (long) DEFAULT_MAX_BACKOFF_RETRIES,
          "retries of a failed batch (429, 5xx, connection errors) before it is dropped; 0 retries until shutdown")
      .optional("retry_on_http_429", Types.BOOL, true, "retry batches Loki rate-limited (429); false drops them")
      .optional("bearer_token", Types.SECRET, "", "sent as Authorization: Bearer <token>")
      .block("basic_auth", BASIC_AUTH, Schema.BlockSpec.Cardinality.OPTIONAL, "HTTP basic authentication")
      .block("tls_config", TlsBlocks.TLS_CONFIG, Schema.BlockSpec.Cardinality.OPTIONAL, "TLS for https URLs")
      .block("queue_config", QUEUE, Schema.BlockSpec.Cardinality.OPTIONAL, "the endpoint's bounded queue")
      .build();

  public EndpointConfig {
    Objects.requireNonNull(url, "url");
    headers = Map.copyOf(headers);
    Objects.requireNonNull(tls, "tls");
    if (name == null || name.isEmpty()) name = hostOf(url);
  }

  /** An endpoint with every default but the URL. */
  public static EndpointConfig defaults(URI url) {
    return new EndpointConfig(url, "", "", Map.of(), DEFAULT_BATCH_WAIT, DEFAULT_BATCH_SIZE, DEFAULT_REMOTE_TIMEOUT,
        DEFAULT_MIN_BACKOFF, DEFAULT_MAX_BACKOFF, DEFAULT_MAX_BACKOFF_RETRIES, true, "", "", "", TlsSettings.NONE,
        DEFAULT_QUEUE_CAPACITY, true, DEFAULT_DRAIN_TIMEOUT);
  }

  /** host:port of a URL, as Go's URL.Host (the {@code host} tag of the metrics). */
  static String hostOf(URI url) {
    String auth = url.getRawAuthority();
    if (auth == null) return "";
    int at = auth.lastIndexOf('@');
    return at >= 0 ? auth.substring(at + 1) : auth;
  }

  public EndpointConfig withTenant(String tenant) {
    return new EndpointConfig(url, name, tenant, headers, batchWait, batchSize, remoteTimeout, minBackoff, maxBackoff,
        maxBackoffRetries, retryOnHttp429, basicAuthUsername, basicAuthPassword, bearerToken, tls, queueCapacity, blockOnOverflow, drainTimeout);
  }

  public EndpointConfig withBatching(Duration wait, long size) {
    return new EndpointConfig(url, name, tenantId, headers, wait, size, remoteTimeout, minBackoff, maxBackoff,
        maxBackoffRetries, retryOnHttp429, basicAuthUsername, basicAuthPassword, bearerToken, tls, queueCapacity, blockOnOverflow, drainTimeout);
  }

  public EndpointConfig withRetries(Duration min, Duration max, int retries, boolean on429) {
    return new EndpointConfig(url, name, tenantId, headers, batchWait, batchSize, remoteTimeout, min, max, retries,
        on429, basicAuthUsername, basicAuthPassword, bearerToken, tls, queueCapacity, blockOnOverflow, drainTimeout);
  }

  public EndpointConfig withQueueCapacity(long capacity) {
    return new EndpointConfig(url, name, tenantId, headers, batchWait, batchSize, remoteTimeout, minBackoff, maxBackoff,
        maxBackoffRetries, retryOnHttp429, basicAuthUsername, basicAuthPassword, bearerToken, tls, capacity, blockOnOverflow, drainTimeout);
  }

  public EndpointConfig withQueue(long capacity, boolean block, Duration drain) {
    return new EndpointConfig(url, name, tenantId, headers, batchWait, batchSize, remoteTimeout, minBackoff, maxBackoff,
        maxBackoffRetries, retryOnHttp429, basicAuthUsername, basicAuthPassword, bearerToken, tls, capacity, block, drain);
  }

  public EndpointConfig withHeaders(Map<String, String> h, String bearer, String basicUser, String basicPassword) {
    return new EndpointConfig(url, name, tenantId, h, batchWait, batchSize, remoteTimeout, minBackoff, maxBackoff,
        maxBackoffRetries, retryOnHttp429, basicUser, basicPassword, bearer, tls, queueCapacity, blockOnOverflow, drainTimeout);
  }

  public EndpointConfig withRemoteTimeout(Duration timeout) {
    return new EndpointConfig(url, name, tenantId, headers, batchWait, batchSize, timeout, minBackoff, maxBackoff,
        maxBackoffRetries, retryOnHttp429, basicAuthUsername, basicAuthPassword, bearerToken, tls, queueCapacity, blockOnOverflow, drainTimeout);
  }

  /** Reads one {@code endpoint} block, adding every problem to {@code diags}; null if it has any. */
  static EndpointConfig from(Args b, List<Diagnostic> diags) {
    int before = diags.size();
    URI url = null;
    String rawUrl = b.string("url");
    try {
      url = new URI(rawUrl);
      String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
        diags.add(new Diagnostic(b.positionOf("url"), "url must be an http:// or https:// URL with a host, got \""
            + rawUrl + "\""));
      }
    } catch (URISyntaxException e) {
      diags.add(new Diagnostic(b.positionOf("url"), "invalid url \"" + rawUrl + "\": " + e.getMessage()));
    }
    Duration batchWait = b.duration("batch_wait");
    if (batchWait.isNegative() || batchWait.isZero()) {
      diags.add(new Diagnostic(b.positionOf("batch_wait"), "batch_wait must be greater than 0"));
    }
    long batchSize = b.bytes("batch_size");
    if (batchSize < 1) diags.add(new Diagnostic(b.positionOf("batch_size"), "batch_size must be at least 1 byte"));
    Duration timeout = b.duration("remote_timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      diags.add(new Diagnostic(b.positionOf("remote_timeout"), "remote_timeout must be greater than 0"));
    }
    Duration min = b.duration("min_backoff_period");
    Duration max = b.duration("max_backoff_period");
    if (min.isNegative() || min.isZero()) {
      diags.add(new Diagnostic(b.positionOf("min_backoff_period"), "min_backoff_period must be greater than 0"));
    }
    if (max.compareTo(min) < 0) {
      diags.add(new Diagnostic(b.positionOf("max_backoff_period"),
          "max_backoff_period must not be less than min_backoff_period"));
    }
    long retries = b.integer("max_backoff_retries");
    if (retries < 0 || retries > Integer.MAX_VALUE) {
      diags.add(new Diagnostic(b.positionOf("max_backoff_retries"), "max_backoff_retries must not be negative"));
    }
    Map<String, String> headers = b.map("headers");
    for (String h : headers.keySet()) {
      if (RESTRICTED_HEADERS.contains(h.toLowerCase(Locale.ROOT)) || h.isBlank()) {
        diags.add(new Diagnostic(b.positionOf("headers"), "header \"" + h + "\" cannot be set"));
      }
    }
    String user = "";
    String password = "";
    Args basic = b.block("basic_auth");
    if (basic != null) {
      user = basic.string("username");
      password = basic.string("password");
    }
    String bearer = b.string("bearer_token");
    boolean customAuth = headers.keySet().stream().anyMatch(h -> h.equalsIgnoreCase("authorization"));
    if ((basic != null ? 1 : 0) + (bearer.isEmpty() ? 0 : 1) + (customAuth ? 1 : 0) > 1) {
      diags.add(new Diagnostic(basic != null ? basic.position() : b.positionOf("bearer_token"),
          "at most one of basic_auth, bearer_token and an Authorization header may be set"));
    }
    TlsSettings tls = TlsBlocks.tlsConfig(b.block("tls_config"), diags);
    Args queue = b.blockOrDefaults("queue_config");
    long capacity = queue.bytes("capacity");
    if (capacity < 1) diags.add(new Diagnostic(queue.positionOf("capacity"), "queue_config capacity must be at least 1 byte"));
    Duration drain = queue.duration("drain_timeout");
    if (drain.isNegative()) diags.add(new Diagnostic(queue.positionOf("drain_timeout"), "drain_timeout must not be negative"));
    if (diags.size() > before) return null;
    return new EndpointConfig(url, b.string("name"), b.string("tenant_id"), headers, batchWait, batchSize, timeout,
        min, max, (int) retries, b.bool("retry_on_http_429"), user, password, bearer,
        tls, capacity, queue.bool("block_on_overflow"), drain);
  }

  @Override
  public String toString() {
    return "EndpointConfig[" + name + " " + url + "]";
  }
}
