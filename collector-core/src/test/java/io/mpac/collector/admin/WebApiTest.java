package io.mpac.collector.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.pipeline.Controller;
import io.mpac.collector.pipeline.PipelineBuilder;
import io.mpac.collector.pipeline.TestComponents;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import com.google.protobuf.ByteString;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Alloy-compatible API's shape, the UI's files, edge rates and live debugging. */
class WebApiTest {

  static final String CANARY = "CANARY-d41d8cd98f";

  /** Alloy's ComponentInfo fields (internal/web/ui/src/features/component/types.ts), plus ours. */
  static final Set<String> INFO_FIELDS = Set.of("name", "type", "localID", "moduleID", "label", "referencesTo",
      "referencedBy", "dataFlowEdgesTo", "health", "liveDebuggingEnabled", "kind", "counters", "summary");
  static final Set<String> DETAIL_FIELDS = union(INFO_FIELDS, Set.of("arguments", "exports", "debugInfo"));

  @TempDir Path dir;

  private final TestComponents components = new TestComponents();
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private AdminServer admin;
  private Controller controller;

  private static final String CONFIG = """
      test.source "in" {
        port    = 1
        token   = "%s"
        headers = { "X-Token" = sys.env("TOKEN") }
        output {
          traces = [test.processor.mid.input]
        }
      }
      test.processor "mid" {
        output {
          traces = [test.sink.out.input]
        }
      }
      test.sink "out" {}
      """.formatted(CANARY);

  private String start(String config, String prefix) throws Exception {
    Path file = Files.writeString(dir.resolve("c.alloy"), config);
    controller = new Controller(file, new PipelineBuilder(new PipelineBuilder.Settings(components.registry(),
        Map.of("TOKEN", CANARY), dir, registry)), Duration.ofSeconds(2), l -> { });
    admin = AdminServer.start(new InetSocketAddress("127.0.0.1", 0), controller, registry, prefix);
    controller.start();
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

  private JsonNode getJson(String url) throws Exception {
    HttpResponse<String> r = get(url);
    assertThat(r.statusCode()).as(url).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    return json.readTree(r.body());
  }

  @Test
  void listAndDetailUseAlloysFieldNames() throws Exception {
    String base = start(CONFIG, "/");
    JsonNode list = getJson(base + "/api/v0/web/components");
    assertThat(list).hasSize(3);
    for (JsonNode c : list) {
      assertThat(fields(c)).isEqualTo(INFO_FIELDS);
      assertThat(c.get("type").asText()).isEqualTo("block");
      assertThat(c.get("moduleID").asText()).isEmpty();
      assertThat(fields(c.get("health"))).isEqualTo(Set.of("state", "message", "updatedTime"));
      assertThat(c.get("health").get("state").asText()).isEqualTo("healthy");
      assertThat(c.get("liveDebuggingEnabled").asBoolean()).isFalse();
    }
    JsonNode mid = getJson(base + "/api/v0/web/components/test.processor.mid");
    assertThat(fields(mid)).isEqualTo(DETAIL_FIELDS);
    assertThat(mid.get("name").asText()).isEqualTo("test.processor");
    assertThat(mid.get("label").asText()).isEqualTo("mid");
    assertThat(mid.get("localID").asText()).isEqualTo("test.processor.mid");
    assertThat(mid.get("referencesTo").toString()).isEqualTo("[\"test.sink.out\"]");
    assertThat(mid.get("referencedBy").toString()).isEqualTo("[\"test.source.in\"]");
    assertThat(mid.get("dataFlowEdgesTo").toString()).isEqualTo("[\"test.sink.out\"]");
    // exports: the input capsule, as Alloy's UI expects an attribute body
    assertThat(mid.get("exports").toString())
        .isEqualTo("[{\"type\":\"attr\",\"name\":\"input\",\"value\":{\"type\":\"capsule\",\"value\":\"test.processor.mid.input\"}}]");
    assertThat(get(base + "/api/v0/web/components/nope.x").statusCode()).isEqualTo(404);
    // updatedTime is when the health last changed, not when it was asked
    Thread.sleep(20);
    assertThat(getJson(base + "/api/v0/web/components/test.processor.mid").at("/health/updatedTime"))
        .isEqualTo(mid.at("/health/updatedTime"));
  }

  @Test
  void secretsAreMaskedWhateverTheirSource() throws Exception {
    String base = start(CONFIG, "/");
    JsonNode in = getJson(base + "/api/v0/web/components/test.source.in");
    JsonNode args = in.get("arguments");
    assertThat(attr(args, "token").toString()).isEqualTo("{\"type\":\"capsule\",\"value\":\"(secret)\"}");
    assertThat(attr(args, "headers").toString())
        .isEqualTo("{\"type\":\"object\",\"value\":[{\"key\":\"X-Token\",\"value\":{\"type\":\"capsule\",\"value\":\"(secret)\"}}]}");
    for (String path : List.of("/api/v0/web/components", "/api/v0/web/components/test.source.in",
        "/api/v0/components", "/api/v0/components/test.source.in", "/api/v0/web/flows", "/metrics", "/",
        "/ui/app.js", "/-/healthy")) {
      assertThat(get(base + path).body()).as(path).doesNotContain(CANARY);
    }
  }

  @Test
  void flowsCountItemsPerEdgeAndSignal() throws Exception {
    String base = start(CONFIG, "/");
    components.sourceOutputs.get("test.source.in").consume(spans("a", 3));
    components.sourceOutputs.get("test.source.in").consume(spans("b", 2));
    JsonNode flows = getJson(base + "/api/v0/web/flows");
    Map<String, Long> traces = new java.util.TreeMap<>();
    for (JsonNode f : flows) traces.put(f.get("from").asText() + "->" + f.get("to").asText(), f.at("/items/traces").asLong());
    assertThat(traces).containsEntry("test.source.in->test.processor.mid", 5L)
        .containsEntry("test.processor.mid->test.sink.out", 5L).hasSize(2);
    assertThat(flows.get(0).at("/items/logs").asLong()).isZero();
    // A component without counters of its own is summarized from its edges.
    JsonNode mid = getJson(base + "/api/v0/web/components/test.processor.mid");
    assertThat(mid.at("/summary/accepted").asLong()).isEqualTo(5);
    assertThat(mid.at("/summary/sent").asLong()).isEqualTo(5);
    assertThat(mid.at("/summary/queueSize").asLong()).isEqualTo(-1);
  }

  @Test
  void liveDebuggingIsOffUnlessTheConfigEnablesIt() throws Exception {
    String base = start(CONFIG, "/");
    HttpResponse<String> r = get(base + "/api/v0/web/debug/test.source.in");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body()).contains("livedebugging { enabled = true }");
    assertThat(controller.flows().edges()).allSatisfy(e -> assertThat(e.watched()).isFalse());
  }

