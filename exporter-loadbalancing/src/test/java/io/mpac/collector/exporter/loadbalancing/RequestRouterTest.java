package io.mpac.collector.exporter.loadbalancing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Routing decoded back with the OTLP classes: nothing lost or doubled, keys kept together. */
class RequestRouterTest {

  private static final HashRing RING = new HashRing(List.of("a:1", "b:1", "c:1"));

  private static KeyValue attr(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  private static Resource resource(String service) {
    return Resource.newBuilder().addAttributes(attr("service.name", service)).addAttributes(attr("host", "h1")).build();
  }

  private static ByteString traceId(int t) {
    return ByteString.copyFrom(ByteBuffer.allocate(16).putLong(0x5eed).putLong(t * 7919L).array());
  }

  /** 3 services × 2 scopes, 300 spans of 60 traces interleaved. */
  private static ExportTraceServiceRequest traces() {
    ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
    int span = 0;
    for (int r = 0; r < 3; r++) {
      ResourceSpans.Builder rs = ResourceSpans.newBuilder().setResource(resource("svc-" + r)).setSchemaUrl("s" + r);
      for (int s = 0; s < 2; s++) {
        ScopeSpans.Builder ss = ScopeSpans.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("scope-" + s).setVersion("1"));
        for (int i = 0; i < 50; i++) {
          ss.addSpans(Span.newBuilder().setTraceId(traceId(span % 60))
              .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(++span).array())).setName("op"));
        }
        rs.addScopeSpans(ss);
      }
      req.addResourceSpans(rs);
    }
    return req.build();
  }

  private static OtlpRequest request(Signal s, com.google.protobuf.MessageLite m, int items) {
    return new OtlpRequest(s, m.toByteArray(), items);
  }

  @Test
  void tracesSplitByTraceIdKeepEverySpanOnceWithItsResourceAndScope() throws Exception {
    ExportTraceServiceRequest in = traces();
    OtlpRequest[] parts = new RequestRouter(RoutingKey.TRACE_ID).route(request(Signal.TRACES, in, 300), RING);
    Set<ByteString> seen = new HashSet<>();
    Map<ByteString, Integer> traceOwner = new HashMap<>();
    int nonEmpty = 0;
    for (int o = 0; o < parts.length; o++) {
      if (parts[o] == null) continue;
      nonEmpty++;
      ExportTraceServiceRequest part = ExportTraceServiceRequest.parseFrom(parts[o].bytes());
      int count = 0;
      for (ResourceSpans rs : part.getResourceSpansList()) {
        String service = rs.getResource().getAttributes(0).getValue().getStringValue();
        assertThat(rs.getSchemaUrl()).isEqualTo("s" + service.substring(4));
        for (ScopeSpans ss : rs.getScopeSpansList()) {
          assertThat(ss.getScope().getName()).startsWith("scope-");
          for (Span s : ss.getSpansList()) {
            count++;
            assertThat(seen.add(s.getSpanId())).as("span once").isTrue();
            assertThat(traceOwner.merge(s.getTraceId(), o, (x, y) -> x.equals(y) ? x : -1)).isEqualTo(o);
            assertThat(o).isEqualTo(RING.ownerOf(RequestRouter.hash(s.getTraceId())));
            // Same resource and scope as in the input: span n lives in resource (n-1)/100.
            long n = s.getSpanId().asReadOnlyByteBuffer().getLong();
            assertThat(service).isEqualTo("svc-" + (n - 1) / 100);
            assertThat(ss.getScope().getName()).isEqualTo("scope-" + ((n - 1) / 50) % 2);
          }
        }
      }
      assertThat(parts[o].itemCount()).isEqualTo(count);
    }
    assertThat(seen).hasSize(300);
    assertThat(nonEmpty).as("60 traces reach all three back ends").isEqualTo(3);
  }

  @Test
  void serviceKeyKeepsWholeResourcesTogether() throws Exception {
    OtlpRequest[] parts = new RequestRouter(RoutingKey.SERVICE).route(request(Signal.TRACES, traces(), 300), RING);
    int total = 0;
    for (int o = 0; o < parts.length; o++) {
      if (parts[o] == null) continue;
      for (ResourceSpans rs : ExportTraceServiceRequest.parseFrom(parts[o].bytes()).getResourceSpansList()) {
        assertThat(o).isEqualTo(RING.ownerOf(RequestRouter.serviceHash(rs.getResource())));
        assertThat(rs.getScopeSpansCount()).isEqualTo(2);
        total += rs.getScopeSpans(0).getSpansCount() + rs.getScopeSpans(1).getSpansCount();
      }
    }
    assertThat(total).isEqualTo(300);
  }

  @Test
  void logsByTraceIdAndLogsWithoutOne() throws Exception {
    ScopeLogs.Builder sl = ScopeLogs.newBuilder();
    for (int i = 0; i < 90; i++) {
      LogRecord.Builder r = LogRecord.newBuilder().setTimeUnixNano(i);
      if (i % 3 != 0) r.setTraceId(traceId(i % 10));
      sl.addLogRecords(r);
    }
    ExportLogsServiceRequest in = ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().setResource(resource("svc")).addScopeLogs(sl)).build();
    OtlpRequest[] parts = new RequestRouter(RoutingKey.TRACE_ID).route(request(Signal.LOGS, in, 90), RING);
    Set<Long> seen = new HashSet<>();
    for (int o = 0; o < parts.length; o++) {
      if (parts[o] == null) continue;
      for (LogRecord r : ExportLogsServiceRequest.parseFrom(parts[o].bytes()).getResourceLogs(0).getScopeLogs(0)
          .getLogRecordsList()) {
        assertThat(seen.add(r.getTimeUnixNano())).isTrue();
        if (!r.getTraceId().isEmpty()) assertThat(o).isEqualTo(RING.ownerOf(RequestRouter.hash(r.getTraceId())));
      }
    }
    assertThat(seen).hasSize(90);
  }

  /** 4 resources × 5 metrics (gauge and sum) × 6 points with 3 attribute sets. */
  private static ExportMetricsServiceRequest metrics() {
    ExportMetricsServiceRequest.Builder req = ExportMetricsServiceRequest.newBuilder();
    long t = 0;
    for (int r = 0; r < 4; r++) {
      ScopeMetrics.Builder sm = ScopeMetrics.newBuilder().setScope(InstrumentationScope.newBuilder().setName("m"));
      for (int m = 0; m < 5; m++) {
        Metric.Builder metric = Metric.newBuilder().setName("metric_" + m).setUnit("s");
        Gauge.Builder g = Gauge.newBuilder();
        Sum.Builder s = Sum.newBuilder().setIsMonotonic(true).setAggregationTemporalityValue(2);
        for (int p = 0; p < 6; p++) {
          NumberDataPoint dp = NumberDataPoint.newBuilder().setTimeUnixNano(++t).addAttributes(attr("k", "v" + p % 3))
              .setAsInt(p).build();
          if (m % 2 == 0) g.addDataPoints(dp);
          else s.addDataPoints(dp);
        }
        if (m % 2 == 0) metric.setGauge(g);
        else metric.setSum(s);
        sm.addMetrics(metric);
      }
      req.addResourceMetrics(ResourceMetrics.newBuilder()
          .setResource(Resource.newBuilder().addAttributes(attr("service.name", "svc")).addAttributes(attr("pod", "p" + r)))
          .addScopeMetrics(sm));
    }
    return req.build();
  }

  /** For each point (by time), the part it went to; checks nothing is lost or doubled. */
  private static Map<Long, Integer> pointOwners(OtlpRequest[] parts, Map<Long, String> streamOf) throws Exception {
    Map<Long, Integer> owner = new HashMap<>();
    for (int o = 0; o < parts.length; o++) {
      if (parts[o] == null) continue;
      int count = 0;
      for (ResourceMetrics rm : ExportMetricsServiceRequest.parseFrom(parts[o].bytes()).getResourceMetricsList()) {
        String pod = rm.getResource().getAttributes(1).getValue().getStringValue();
        for (ScopeMetrics sm : rm.getScopeMetricsList()) {
          for (Metric m : sm.getMetricsList()) {
            assertThat(m.getUnit()).isEqualTo("s");
            List<NumberDataPoint> points = m.hasGauge() ? m.getGauge().getDataPointsList() : m.getSum().getDataPointsList();
            if (m.hasSum()) assertThat(m.getSum().getIsMonotonic()).isTrue();
            for (NumberDataPoint p : points) {
              count++;
              assertThat(owner.put(p.getTimeUnixNano(), o)).as("point once").isNull();
              streamOf.put(p.getTimeUnixNano(), pod + "|" + m.getName() + "|" + p.getAttributes(0).getValue().getStringValue());
            }
          }
        }
      }
      assertThat(parts[o].itemCount()).isEqualTo(count);
    }
    assertThat(owner).hasSize(120);
    return owner;
  }

  @Test
  void metricKeysKeepTheirUnitTogether() throws Exception {
    OtlpRequest in = request(Signal.METRICS, metrics(), 120);
    Map<String, Integer> groupOwner = new HashMap<>();
    for (RoutingKey key : List.of(RoutingKey.RESOURCE, RoutingKey.METRIC, RoutingKey.STREAM_ID, RoutingKey.SERVICE)) {
      Map<Long, String> stream = new HashMap<>();
      Map<Long, Integer> owners = pointOwners(new RequestRouter(key).route(in, RING), stream);
      groupOwner.clear();
      Set<Integer> used = new HashSet<>();
      for (Map.Entry<Long, Integer> e : owners.entrySet()) {
        String[] s = stream.get(e.getKey()).split("\\|");
        String group = switch (key) {
          case RESOURCE -> s[0];
          case METRIC -> s[1];
          case STREAM_ID -> String.join("|", s);
          default -> "svc";
        };
        assertThat(groupOwner.merge(group, e.getValue(), (x, y) -> x.equals(y) ? x : -1)).as(key + " " + group)
            .isEqualTo(e.getValue());
        used.add(e.getValue());
      }
      if (key == RoutingKey.STREAM_ID || key == RoutingKey.RESOURCE) assertThat(used).as(key + " spreads").hasSizeGreaterThan(1);
    }
  }

  @Test
  void aSingleBackEndGetsTheRequestAsItIsAndGarbageIsAnError() throws Exception {
    OtlpRequest in = request(Signal.TRACES, traces(), 300);
    OtlpRequest[] parts = new RequestRouter(RoutingKey.TRACE_ID).route(in, new HashRing(List.of("a:1")));
    assertThat(parts).containsExactly(in);
    byte[] garbage = new byte[64];
    new Random(5).nextBytes(garbage);
    garbage[0] = 0x0a;
    garbage[1] = 0x7f;
    assertThatThrownBy(() -> new RequestRouter(RoutingKey.TRACE_ID).route(new OtlpRequest(Signal.TRACES, garbage, 1), RING))
        .isInstanceOf(InvalidProtocolBufferException.class);
  }
}
