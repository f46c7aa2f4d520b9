package io.mpac.collector.pdata.batching;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
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
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Test data for the OTLP wire operations: random requests of every signal and shape (empty
 * resources, scopes and metrics, every metric data type, unknown fields), and a flattening of a
 * decoded request into (resource, scope, [metric,] item) rows so that splits and merges can be
 * compared with protobuf-java as the oracle.
 */
public final class OtlpTestRequests {

  private OtlpTestRequests() {}

  /** One row: the headers of each enclosing message (children cleared) and the item, or null for an empty container. */
  public record Row(List<Message> headers, Message item) {}

  // ---------------------------------------------------------------- builders

  public static KeyValue attr(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  public static KeyValue attr(String k, long v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setIntValue(v)).build();
  }

  private static UnknownFieldSet unknown(Random rnd) {
    return UnknownFieldSet.newBuilder()
        .addField(90 + rnd.nextInt(5), UnknownFieldSet.Field.newBuilder().addVarint(rnd.nextInt(1000)).build())
        .build();
  }

  private static Resource resource(Random rnd, int i) {
    return Resource.newBuilder().addAttributes(attr("service.name", "svc-" + i))
        .addAttributes(attr("host.id", rnd.nextInt(100))).build();
  }

  private static InstrumentationScope scope(Random rnd, int i) {
    return InstrumentationScope.newBuilder().setName("scope-" + i).setVersion("1." + rnd.nextInt(9)).build();
  }

  /** A testbed-like span (~150 bytes): 16-byte trace id, 8-byte span id, two int attributes. */
  public static Span span(Random rnd, long seq) {
    byte[] trace = new byte[16];
    byte[] id = new byte[8];
    rnd.nextBytes(trace);
    rnd.nextBytes(id);
    long start = 1_700_000_000_000_000_000L + seq * 1000;
    return Span.newBuilder().setTraceId(ByteString.copyFrom(trace)).setSpanId(ByteString.copyFrom(id))
        .setName("load-generator-span").setKind(Span.SpanKind.SPAN_KIND_CLIENT)
        .setStartTimeUnixNano(start).setEndTimeUnixNano(start + 12345)
        .addAttributes(attr("load_generator.span_seq_num", seq)).addAttributes(attr("load_generator.trace_seq_num", seq / 10))
        .build();
  }

  public static ExportTraceServiceRequest randomTraces(Random rnd) {
    ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
    int resources = rnd.nextInt(4);
    long seq = 0;
    for (int r = 0; r < resources; r++) {
      ResourceSpans.Builder rs = ResourceSpans.newBuilder();
      if (rnd.nextInt(5) > 0) rs.setResource(resource(rnd, r));
      if (rnd.nextBoolean()) rs.setSchemaUrl("https://opentelemetry.io/schemas/1." + r);
      if (rnd.nextInt(8) == 0) rs.setUnknownFields(unknown(rnd));
      int scopes = rnd.nextInt(4);
      for (int s = 0; s < scopes; s++) {
        ScopeSpans.Builder ss = ScopeSpans.newBuilder();
        if (rnd.nextInt(5) > 0) ss.setScope(scope(rnd, s));
        if (rnd.nextBoolean()) ss.setSchemaUrl("https://s/" + s);
        if (rnd.nextInt(8) == 0) ss.setUnknownFields(unknown(rnd));
        int spans = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(13);
        for (int i = 0; i < spans; i++) ss.addSpans(span(rnd, seq++));
        rs.addScopeSpans(ss);
      }
      req.addResourceSpans(rs);
    }
    return req.build();
  }

  public static ExportLogsServiceRequest randomLogs(Random rnd) {
    ExportLogsServiceRequest.Builder req = ExportLogsServiceRequest.newBuilder();
    int resources = rnd.nextInt(4);
    for (int r = 0; r < resources; r++) {
      ResourceLogs.Builder rl = ResourceLogs.newBuilder();
      if (rnd.nextInt(5) > 0) rl.setResource(resource(rnd, r));
      if (rnd.nextBoolean()) rl.setSchemaUrl("https://opentelemetry.io/schemas/1." + r);
      int scopes = rnd.nextInt(4);
      for (int s = 0; s < scopes; s++) {
        ScopeLogs.Builder sl = ScopeLogs.newBuilder();
        if (rnd.nextInt(5) > 0) sl.setScope(scope(rnd, s));
        if (rnd.nextInt(8) == 0) sl.setUnknownFields(unknown(rnd));
        int logs = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(13);
        for (int i = 0; i < logs; i++) {
          sl.addLogRecords(LogRecord.newBuilder().setTimeUnixNano(rnd.nextLong() & Long.MAX_VALUE)
              .setSeverityNumberValue(1 + rnd.nextInt(24)).setBody(AnyValue.newBuilder().setStringValue("line " + i))
              .addAttributes(attr("i", i)));
        }
        rl.addScopeLogs(sl);
      }
      req.addResourceLogs(rl);
    }
    return req.build();
  }

