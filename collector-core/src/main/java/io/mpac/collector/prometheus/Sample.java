package io.mpac.collector.prometheus;

import java.util.List;
import java.util.Objects;

/**
 * One float sample of one series. A counter, a gauge, each {@code _bucket{le}}, {@code _sum} and
 * {@code _count} of a classic histogram and each quantile of a summary is its own series.
 *
 * @param labels the series, {@code __name__} included
 * @param timestampMs milliseconds since the epoch
 * @param value the value; {@link #STALE_NAN} marks the series stale
 * @param exemplars exemplars of this sample, usually empty
 */
public record Sample(Labels labels, long timestampMs, double value, List<Exemplar> exemplars) {

  /** Prometheus' staleness marker: a NaN with the bit pattern {@code 0x7ff0000000000002}. */
  public static final long STALE_NAN_BITS = 0x7ff0000000000002L;

  /** {@link #STALE_NAN_BITS} as a double. Any other NaN is an ordinary (NaN) value. */
  public static final double STALE_NAN = Double.longBitsToDouble(STALE_NAN_BITS);

  public Sample {
    Objects.requireNonNull(labels, "labels");
    exemplars = exemplars == null ? List.of() : exemplars;
  }

  public Sample(Labels labels, long timestampMs, double value) {
    this(labels, timestampMs, value, List.of());
  }

  /** True when {@code v} is the staleness marker (compares bits: every other NaN is not). */
  public static boolean isStaleNaN(double v) {
    return Double.doubleToRawLongBits(v) == STALE_NAN_BITS;
  }

  /** True when this sample marks its series stale. */
  public boolean isStale() {
    return isStaleNaN(value);
  }
}
