package io.mpac.collector.exporter.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.exporter.ExporterMetrics;
import io.mpac.collector.exporter.QueueConfig;
import io.mpac.collector.exporter.RetryConfig;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** otelcol.exporter.otlphttp against a JDK HttpServer that decodes every request independently. */
class OtlpHttpExporterTest {

  private static final String ID = "otelcol.exporter.otlphttp.tempo";
  private static final RetryConfig FAST_RETRY = new RetryConfig(true, Duration.ofMillis(20), 1.5, 0.2,
      Duration.ofMillis(200), Duration.ZERO);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A canned HTTP answer; null body means none. */
  record Reply(int status, Map<String, String> headers, byte[] body) {
    static Reply ok() {
      return new Reply(200, Map.of("Content-Type", "application/x-protobuf"), new byte[0]);
    }
  }

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ComponentContext context = new ComponentContext(
      new ComponentId("otelcol.exporter.otlphttp", "tempo"), Path.of("unused"), registry, Logger.getLogger(ID));
  private final AtomicInteger calls = new AtomicInteger();
  private final List<Long> callTimes = new CopyOnWriteArrayList<>();
  private final List<String> paths = new CopyOnWriteArrayList<>();
  private final List<Map<String, List<String>>> headers = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> spans = new ConcurrentHashMap<>();
  private final List<JsonNode> jsonBodies = new CopyOnWriteArrayList<>();
  private final AtomicInteger logRecords = new AtomicInteger();
  private volatile java.util.function.IntFunction<Reply> behaviour = call -> Reply.ok();
  private HttpServer server;
  private OtlpExporter exporter;

