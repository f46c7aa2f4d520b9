package io.mpac.collector.pdata.batching;

import static io.mpac.collector.pdata.batching.OtlpTestRequests.flatten;
import static io.mpac.collector.pdata.batching.OtlpTestRequests.flattenAll;
import static io.mpac.collector.pdata.batching.OtlpTestRequests.items;
import static io.mpac.collector.pdata.batching.OtlpTestRequests.metric;
import static io.mpac.collector.pdata.batching.OtlpTestRequests.parse;
import static io.mpac.collector.pdata.batching.OtlpTestRequests.request;
import static io.mpac.collector.pdata.batching.OtlpTestRequests.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Message;
import io.mpac.collector.pdata.ClientMetadata;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.pdata.batching.OtlpTestRequests.Row;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Differential tests: split parts are decoded with protobuf-java and compared row by row with the input. */
class OtlpSplitterTest {

  /** Splits and checks every invariant; returns the parts. */
  private static List<OtlpRequest> splitAndCheck(Signal signal, Message input, int firstMax, int max) {
    OtlpRequest req = request(signal, input);
    List<Row> expected = flatten(signal, input);
    int total = items(expected);
    assertThat(OtlpSplitter.countItems(signal, req.bytes())).isEqualTo(total);

    List<OtlpRequest> parts = OtlpSplitter.split(req, firstMax, max);

    assertThat(flattenAll(signal, parts)).as("rows across parts").isEqualTo(expected);
    assertThat(parts.stream().mapToInt(OtlpRequest::itemCount).sum()).isEqualTo(total);
    for (int i = 0; i < parts.size(); i++) {
      OtlpRequest p = parts.get(i);
      int limit = i == 0 ? firstMax : max;
      List<Row> rows = flatten(signal, parse(signal, p.bytes()));
      assertThat(p.itemCount()).as("declared count of part %d", i).isEqualTo(items(rows));
      assertThat(OtlpSplitter.countItems(signal, p.bytes())).isEqualTo(p.itemCount());
      assertThat(p.itemCount()).as("part %d within its limit", i).isLessThanOrEqualTo(limit);
      if (i < parts.size() - 1) assertThat(p.itemCount()).as("part %d filled", i).isEqualTo(limit);
      assertThat(p.signal()).isEqualTo(signal);
      assertThat(p.metadata()).isEqualTo(req.metadata());
    }
    if (total <= firstMax) assertThat(parts).containsExactly(req);
    return parts;
  }

  @ParameterizedTest
  @EnumSource(Signal.class)
  void randomizedSplitsPreserveEveryItemResourceAndScope(Signal signal) {
    for (int seed = 0; seed < 300; seed++) {
      Random rnd = new Random(seed * 31L + signal.ordinal());
      Message input = OtlpTestRequests.random(signal, rnd);
      int max = 1 + rnd.nextInt(12);
      int firstMax = rnd.nextBoolean() ? max : 1 + rnd.nextInt(12);
      try {
        splitAndCheck(signal, input, firstMax, max);
      } catch (AssertionError e) {
        throw new AssertionError("seed " + seed + " firstMax " + firstMax + " max " + max + ": " + e.getMessage(), e);
      }
    }
  }

