package io.mpac.collector.exporter.loadbalancing;

import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Metric;
import java.util.List;
import java.util.function.ToIntFunction;

/** Data points of a {@link Metric}, whatever its type: counting and splitting by an owner. */
final class MetricPoints {

  private MetricPoints() {}

  static int count(Metric m) {
    return switch (m.getDataCase()) {
      case GAUGE -> m.getGauge().getDataPointsCount();
      case SUM -> m.getSum().getDataPointsCount();
      case HISTOGRAM -> m.getHistogram().getDataPointsCount();
      case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsCount();
      case SUMMARY -> m.getSummary().getDataPointsCount();
      case DATA_NOT_SET -> 0;
    };
  }

  /**
   * The metric's points grouped by {@code ownerOf(point attributes)}: element {@code o} is a copy of
   * the metric (name, unit, temporality...) holding only owner {@code o}'s points, or null.
   */
  static Metric[] split(Metric m, int n, ToIntFunction<List<KeyValue>> ownerOf) {
    Metric.Builder[] out = new Metric.Builder[n];
    switch (m.getDataCase()) {
      case GAUGE -> m.getGauge().getDataPointsList().forEach(p -> {
        int o = ownerOf.applyAsInt(p.getAttributesList());
        if (out[o] == null) out[o] = m.toBuilder().setGauge(m.getGauge().toBuilder().clearDataPoints());
        out[o].getGaugeBuilder().addDataPoints(p);
      });
      case SUM -> m.getSum().getDataPointsList().forEach(p -> {
        int o = ownerOf.applyAsInt(p.getAttributesList());
        if (out[o] == null) out[o] = m.toBuilder().setSum(m.getSum().toBuilder().clearDataPoints());
        out[o].getSumBuilder().addDataPoints(p);
      });
      case HISTOGRAM -> m.getHistogram().getDataPointsList().forEach(p -> {
        int o = ownerOf.applyAsInt(p.getAttributesList());
        if (out[o] == null) out[o] = m.toBuilder().setHistogram(m.getHistogram().toBuilder().clearDataPoints());
        out[o].getHistogramBuilder().addDataPoints(p);
      });
      case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsList().forEach(p -> {
        int o = ownerOf.applyAsInt(p.getAttributesList());
        if (out[o] == null) {
          out[o] = m.toBuilder().setExponentialHistogram(m.getExponentialHistogram().toBuilder().clearDataPoints());
        }
        out[o].getExponentialHistogramBuilder().addDataPoints(p);
      });
      case SUMMARY -> m.getSummary().getDataPointsList().forEach(p -> {
        int o = ownerOf.applyAsInt(p.getAttributesList());
        if (out[o] == null) out[o] = m.toBuilder().setSummary(m.getSummary().toBuilder().clearDataPoints());
        out[o].getSummaryBuilder().addDataPoints(p);
      });
      case DATA_NOT_SET -> { }
    }
    Metric[] built = new Metric[n];
    for (int o = 0; o < n; o++) {
      if (out[o] != null) built[o] = out[o].build();
    }
    return built;
  }
}
