package io.mpac.collector.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The transport over plain http:// (its HTTP/1.1 client) and the JDK client (HTTP/2 upgrade,
 * redirects, a proxy), against the JDK's HTTP server on 127.0.0.1. TLS is in {@link HttpTransportTlsTest}.
 */
class HttpTransportTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpServer server;
  private HttpTransport transport;
  /** What each path received: method + headers (lower-case names) + body. */
  private final Map<String, List<Received>> received = new ConcurrentHashMap<>();

  record Received(String method, com.sun.net.httpserver.Headers headers, byte[] body, int clientPort) {}

  @AfterEach
  void stop() {
    release.countDown();
    if (transport != null) transport.close();
    if (server != null) server.stop(0);
    pool.shutdownNow();
  }

  private URI start(Map<String, HttpHandler> handlers) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(pool);
    handlers.forEach((path, h) -> server.createContext(path, ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      received.computeIfAbsent(path, k -> new CopyOnWriteArrayList<>()).add(new Received(ex.getRequestMethod(),
          ex.getRequestHeaders(), body, ex.getRemoteAddress().getPort()));
      h.handle(ex);
    }));
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private static HttpHandler answer(int status, String body, String... headers) {
    return ex -> {
      for (int i = 0; i < headers.length; i += 2) ex.getResponseHeaders().add(headers[i], headers[i + 1]);
      byte[] b = body.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
      if (b.length > 0) ex.getResponseBody().write(b);
      ex.close();
    };
  }

  /** Counts {@code arrived} down, then answers only when the test ends. */
  private HttpHandler hang(CountDownLatch arrived) {
    return ex -> {
      arrived.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      answer(204, "").handle(ex);
    };
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void postsFixedAndPerRequestHeadersAndReusesTheConnection() throws Exception {
    URI base = start(Map.of("/push", answer(204, "")));
    transport = HttpTransport.builder(base.resolve("/push")).header("X-Fixed", "a").build();
    byte[] body = bytes("payload-and-garbage");
    HttpResult first = transport.post(body, 7, new String[] {"X-Scope-OrgID", "team-a"}, TIMEOUT);
    HttpResult second = transport.post(body, body.length, TIMEOUT);

    assertThat(first.status()).isEqualTo(204);
    assertThat(first.error()).isNull();
    assertThat(second.success()).isTrue();
    List<Received> got = received.get("/push");
    assertThat(got).hasSize(2);
    assertThat(new String(got.get(0).body(), StandardCharsets.UTF_8)).isEqualTo("payload");
    assertThat(got.get(0).headers().getFirst("X-Fixed")).isEqualTo("a");
    assertThat(got.get(0).headers().getFirst("X-Scope-OrgID")).isEqualTo("team-a");
    assertThat(got.get(0).headers().getFirst("User-Agent")).isEqualTo(HttpTransport.USER_AGENT);
    assertThat(got.get(1).headers().get("X-Scope-OrgID")).isNull();
    assertThat(got.get(1).clientPort()).as("keep-alive: one connection").isEqualTo(got.get(0).clientPort());
  }

  @Test
  void keepsTheStatusAShortBodyTheContentTypeAndRetryAfter() throws Exception {
    URI base = start(Map.of("/slow", answer(503, "  busy\n   try later ", "Retry-After", "7",
        "Content-Type", "text/plain")));
    transport = HttpTransport.builder(base.resolve("/slow")).build();
    HttpResult r = transport.post(bytes("x"), 1, TIMEOUT);
    assertThat(r.status()).isEqualTo(503);
    assertThat(r.answered()).isTrue();
    assertThat(r.success()).isFalse();
    assertThat(r.shortBody()).isEqualTo("busy try later");
    assertThat(r.contentType()).isEqualTo("text/plain");
    assertThat(r.retryAfter()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void nobodyListeningIsAnErrorWithoutAnswer() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    transport = HttpTransport.builder(URI.create("http://127.0.0.1:" + port + "/x")).build();
    HttpResult r = transport.post(bytes("x"), 1, TIMEOUT);
    assertThat(r.answered()).isFalse();
    assertThat(r.status()).isEqualTo(-1);
    assertThat(r.error()).contains("Connect");
  }

  @Test
  void secretHeaderValuesAreRedactedFromAnswersAndRefusedHeadersAreNamedWithoutTheirValue() throws Exception {
    String token = "s3cr3t-t0ken-value";
    URI base = start(Map.of("/auth", ex -> answer(401, "bad credentials: "
        + ex.getRequestHeaders().getFirst("Authorization"), "Content-Type", "text/plain").handle(ex)));
    transport = HttpTransport.builder(base.resolve("/auth")).secretHeader("Authorization", "Bearer " + token)
        .build();
    HttpResult r = transport.post(bytes("x"), 1, TIMEOUT);
    assertThat(received.get("/auth").get(0).headers().getFirst("Authorization")).isEqualTo("Bearer " + token);
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.shortBody()).doesNotContain(token).contains("(secret)");
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).doesNotContain(token);

    assertThatThrownBy(() -> HttpTransport.builder(base.resolve("/auth"))
        .secretHeader("X-Api-Key", token + "\r\nX-Injected: 1").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X-Api-Key")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token));
  }

  @Test
  void aRedirectIsFollowedOnlyWhenAsked() throws Exception {
    URI base = start(Map.of("/old", answer(307, "", "Location", "/new"), "/new", answer(200, "ok")));
    transport = HttpTransport.builder(base.resolve("/old")).build();
    assertThat(transport.post(bytes("a"), 1, TIMEOUT).status()).isEqualTo(307);
    transport.close();
    transport = HttpTransport.builder(base.resolve("/old")).followRedirects(true).build();
    HttpResult r = transport.post(bytes("b"), 1, TIMEOUT);
    assertThat(r.status()).isEqualTo(200);
    assertThat(received.get("/new")).extracting(x -> new String(x.body(), StandardCharsets.UTF_8)).containsExactly("b");
  }

  @Test
  void http2OnPlainHttpAsksForTheUpgradeAndFallsBackToHttp11() throws Exception {
    URI base = start(Map.of("/h2", answer(200, "")));
    transport = HttpTransport.builder(base.resolve("/h2")).http2(true).build();
    assertThat(transport.post(bytes("x"), 1, TIMEOUT).status()).isEqualTo(200);
    assertThat(received.get("/h2").get(0).headers().getFirst("Upgrade")).isEqualTo("h2c");
  }

  @Test
  void aProxyGetsTheAbsoluteUrl() throws Exception {
    try (ServerSocket proxy = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      Future<String> requestLine = pool.submit(() -> {
        try (Socket s = proxy.accept()) {
          s.setSoTimeout(5_000);
          InputStream in = s.getInputStream();
          String first = readLine(in);
          int length = 0;
          for (int i = 0; i < 100; i++) {
            String h = readLine(in);
            if (h.isEmpty()) break;
            if (h.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(h.substring(15).trim());
          }
          in.readNBytes(length);
          s.getOutputStream().write(bytes("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"));
          s.getOutputStream().flush();
          return first;
        }
      });
      transport = HttpTransport.builder(URI.create("http://collector.invalid:9/api/push"))
          .proxy(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.getLocalPort())).build();
      assertThat(transport.post(bytes("x"), 1, TIMEOUT).status()).isEqualTo(204);
      assertThat(requestLine.get(5, TimeUnit.SECONDS)).isEqualTo("POST http://collector.invalid:9/api/push HTTP/1.1");
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8192; i++) {
      int b = in.read();
      if (b < 0 || b == '\n') break;
      if (b != '\r') sb.append((char) b);
    }
    return sb.toString();
  }

  @Test
  void abortGivesUpARequestInFlightAndRefusesLaterOnes() throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    URI base = start(Map.of("/hang", hang(arrived)));
    transport = HttpTransport.builder(base.resolve("/hang")).build();
    Future<HttpResult> inFlight = pool.submit(() -> transport.post(bytes("x"), 1, Duration.ofSeconds(30)));
    assertThat(arrived.await(5, TimeUnit.SECONDS)).isTrue();
    transport.abort();
    HttpResult r = inFlight.get(5, TimeUnit.SECONDS);
    assertThat(r.answered()).isFalse();
    assertThat(r.error()).isEqualTo("request aborted");
    assertThat(transport.post(bytes("y"), 1, TIMEOUT).error()).isEqualTo("request aborted");
  }

  @Test
  void aServerThatDoesNotAnswerTimesOut() throws Exception {
    URI base = start(Map.of("/hang", hang(new CountDownLatch(1))));
    transport = HttpTransport.builder(base.resolve("/hang")).build();
    HttpResult r = transport.post(bytes("x"), 1, Duration.ofMillis(300));
    assertThat(r.answered()).isFalse();
    assertThat(r.error()).startsWith("timed out after 300ms");
  }
}
