package io.mpac.collector.loadgen;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LoadToolsTest {

  private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);

  @Test
  void itemCounterAgreesWithProtobufJava() throws Exception {
    Payloads.Shape traces = new Payloads.Shape(Signal.TRACES, 37, 2, 0);
    byte[] t = Payloads.protobuf(traces, 1, 1)[0];
    assertThat(ItemCounter.count(Signal.TRACES, t))
        .isEqualTo(ExportTraceServiceRequest.parseFrom(t).getResourceSpans(0).getScopeSpans(0).getSpansCount())
        .isEqualTo(37);
    byte[] m = Payloads.protobuf(new Payloads.Shape(Signal.METRICS, 12, 1, 0), 1, 1)[0];
    assertThat(ItemCounter.count(Signal.METRICS, m)).isEqualTo(
        ExportMetricsServiceRequest.parseFrom(m).getResourceMetrics(0).getScopeMetrics(0).getMetrics(0).getGauge()
            .getDataPointsCount()).isEqualTo(12);
    byte[] l = Payloads.protobuf(new Payloads.Shape(Signal.LOGS, 5, 1, 100), 1, 1)[0];
    assertThat(ItemCounter.count(Signal.LOGS, l)).isEqualTo(5);
    assertThat(ExportLogsServiceRequest.parseFrom(l).getResourceLogs(0).getScopeLogs(0).getLogRecords(0).getBody()
        .getStringValue()).hasSize(100);
  }

  @Test
  void itemCounterRefusesGarbage() {
    assertThat(ItemCounter.count(Signal.TRACES, new byte[] {0x0a, 0x05, 0x12})).isEqualTo(-1);
    assertThat(ItemCounter.count(Signal.TRACES, new byte[0])).isZero();
  }

  @Test
  void jsonPayloadsUseHexIds() throws Exception {
    Payloads.Shape shape = new Payloads.Shape(Signal.TRACES, 2, 1, 0);
    ExportTraceServiceRequest proto = ExportTraceServiceRequest.parseFrom(Payloads.protobuf(shape, 1, 7)[0]);
    String json = new String(Payloads.json(shape, 1, 7)[0], java.nio.charset.StandardCharsets.UTF_8);
    String hexTrace = HexFormat.of().formatHex(proto.getResourceSpans(0).getScopeSpans(0).getSpans(0).getTraceId().toByteArray());
    assertThat(json).contains("\"traceId\": \"" + hexTrace + "\"").doesNotContain("==");
  }

  @Test
  void everyAcceptedItemReachesTheSinkDirectlyAndThroughTheRelay() throws Exception {
    try (NullSink sink = new NullSink(LOOPBACK);
        GrpcRelay relay = new GrpcRelay(LOOPBACK, "127.0.0.1:" + sink.port())) {
      Generator.Result direct = new Generator(new Generator.Options("127.0.0.1:" + sink.port(),
          Generator.Protocol.GRPC, Signal.TRACES, 5_000, Duration.ofMillis(600), 50, 2, 2, 0)).run();
      assertThat(direct.outcomes()).containsOnlyKeys("OK");
      assertThat(sink.items()).isEqualTo(direct.okItems()).isPositive();

      long before = sink.items();
      Generator.Result relayed = new Generator(new Generator.Options("127.0.0.1:" + relay.port(),
          Generator.Protocol.GRPC, Signal.LOGS, 0, Duration.ofMillis(400), 20, 2, 1, 32)).run();
      assertThat(relayed.outcomes()).containsOnlyKeys("OK");
      assertThat(sink.items() - before).isEqualTo(relayed.okItems()).isPositive();
      assertThat(sink.malformed()).isZero();
    }
  }

  @Test
  void httpTransportPostsProtobufAndJsonAndReportsStatusCodes() throws Exception {
    HttpServer server = HttpServer.create(LOOPBACK, 0);
    List<String> contentTypes = new CopyOnWriteArrayList<>();
    AtomicInteger spans = new AtomicInteger();
    AtomicInteger calls = new AtomicInteger();
    server.createContext("/v1/traces", ex -> {
      contentTypes.add(ex.getRequestHeaders().getFirst("Content-Type"));
      byte[] body = ex.getRequestBody().readAllBytes();
      int status = 200;
      if (contentTypes.get(contentTypes.size() - 1).equals("application/x-protobuf")) {
        spans.addAndGet(ItemCounter.count(Signal.TRACES, body));
      }
      if (calls.incrementAndGet() % 2 == 1) status = 429; // odd calls are refused
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    server.start();
    try {
      String endpoint = "127.0.0.1:" + server.getAddress().getPort();
      Generator.Result proto = new Generator(new Generator.Options(endpoint, Generator.Protocol.HTTP_PROTOBUF,
          Signal.TRACES, 0, Duration.ofMillis(1000), 10, 1, 1, 0)).run();
      // One worker sends one request at a time, so refusals are exactly the odd-numbered calls.
      assertThat(proto.requests()).isPositive();
      assertThat(proto.outcomes().get("HTTP 429")).isEqualTo((proto.requests() + 1) / 2);
      assertThat(proto.outcomes().getOrDefault("OK", 0L)).isEqualTo(proto.requests() / 2);
      assertThat(proto.okItems()).isEqualTo(proto.requests() / 2 * 10);
      assertThat(spans.get()).isEqualTo(proto.items());
      Generator.Result json = new Generator(new Generator.Options(endpoint, Generator.Protocol.HTTP_JSON,
          Signal.TRACES, 0, Duration.ofMillis(200), 10, 1, 1, 0)).run();
      assertThat(json.requests()).isPositive();
      assertThat(contentTypes).contains("application/x-protobuf", "application/json");
    } finally {
      server.stop(0);
    }
  }

  @Test
  void latencyPercentilesAreWithinABucket() {
    LatencyHistogram h = new LatencyHistogram();
    for (int i = 1; i <= 1000; i++) h.recordMicros(i);
    assertThat(h.percentileMicros(0.5)).isBetween(500L, 511L);
    assertThat(h.percentileMicros(0.99)).isBetween(990L, 1011L);
    assertThat(new LatencyHistogram().percentileMicros(0.5)).isZero();
  }
}
