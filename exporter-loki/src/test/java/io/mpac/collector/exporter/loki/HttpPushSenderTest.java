package io.mpac.collector.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** loki.write's sender over the common transport: its headers, the tenant, and no secret in what it reports. */
class HttpPushSenderTest {

  private HttpServer server;
  private final List<Map<String, List<String>>> requests = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/loki/api/v1/push", ex -> {
      ex.getRequestBody().readAllBytes();
      requests.add(Map.copyOf(ex.getRequestHeaders()));
      // a server (or proxy) that quotes the request's headers back in its error
      String quoted = "bad request; Authorization=" + ex.getRequestHeaders().getFirst("Authorization")
          + "\nsecond line";
      byte[] b = quoted.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(400, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private EndpointConfig config() {
    return EndpointConfig.defaults(URI.create("http://127.0.0.1:" + server.getAddress().getPort()
        + "/loki/api/v1/push"));
  }

  @Test
  void aQuotedBearerTokenNeverReachesTheResult() throws Exception {
    String token = "loki-b3arer-5ecret";
    HttpPushSender s = HttpPushSender.create(config().withHeaders(Map.of("X-Scope-OrgID", "fallback",
        "X-Extra", "1"), token, "", ""));
    PushSender.Result r = s.send("team-a", new byte[] {1, 2, 3}, Duration.ofSeconds(5));
    PushSender.Result noTenant = s.send("", new byte[] {1, 2, 3}, Duration.ofSeconds(5));
    s.close();

    assertThat(requests.get(0).get("Authorization")).containsExactly("Bearer " + token);
    assertThat(requests.get(0).get("X-scope-orgid")).containsExactly("team-a");
    assertThat(requests.get(1).get("X-scope-orgid")).containsExactly("fallback");
    assertThat(requests.get(0).get("X-extra")).containsExactly("1");
    assertThat(requests.get(0).get("Content-type")).containsExactly("application/x-protobuf");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.body()).isEqualTo("bad request; Authorization=(secret)");
    assertThat(r.outcome(true).toString()).doesNotContain(token);
    assertThat(noTenant.body()).doesNotContain(token);
  }

  @Test
  void aQuotedBasicAuthHeaderNeverReachesTheResult() throws Exception {
    HttpPushSender s = HttpPushSender.create(config().withHeaders(Map.of(), "", "user", "pa55-w0rd-5ecret"));
    PushSender.Result r = s.send("", new byte[] {1}, Duration.ofSeconds(5));
    s.close();
    String sent = requests.get(0).get("Authorization").get(0);
    assertThat(sent).startsWith("Basic ");
    assertThat(r.body()).isEqualTo("bad request; Authorization=(secret)").doesNotContain(sent.substring(6));
  }
}