  private static NumberDataPoint numberPoint(Random rnd) {
    NumberDataPoint.Builder p = NumberDataPoint.newBuilder().setTimeUnixNano(rnd.nextInt(1 << 30))
        .addAttributes(attr("k", rnd.nextInt(50)));
    return rnd.nextBoolean() ? p.setAsInt(rnd.nextInt()).build() : p.setAsDouble(rnd.nextDouble()).build();
  }

  private static AggregationTemporality temporality(Random rnd) {
    return rnd.nextBoolean() ? AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE
        : AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
  }

  /** A metric of type {@code type} (0 gauge, 1 sum, 2 histogram, 3 exponential histogram, 4 summary, 5 no data). */
  public static Metric metric(Random rnd, int type, int points, String name) {
    Metric.Builder m = Metric.newBuilder().setName(name).setDescription("d " + name).setUnit(rnd.nextBoolean() ? "ms" : "1");
    if (rnd.nextInt(6) == 0) m.addMetadata(attr("meta", "x"));
    switch (type) {
      case 0 -> {
        Gauge.Builder g = Gauge.newBuilder();
        for (int i = 0; i < points; i++) g.addDataPoints(numberPoint(rnd));
        m.setGauge(g);
      }
      case 1 -> {
        Sum.Builder s = Sum.newBuilder().setAggregationTemporality(temporality(rnd)).setIsMonotonic(rnd.nextBoolean());
        for (int i = 0; i < points; i++) s.addDataPoints(numberPoint(rnd));
        m.setSum(s);
      }
      case 2 -> {
        Histogram.Builder h = Histogram.newBuilder().setAggregationTemporality(temporality(rnd));
        for (int i = 0; i < points; i++) {
          h.addDataPoints(HistogramDataPoint.newBuilder().setCount(3).setSum(rnd.nextDouble())
              .addAllBucketCounts(List.of(1L, 2L, 0L)).addAllExplicitBounds(List.of(1.0, 5.0)).setTimeUnixNano(i));
        }
        m.setHistogram(h);
      }
      case 3 -> {
        ExponentialHistogram.Builder h = ExponentialHistogram.newBuilder().setAggregationTemporality(temporality(rnd));
        for (int i = 0; i < points; i++) {
          h.addDataPoints(ExponentialHistogramDataPoint.newBuilder().setCount(2).setScale(rnd.nextInt(5)).setZeroCount(1)
              .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(i).addBucketCounts(1)));
        }
        m.setExponentialHistogram(h);
      }
      case 4 -> {
        Summary.Builder s = Summary.newBuilder();
        for (int i = 0; i < points; i++) {
          s.addDataPoints(SummaryDataPoint.newBuilder().setCount(5).setSum(i)
              .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5).setValue(i)));
        }
        m.setSummary(s);
      }
      default -> { }
    }
    return m.build();
  }

  public static ExportMetricsServiceRequest randomMetrics(Random rnd) {
    ExportMetricsServiceRequest.Builder req = ExportMetricsServiceRequest.newBuilder();
    int resources = rnd.nextInt(4);
    for (int r = 0; r < resources; r++) {
      ResourceMetrics.Builder rm = ResourceMetrics.newBuilder();
      if (rnd.nextInt(5) > 0) rm.setResource(resource(rnd, r));
      if (rnd.nextBoolean()) rm.setSchemaUrl("https://opentelemetry.io/schemas/1." + r);
      int scopes = rnd.nextInt(4);
      for (int s = 0; s < scopes; s++) {
        ScopeMetrics.Builder sm = ScopeMetrics.newBuilder();
        if (rnd.nextInt(5) > 0) sm.setScope(scope(rnd, s));
        if (rnd.nextInt(8) == 0) sm.setUnknownFields(unknown(rnd));
        int metrics = rnd.nextInt(5);
        for (int i = 0; i < metrics; i++) {
          int type = rnd.nextInt(12) == 0 ? 5 : rnd.nextInt(5);
          int points = rnd.nextInt(5) == 0 ? 0 : rnd.nextInt(7);
          sm.addMetrics(metric(rnd, type, points, "m" + r + "." + s + "." + i));
        }
        rm.addScopeMetrics(sm);
      }
      req.addResourceMetrics(rm);
    }
    return req.build();
  }

  public static Message random(Signal signal, Random rnd) {
    return switch (signal) {
      case TRACES -> randomTraces(rnd);
      case METRICS -> randomMetrics(rnd);
      case LOGS -> randomLogs(rnd);
    };
  }

  public static OtlpRequest request(Signal signal, Message m) {
    List<Row> rows = flatten(signal, m);
    int items = (int) rows.stream().filter(r -> r.item() != null).count();
    return new OtlpRequest(signal, m.toByteArray(), items);
  }

  // ---------------------------------------------------------------- decoding and flattening

  public static Message parse(Signal signal, byte[] bytes) {
    try {
      return switch (signal) {
        case TRACES -> ExportTraceServiceRequest.parseFrom(bytes);
        case METRICS -> ExportMetricsServiceRequest.parseFrom(bytes);
        case LOGS -> ExportLogsServiceRequest.parseFrom(bytes);
      };
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError("not a valid " + signal + " request: " + e.getMessage(), e);
    }
  }

  /** Rows in encoding order: one per item, and one per container that holds no item. */
  public static List<Row> flatten(Signal signal, Message request) {
    List<Row> rows = new ArrayList<>();
    switch (signal) {
      case TRACES -> {
        for (ResourceSpans rs : ((ExportTraceServiceRequest) request).getResourceSpansList()) {
          Message rh = rs.toBuilder().clearScopeSpans().build();
          if (rs.getScopeSpansCount() == 0) rows.add(new Row(List.of(rh), null));
          for (ScopeSpans ss : rs.getScopeSpansList()) {
            Message sh = ss.toBuilder().clearSpans().build();
            if (ss.getSpansCount() == 0) rows.add(new Row(List.of(rh, sh), null));
            for (Span span : ss.getSpansList()) rows.add(new Row(List.of(rh, sh), span));
          }
        }
      }
      case LOGS -> {
        for (ResourceLogs rl : ((ExportLogsServiceRequest) request).getResourceLogsList()) {
          Message rh = rl.toBuilder().clearScopeLogs().build();
          if (rl.getScopeLogsCount() == 0) rows.add(new Row(List.of(rh), null));
          for (ScopeLogs sl : rl.getScopeLogsList()) {
            Message sh = sl.toBuilder().clearLogRecords().build();
            if (sl.getLogRecordsCount() == 0) rows.add(new Row(List.of(rh, sh), null));
            for (LogRecord lr : sl.getLogRecordsList()) rows.add(new Row(List.of(rh, sh), lr));
          }
        }
      }
      case METRICS -> {
        for (ResourceMetrics rm : ((ExportMetricsServiceRequest) request).getResourceMetricsList()) {
          Message rh = rm.toBuilder().clearScopeMetrics().build();
          if (rm.getScopeMetricsCount() == 0) rows.add(new Row(List.of(rh), null));
          for (ScopeMetrics sm : rm.getScopeMetricsList()) {
            Message sh = sm.toBuilder().clearMetrics().build();
            if (sm.getMetricsCount() == 0) rows.add(new Row(List.of(rh, sh), null));
            for (Metric m : sm.getMetricsList()) {
              List<? extends Message> points = points(m);
              Message mh = metricHeader(m);
              if (points.isEmpty()) rows.add(new Row(List.of(rh, sh, mh), null));
              for (Message p : points) rows.add(new Row(List.of(rh, sh, mh), p));
            }
          }
        }
      }
    }
    return rows;
  }

  private static List<? extends Message> points(Metric m) {
    return switch (m.getDataCase()) {
      case GAUGE -> m.getGauge().getDataPointsList();
      case SUM -> m.getSum().getDataPointsList();
      case HISTOGRAM -> m.getHistogram().getDataPointsList();
      case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsList();
      case SUMMARY -> m.getSummary().getDataPointsList();
      case DATA_NOT_SET -> List.of();
    };
  }

  /** The metric without its data points: name, description, unit, metadata, type, temporality, monotonicity. */
  public static Metric metricHeader(Metric m) {
    Metric.Builder b = m.toBuilder();
    switch (m.getDataCase()) {
      case GAUGE -> b.setGauge(m.getGauge().toBuilder().clearDataPoints());
      case SUM -> b.setSum(m.getSum().toBuilder().clearDataPoints());
      case HISTOGRAM -> b.setHistogram(m.getHistogram().toBuilder().clearDataPoints());
      case EXPONENTIAL_HISTOGRAM -> b.setExponentialHistogram(m.getExponentialHistogram().toBuilder().clearDataPoints());
      case SUMMARY -> b.setSummary(m.getSummary().toBuilder().clearDataPoints());
      case DATA_NOT_SET -> { }
    }
    return b.build();
  }

  /** Rows of every part, concatenated. */
  public static List<Row> flattenAll(Signal signal, List<OtlpRequest> parts) {
    List<Row> rows = new ArrayList<>();
    for (OtlpRequest p : parts) rows.addAll(flatten(signal, parse(signal, p.bytes())));
    return rows;
  }

  public static int items(List<Row> rows) {
    return (int) rows.stream().filter(r -> r.item() != null).count();
  }

  static byte[] concat(byte[]... parts) {
    int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
    byte[] out = new byte[n];
    int pos = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, pos, p.length);
      pos += p.length;
    }
    return out;
  }
}
