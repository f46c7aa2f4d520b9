package io.mpac.collector.exporter.prometheus;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One remote-write HTTP attempt and the classification of its answer: 2xx success; 5xx, 429
 * (when {@code retry_on_http_429}) and network errors retryable, with the server's
 * {@code Retry-After}; anything else permanent, with the server's reason (its body, e.g.
 * Prometheus' "out of order sample").
 *
 * <p>Transport: {@link Http1Client} for plain {@code http://} (persistent connections, no thread
 * hand-offs); the JDK's {@link java.net.http.HttpClient} for {@code https://}, for
 * {@code enable_http2}, and to follow a redirect (with {@code follow_redirects}).
 */
final class HttpSender {

  static final String USER_AGENT = "mpac-collector/0.1";
  private static final Set<String> PROTOCOL_HEADERS = Set.of("content-encoding", "content-type",
      "x-prometheus-remote-write-version", "user-agent", "content-length", "host", "connection", "expect", "upgrade");
  private static final int MAX_REASON_CHARS = 512;

  /** What one attempt came to. */
  sealed interface Outcome {
    record Success(int status) implements Outcome {}

    record Retryable(String reason, Duration retryAfter) implements Outcome {}

    record Permanent(int status, String reason) implements Outcome {}
  }

  private final RemoteWriteConfig.Endpoint endpoint;
  /** The JDK client: for https://, HTTP/2 and redirects; created when first needed. */
  private volatile HttpClient client;
  /** Plain http:// without HTTP/2: the lighter client (see {@link Http1Client}). */
  private final Http1Client plain;
  private final java.net.URI url;
  private final Duration timeout;
  private final String[] headers;
  private final boolean retryOn429;

  HttpSender(RemoteWriteConfig.Endpoint ep) throws Exception {
    this.endpoint = ep;
    if (!"http".equalsIgnoreCase(ep.url().getScheme()) || ep.enableHttp2()) this.client = jdkClient(ep);
    this.url = ep.url();
    this.timeout = ep.remoteTimeout();
    this.retryOn429 = ep.queue().retryOnHttp429();
    java.util.List<String> h = new java.util.ArrayList<>();
    for (Map.Entry<String, String> e : ep.headers().entrySet()) {
      if (PROTOCOL_HEADERS.contains(e.getKey().toLowerCase(Locale.ROOT))) continue; // the protocol's headers win
      if (ep.auth().header() != null && e.getKey().equalsIgnoreCase("authorization")) continue;
      h.add(e.getKey());
      h.add(e.getValue());
    }
    if (ep.auth().header() != null) {
      h.add("Authorization");
      h.add(ep.auth().header());
    }
    h.add("Content-Encoding");
    h.add("snappy");
    h.add("Content-Type");
    h.add("application/x-protobuf");
    h.add("X-Prometheus-Remote-Write-Version");
    h.add("0.1.0");
    h.add("User-Agent");
    h.add(USER_AGENT);
    this.headers = h.toArray(new String[0]);
    this.plain = client != null ? null : new Http1Client(url, headers,
        (int) Math.min(Integer.MAX_VALUE, ep.remoteTimeout().toMillis()), WATCHDOG);
  }