  @Test
  void liveDebuggingStreamsWhatAComponentSendsOn() throws Exception {
    String base = start(CONFIG + "livedebugging {\n  enabled = true\n}\n", "/");
    assertThat(getJson(base + "/api/v0/web/components").get(0).get("liveDebuggingEnabled").asBoolean()).isTrue();
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v0/web/debug/test.processor.mid"))
        .build(), HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    // The viewer is attached once the response started; then send until a sample arrives.
    try (InputStream in = r.body()) {
      StringBuilder got = new StringBuilder();
      byte[] buf = new byte[8192];
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      for (int i = 0; i < 100 && System.nanoTime() < deadline && !got.toString().contains("checkout"); i++) {
        components.sourceOutputs.get("test.source.in").consume(spans("checkout", 1));
        if (in.available() > 0 || i % 5 == 0) {
          int n = in.read(buf);
          if (n < 0) break;
          got.append(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
      }
      assertThat(got.toString()).contains("# test.processor.mid -> test.sink.out: 1 spans").contains("checkout")
          .contains(LiveDebugStream.DELIMITER);
      assertThat(controller.flows().edge(new io.mpac.collector.component.ComponentId("test.processor", "mid"),
          new io.mpac.collector.component.ComponentId("test.sink", "out")).watched()).isTrue();
    }
  }

  @Test
  void uiIsServedFromTheJarUnderItsPrefix() throws Exception {
    String base = start(CONFIG, "/alloy");
    HttpResponse<String> index = get(base + "/alloy/");
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(index.body()).contains("<base href=\"/alloy/\">").contains("ui/app.js").doesNotContain("http://")
        .doesNotContain("https://");
    assertThat(get(base + "/alloy/ui/app.js").body()).contains("api/v0/web/").doesNotContain("https://");
    assertThat(get(base + "/alloy/ui/style.css").statusCode()).isEqualTo(200);
    assertThat(get(base + "/alloy/api/v0/web/components").statusCode()).isEqualTo(200);
    assertThat(get(base + "/api/v0/web/components").statusCode()).isEqualTo(200);
    assertThat(get(base + "/").statusCode()).isEqualTo(404);
    assertThat(get(base + "/alloy/ui/../../etc/passwd").statusCode()).isEqualTo(404);
    assertThat(get(base + "/alloy/ui/AdminServer.class").statusCode()).isEqualTo(404);
    HttpResponse<String> bare = get(base + "/alloy");
    assertThat(bare.statusCode()).isEqualTo(308);
    assertThat(bare.headers().firstValue("Location")).hasValue("/alloy/");
  }

  @Test
  void prefixesAreNormalizedOrRefused() {
    assertThat(AdminServer.normalizePrefix("alloy")).isEqualTo("/alloy/");
    assertThat(AdminServer.normalizePrefix("/a/b/")).isEqualTo("/a/b/");
    assertThat(AdminServer.normalizePrefix("")).isEqualTo("/");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> AdminServer.normalizePrefix("/a/../b"))
        .hasMessageContaining("invalid UI path prefix");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> AdminServer.normalizePrefix("/a b"))
        .hasMessageContaining("invalid UI path prefix");
  }

  static OtlpRequest spans(String name, int count) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < count; i++) {
      scope.addSpans(Span.newBuilder().setName(name).setTraceId(ByteString.copyFrom(new byte[16]))
          .setSpanId(ByteString.copyFrom(new byte[8])));
    }
    byte[] bytes = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope)).build().toByteArray();
    return new OtlpRequest(Signal.TRACES, bytes, count);
  }

  private static JsonNode attr(JsonNode body, String name) {
    for (JsonNode s : body) {
      if (s.get("type").asText().equals("attr") && s.get("name").asText().equals(name)) return s.get("value");
    }
    throw new AssertionError("no attribute " + name + " in " + body);
  }

  private static Set<String> fields(JsonNode o) {
    Set<String> out = new TreeSet<>();
    Iterator<String> it = o.fieldNames();
    it.forEachRemaining(out::add);
    return out;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> out = new TreeSet<>(a);
    out.addAll(b);
    return out;
  }

}
