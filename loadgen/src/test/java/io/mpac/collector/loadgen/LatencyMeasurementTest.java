package io.mpac.collector.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyMeasurementTest {

  private static final InetSocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 0);
  private static final long T = 1_700_000_000_123_456_789L;

  @Test
  void stampingRewritesEveryStartAndEndTimeAndNothingElse() throws Exception {
    byte[] request = Payloads.protobuf(new Payloads.Shape(Signal.TRACES, 37, 2, 0), 1, 3)[0];
    ExportTraceServiceRequest before = ExportTraceServiceRequest.parseFrom(request);
    SpanTimes times = Payloads.spanTimes(new byte[][] {request})[0];
    assertThat(times.spans()).isEqualTo(37);

    times.stamp(request, T);

    ExportTraceServiceRequest after = ExportTraceServiceRequest.parseFrom(request);
    List<Span> spans = after.getResourceSpans(0).getScopeSpans(0).getSpansList();
    assertThat(spans).hasSize(37).allSatisfy(s -> {
      assertThat(s.getStartTimeUnixNano()).isEqualTo(T);
      assertThat(s.getEndTimeUnixNano()).isEqualTo(T + 1_000_000L); // Payloads builds 1 ms spans
    });
    assertThat(withTimesCleared(after)).isEqualTo(withTimesCleared(before));
    assertThat(request).hasSize(before.getSerializedSize());
  }

  @Test
  void stampingFindsSpansInEveryResourceAndScopeAndKeepsEachDuration() throws Exception {
    ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
    b.addResourceSpans(ResourceSpans.newBuilder().setResource(resource("a"))
        .addScopeSpans(ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName("s1"))
            .addSpans(span(1, 100, 150)).addSpans(span(2, 100, 0)))
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span(3, 200, 500))));
    b.addResourceSpans(ResourceSpans.newBuilder().setResource(resource("empty")));
    b.addResourceSpans(ResourceSpans.newBuilder().setResource(resource("b"))
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span(4, 1000, 1007))));
    byte[] request = b.build().toByteArray();

    SpanTimes times = SpanTimes.locate(request);
    assertThat(times.spans()).isEqualTo(4);
    times.stamp(request, T);

    ExportTraceServiceRequest after = ExportTraceServiceRequest.parseFrom(request);
    List<Span> spans = new ArrayList<>();
    after.getResourceSpansList().forEach(r -> r.getScopeSpansList().forEach(s -> spans.addAll(s.getSpansList())));
    assertThat(spans).extracting(Span::getStartTimeUnixNano).containsExactly(T, T, T, T);
    assertThat(spans).extracting(Span::getEndTimeUnixNano).containsExactly(T + 50, 0L, T + 300, T + 7);
    assertThat(spans).extracting(s -> s.getName()).containsExactly("span-1", "span-2", "span-3", "span-4");
    assertThat(after.getResourceSpans(1).getResource()).isEqualTo(resource("empty"));
  }

  @Test
  void locateRefusesMalformedRequestsAndSpansWithoutStartTime() {
    assertThatThrownBy(() -> SpanTimes.locate(new byte[] {0x0a, 0x05, 0x12}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a well-formed");
    byte[] noStart = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span(1, 0, 5)))).build().toByteArray();
    assertThatThrownBy(() -> SpanTimes.locate(noStart)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("start_time_unix_nano");
    assertThat(SpanTimes.locate(new byte[0]).spans()).isZero();
  }

  @Test
  void firstStartIsReadOncePerResourceWithSpans() {
    ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
    b.addResourceSpans(ResourceSpans.newBuilder().setResource(resource("a"))
        .addScopeSpans(ScopeSpans.newBuilder()) // a scope without spans comes first
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span(1, 111, 112)).addSpans(span(2, 999, 1000)))
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span(3, 888, 889))));
    b.addResourceSpans(ResourceSpans.newBuilder().setResource(resource("no spans")));
    b.addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span(4, 222, 0))));
    b.addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder().addSpans(span(5, 0, 7))));
    List<Long> starts = new ArrayList<>();

    assertThat(SpanTimes.forEachFirstStart(b.build().toByteArray(), starts::add)).isTrue();

    assertThat(starts).containsExactly(111L, 222L, 0L);
    assertThat(SpanTimes.forEachFirstStart(new byte[] {0x0a, 0x05, 0x12}, starts::add)).isFalse();
  }

  @Test
  void sinkMeasuresLatencyFromTheStampedStartTimeAndResets() throws Exception {
    try (NullSink sink = new NullSink(LOOPBACK);
        Transport.Grpc transport = new Transport.Grpc("127.0.0.1:" + sink.port(), Signal.TRACES)) {
      byte[] request = Payloads.protobuf(new Payloads.Shape(Signal.TRACES, 10, 1, 0), 1, 5)[0];
      SpanTimes.locate(request).stamp(request, EpochClock.nowNanos() - 300_000_000L); // sent "300 ms ago"

      assertThat(transport.send(request)).isEqualTo("OK");

      assertThat(sink.items()).isEqualTo(10);
      assertThat(sink.latencySamples()).isEqualTo(1);
      // At least the 300 ms back-dating (minus one 2% bucket); the upper bound is only a sanity check.
      assertThat(sink.latencyP99Micros()).isBetween(294_000L, 60_000_000L);
      assertThat(sink.latencyP50Micros()).isEqualTo(sink.latencyP99Micros());

      sink.reset();
      assertThat(sink.items()).isZero();
      assertThat(sink.requests()).isZero();
      assertThat(sink.latencySamples()).isZero();
      assertThat(sink.latencyP99Micros()).isZero();

      byte[] logs = Payloads.protobuf(new Payloads.Shape(Signal.LOGS, 4, 1, 8), 1, 5)[0];
      try (Transport.Grpc logTransport = new Transport.Grpc("127.0.0.1:" + sink.port(), Signal.LOGS)) {
        assertThat(logTransport.send(logs)).isEqualTo("OK");
      }
      assertThat(sink.items()).isEqualTo(4);
      assertThat(sink.latencySamples()).as("only traces are sampled").isZero();
    }
  }

  @Test
  void generatorStampsEveryTraceRequestItSends() throws Exception {
    try (NullSink sink = new NullSink(LOOPBACK)) {
      Generator.Result r = new Generator(new Generator.Options("127.0.0.1:" + sink.port(), Generator.Protocol.GRPC,
          Signal.TRACES, 2_000, Duration.ofMillis(500), 20, 2, 2, 0)).run();
      assertThat(r.outcomes()).containsOnlyKeys("OK");
      assertThat(sink.latencySamples()).isEqualTo(r.requests()).isPositive();
      // Direct to the sink on loopback: well under the 10 s request deadline (sanity only, not a timing test).
      assertThat(sink.latencyP99Micros()).isPositive().isLessThan(10_000_000L);
    }
  }

  @Test
  void histogramCountsAndResets() {
    LatencyHistogram h = new LatencyHistogram();
    h.recordMicros(5);
    h.recordMicros(50_000);
    assertThat(h.count()).isEqualTo(2);
    h.reset();
    assertThat(h.count()).isZero();
    assertThat(h.percentileMicros(0.99)).isZero();
  }

  private static ExportTraceServiceRequest withTimesCleared(ExportTraceServiceRequest r) {
    ExportTraceServiceRequest.Builder b = r.toBuilder();
    b.getResourceSpansBuilderList().forEach(rs -> rs.getScopeSpansBuilderList().forEach(ss ->
        ss.getSpansBuilderList().forEach(s -> s.clearStartTimeUnixNano().clearEndTimeUnixNano())));
    return b.build();
  }

  private static Resource resource(String name) {
    return Resource.newBuilder().addAttributes(io.opentelemetry.proto.common.v1.KeyValue.newBuilder().setKey("service.name")
        .setValue(io.opentelemetry.proto.common.v1.AnyValue.newBuilder().setStringValue(name))).build();
  }

  private static Span span(int n, long start, long end) {
    byte[] traceId = new byte[16];
    byte[] spanId = new byte[8];
    traceId[0] = (byte) n;
    spanId[0] = (byte) n;
    return Span.newBuilder().setTraceId(ByteString.copyFrom(traceId)).setSpanId(ByteString.copyFrom(spanId))
        .setName("span-" + n).setStartTimeUnixNano(start).setEndTimeUnixNano(end).build();
  }
}
