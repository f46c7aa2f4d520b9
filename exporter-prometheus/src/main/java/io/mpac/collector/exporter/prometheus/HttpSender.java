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
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One remote-write HTTP attempt ({@link java.net.http.HttpClient}) and the classification of its
 * answer: 2xx success; 5xx, 429 (when {@code retry_on_http_429}) and network errors retryable,
 * with the server's {@code Retry-After}; anything else permanent, with the server's reason (its
 * body, e.g. Prometheus' "out of order sample").
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

  private final HttpClient client;
  private final java.net.URI url;
  private final Duration timeout;
  private final String[] headers;
  private final boolean retryOn429;

  HttpSender(RemoteWriteConfig.Endpoint ep) throws Exception {
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(ep.enableHttp2() ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1)
        .followRedirects(ep.followRedirects() ? HttpClient.Redirect.NORMAL : HttpClient.Redirect.NEVER)
        .connectTimeout(ep.remoteTimeout());
    javax.net.ssl.SSLContext ssl = TlsContexts.create(ep.tls());
    if (ssl != null) b.sslContext(ssl);
    this.client = b.build();
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
  }

  /**
   * Posts one compressed request, waiting at most {@code maxWait} (the smaller of
   * {@code remote_timeout} and what is left before a shutdown deadline).
   */
  Outcome send(byte[] body, int length, Duration maxWait) throws InterruptedException {
    Duration t = maxWait.compareTo(timeout) < 0 ? maxWait : timeout;
    if (t.isNegative() || t.isZero()) return new Outcome.Retryable("no time left", null);
    HttpRequest req = HttpRequest.newBuilder(url)
        .timeout(t)
        .headers(headers)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body, 0, length))
        .build();
    CompletableFuture<HttpResponse<byte[]>> f = client.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray());
    HttpResponse<byte[]> resp;
    try {
      resp = f.get(t.toNanos() + TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      return new Outcome.Retryable("timed out after " + t.toMillis() + "ms", null);
    } catch (InterruptedException e) {
      f.cancel(true);
      throw e;
    } catch (CancellationException e) {
      return new Outcome.Retryable("cancelled", null);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof HttpTimeoutException) return new Outcome.Retryable("timed out after " + t.toMillis() + "ms", null);
      if (c instanceof IOException) {
        String m = c.getMessage();
        return new Outcome.Retryable(c.getClass().getSimpleName() + (m == null ? "" : ": " + m), null);
      }
      return new Outcome.Retryable(String.valueOf(c), null);
    }
    return classify(resp.statusCode(), reason(resp.body()), resp.headers().firstValue("Retry-After").orElse(null),
        retryOn429);
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
