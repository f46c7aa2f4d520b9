package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.prometheus.NativeHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import java.util.Arrays;

/**
 * OTLP exponential histogram points → Prometheus native histograms (integer flavour).
 *
 * <ul>
 *   <li>{@code schema = scale}; a scale above 8 is brought down to 8 by merging neighbouring
 *       buckets; a scale below -4 cannot be represented (the point is dropped).
 *   <li>OTLP bucket {@code k} holds {@code (base^k, base^(k+1)]}, Prometheus bucket {@code k+1} holds
 *       the same range, so indexes shift by one.
 *   <li>Empty buckets are left out: each run of non-empty buckets becomes one span.
 *   <li>A zero threshold of 0 (unset) becomes {@value #DEFAULT_ZERO_THRESHOLD}, as Prometheus'
 *       own OTLP translator does.
 * </ul>
 */
final class NativeHistograms {

  static final double DEFAULT_ZERO_THRESHOLD = 1e-128;
  static final int MAX_SCHEMA = 8;
  static final int MIN_SCHEMA = -4;

  private NativeHistograms() {}

  /** Why a point could not be converted, or null. */
  static String problem(ExponentialHistogramDataPoint dp) {
    if (dp.getScale() < MIN_SCHEMA) return "scale_below_minus_4";
    if (!dp.hasSum() && (dp.getFlags() & 1) == 0) return "no_sum";
    return null;
  }

  /** Converts a point that {@link #problem} accepted. */
  static NativeHistogram convert(ExponentialHistogramDataPoint dp, long timestampMs, boolean stale) {
    int scale = dp.getScale();
    int downscale = Math.max(0, scale - MAX_SCHEMA);
    int schema = scale - downscale;
    if (stale) return NativeHistogram.stale(schema, timestampMs);
    double zt = dp.getZeroThreshold();
    if (zt == 0) zt = DEFAULT_ZERO_THRESHOLD;
    Layout pos = dp.hasPositive()
        ? layout(dp.getPositive().getOffset(), dp.getPositive().getBucketCountsList(), downscale) : Layout.EMPTY;
    Layout neg = dp.hasNegative()
        ? layout(dp.getNegative().getOffset(), dp.getNegative().getBucketCountsList(), downscale) : Layout.EMPTY;
    return new NativeHistogram(schema, zt, dp.getZeroCount(), dp.getCount(), dp.getSum(), pos.spans, pos.deltas,
        neg.spans, neg.deltas, NativeHistogram.ResetHint.UNKNOWN, timestampMs);
  }

  record Layout(int[] spans, long[] deltas) {
    static final Layout EMPTY = new Layout(new int[0], new long[0]);
  }

  /** Spans and deltas from OTLP's dense buckets starting at {@code offset}. */
  static Layout layout(int offset, java.util.List<Long> counts, int downscale) {
    int n = counts.size();
    if (n == 0) return Layout.EMPTY;
    // merge into Prometheus indexes (after downscaling) with their counts, in ascending order
    int[] idx = new int[n];
    long[] cnt = new long[n];
    int m = 0;
    for (int i = 0; i < n; i++) {
      long c = counts.get(i);
      if (c == 0) continue;
      int otelIndex = (offset + i) >> downscale; // arithmetic shift floors negative indexes too
      int promIndex = otelIndex + 1;
      if (m > 0 && idx[m - 1] == promIndex) {
        cnt[m - 1] += c;
      } else {
        idx[m] = promIndex;
        cnt[m] = c;
        m++;
      }
    }
    if (m == 0) return Layout.EMPTY;
    int[] spans = new int[2 * m];
    int s = 0;
    long[] deltas = new long[m];
    long prevCount = 0;
    int spanEnd = 0; // index after the last bucket of the previous span
    for (int i = 0; i < m; i++) {
      if (i == 0) {
        spans[s++] = idx[0];
        spans[s++] = 1;
      } else if (idx[i] == spanEnd) {
        spans[s - 1]++;
      } else {
        spans[s++] = idx[i] - spanEnd;
        spans[s++] = 1;
      }
      spanEnd = idx[i] + 1;
      deltas[i] = cnt[i] - prevCount;
      prevCount = cnt[i];
    }
    return new Layout(Arrays.copyOf(spans, s), deltas);
  }
}
