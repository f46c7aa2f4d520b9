package io.mpac.collector.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.mpac.collector.exporter.prometheus.HttpSender.Outcome;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Remote write's sender over the common transport: protocol headers, the status table with
 * {@code retry_on_http_429}, and credentials kept out of the reasons it reports.
 */
class HttpSenderTest {

  private HttpServer server;
  private final List<Map<String, List<String>>> requests = new CopyOnWriteArrayList<>();
  private final AtomicInteger status = new AtomicInteger(204);

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/v1/write", ex -> {
      ex.getRequestBody().readAllBytes();
      requests.add(Map.copyOf(ex.getRequestHeaders()));
      int s = status.get();
      byte[] b = ("you sent Authorization: " + ex.getRequestHeaders().getFirst("Authorization"))
          .getBytes(StandardCharsets.UTF_8);
      if (s == 429) ex.getResponseHeaders().add("Retry-After", "4");
      ex.sendResponseHeaders(s, s == 204 ? -1 : b.length);
      if (s != 204) ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private RemoteWriteConfig.Endpoint endpoint(RemoteWriteConfig.Auth auth, boolean retryOn429) {
    RemoteWriteConfig.Endpoint ep = RemoteWriteConfig.Endpoint.defaults(URI.create("http://127.0.0.1:"
        + server.getAddress().getPort() + "/api/v1/write"));
    RemoteWriteConfig.Queue q = ep.queue();
    return ep.withAuth(auth, Map.of("X-Custom", "1", "Content-Type", "text/plain"))
        .withQueue(new RemoteWriteConfig.Queue(q.capacity(), q.minShards(), q.maxShards(), q.maxSamplesPerSend(),
            q.batchSendDeadline(), q.minBackoff(), q.maxBackoff(), retryOn429, q.sampleAgeLimit()));
  }

  @Test
  void sendsTheProtocolHeadersAndClassifiesWithTheRetryOn429Option() throws Exception {
    HttpSender on = new HttpSender(endpoint(RemoteWriteConfig.Auth.NONE, true));
    HttpSender off = new HttpSender(endpoint(RemoteWriteConfig.Auth.NONE, false));
    assertThat(on.send(new byte[] {1}, 1, Duration.ofSeconds(5))).isEqualTo(new Outcome.Success(204));
    Map<String, List<String>> h = requests.get(0);
    assertThat(h.get("Content-encoding")).containsExactly("snappy");
    assertThat(h.get("Content-type")).containsExactly("application/x-protobuf");
    assertThat(h.get("X-prometheus-remote-write-version")).containsExactly("0.1.0");
    assertThat(h.get("X-custom")).containsExactly("1");

    status.set(429);
    assertThat(on.send(new byte[] {1}, 1, Duration.ofSeconds(5)))
        .isEqualTo(new Outcome.Retryable("HTTP 429: you sent Authorization: null", Duration.ofSeconds(4)));
    assertThat(off.send(new byte[] {1}, 1, Duration.ofSeconds(5)))
        .isEqualTo(new Outcome.Permanent(429, "HTTP 429: you sent Authorization: null"));
    status.set(500);
    assertThat(off.send(new byte[] {1}, 1, Duration.ofSeconds(5))).isInstanceOf(Outcome.Retryable.class);
    status.set(404);
    assertThat(off.send(new byte[] {1}, 1, Duration.ofSeconds(5))).isInstanceOfSatisfying(Outcome.Permanent.class,
        p -> assertThat(p.reason()).contains("--web.enable-remote-write-receiver"));
    on.close();
    off.close();
  }

  @Test
  void credentialsQuotedBackByTheServerAreRedacted() throws Exception {
    String password = "rw-pa55-5ecret";
    String token = "rw-t0ken-5ecret";
    status.set(401);
    HttpSender basic = new HttpSender(endpoint(new RemoteWriteConfig.Auth.Basic("user", password), true));
    HttpSender bearer = new HttpSender(endpoint(new RemoteWriteConfig.Auth.Credentials("Bearer", token), true));
    Outcome b = basic.send(new byte[] {1}, 1, Duration.ofSeconds(5));
    Outcome t = bearer.send(new byte[] {1}, 1, Duration.ofSeconds(5));
    basic.close();
    bearer.close();
    String sentBasic = requests.get(0).get("Authorization").get(0);
    assertThat(requests.get(1).get("Authorization")).containsExactly("Bearer " + token);
    assertThat(b).isEqualTo(new Outcome.Permanent(401, "HTTP 401: you sent Authorization: (secret)"));
    assertThat(b.toString()).doesNotContain(sentBasic.substring(6));
    assertThat(t).isEqualTo(new Outcome.Permanent(401, "HTTP 401: you sent Authorization: (secret)"));
    assertThat(t.toString()).doesNotContain(token);
  }
}
