package io.mpac.collector.exporter.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.mpac.collector.exporter.HttpOutcomes;
import io.mpac.collector.exporter.SendOutcome;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.SSLException;

/**
 * OTLP over HTTP with {@link java.net.http.HttpClient}. Why the JDK client and not Netty: the
 * exporter's workers are dedicated threads, so a blocking client fits without an event loop of our
 * own; it pools connections, speaks HTTP/1.1 and HTTP/2 (ALPN on https), does TLS with an
 * {@code SSLContext} built from the {@code tls} block, and adds no dependency. Compression (gzip)
 * and JSON are done here.
 *
 * <p>Answers: 2xx success (the body is read for {@code partial_success}); 429, 502, 503, 504
 * retryable, honouring {@code Retry-After}; any other status permanent, with the server's message
 * ({@code google.rpc.Status} for protobuf bodies, the text otherwise) as the reason. Connection
 * errors and timeouts are retryable.
 */
final class OtlpHttpSender implements OtlpTransport {

  private static final int MAX_REASON_CHARS = 300;

  private final OtlpHttpExporterConfig config;
  private volatile HttpClient client;

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
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(config.timeout())
        .followRedirects(HttpClient.Redirect.NEVER);
    boolean anyHttps = config.urls().stream().anyMatch(u -> u.getScheme().equalsIgnoreCase("https"));
    if (anyHttps) {
      try {
        b.sslContext(config.tls().sslContext());
      } catch (Exception e) {
        throw new IllegalStateException("cannot load TLS settings for " + describe() + ": " + e.getMessage(), e);
      }
      b.version(HttpClient.Version.HTTP_2);
    } else {
      b.version(HttpClient.Version.HTTP_1_1); // no h2c upgrade dance on plaintext
    }
    client = b.build();
  }

  @Override
  public SendOutcome send(OtlpRequest request, Duration timeout) throws InterruptedException {
    HttpClient c = client;
    if (c == null) return SendOutcome.retryable("exporter not started");
    byte[] body;
    try {
      body = config.encoding() == OtlpHttpExporterConfig.Encoding.JSON
          ? OtlpJson.encode(request.signal(), request.bytes()) : request.bytes();
      if (config.compression() == Compression.GZIP) body = gzip(body);
    } catch (IOException e) {
      return SendOutcome.permanent("cannot encode the request as OTLP/JSON: " + e.getMessage());
    }
    URI url = config.url(request.signal());
    HttpRequest.Builder rb = HttpRequest.newBuilder(url).timeout(timeout)
        .header("Content-Type", config.encoding().contentType())
        .header("User-Agent", "mpac-collector")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (config.compression() == Compression.GZIP) rb.header("Content-Encoding", "gzip");
    for (Map.Entry<String, String> h : config.headers().entrySet()) rb.header(h.getKey(), h.getValue());
    HttpResponse<byte[]> resp;
    try {
      resp = c.send(rb.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (HttpConnectTimeoutException e) {
      return SendOutcome.retryable("connect to " + describe() + " timed out");
    } catch (HttpTimeoutException e) {
      return SendOutcome.retryable("no response from " + url + " within " + timeout.toMillis() + "ms");
    } catch (ConnectException e) {
      return SendOutcome.retryable("cannot connect to " + describe() + ": " + e);
    } catch (SSLException e) {
      return SendOutcome.retryable("TLS handshake with " + describe() + " failed: " + e.getMessage());
    } catch (IOException e) {
      return SendOutcome.retryable("sending to " + url + " failed: " + e);
    }
    int status = resp.statusCode();
    String contentType = resp.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
    if (status >= 200 && status < 300) {
      if (contentType.contains("json")) {
        return OtlpJson.decodeResponse(request.signal(), new String(resp.body(), StandardCharsets.UTF_8));
      }
      return PartialSuccess.fromProto(request.signal(), resp.body());
    }
    String reason = reason(resp.body(), contentType);
    if (status == 404) reason = reason + " (is " + url + " an OTLP/HTTP endpoint?)";
    return HttpOutcomes.classify(status, HttpOutcomes.OTLP_RETRYABLE,
        resp.headers().firstValue("Retry-After").orElse(null), reason, Instant.now());
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
    client = null; // java.net.http.HttpClient on Java 17 has no close(); its threads end when unreferenced
  }
}