  private static HttpClient jdkClient(RemoteWriteConfig.Endpoint ep) throws Exception {
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(ep.enableHttp2() ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
        .followRedirects(ep.followRedirects() ? HttpClient.Redirect.NORMAL : HttpClient.Redirect.NEVER)
        .connectTimeout(ep.remoteTimeout());
    javax.net.ssl.SSLContext ssl = TlsContexts.create(ep.tls());
    if (ssl != null) b.sslContext(ssl);
    return b.build();
  }

  private HttpClient client() throws InterruptedException {
    HttpClient c = client;
    if (c == null) {
      synchronized (this) {
        c = client;
        if (c == null) {
          try {
            c = jdkClient(endpoint);
          } catch (Exception e) {
            throw new IllegalStateException("cannot set up the HTTP client: " + e.getMessage(), e);
          }
          client = c;
        }
      }
    }
    return c;
  }

  /** Closes idle connections. */
  void close() {
    if (plain != null) plain.close();
  }

  /**
   * Posts one compressed request, waiting at most {@code maxWait} (the smaller of
   * {@code remote_timeout} and what is left before a shutdown deadline).
   */
  Outcome send(byte[] body, int length, Duration maxWait) throws InterruptedException {
    Duration t = maxWait.compareTo(timeout) < 0 ? maxWait : timeout;
    if (t.isNegative() || t.isZero()) return new Outcome.Retryable("no time left", null);
    if (plain != null) {
      Http1Client.Response r;
      try {
        r = plain.post(body, length, t.toNanos());
      } catch (Http1Client.TimeoutException e) {
        return new Outcome.Retryable("timed out after " + t.toMillis() + "ms", null);
      } catch (IOException e) {
        String m = e.getMessage();
        return new Outcome.Retryable(e.getClass().getSimpleName() + (m == null ? "" : ": " + m), null);
      }
      boolean redirect = r.status() == 301 || r.status() == 302 || r.status() == 303 || r.status() == 307
          || r.status() == 308;
      if (!redirect || !endpoint.followRedirects() || r.location() == null) {
        return classify(r.status(), reason(r.body()), r.retryAfter(), retryOn429);
      }
      // redirects are rare: the JDK client sends again and follows them (its rules)
    }
    return sendWithJdkClient(body, length, t);
  }

  private Outcome sendWithJdkClient(byte[] body, int length, Duration t) throws InterruptedException {
    HttpClient client = client();
    HttpRequest req = HttpRequest.newBuilder(url)
        .timeout(t)
        .headers(headers)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body, 0, length))
        .build();
    // Synchronous send on the calling (shard) thread: HttpClient.sendAsync would hand each
    // completion to CompletableFuture's default executor, which starts a new thread per request
    // on machines with fewer than three cores. The request timeout bounds the wait for the
    // response headers; a watchdog bounds the whole exchange (a body that stalls) by
    // interrupting this thread, which makes send() cancel the exchange.
    Watchdog dog = new Watchdog(Thread.currentThread());
    dog.task = WATCHDOG.schedule(dog, t.toNanos() + TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.NANOSECONDS);
    HttpResponse<byte[]> resp;
    try {
      resp = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      if (dog.disarm()) return new Outcome.Retryable("timed out after " + t.toMillis() + "ms", null);
      throw e;
    } catch (HttpTimeoutException e) {
      dog.disarm();
      return new Outcome.Retryable("timed out after " + t.toMillis() + "ms", null);
    } catch (IOException e) {
      dog.disarm();
      String m = e.getMessage();
      return new Outcome.Retryable(e.getClass().getSimpleName() + (m == null ? "" : ": " + m), null);
    } catch (RuntimeException e) {
      dog.disarm();
      return new Outcome.Retryable(String.valueOf(e), null);
    }
    dog.disarm();
    return classify(resp.statusCode(), reason(resp.body()), resp.headers().firstValue("Retry-After").orElse(null),
        retryOn429);
  }

  /** One daemon thread for every sender's watchdogs (they only interrupt). */
  private static final ScheduledExecutorService WATCHDOG;

  static {
    ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
      Thread th = new Thread(r, "remote-write-timeouts");
      th.setDaemon(true);
      return th;
    });
    e.setRemoveOnCancelPolicy(true);
    WATCHDOG = e;
  }

  /** Interrupts a sending thread that is still sending when it fires. */
  private static final class Watchdog implements Runnable {
    private final Thread thread;
    private boolean done;
    private boolean fired;
    volatile ScheduledFuture<?> task;

    Watchdog(Thread thread) {
      this.thread = thread;
    }

    @Override
    public synchronized void run() {
      if (done) return;
      fired = true;
      thread.interrupt();
    }

    /**
     * Stops the watchdog; returns true if it fired, after clearing the interrupt it caused (it
     * cannot fire any more once this returns).
     */
    boolean disarm() {
      boolean f;
      synchronized (this) {
        done = true;
        f = fired;
      }
      ScheduledFuture<?> t = task;
      if (t != null) t.cancel(false);
      if (f) Thread.interrupted();
      return f;
    }
  }

  /** The outcome of an HTTP status (package-private for tests). */
  static Outcome classify(int status, String reason, String retryAfter, boolean retryOn429) {
    if (status >= 200 && status < 300) return new Outcome.Success(status);
    String text = "HTTP " + status + (reason.isEmpty() ? "" : ": " + reason);
    if (status >= 500 || (status == 429 && retryOn429)) {
      return new Outcome.Retryable(text, parseRetryAfter(retryAfter));
    }
    if (status == 404) {
      text += " (is the URL right? Prometheus accepts remote write only when started with "
          + "--web.enable-remote-write-receiver)";
    }
    return new Outcome.Permanent(status, text);
  }

  private static String reason(byte[] body) {
    if (body == null || body.length == 0) return "";
    String s = new String(body, 0, Math.min(body.length, MAX_REASON_CHARS * 4), StandardCharsets.UTF_8).strip();
    if (s.length() > MAX_REASON_CHARS) s = s.substring(0, MAX_REASON_CHARS) + "...";
    return s.replace('\n', ' ');
  }

  /** {@code Retry-After} as seconds or an HTTP date; null when absent or unreadable. */
  static Duration parseRetryAfter(String v) {
    if (v == null || v.isBlank()) return null;
    v = v.strip();
    try {
      long s = Long.parseLong(v);
      return s < 0 ? null : Duration.ofSeconds(s);
    } catch (NumberFormatException e) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (RuntimeException e2) {
        return null;
      }
    }
  }
}
