package io.mpac.collector.exporter.loki;

import io.mpac.collector.exporter.http.HttpResult;
import io.mpac.collector.exporter.http.HttpTransport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;

/**
 * Loki's push API over the common {@link HttpTransport} (HTTP/1.1, redirects followed, as Alloy's
 * client): {@code POST} with {@code Content-Type: application/x-protobuf} and a snappy
 * block-compressed body (no {@code Content-Encoding}: Loki treats an absent one as snappy for
 * protobuf), {@code X-Scope-OrgID} when there is a tenant, the configured headers (never replacing
 * those) and authentication.
 */
final class HttpPushSender implements PushSender {

  static final String USER_AGENT = "mpac-collector/" + version();
  private static final int MAX_ERROR_BODY = 1024;
  private static final String TENANT_HEADER = "X-Scope-OrgID";

  private final HttpTransport transport;
  /** A configured X-Scope-OrgID header, sent only when the batch has no tenant; or null. */
  private final String configuredTenantHeader;

  private HttpPushSender(HttpTransport transport, String configuredTenantHeader) {
    this.transport = transport;
    this.configuredTenantHeader = configuredTenantHeader;
  }

  /** Builds the transport (reads TLS files). */
  static HttpPushSender create(EndpointConfig cfg) throws IOException, GeneralSecurityException {
    HttpTransport.Builder b = HttpTransport.builder(cfg.url())
        .connectTimeout(cfg.remoteTimeout())
        .tls(cfg.tls())
        .followRedirects(true)
        .maxResponseBody(MAX_ERROR_BODY)
        .header("Content-Type", "application/x-protobuf")
        .header("User-Agent", USER_AGENT);
    if (!cfg.basicAuthUsername().isEmpty()) {
      String raw = cfg.basicAuthUsername() + ":" + cfg.basicAuthPassword();
      b.secretHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString(raw.getBytes(StandardCharsets.UTF_8)))
          .secrets(cfg.basicAuthPassword());
    } else if (!cfg.bearerToken().isEmpty()) {
      b.secretHeader("Authorization", "Bearer " + cfg.bearerToken()).secrets(cfg.bearerToken());
    }
    String tenantHeader = null;
    for (Map.Entry<String, String> h : cfg.headers().entrySet()) {
      String k = h.getKey().toLowerCase(Locale.ROOT);
      if (k.equals("user-agent") || k.equals("content-type")) continue;
      if (k.equals("x-scope-orgid")) {
        tenantHeader = h.getValue();
        continue;
      }
      b.header(h.getKey(), h.getValue());
    }
    return new HttpPushSender(b.build(), tenantHeader);
  }

  private static String version() {
    String v = HttpPushSender.class.getPackage().getImplementationVersion();
    return v == null ? "dev" : v;
  }

  @Override
  public Result send(String tenant, byte[] body, Duration timeout) throws InterruptedException {
    return send(tenant, body, body.length, timeout);
  }

  /** Sends without copying {@code body} (see {@link PushSender#send(String, byte[], int, Duration)}). */
  @Override
  public Result send(String tenant, byte[] body, int length, Duration timeout) throws InterruptedException {
    String t = tenant != null && !tenant.isEmpty() ? tenant : configuredTenantHeader;
    HttpResult r = transport.post(body, length, t == null ? null : new String[] {TENANT_HEADER, t}, timeout);
    if (!r.answered()) return Result.failed(r.error());
    return new Result(r.status(), r.success() ? "" : firstLine(r.body()), r.retryAfter(), null);
  }

  private static String firstLine(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.UTF_8);
    int nl = s.indexOf('\n');
    return (nl >= 0 ? s.substring(0, nl) : s).strip();
  }

  @Override
  public void abort() {
    transport.abort();
  }

  @Override
  public void close() {
    transport.close();
  }
}
