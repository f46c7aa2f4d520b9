package io.mpac.collector.exporter.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.mpac.collector.exporter.HttpOutcomes;
import io.mpac.collector.exporter.SendOutcome;
import io.mpac.collector.exporter.http.HttpResult;
import io.mpac.collector.exporter.http.HttpTransport;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * OTLP over HTTP on the common {@link HttpTransport}, one per signal URL: plain {@code http://}
 * on its light HTTP/1.1 client, {@code https://} on the JDK client with HTTP/2 (ALPN) and an
 * {@code SSLContext} from the {@code tls} block. Compression (gzip) and JSON are done here.
 *
 * <p>Answers: 2xx success (the body is read for {@code partial_success}); 429, 502, 503, 504
 * retryable, honouring {@code Retry-After}; any other status permanent, with the server's message
 * ({@code google.rpc.Status} for protobuf bodies, the text otherwise) as the reason
 * ({@link HttpOutcomes}). Connection errors and timeouts are retryable. Header values (secrets in
 * the schema) never show in the reasons.
 */
final class OtlpHttpSender implements OtlpTransport {

  private static final int MAX_REASON_CHARS = 300;
  /** Response bytes kept: a partial_success message fits. */
  private static final int MAX_RESPONSE_BODY = 64 * 1024;

  private final OtlpHttpExporterConfig config;
  private volatile Map<URI, HttpTransport> transports;

  OtlpHttpSender(OtlpHttpExporterConfig config) {
    this.config = config;
  }

  @Override
  public String describe() {
    URI u = config.url(Signal.TRACES);
    return u.getScheme() + "://" + u.getAuthority();
  }

  @Override
  public void start() throws Exception {
    Map<URI, HttpTransport> m = new HashMap<>();
    for (URI url : config.urls()) {
      if (m.containsKey(url)) continue;
      HttpTransport.Builder b = HttpTransport.builder(url)
          .connectTimeout(config.timeout())
          .tls(config.tls().settings())
          .http2(url.getScheme().equalsIgnoreCase("https")) // ALPN; no h2c upgrade dance on plaintext
          .maxResponseBody(MAX_RESPONSE_BODY)
          .header("Content-Type", config.encoding().contentType())
          .header("User-Agent", "mpac-collector");
      if (config.compression() == Compression.GZIP) b.header("Content-Encoding", "gzip");
      for (Map.Entry<String, String> h : config.headers().entrySet()) b.secretHeader(h.getKey(), h.getValue());
      try {
        m.put(url, b.build());
      } catch (IOException | GeneralSecurityException e) {
        throw new IllegalStateException("cannot load TLS settings for " + describe() + ": " + e.getMessage(), e);
      }
    }
    transports = Map.copyOf(m);
  }

  @Override
  public SendOutcome send(OtlpRequest request, Duration timeout) throws InterruptedException {
    Map<URI, HttpTransport> ts = transports;
    if (ts == null) return SendOutcome.retryable("exporter not started");
    byte[] body;
    try {
      body = config.encoding() == OtlpHttpExporterConfig.Encoding.JSON
          ? OtlpJson.encode(request.signal(), request.bytes()) : request.bytes();
      if (config.compression() == Compression.GZIP) body = gzip(body);
    } catch (IOException e) {
      return SendOutcome.permanent("cannot encode the request as OTLP/JSON: " + e.getMessage());
    }
    URI url = config.url(request.signal());
    HttpResult r = ts.get(url).post(body, body.length, timeout);
    if (!r.answered()) return SendOutcome.retryable("sending to " + url + " failed: " + r.error());
    String contentType = r.contentType().toLowerCase(Locale.ROOT);
    if (r.success()) {
      if (contentType.contains("json")) {
        return OtlpJson.decodeResponse(request.signal(), new String(r.body(), StandardCharsets.UTF_8));
      }
      return PartialSuccess.fromProto(request.signal(), r.body());
    }
    String reason = reason(r.body(), contentType);
    if (r.status() == 404) reason = reason + " (is " + url + " an OTLP/HTTP endpoint?)";
    return HttpOutcomes.classify(r, HttpOutcomes.OTLP_RETRYABLE, reason);
  }

  /** The server's message: google.rpc.Status for protobuf bodies, otherwise the (shortened) text. */
  static String reason(byte[] body, String contentType) {
    if (body == null || body.length == 0) return "";
    if (contentType.contains("protobuf")) {
      try {
        com.google.rpc.Status st = com.google.rpc.Status.parseFrom(body);
        if (!st.getMessage().isEmpty()) return shorten(st.getMessage());
      } catch (InvalidProtocolBufferException e) {
        // fall through to text
      }
    }
    return shorten(new String(body, StandardCharsets.UTF_8));
  }

  private static String shorten(String s) {
    String t = s.strip().replaceAll("\\s+", " ");
    return t.length() <= MAX_REASON_CHARS ? t : t.substring(0, MAX_REASON_CHARS) + "...";
  }

  static byte[] gzip(byte[] in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, in.length / 4));
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 8192)) {
      gz.write(in);
    }
    return out.toByteArray();
  }

  @Override
  public void close(Duration timeout) {
    Map<URI, HttpTransport> ts = transports;
    transports = null;
    if (ts != null) ts.values().forEach(HttpTransport::close);
  }
}
