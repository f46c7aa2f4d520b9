package io.mpac.collector.loadgen;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Request latencies in microseconds, in log-spaced buckets (about 2% wide), recorded lock-free
 * from many threads. Percentiles are accurate to the bucket width.
 */
public final class LatencyHistogram {

  private static final double GROWTH = 1.02;
  private static final int BUCKETS = 1300; // 1.02^1300 µs is far beyond any timeout
  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);

  public void recordMicros(long micros) {
    counts.incrementAndGet(bucket(Math.max(1, micros)));
  }

  static int bucket(long micros) {
    int b = (int) (Math.log(micros) / Math.log(GROWTH));
    return Math.min(BUCKETS - 1, Math.max(0, b));
  }

  /** The number of values recorded since creation or the last {@link #reset()}. */
  public long count() {
    long total = 0;
    for (int i = 0; i < BUCKETS; i++) total += counts.get(i);
    return total;
  }

  /**
   * Forgets every value. Not atomic with respect to concurrent {@link #recordMicros}: call it while
   * nothing is being recorded, or accept that a value recorded meanwhile may survive.
   */
  public void reset() {
    for (int i = 0; i < BUCKETS; i++) counts.set(i, 0);
  }

  /** The upper bound (µs) of the bucket holding the {@code q} quantile (0..1), or 0 when empty. */
  public long percentileMicros(double q) {
    long total = count();
    if (total == 0) return 0;
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= rank) return (long) Math.ceil(Math.pow(GROWTH, i + 1));
    }
    return (long) Math.pow(GROWTH, BUCKETS);
  }
}
