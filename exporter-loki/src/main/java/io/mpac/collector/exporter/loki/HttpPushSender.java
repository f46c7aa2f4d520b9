package io.mpac.collector.exporter.loki;

import io.mpac.collector.exporter.HttpOutcomes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * Loki's push API over {@link HttpClient} (HTTP/1.1, as Alloy's client): {@code POST} with
 * {@code Content-Type: application/x-protobuf} and a snappy block-compressed body (no
 * {@code Content-Encoding}: Loki treats an absent one as snappy for protobuf),
 * {@code X-Scope-OrgID} when there is a tenant, the configured headers (never replacing those) and
 * authentication.
 */
final class HttpPushSender implements PushSender {

  static final String USER_AGENT = "mpac-collector/" + version();
  private static final int MAX_ERROR_BODY = 1024;

  private final EndpointConfig cfg;
  private final HttpClient client;
  private final String authorization;
  private final Object abortLock = new Object();
  /** The thread inside {@link HttpClient#send}, or null; guarded by {@link #abortLock}. */
  private Thread sending;
  /** Set by {@link #abort}: requests in flight are interrupted, later ones not started. */
  private boolean aborted;

  private HttpPushSender(EndpointConfig cfg, HttpClient client) {
    this.cfg = cfg;
    this.client = client;
    if (!cfg.basicAuthUsername().isEmpty()) {
      String raw = cfg.basicAuthUsername() + ":" + cfg.basicAuthPassword();
      authorization = "Basic " + Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    } else if (!cfg.bearerToken().isEmpty()) {
      authorization = "Bearer " + cfg.bearerToken();
    } else {
      authorization = null;
    }
  }

  /** Builds the client (reads TLS files). */
  static HttpPushSender create(EndpointConfig cfg) throws IOException, GeneralSecurityException {
    HttpClient.Builder b = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .connectTimeout(cfg.remoteTimeout());
    if ("https".equalsIgnoreCase(cfg.url().getScheme()) || !cfg.tls().isDefault()) {
      b.sslContext(cfg.tls().sslContext());
    }
    return new HttpPushSender(cfg, b.build());
  }

  private static String version() {
    String v = HttpPushSender.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public Result send(String tenant, byte[] body, Duration timeout) throws InterruptedException {
    return send(tenant, body, body.length, timeout);
  }

  /** Sends without copying {@code body} first (the client copies it into its own buffers as it writes). */
  @Override
  public Result send(String tenant, byte[] body, int length, Duration timeout) throws InterruptedException {
    HttpRequest.Builder rb = HttpRequest.newBuilder(cfg.url())
        .timeout(timeout)
        .header("Content-Type", "application/x-protobuf")
        .header("User-Agent", USER_AGENT)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body, 0, length));
    boolean hasTenant = tenant != null && !tenant.isEmpty();
    if (hasTenant) rb.header("X-Scope-OrgID", tenant);
    if (authorization != null) rb.header("Authorization", authorization);
    for (Map.Entry<String, String> h : cfg.headers().entrySet()) {
      String k = h.getKey().toLowerCase(Locale.ROOT);
      if (k.equals("user-agent") || (hasTenant && k.equals("x-scope-orgid"))) continue;
      rb.header(h.getKey(), h.getValue());
    }
    HttpRequest request;
    try {
      request = rb.build();
    } catch (IllegalArgumentException e) {
      return Result.failed("bad request: " + e.getMessage());
    }
    synchronized (abortLock) {
      if (aborted) return Result.failed("request aborted");
      sending = Thread.currentThread();
    }
    HttpResponse<InputStream> resp;
    try {
      // the synchronous call: sendAsync hands each completion to the common pool, which on a
      // one- or two-core machine means a new thread per request
      resp = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IllegalArgumentException e) {
      return Result.failed("bad request: " + e.getMessage());
    } catch (IOException e) {
      Throwable c = e;
      // send() re-wraps some failures in a plain IOException: name the original
      if (c.getClass() == IOException.class && c.getCause() instanceof IOException cause) c = cause;
      String msg = c.getMessage();
      return Result.failed(c.getClass().getSimpleName() + (msg == null ? "" : ": " + msg));
    } catch (InterruptedException e) {
      synchronized (abortLock) {
        if (aborted) return Result.failed("request aborted");
      }
      throw e;
    } finally {
      synchronized (abortLock) {
        sending = null;
        if (aborted) Thread.interrupted(); // an abort that raced the end of the call: not for the caller
      }
    }
    int status = resp.statusCode();
    String text = "";
    try (InputStream in = resp.body()) {
      if (status >= 200 && status < 300) {
        in.transferTo(OutputStream.nullOutputStream());
      } else {
        text = firstLine(in.readNBytes(MAX_ERROR_BODY));
      }
    } catch (IOException e) {
      // the status is what matters; a broken body only loses the reason text
    }
    Duration retryAfter = HttpOutcomes.parseRetryAfter(resp.headers().firstValue("Retry-After").orElse(null),
        Instant.now());
    return new Result(status, text, retryAfter, null);
  }

  private static String firstLine(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.UTF_8);
    int nl = s.indexOf('\n');
    return (nl >= 0 ? s.substring(0, nl) : s).strip();
  }

  @Override
  public void abort() {
    synchronized (abortLock) {
      aborted = true;
      if (sending != null) sending.interrupt(); // HttpClient.send cancels the exchange when interrupted
    }
  }
}
