package io.mpac.collector.exporter.prometheus;

/**
 * How many shards an endpoint should run, by Prometheus' remote-write rule (its queue manager's
 * "desired shards"): once per interval, from moving averages of what came in, what went out and
 * how long sending it took.
 *
 * <pre>
 *   time per sample = send time per second / samples sent per second
 *   backlog         = delay (newest appended − newest sent, seconds) × rate in × kept ratio
 *   desired         = ceil(time per sample × (rate in × kept ratio + 5 % of the backlog))
 * </pre>
 *
 * The count changes only when {@code desired} leaves ±30 % of the current count, never below the
 * current while more than 10 s behind, and always within {@code [min_shards, max_shards]}. Rates
 * are exponentially weighted (weight 0.2 per interval), so after load stops they decay together
 * and the count falls back toward {@code min_shards}. Not thread-safe: one caller (the WAL reader).
 */
final class ShardTuner {

  static final double EWMA_WEIGHT = 0.2;
  static final double TOLERANCE = 0.3;
  static final double CATCHUP_PER_SECOND = 0.05;
  static final double NO_DOWNSHARD_WHEN_BEHIND_SECONDS = 10.0;

  /** What happened during one interval. */
  record Interval(long itemsIn, long itemsOut, long itemsDropped, long sendNanos, double seconds, double delaySeconds) {}

  private final int minShards;
  private final int maxShards;
  private final Ewma in = new Ewma();
  private final Ewma out = new Ewma();
  private final Ewma dropped = new Ewma();
  private final Ewma sendSeconds = new Ewma();
  private volatile double lastDesired;

  ShardTuner(int minShards, int maxShards) {
    if (minShards < 1 || maxShards < minShards) throw new IllegalArgumentException("need 1 <= min <= max");
    this.minShards = minShards;
    this.maxShards = maxShards;
    this.lastDesired = minShards;
  }

  /** The unrounded desired count of the last interval that had sends (for a gauge). */
  double lastDesired() {
    return lastDesired;
  }

  /** Feeds one interval and returns the shard count to run from now on (maybe {@code current}). */
  int next(int current, Interval iv) {
    in.tick(iv.itemsIn(), iv.seconds());
    out.tick(iv.itemsOut(), iv.seconds());
    dropped.tick(iv.itemsDropped(), iv.seconds());
    sendSeconds.tick(iv.sendNanos() / 1e9, iv.seconds());
    double outRate = out.rate;
    if (outRate <= 0) return current; // nothing sent yet: nothing to learn the cost of a sample from
    double keptRatio = outRate / (dropped.rate + outRate);
    double backlog = Math.max(0, iv.delaySeconds()) * in.rate * keptRatio;
    double timePerSample = sendSeconds.rate / outRate;
    double desired = timePerSample * (in.rate * keptRatio + CATCHUP_PER_SECOND * backlog);
    lastDesired = desired;
    double rounded = Math.ceil(desired);
    if (rounded >= current * (1 - TOLERANCE) && rounded <= current * (1 + TOLERANCE)) return current;
    int n = (int) Math.min(rounded, Integer.MAX_VALUE);
    if (n < current && iv.delaySeconds() > NO_DOWNSHARD_WHEN_BEHIND_SECONDS) return current;
    return Math.max(minShards, Math.min(maxShards, n));
  }

  /** A per-second rate, exponentially weighted across intervals; starts at the first non-zero one. */
  private static final class Ewma {
    double rate;
    boolean started;

    void tick(double amount, double seconds) {
      double instant = seconds > 0 ? amount / seconds : 0;
      if (started) {
        rate += EWMA_WEIGHT * (instant - rate);
      } else if (amount > 0) {
        started = true;
        rate = instant;
      }
    }
  }
}