  @BeforeEach
  void startServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
    server.start();
  }

  @AfterEach
  void stop() {
    if (exporter != null) exporter.shutdown(Duration.ofSeconds(2));
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    int call = calls.incrementAndGet();
    callTimes.add(System.nanoTime());
    paths.add(ex.getRequestURI().getPath());
    headers.add(Map.copyOf(ex.getRequestHeaders()));
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readAllBytes();
    }
    if ("gzip".equals(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
      try (InputStream gz = new GZIPInputStream(new ByteArrayInputStream(body))) {
        body = gz.readAllBytes();
      }
    }
    Reply r = behaviour.apply(call);
    if (r.status() == 200) {
      String ct = ex.getRequestHeaders().getFirst("Content-Type");
      if (ex.getRequestURI().getPath().endsWith("/v1/logs")) {
        logRecords.addAndGet(ExportLogsServiceRequest.parseFrom(body).getResourceLogs(0).getScopeLogs(0)
            .getLogRecordsCount());
      } else if ("application/json".equals(ct)) {
        JsonNode tree = JSON.readTree(body);
        jsonBodies.add(tree);
        for (JsonNode rs : tree.get("resourceSpans")) {
          for (JsonNode ss : rs.get("scopeSpans")) {
            for (JsonNode s : ss.get("spans")) {
              spans.computeIfAbsent(s.get("spanId").asText(), k -> new AtomicInteger()).incrementAndGet();
            }
          }
        }
      } else {
        ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(body);
        for (ResourceSpans rs : req.getResourceSpansList()) {
          for (ScopeSpans ss : rs.getScopeSpansList()) {
            for (Span s : ss.getSpansList()) {
              spans.computeIfAbsent(TestData.hex(s.getSpanId().toByteArray()), k -> new AtomicInteger())
                  .incrementAndGet();
            }
          }
        }
      }
    }
    r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
    ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
    if (r.body().length > 0) ex.getResponseBody().write(r.body());
    ex.close();
  }

  private String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private OtlpConsumer start(OtlpHttpExporterConfig config) throws Exception {
    exporter = OtlpExporter.http(context, config);
    exporter.start();
    return exporter.input();
  }

  private OtlpHttpExporterConfig config(String endpoint, OtlpHttpExporterConfig.Encoding enc, Duration timeout) {
    return OtlpHttpExporterConfig.of(endpoint).with(enc, Compression.GZIP, Map.of("X-Scope-OrgID", "team-a"),
        timeout, new QueueConfig(true, 1, 100, QueueConfig.Sizer.REQUESTS, false), FAST_RETRY);
  }

  private double count(String name) {
    Counter c = registry.find(name).tag("component_id", ID).counter();
    return c == null ? 0 : c.count();
  }

  private double dropped(ExporterMetrics.DropReason reason) {
    Counter c = registry.find(ExporterMetrics.DROPPED + "spans").tag("reason", reason.tag()).counter();
    return c == null ? 0 : c.count();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("condition not met within 20s");
      Thread.sleep(5);
    }
  }

  private boolean exactlyOnce(int expected) {
    return spans.size() == expected && spans.values().stream().allMatch(a -> a.get() == 1);
  }

  @Test
  void okPathDeliversEverySpanOnceToTheSignalsPath() throws Exception {
    OtlpConsumer input = start(config(base() + "/", OtlpHttpExporterConfig.Encoding.PROTO, Duration.ofSeconds(5)));
    for (int i = 0; i < 10; i++) input.consume(TestData.tracesRequest(i, 10));
    input.consume(TestData.logsRequest(4));
    await(() -> count(ExporterMetrics.SENT + "spans") == 100 && count(ExporterMetrics.SENT + "log_records") == 4);
    assertThat(exactlyOnce(100)).isTrue();
    assertThat(logRecords.get()).isEqualTo(4);
    assertThat(paths).contains("/v1/traces", "/v1/logs");
    Map<String, List<String>> h = headers.get(0);
    assertThat(h.get("Content-type")).containsExactly("application/x-protobuf");
    assertThat(h.get("Content-encoding")).containsExactly("gzip");
    assertThat(h.get("X-scope-orgid")).containsExactly("team-a");
    assertThat(count(ExporterMetrics.SEND_FAILED + "spans")).isZero();
  }

  @Test
  void tooManyRequestsHonoursRetryAfter() throws Exception {
    behaviour = call -> call == 1 ? new Reply(429, Map.of("Retry-After", "1"), "slow down".getBytes()) : Reply.ok();
    OtlpConsumer input = start(config(base(), OtlpHttpExporterConfig.Encoding.PROTO, Duration.ofSeconds(5)));
    input.consume(TestData.tracesRequest(1, 5));
    await(() -> count(ExporterMetrics.SENT + "spans") == 5);
    assertThat(calls.get()).isEqualTo(2);
    assertThat(TimeUnit.NANOSECONDS.toMillis(callTimes.get(1) - callTimes.get(0))).isGreaterThanOrEqualTo(1_000);
    assertThat(exactlyOnce(5)).isTrue();
  }

  @Test
  void serviceUnavailableThenSuccess() throws Exception {
    behaviour = call -> call <= 2 ? new Reply(503, Map.of(), new byte[0]) : Reply.ok();
    OtlpConsumer input = start(config(base(), OtlpHttpExporterConfig.Encoding.PROTO, Duration.ofSeconds(5)));
    input.consume(TestData.tracesRequest(1, 7));
    await(() -> count(ExporterMetrics.SENT + "spans") == 7);
    assertThat(calls.get()).isEqualTo(3);
    assertThat(count(ExporterMetrics.RETRIES)).isEqualTo(2);
    assertThat(exactlyOnce(7)).isTrue();
  }

  @Test
  void badRequestIsDroppedNotRetried() throws Exception {
    com.google.rpc.Status status = com.google.rpc.Status.newBuilder().setCode(3)
        .setMessage("trace id is all zeroes").build();
    behaviour = call -> new Reply(400, Map.of("Content-Type", "application/x-protobuf"), status.toByteArray());
    OtlpConsumer input = start(config(base(), OtlpHttpExporterConfig.Encoding.PROTO, Duration.ofSeconds(5)));
    input.consume(TestData.tracesRequest(1, 6));
    await(() -> count(ExporterMetrics.SEND_FAILED + "spans") == 6);
    assertThat(dropped(ExporterMetrics.DropReason.PERMANENT)).isEqualTo(6);
    assertThat(calls.get()).isEqualTo(1);
    assertThat(OtlpHttpSender.reason(status.toByteArray(), "application/x-protobuf"))
        .isEqualTo("trace id is all zeroes");
  }

  @Test
  void slowServerPastTheTimeoutIsRetried() throws Exception {
    behaviour = call -> {
      if (call == 1) {
        try {
          Thread.sleep(800);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return new Reply(503, Map.of(), new byte[0]); // the client has gone; nothing is kept
      }
      return Reply.ok();
    };
    OtlpConsumer input = start(config(base(), OtlpHttpExporterConfig.Encoding.PROTO, Duration.ofMillis(200)));
    input.consume(TestData.tracesRequest(1, 3));
    await(() -> count(ExporterMetrics.SENT + "spans") == 3);
    assertThat(count(ExporterMetrics.RETRIES)).isGreaterThanOrEqualTo(1);
    assertThat(exactlyOnce(3)).isTrue();
  }

  @Test
  void jsonEncodingUsesHexIdsAndReadsJsonPartialSuccess() throws Exception {
    behaviour = call -> new Reply(200, Map.of("Content-Type", "application/json"),
        "{\"partialSuccess\":{\"rejectedSpans\":\"2\",\"errorMessage\":\"too old\"}}".getBytes(StandardCharsets.UTF_8));
    OtlpConsumer input = start(config(base(), OtlpHttpExporterConfig.Encoding.JSON, Duration.ofSeconds(5)));
    input.consume(TestData.tracesRequest(3, 5));
    await(() -> count(ExporterMetrics.SENT + "spans") == 3);
    assertThat(dropped(ExporterMetrics.DropReason.PARTIAL_SUCCESS)).isEqualTo(2);
    assertThat(headers.get(0).get("Content-type")).containsExactly("application/json");
    JsonNode span = jsonBodies.get(0).get("resourceSpans").get(0).get("scopeSpans").get(0).get("spans").get(0);
    assertThat(span.get("traceId").asText()).isEqualTo(TestData.hex(TestData.traceId(3)));
    assertThat(span.get("spanId").asText()).isEqualTo(TestData.hex(TestData.spanId(3, 0)));
    assertThat(span.get("kind").isInt()).isTrue(); // enums as integers
    assertThat(span.get("kind").asInt()).isEqualTo(2);
    assertThat(exactlyOnce(5)).isTrue();
  }

  @Test
  void explicitSignalEndpointAndPathPrefix() throws Exception {
    OtlpHttpExporterConfig c = config(base() + "/otlp", OtlpHttpExporterConfig.Encoding.PROTO, Duration.ofSeconds(5));
    assertThat(c.url(io.mpac.collector.pdata.Signal.LOGS)).isEqualTo(URI.create(base() + "/otlp/v1/logs"));
    OtlpConsumer input = start(c);
    input.consume(TestData.logsRequest(2));
    await(() -> count(ExporterMetrics.SENT + "log_records") == 2);
    assertThat(paths).containsExactly("/otlp/v1/logs");
  }

  @Test
  void connectionRefusedIsRetriedUntilTheServerIsBack() throws Exception {
    int port = server.getAddress().getPort();
    server.stop(0);
    OtlpConsumer input = start(config("http://127.0.0.1:" + port, OtlpHttpExporterConfig.Encoding.PROTO,
        Duration.ofSeconds(2)));
    input.consume(TestData.tracesRequest(1, 4));
    await(() -> count(ExporterMetrics.RETRIES) >= 3);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/", this::handle);
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2));
    server.start();
    await(() -> count(ExporterMetrics.SENT + "spans") == 4);
    assertThat(exactlyOnce(4)).isTrue();
  }
}
