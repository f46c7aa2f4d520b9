package io.mpac.collector.exporter.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.mpac.collector.exporter.SendOutcome;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Header values (secrets in the schema) never show in what a failed send reports, even when the server quotes them. */
class OtlpHttpSecretsTest {

  @Test
  void aServerQuotingTheAuthorizationHeaderDoesNotLeakItIntoTheReason() throws Exception {
    String token = "tok-otlp-5ecret-123";
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      StringBuilder sb = new StringBuilder("unauthorized, you sent:");
      for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
        sb.append(' ').append(h.getKey()).append('=').append(h.getValue());
      }
      byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().add("Content-Type", "text/plain");
      ex.sendResponseHeaders(401, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
    try {
      OtlpHttpExporterConfig base = OtlpHttpExporterConfig.of("http://127.0.0.1:" + server.getAddress().getPort());
      OtlpHttpExporterConfig c = new OtlpHttpExporterConfig(base.urls(), base.encoding(), base.compression(),
          Map.of("authorization", "Bearer " + token), base.tls(), Duration.ofSeconds(5), base.queue(), base.retry());
      assertThat(c.toString()).contains("authorization").doesNotContain(token);
      assertThat(OtlpGrpcExporterConfig.Client.plaintext("127.0.0.1:4317")
          .withHeaders(Map.of("authorization", "Bearer " + token)).toString()).doesNotContain(token);
      OtlpHttpSender sender = new OtlpHttpSender(c);
      sender.start();
      SendOutcome o = sender.send(TestData.tracesRequest(1, 2), Duration.ofSeconds(5));
      sender.close(Duration.ofSeconds(1));
      assertThat(o).isInstanceOfSatisfying(SendOutcome.Permanent.class, p -> {
        assertThat(p.reason()).startsWith("HTTP 401").contains("(secret)");
        assertThat(p.reason()).doesNotContain(token);
      });
    } finally {
      server.stop(0);
    }
  }
}
