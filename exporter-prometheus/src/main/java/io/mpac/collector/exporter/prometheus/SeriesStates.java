package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.prometheus.Labels;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The converter's memory of the OTLP streams it has seen (one entry per metric and attribute set):
 * the newest timestamp written, so a point older than one already written is skipped instead of
 * making Prometheus reject a whole remote-write request as "out of order"; and, for delta
 * streams, the running totals that turn deltas into cumulative values.
 *
 * <p>Bounded twice: entries not seen for {@code gc_frequency} are evicted by {@link #gc}, and at
 * most {@link #maxEntries} are kept (beyond that, cumulative points pass without the order check
 * and delta points are dropped and counted, since they cannot be accumulated).
 */
final class SeriesStates {

  private final ConcurrentHashMap<Labels, StreamState> map = new ConcurrentHashMap<>();
  private final int maxEntries;

  SeriesStates(int maxEntries) {
    this.maxEntries = maxEntries;
  }

  /** The state of {@code key}, created if there is room; null when full. */
  StreamState get(Labels key, long nowNanos) {
    StreamState s = map.get(key);
    if (s == null) {
      if (map.size() >= maxEntries) return null;
      s = map.computeIfAbsent(key, StreamState::new);
    }
    s.lastSeenNanos = nowNanos;
    return s;
  }

  /** Removes entries not seen since {@code nowNanos - maxAgeNanos}; returns how many. */
  int gc(long nowNanos, long maxAgeNanos) {
    int[] removed = {0};
    map.entrySet().removeIf(e -> {
      boolean old = nowNanos - e.getValue().lastSeenNanos > maxAgeNanos;
      if (old) {
        e.getValue().evicted = true;
        removed[0]++;
      }
      return old;
    });
    return removed[0];
  }

  int size() {
    return map.size();
  }

  /**
   * One stream. The committed fields change only in {@link OtlpToPrometheus.Pending#commit}, after
   * the receivers took the data; delta fields are touched only under the converter's delta lock.
   */
  static final class StreamState {
    /**
     * The stream's label set. Samples carry this instance rather than the equal one built for
     * each request, so downstream caches keyed by labels hit by identity.
     */
    final Labels key;
    volatile long lastSeenNanos;
    /** Set when {@link #gc} removed the entry: holders of this object must look the stream up again. */
    volatile boolean evicted;
    /** Newest timestamp handed on successfully, ms; Long.MIN_VALUE when none. */
    volatile long lastTimestampMs = Long.MIN_VALUE;

    // delta → cumulative accumulators (committed values)
    double sum;
    long count;
    double histSum;
    double[] bounds;
    long[] bucketCounts;
    boolean hasDelta;
    /** Cached series of a histogram point (a pure function of the key and bounds). */
    volatile DerivedLabels derived;

    StreamState(Labels key) {
      this.key = key;
    }
  }

  /** The label sets derived from a stream's key for a given bucket layout. */
  record DerivedLabels(double[] bounds, Labels[] labels) {}
}
