package io.mpac.collector.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CountedBackoffTest {

  private static final long MS = 1_000_000L;

  private static List<Long> delays(RetrySchedule.Backoff b, int n, Duration server) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(b.nextDelayNanos(0, server));
    return out;
  }

  @Test
  void doublesWithJitterInsideTheWindowAndCapsAtMax() {
    CountedBackoff lowEnd = new CountedBackoff(Duration.ofMillis(100), Duration.ofMillis(1000), 0, () -> 0.0);
    assertThat(delays(lowEnd.start(0), 6, null)).containsExactly(100 * MS, 200 * MS, 400 * MS, 800 * MS, 800 * MS,
        800 * MS);
    CountedBackoff middle = new CountedBackoff(Duration.ofMillis(100), Duration.ofMillis(1000), 0, () -> 0.5);
    // windows [100,200) [200,400) [400,800) [800,1000), which then stays
    assertThat(delays(middle.start(0), 5, null)).containsExactly(150 * MS, 300 * MS, 600 * MS, 900 * MS, 900 * MS);
    CountedBackoff fixed = new CountedBackoff(Duration.ofMillis(300), Duration.ofMillis(300), 0, () -> 0.9);
    assertThat(delays(fixed.start(0), 2, null)).containsExactly(300 * MS, 300 * MS);
  }

  @Test
  void stopsAfterMaxRetriesAndSaysWhy() {
    RetrySchedule.Backoff b = new CountedBackoff(Duration.ofMillis(10), Duration.ofMillis(50), 2, () -> 0.5).start(0);
    assertThat(b.nextDelayNanos(0, null)).isPositive();
    assertThat(b.nextDelayNanos(0, null)).isPositive();
    assertThat(b.nextDelayNanos(0, null)).isEqualTo(RetrySchedule.STOP);
    assertThat(b.retries()).isEqualTo(2);
    assertThat(b.exhausted(0)).contains("3 attempts").contains("max_backoff_retries 2");
  }

  @Test
  void zeroRetriesMeansRetryForever() {
    RetrySchedule.Backoff b = new CountedBackoff(Duration.ofMillis(1), Duration.ofMillis(2), 0, () -> 0.5).start(0);
    for (int i = 0; i < 10_000; i++) assertThat(b.nextDelayNanos(0, null)).isEqualTo(1_500_000L);
  }

  @Test
  void serverDelayIsAFloor() {
    RetrySchedule.Backoff b = new CountedBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0, () -> 0.5).start(0);
    assertThat(b.nextDelayNanos(0, Duration.ofSeconds(7))).isEqualTo(7_000 * MS);
    assertThat(b.nextDelayNanos(0, Duration.ofMillis(1))).isEqualTo(300 * MS);
  }

  @Test
  void eachRequestStartsAfresh() {
    CountedBackoff s = new CountedBackoff(Duration.ofMillis(100), Duration.ofSeconds(1), 1, () -> 0.0);
    RetrySchedule.Backoff a = s.start(0);
    assertThat(a.nextDelayNanos(0, null)).isEqualTo(100 * MS);
    assertThat(a.nextDelayNanos(0, null)).isEqualTo(RetrySchedule.STOP);
    assertThat(s.start(0).nextDelayNanos(0, null)).isEqualTo(100 * MS);
  }

  @Test
  void refusesNonsense() {
    assertThatThrownBy(() -> new CountedBackoff(Duration.ZERO, Duration.ofSeconds(1), 1, () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CountedBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 1, () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new CountedBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1), -1, () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
