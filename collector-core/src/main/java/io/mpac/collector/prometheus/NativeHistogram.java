package io.mpac.collector.prometheus;

import java.util.Arrays;
import java.util.Objects;

/**
 * A Prometheus native (sparse, exponential) histogram with integer counts, as remote write's
 * {@code Histogram} message carries it.
 *
 * <p>Buckets: with base {@code 2^(2^-schema)}, positive bucket {@code i} counts observations in
 * {@code (base^(i-1), base^i]}; negative buckets mirror that. Buckets are given as spans (runs of
 * consecutive bucket indexes, each starting {@code offset} after the previous span's end, the first
 * relative to index 0) and deltas (each bucket's count minus the previous bucket's count, over all
 * spans in order).
 *
 * @param schema resolution, -4..8
 * @param zeroThreshold observations with absolute value up to this go to the zero bucket
 * @param zeroCount observations in the zero bucket
 * @param count all observations
 * @param sum sum of observations; {@link Sample#STALE_NAN} marks the series stale
 * @param positiveSpans offsets and lengths, interleaved: {@code [offset0, length0, offset1, ...]}
 * @param positiveDeltas delta-encoded positive bucket counts
 * @param negativeSpans like {@code positiveSpans}
 * @param negativeDeltas like {@code positiveDeltas}
 * @param resetHint reset hint, see {@link ResetHint}
 * @param timestampMs milliseconds since the epoch
 */
public record NativeHistogram(int schema, double zeroThreshold, long zeroCount, long count, double sum,
    int[] positiveSpans, long[] positiveDeltas, int[] negativeSpans, long[] negativeDeltas,
    ResetHint resetHint, long timestampMs) {

  /** Remote write's {@code Histogram.ResetHint}. */
  public enum ResetHint {
    UNKNOWN(0), YES(1), NO(2), GAUGE(3);

    private final int protoNumber;

    ResetHint(int protoNumber) {
      this.protoNumber = protoNumber;
    }

    public int protoNumber() {
      return protoNumber;
    }
  }

  private static final int[] NO_SPANS = new int[0];
  private static final long[] NO_DELTAS = new long[0];

  public NativeHistogram {
    if (schema < -4 || schema > 8) throw new IllegalArgumentException("schema must be in -4..8, got " + schema);
    positiveSpans = positiveSpans == null ? NO_SPANS : positiveSpans;
    positiveDeltas = positiveDeltas == null ? NO_DELTAS : positiveDeltas;
    negativeSpans = negativeSpans == null ? NO_SPANS : negativeSpans;
    negativeDeltas = negativeDeltas == null ? NO_DELTAS : negativeDeltas;
    if ((positiveSpans.length & 1) != 0 || (negativeSpans.length & 1) != 0) {
      throw new IllegalArgumentException("spans are (offset, length) pairs");
    }
    Objects.requireNonNull(resetHint, "resetHint");
  }

  /** A stale marker for a native histogram series: sum is the stale NaN, no observations. */
  public static NativeHistogram stale(int schema, long timestampMs) {
    return new NativeHistogram(schema, 0, 0, 0, Sample.STALE_NAN, null, null, null, null, ResetHint.UNKNOWN,
        timestampMs);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NativeHistogram h && h.schema == schema
        && Double.compare(h.zeroThreshold, zeroThreshold) == 0 && h.zeroCount == zeroCount && h.count == count
        && Double.compare(h.sum, sum) == 0 && Arrays.equals(h.positiveSpans, positiveSpans)
        && Arrays.equals(h.positiveDeltas, positiveDeltas) && Arrays.equals(h.negativeSpans, negativeSpans)
        && Arrays.equals(h.negativeDeltas, negativeDeltas) && h.resetHint == resetHint
        && h.timestampMs == timestampMs;
  }

  @Override
  public int hashCode() {
    return Objects.hash(schema, zeroCount, count, sum, Arrays.hashCode(positiveDeltas), timestampMs);
  }

  @Override
  public String toString() {
    return "NativeHistogram[schema=" + schema + ", count=" + count + ", sum=" + sum + ", zeroCount=" + zeroCount
        + ", positiveSpans=" + Arrays.toString(positiveSpans) + ", positiveDeltas=" + Arrays.toString(positiveDeltas)
        + ", negativeSpans=" + Arrays.toString(negativeSpans) + ", negativeDeltas="
        + Arrays.toString(negativeDeltas) + ", t=" + timestampMs + "]";
  }
}
