package io.mpac.collector.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  private static final long S = 1_000_000_000L;

  private static RetryConfig config(Duration maxElapsed) {
    return new RetryConfig(true, Duration.ofSeconds(5), 1.5, 0.5, Duration.ofSeconds(30), maxElapsed);
  }

  @Test
  void midpointRandomGivesThePlainExponentialSequenceCappedAtMaxInterval() {
    RetryPolicy policy = new RetryPolicy(config(Duration.ZERO), () -> 0.5);
    RetryPolicy.Backoff b = policy.start(0);
    List<Long> delays = new ArrayList<>();
    for (int i = 0; i < 8; i++) delays.add(b.nextDelayNanos(0, null));
    assertThat(delays).containsExactly(5 * S, 7_500_000_000L, 11_250_000_000L, 16_875_000_000L,
        25_312_500_000L, 30 * S, 30 * S, 30 * S);
    assertThat(b.retries()).isEqualTo(8);
  }

  @Test
  void jitterStaysWithinRandomizationFactorBounds() {
    AtomicReference<Double> r = new AtomicReference<>(0.0);
    RetryPolicy policy = new RetryPolicy(config(Duration.ZERO), r::get);
    RetryPolicy.Backoff low = policy.start(0);
    r.set(0.0);
    assertThat(low.nextDelayNanos(0, null)).isEqualTo(2_500_000_000L); // 5s * (1 - 0.5)
    assertThat(low.nextDelayNanos(0, null)).isEqualTo(3_750_000_000L); // 7.5s * 0.5
    r.set(0.999_999_999);
    RetryPolicy.Backoff high = policy.start(0);
    long d = high.nextDelayNanos(0, null);
    assertThat(d).isBetween(7_499_999_000L, 7_500_000_000L); // just under 5s * 1.5
    for (double x : new double[] {0.1, 0.3, 0.7, 0.9}) {
      r.set(x);
      long v = policy.start(0).nextDelayNanos(0, null);
      assertThat(v).isBetween(2_500_000_000L, 7_500_000_000L);
    }
  }

  @Test
  void zeroRandomizationFactorMeansNoJitter() {
    RetryConfig c = new RetryConfig(true, Duration.ofMillis(100), 2.0, 0.0, Duration.ofSeconds(1), Duration.ZERO);
    RetryPolicy.Backoff b = new RetryPolicy(c, () -> 0.99).start(0);
    assertThat(List.of(b.nextDelayNanos(0, null), b.nextDelayNanos(0, null), b.nextDelayNanos(0, null),
        b.nextDelayNanos(0, null), b.nextDelayNanos(0, null)))
        .containsExactly(100_000_000L, 200_000_000L, 400_000_000L, 800_000_000L, 1_000_000_000L);
  }

  @Test
  void stopsWhenTheNextWaitWouldEndPastMaxElapsedTime() {
    RetryPolicy policy = new RetryPolicy(config(Duration.ofSeconds(20)), () -> 0.5);
    RetryPolicy.Backoff b = policy.start(100 * S);
    long now = 100 * S;
    long d1 = b.nextDelayNanos(now, null); // 5s, ends at 5s elapsed
    assertThat(d1).isEqualTo(5 * S);
    now += d1;
    long d2 = b.nextDelayNanos(now, null); // 7.5s, ends at 12.5s
    assertThat(d2).isEqualTo(7_500_000_000L);
    now += d2;
    long d3 = b.nextDelayNanos(now, null); // 11.25s would end at 23.75s > 20s
    assertThat(d3).isEqualTo(RetryPolicy.STOP);
    assertThat(b.retries()).isEqualTo(2);
  }

  @Test
  void zeroMaxElapsedTimeRetriesForever() {
    RetryPolicy policy = new RetryPolicy(config(Duration.ZERO), () -> 0.5);
    assertThat(policy.config().retriesForever()).isTrue();
    RetryPolicy.Backoff b = policy.start(0);
    long now = 0;
    for (int i = 0; i < 10_000; i++) {
      long d = b.nextDelayNanos(now, null);
      assertThat(d).isPositive();
      now += d;
    }
    assertThat(now).isGreaterThan(Duration.ofDays(3).toNanos());
  }

  @Test
  void serverDelayIsAFloorAndIsCapped() {
    RetryPolicy policy = new RetryPolicy(config(Duration.ZERO), () -> 0.5);
    RetryPolicy.Backoff b = policy.start(0);
    assertThat(b.nextDelayNanos(0, Duration.ofSeconds(12))).isEqualTo(12 * S); // > 5s backoff
    assertThat(b.nextDelayNanos(0, Duration.ofSeconds(1))).isEqualTo(7_500_000_000L); // backoff wins
    assertThat(b.nextDelayNanos(0, Duration.ofDays(400))).isEqualTo(RetryPolicy.MAX_SERVER_DELAY.toNanos());
  }

  @Test
  void serverDelayPastMaxElapsedTimeStops() {
    RetryPolicy policy = new RetryPolicy(config(Duration.ofSeconds(10)), () -> 0.5);
    assertThat(policy.start(0).nextDelayNanos(0, Duration.ofSeconds(11))).isEqualTo(RetryPolicy.STOP);
  }

  @Test
  void disabledNeverRetries() {
    RetryConfig off = new RetryConfig(false, Duration.ofSeconds(5), 1.5, 0.5, Duration.ofSeconds(30), Duration.ZERO);
    assertThat(new RetryPolicy(off, () -> 0.5).start(0).nextDelayNanos(0, null)).isEqualTo(RetryPolicy.STOP);
  }

  @Test
  void invalidConfigIsRejected() {
    assertThatThrownBy(() -> new RetryConfig(true, Duration.ZERO, 1.5, 0.5, Duration.ofSeconds(30), Duration.ZERO))
        .hasMessageContaining("initial_interval");
    assertThatThrownBy(() -> new RetryConfig(true, Duration.ofSeconds(1), 0.5, 0.5, Duration.ofSeconds(30),
        Duration.ZERO)).hasMessageContaining("multiplier");
    assertThatThrownBy(() -> new RetryConfig(true, Duration.ofSeconds(1), 1.5, 1.5, Duration.ofSeconds(30),
        Duration.ZERO)).hasMessageContaining("randomization_factor");
    assertThatThrownBy(() -> new RetryConfig(true, Duration.ofSeconds(10), 1.5, 0.5, Duration.ofSeconds(1),
        Duration.ZERO)).hasMessageContaining("max_interval");
  }
}