  @Test
  void splitsOneScopeOfTwentyFiveSpansIntoTenTenFive() {
    Random rnd = new Random(1);
    ScopeSpans.Builder ss = ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName("lib"));
    for (int i = 0; i < 25; i++) ss.addSpans(span(rnd, i));
    ExportTraceServiceRequest input = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(Resource.newBuilder()
            .addAttributes(OtlpTestRequests.attr("service.name", "checkout"))).addScopeSpans(ss)).build();

    List<OtlpRequest> parts = splitAndCheck(Signal.TRACES, input, 10, 10);

    assertThat(parts).extracting(OtlpRequest::itemCount).containsExactly(10, 10, 5);
    for (OtlpRequest p : parts) {
      ExportTraceServiceRequest decoded = (ExportTraceServiceRequest) parse(Signal.TRACES, p.bytes());
      assertThat(decoded.getResourceSpansCount()).isEqualTo(1);
      assertThat(decoded.getResourceSpans(0).getResource()).isEqualTo(input.getResourceSpans(0).getResource());
      assertThat(decoded.getResourceSpans(0).getScopeSpans(0).getScope().getName()).isEqualTo("lib");
    }
  }

  @Test
  void wholeResourcesAreCopiedWhenTheyFit() {
    Random rnd = new Random(2);
    ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
    for (int r = 0; r < 4; r++) {
      ScopeSpans.Builder ss = ScopeSpans.newBuilder();
      for (int i = 0; i < 5; i++) ss.addSpans(span(rnd, i));
      b.addResourceSpans(ResourceSpans.newBuilder().setSchemaUrl("r" + r).addScopeSpans(ss));
    }
    ExportTraceServiceRequest input = b.build();
    List<OtlpRequest> parts = splitAndCheck(Signal.TRACES, input, 10, 10);
    assertThat(parts).hasSize(2);
    // two whole resources per part: the parts are byte ranges of the input
    byte[] bytes = input.toByteArray();
    assertThat(OtlpTestRequests.concat(parts.get(0).bytes(), parts.get(1).bytes())).isEqualTo(bytes);
  }

  @Test
  void splitInsideAMetricCopiesItsDescriptorIntoEveryPartForEveryType() {
    for (int type = 0; type < 5; type++) {
      Random rnd = new Random(type);
      Metric m = metric(rnd, type, 7, "requests");
      ExportMetricsServiceRequest input = ExportMetricsServiceRequest.newBuilder()
          .addResourceMetrics(ResourceMetrics.newBuilder().setResource(Resource.newBuilder()
              .addAttributes(OtlpTestRequests.attr("service.name", "api")))
              .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(m))).build();

      List<OtlpRequest> parts = splitAndCheck(Signal.METRICS, input, 3, 3);

      assertThat(parts).extracting(OtlpRequest::itemCount).containsExactly(3, 3, 1);
      for (OtlpRequest p : parts) {
        Metric got = ((ExportMetricsServiceRequest) parse(Signal.METRICS, p.bytes()))
            .getResourceMetrics(0).getScopeMetrics(0).getMetrics(0);
        assertThat(OtlpTestRequests.metricHeader(got)).as("type %d", type).isEqualTo(OtlpTestRequests.metricHeader(m));
        assertThat(got.getDataCase()).isEqualTo(m.getDataCase());
      }
    }
  }

  @Test
  void firstPartCanBeSmallerThanTheRest() {
    Message input = OtlpTestRequests.randomTraces(new Random(7));
    while (items(flatten(Signal.TRACES, input)) < 15) input = OtlpTestRequests.randomTraces(new Random(input.hashCode()));
    splitAndCheck(Signal.TRACES, input, 2, 6);
  }

  @Test
  void aRequestWithinTheLimitIsReturnedAsItIs() {
    OtlpRequest req = new OtlpRequest(Signal.LOGS, new byte[] {1, 2, 3}, 2, new ClientMetadata(Map.of("k", List.of("v"))));
    assertThat(OtlpSplitter.split(req, 2)).containsExactly(req);
  }

  @Test
  void partsCarryTheRequestMetadata() {
    // the first seed with at least 5 records; bounded, and independent of protobuf's hash codes
    Message input = null;
    for (long seed = 11; seed < 11 + 1_000 && (input == null || items(flatten(Signal.LOGS, input)) < 5); seed++) {
      input = OtlpTestRequests.randomLogs(new Random(seed));
    }
    assertThat(items(flatten(Signal.LOGS, input))).as("a random request with 5 records").isGreaterThanOrEqualTo(5);
    OtlpRequest plain = request(Signal.LOGS, input);
    ClientMetadata md = new ClientMetadata(Map.of("X-Scope-OrgID", List.of("tenant-a")));
    OtlpRequest req = new OtlpRequest(Signal.LOGS, plain.bytes(), plain.itemCount(), md);
    assertThat(OtlpSplitter.split(req, 2)).allSatisfy(p -> assertThat(p.metadata()).isEqualTo(md));
  }

  @Test
  void malformedInputIsAClearError() {
    Random rnd = new Random(3);
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    for (int i = 0; i < 5; i++) ss.addSpans(span(rnd, i));
    byte[] good = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ss))
        .build().toByteArray();
    byte[] truncated = Arrays.copyOf(good, good.length - 7);
    assertThatThrownBy(() -> OtlpSplitter.split(new OtlpRequest(Signal.TRACES, truncated, 5), 2))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("malformed").hasMessageContaining("offset");
    // field 1 of the request with wire type varint instead of a message
    byte[] wrongType = {0x08, 0x01};
    assertThatThrownBy(() -> OtlpSplitter.countItems(Signal.TRACES, wrongType))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a message");
    byte[] badWire = {0x0F};
    assertThatThrownBy(() -> OtlpSplitter.countItems(Signal.LOGS, badWire))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wire type");
  }

  @Test
  void invalidLimitsAreRejected() {
    OtlpRequest req = new OtlpRequest(Signal.TRACES, new byte[0], 0);
    assertThatThrownBy(() -> OtlpSplitter.split(req, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
