package io.mpac.collector.exporter.prometheus;

import com.google.protobuf.ByteString;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.List;

/** Builders for OTLP metrics requests in tests. */
final class Otlp {

  static final long T0_MS = 1_700_000_000_000L;

  private Otlp() {}

  static long nanos(long ms) {
    return ms * 1_000_000L;
  }

  static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static KeyValue kv(String k, long v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setIntValue(v)).build();
  }

  static Resource resource(KeyValue... attrs) {
    return Resource.newBuilder().addAllAttributes(List.of(attrs)).build();
  }

  static Resource service() {
    return resource(kv("service.name", "checkout"), kv("service.namespace", "shop"), kv("service.instance.id", "i-1"),
        kv("deployment.environment", "prod"));
  }

  static ExportMetricsServiceRequest request(Resource resource, Metric... metrics) {
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(resource)
        .addScopeMetrics(ScopeMetrics.newBuilder()
            .setScope(InstrumentationScope.newBuilder().setName("io.shop").setVersion("1.2.0"))
            .addAllMetrics(List.of(metrics))))
        .build();
  }

  static OtlpRequest otlp(ExportMetricsServiceRequest req) {
    int points = 0;
    for (ResourceMetrics rm : req.getResourceMetricsList()) {
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          points += switch (m.getDataCase()) {
            case GAUGE -> m.getGauge().getDataPointsCount();
            case SUM -> m.getSum().getDataPointsCount();
            case HISTOGRAM -> m.getHistogram().getDataPointsCount();
            case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsCount();
            case SUMMARY -> m.getSummary().getDataPointsCount();
            default -> 0;
          };
        }
      }
    }
    return new OtlpRequest(Signal.METRICS, req.toByteArray(), points);
  }

  static NumberDataPoint point(long ms, double v, KeyValue... attrs) {
    return NumberDataPoint.newBuilder().setTimeUnixNano(nanos(ms)).setStartTimeUnixNano(nanos(T0_MS - 60_000))
        .setAsDouble(v).addAllAttributes(List.of(attrs)).build();
  }

  static NumberDataPoint intPoint(long ms, long v, KeyValue... attrs) {
    return NumberDataPoint.newBuilder().setTimeUnixNano(nanos(ms)).setAsInt(v).addAllAttributes(List.of(attrs)).build();
  }

  static Metric gauge(String name, String unit, NumberDataPoint... points) {
    return Metric.newBuilder().setName(name).setUnit(unit).setDescription(name + " help")
        .setGauge(Gauge.newBuilder().addAllDataPoints(List.of(points))).build();
  }

  static Metric sum(String name, String unit, boolean monotonic, AggregationTemporality t, NumberDataPoint... points) {
    return Metric.newBuilder().setName(name).setUnit(unit).setDescription(name + " help")
        .setSum(Sum.newBuilder().setIsMonotonic(monotonic).setAggregationTemporality(t)
            .addAllDataPoints(List.of(points))).build();
  }

  static Metric counter(String name, String unit, NumberDataPoint... points) {
    return sum(name, unit, true, AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, points);
  }

  static HistogramDataPoint histogramPoint(long ms, double sum, List<Double> bounds, List<Long> counts,
      KeyValue... attrs) {
    long count = counts.stream().mapToLong(Long::longValue).sum();
    return HistogramDataPoint.newBuilder().setTimeUnixNano(nanos(ms)).setCount(count).setSum(sum)
        .addAllExplicitBounds(bounds).addAllBucketCounts(counts).addAllAttributes(List.of(attrs)).build();
  }

  static Metric histogram(String name, String unit, AggregationTemporality t, HistogramDataPoint... points) {
    return Metric.newBuilder().setName(name).setUnit(unit).setDescription(name + " help")
        .setHistogram(Histogram.newBuilder().setAggregationTemporality(t).addAllDataPoints(List.of(points))).build();
  }

  static Exemplar exemplar(long ms, double v, String traceHex, String spanHex) {
    return Exemplar.newBuilder().setTimeUnixNano(nanos(ms)).setAsDouble(v)
        .setTraceId(ByteString.fromHex(traceHex)).setSpanId(ByteString.fromHex(spanHex)).build();
  }
}
