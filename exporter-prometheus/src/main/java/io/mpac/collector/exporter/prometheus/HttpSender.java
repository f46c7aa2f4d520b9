package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.exporter.HttpOutcomes;
import io.mpac.collector.exporter.SendOutcome;
import io.mpac.collector.exporter.http.HttpResult;
import io.mpac.collector.exporter.http.HttpTransport;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One remote-write HTTP attempt over the common {@link HttpTransport}, in the shape the endpoint's
 * send loop uses: 2xx success; 5xx, 429 (when {@code retry_on_http_429}) and network errors
 * retryable, with the server's {@code Retry-After}; anything else permanent with its status and the
 * server's reason (its body, e.g. Prometheus' "out of order sample"). The classification is
 * {@link HttpOutcomes}'.
 */
final class HttpSender {

  private static final Set<String> PROTOCOL_HEADERS = Set.of("content-encoding", "content-type",
      "x-prometheus-remote-write-version", "user-agent", "content-length", "host", "connection", "expect", "upgrade");

  /** What one attempt came to. */
  sealed interface Outcome {
    record Success(int status) implements Outcome {}

    record Retryable(String reason, Duration retryAfter) implements Outcome {}

    record Permanent(int status, String reason) implements Outcome {}
  }

  private final HttpTransport transport;
  private final Duration timeout;
  private final boolean retryOn429;

  HttpSender(RemoteWriteConfig.Endpoint ep) throws Exception {
    this.timeout = ep.remoteTimeout();
    this.retryOn429 = ep.queue().retryOnHttp429();
    HttpTransport.Builder b = HttpTransport.builder(ep.url())
        .connectTimeout(ep.remoteTimeout())
        .tls(ep.tls())
        .http2(ep.enableHttp2())
        .followRedirects(ep.followRedirects());
    String authorization = ep.auth().header();
    for (Map.Entry<String, String> e : ep.headers().entrySet()) {
      if (PROTOCOL_HEADERS.contains(e.getKey().toLowerCase(Locale.ROOT))) continue; // the protocol's headers win
      if (authorization != null && e.getKey().equalsIgnoreCase("authorization")) continue;
      b.header(e.getKey(), e.getValue());
    }
    if (authorization != null) {
      b.secretHeader("Authorization", authorization);
      b.secrets(ep.auth().secrets());
    }
    this.transport = b.header("Content-Encoding", "snappy")
        .header("Content-Type", "application/x-protobuf")
        .header("X-Prometheus-Remote-Write-Version", "0.1.0")
        .build();
  }

  /** Closes idle connections. */
  void close() {
    transport.close();
  }

  /**
   * Posts one compressed request, waiting at most {@code maxWait} (the smaller of
   * {@code remote_timeout} and what is left before a shutdown deadline).
   */
  Outcome send(byte[] body, int length, Duration maxWait) throws InterruptedException {
    Duration t = maxWait.compareTo(timeout) < 0 ? maxWait : timeout;
    HttpResult r = transport.post(body, length, t);
    if (r.success()) return new Outcome.Success(r.status());
    String reason = r.shortBody();
    if (r.status() == 404) {
      reason += " (is the URL right? Prometheus accepts remote write only when started with "
          + "--web.enable-remote-write-receiver)";
    }
    SendOutcome o = HttpOutcomes.classify(r, retryOn429, reason);
    if (o instanceof SendOutcome.Retryable re) return new Outcome.Retryable(re.reason(), re.retryAfter());
    return new Outcome.Permanent(r.status(), ((SendOutcome.Permanent) o).reason());
  }
}
