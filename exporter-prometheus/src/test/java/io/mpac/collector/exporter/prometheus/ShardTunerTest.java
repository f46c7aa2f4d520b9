package io.mpac.collector.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Prometheus' resharding rule, one interval at a time. */
class ShardTunerTest {

  private static final long SECOND = 1_000_000_000L;

  /** {@code in} items came, {@code out} went, each sent item took {@code nanosPerItem} of a sender. */
  private static ShardTuner.Interval interval(long in, long out, long nanosPerItem, double delaySeconds) {
    return new ShardTuner.Interval(in, out, 0, out * nanosPerItem, 1.0, delaySeconds);
  }

  @Test
  void nothingSentYetKeepsTheCurrentCount() {
    ShardTuner t = new ShardTuner(1, 10);
    assertThat(t.next(3, interval(1000, 0, 0, 0))).isEqualTo(3);
  }

  @Test
  void desiredIsTimePerSampleTimesTheIncomingRate() {
    ShardTuner t = new ShardTuner(1, 50);
    // 10,000 samples/s in, 1 ms of sending each: 10 senders busy all the time
    assertThat(t.next(1, interval(10_000, 10_000, 1_000_000, 0))).isEqualTo(10);
    assertThat(t.lastDesired()).isEqualTo(10.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void aBacklogAddsFivePercentOfItPerSecond() {
    ShardTuner t = new ShardTuner(1, 50);
    // 1,000/s at 1 ms each is 1 shard; 100 s behind adds 0.05 x 100 x 1000 = 5000/s: 6 shards
    assertThat(t.next(1, interval(1000, 1000, 1_000_000, 100))).isEqualTo(6);
  }

  @Test
  void changesWithinThirtyPercentAreIgnored() {
    ShardTuner t = new ShardTuner(1, 50);
    assertThat(t.next(10, interval(12_000, 12_000, 1_000_000, 0))).isEqualTo(10); // 12 <= 13
    ShardTuner u = new ShardTuner(1, 50);
    assertThat(u.next(10, interval(14_000, 14_000, 1_000_000, 0))).isEqualTo(14);
    ShardTuner v = new ShardTuner(1, 50);
    assertThat(v.next(10, interval(7_000, 7_000, 1_000_000, 0))).isEqualTo(10); // 7 >= 7
    ShardTuner w = new ShardTuner(1, 50);
    assertThat(w.next(10, interval(6_000, 6_000, 1_000_000, 0))).isEqualTo(6);
  }

  @Test
  void boundedByMinAndMaxShards() {
    ShardTuner t = new ShardTuner(2, 4);
    assertThat(t.next(2, interval(100_000, 100_000, 1_000_000, 0))).isEqualTo(4);
    ShardTuner u = new ShardTuner(2, 4);
    assertThat(u.next(4, interval(10, 10, 1_000, 0))).isEqualTo(2);
  }

  @Test
  void neverDownWhileMoreThanTenSecondsBehind() {
    ShardTuner t = new ShardTuner(1, 50);
    assertThat(t.next(20, interval(100, 100, 1_000_000, 11))).isEqualTo(20);
    assertThat(t.next(20, interval(100, 100, 1_000_000, 1))).isLessThan(20);
  }

  @Test
  void afterLoadStopsTheRatesDecayAndTheCountFallsToMin() {
    ShardTuner t = new ShardTuner(1, 50);
    int n = t.next(1, interval(20_000, 20_000, 1_000_000, 0));
    assertThat(n).isEqualTo(20);
    int intervals = 0;
    while (n > 1 && intervals < 100) {
      n = t.next(n, interval(0, 0, 0, 0));
      intervals++;
    }
    assertThat(n).isEqualTo(1);
    assertThat(intervals).isBetween(5, 30); // a gradual decay (weight 0.2), not a jump
  }

  @Test
  void droppedItemsLowerTheKeptRatio() {
    ShardTuner t = new ShardTuner(1, 50);
    // half of what goes out is dropped: only half of what comes in needs sending
    assertThat(t.next(1, new ShardTuner.Interval(20_000, 10_000, 10_000, 10_000 * 1_000_000L, 1.0, 0)))
        .isEqualTo(10);
  }
}
