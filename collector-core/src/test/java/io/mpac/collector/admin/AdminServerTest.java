package io.mpac.collector.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mpac.collector.pipeline.Controller;
import io.mpac.collector.pipeline.PipelineBuilder;
import io.mpac.collector.pipeline.TestComponents;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminServerTest {

  @TempDir Path dir;

  private final TestComponents components = new TestComponents();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpClient http = HttpClient.newHttpClient();
  private AdminServer admin;
  private Controller controller;

  private static final String CONFIG = """
      test.source "in" {
        port = 1
        output {
          traces = [test.sink.out.input]
        }
      }
      test.sink "out" {}
      """;

  private String start(String config) throws Exception {
    Path file = Files.writeString(dir.resolve("c.alloy"), config);
    controller = new Controller(file, new PipelineBuilder(new PipelineBuilder.Settings(components.registry(), Map.of(),
        dir, registry)), Duration.ofSeconds(2), l -> { });
    admin = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), controller, registry);
    return "http://127.0.0.1:" + admin.address().getPort();
  }

  @AfterEach
  void stop() {
    if (controller != null) controller.shutdown(Duration.ofSeconds(1));
    if (admin != null) admin.close();
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void notReadyUntilThePipelineStarted() throws Exception {
    String base = start(CONFIG);
    assertThat(get(base + "/-/ready").statusCode()).isEqualTo(503);
    assertThat(get(base + "/-/healthy").statusCode()).isEqualTo(500);
    controller.start();
    assertThat(get(base + "/-/ready").statusCode()).isEqualTo(200);
    assertThat(get(base + "/-/healthy").body()).isEqualTo("All components are healthy.\n");
  }

  @Test
  void unhealthyComponentsAreNamed() throws Exception {
    String base = start(CONFIG);
    controller.start();
    Files.writeString(dir.resolve("c.alloy"), CONFIG.replace("port = 1", "port = 2\n  fail_start = true"));
    HttpResponse<String> reload = http.send(HttpRequest.newBuilder(URI.create(base + "/-/reload"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(reload.statusCode()).isEqualTo(200);
    HttpResponse<String> healthy = get(base + "/-/healthy");
    assertThat(healthy.statusCode()).isEqualTo(500);
    assertThat(healthy.body()).isEqualTo("unhealthy components: test.source.in\n");
    JsonNode source = new ObjectMapper().readTree(get(base + "/api/v0/components/test.source.in").body());
    assertThat(source.at("/health/state").asText()).isEqualTo("unhealthy");
    assertThat(source.at("/health/message").asText()).isEqualTo("failed to start: cannot listen on 127.0.0.1:2");
  }

  @Test
  void componentsApiShowsEdgesBothWays() throws Exception {
    String base = start(CONFIG);
    controller.start();
    JsonNode list = new ObjectMapper().readTree(get(base + "/api/v0/components").body());
    assertThat(list).hasSize(2);
    JsonNode sink = list.get(0);
    JsonNode source = list.get(1);
    assertThat(sink.get("localID").asText()).isEqualTo("test.sink.out");
    assertThat(sink.get("referencedBy").toString()).isEqualTo("[\"test.source.in\"]");
    assertThat(source.get("referencesTo").toString()).isEqualTo("[\"test.sink.out\"]");
    assertThat(source.get("dataFlowEdgesTo").toString()).isEqualTo("[\"test.sink.out\"]");
    // The alias lists what the Alloy-compatible path lists.
    JsonNode web = new ObjectMapper().readTree(get(base + "/api/v0/web/components").body());
    assertThat(web.findValuesAsText("localID")).isEqualTo(list.findValuesAsText("localID"));
    assertThat(web.get(1).get("referencesTo")).isEqualTo(source.get("referencesTo"));
    JsonNode detail = new ObjectMapper().readTree(get(base + "/api/v0/web/components/test.source.in").body());
    assertThat(detail.at("/arguments/0").toString())
        .isEqualTo("{\"type\":\"attr\",\"name\":\"port\",\"value\":{\"type\":\"number\",\"value\":1}}");
    assertThat(detail.at("/arguments/1/type").asText()).isEqualTo("block");
    assertThat(detail.at("/arguments/1/name").asText()).isEqualTo("output");
    assertThat(detail.at("/arguments/1/body/0/value/value/0").toString())
        .isEqualTo("{\"type\":\"capsule\",\"value\":\"test.sink.out.input\"}");
  }
}
