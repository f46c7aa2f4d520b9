package io.mpac.collector.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.PipelineBuilder;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.Sample;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Endpoint arguments read from Alloy text and seen on the wire: the credentials read from files
 * ({@code bearer_token_file}, {@code basic_auth.password_file}, {@code authorization}'s
 * {@code credentials} and {@code credentials_file}), and {@code enable_http2} (the client offers
 * HTTP/2 with an h2c upgrade on a plaintext URL, never without it).
 */
class RemoteWriteArgumentsTest {

  @TempDir
  Path dir;
  private FakeRemoteWriteServer server;
  private RemoteWrite rw;

  @AfterEach
  void tearDown() {
    if (rw != null) rw.shutdown(Duration.ofSeconds(1));
    if (server != null) server.close();
  }

  /** Runs one endpoint configured by {@code endpointBody} and returns the headers of the request it sends. */
  private FakeRemoteWriteServer.Received sendOnce(String endpointBody) throws Exception {
    server = new FakeRemoteWriteServer();
    String config = "prometheus.remote_write \"a\" {\n  endpoint {\n    url = \"" + server.url() + "\"\n"
        + endpointBody + "\n  }\n}\n";
    var p = new PipelineBuilder(new PipelineBuilder.Settings(
        new ComponentRegistry(List.of(new PrometheusExporterFactory(), new RemoteWriteFactory())), Map.of(),
        Path.of("target", "args-test"), new SimpleMeterRegistry())).build(List.of(Parser.parse("a.alloy", config)), null);
    RemoteWriteConfig rc = RemoteWriteConfig.from(p.node(new ComponentId("prometheus.remote_write", "a")).args());
    rw = new RemoteWrite(TestContexts.context("prometheus.remote_write", "args", new SimpleMeterRegistry()), rc);
    rw.start();
    rw.append(MetricsBatch.ofSamples(List.of(new Sample(Labels.of("__name__", "m"), 1_700_000_000_000L, 1))));
    FakeRemoteWriteServer.await(() -> !server.received.isEmpty(), 10_000, "a request");
    return server.received.get(0);
  }

  private Path secret(String name, String text) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text + "\n");
    return f;
  }

  @Test
  void bearerTokenFile() throws Exception {
    Path f = secret("token", "tok-123");
    assertThat(sendOnce("    bearer_token_file = \"" + f + "\"").header("Authorization")).isEqualTo("Bearer tok-123");
  }

  @Test
  void bearerToken() throws Exception {
    assertThat(sendOnce("    bearer_token = \"tok-inline\"").header("Authorization")).isEqualTo("Bearer tok-inline");
  }

  @Test
  void basicAuthPasswordFile() throws Exception {
    Path f = secret("password", "pw-456");
    String h = sendOnce("    basic_auth {\n      username = \"u\"\n      password_file = \"" + f + "\"\n    }")
        .header("Authorization");
    assertThat(h).isEqualTo("Basic " + Base64.getEncoder().encodeToString("u:pw-456".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void authorizationTypeAndCredentials() throws Exception {
    assertThat(sendOnce("    authorization {\n      type = \"Token\"\n      credentials = \"c-789\"\n    }")
        .header("Authorization")).isEqualTo("Token c-789");
  }

  @Test
  void authorizationCredentialsFile() throws Exception {
    Path f = secret("creds", "c-file");
    assertThat(sendOnce("    authorization {\n      type = \"Bearer\"\n      credentials_file = \"" + f + "\"\n    }")
        .header("Authorization")).isEqualTo("Bearer c-file");
  }

  @Test
  void enableHttp2OffersAnUpgrade() throws Exception {
    assertThat(sendOnce("    enable_http2 = true").header("Upgrade")).isEqualTo("h2c");
  }

  @Test
  void withoutEnableHttp2ThereIsNoUpgrade() throws Exception {
    assertThat(sendOnce("    enable_http2 = false").header("Upgrade")).isNull();
  }
}
