package io.mpac.collector.component.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class UnitsTest {

  @Test
  void goDurations() {
    assertThat(Units.parseDuration("200ms")).isEqualTo(Duration.ofMillis(200));
    assertThat(Units.parseDuration("5s")).isEqualTo(Duration.ofSeconds(5));
    assertThat(Units.parseDuration("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Units.parseDuration("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Units.parseDuration("10us")).isEqualTo(Duration.ofNanos(10_000));
    assertThat(Units.parseDuration("0")).isEqualTo(Duration.ZERO);
    assertThat(Units.parseDuration("0s")).isEqualTo(Duration.ZERO);
    assertThat(Units.parseDuration("-2m")).isEqualTo(Duration.ofMinutes(-2));
  }

  @Test
  void badDurations() {
    assertThatThrownBy(() -> Units.parseDuration("5")).hasMessage("missing unit in duration \"5\"");
    assertThatThrownBy(() -> Units.parseDuration("5d")).hasMessage("unknown unit \"d\" in duration \"5d\"");
    assertThatThrownBy(() -> Units.parseDuration("s")).hasMessage("invalid duration \"s\"");
    assertThatThrownBy(() -> Units.parseDuration("")).hasMessage("empty duration");
  }

  @Test
  void sizes() {
    assertThat(Units.parseBytes("4MiB")).isEqualTo(4L << 20);
    assertThat(Units.parseBytes("512KiB")).isEqualTo(512L << 10);
    assertThat(Units.parseBytes("1MB")).isEqualTo(1L << 20);
    assertThat(Units.parseBytes("20MiB")).isEqualTo(20L << 20);
    assertThat(Units.parseBytes("1GiB")).isEqualTo(1L << 30);
    assertThat(Units.parseBytes("100")).isEqualTo(100);
    assertThat(Units.parseBytes("1.5KiB")).isEqualTo(1536);
    assertThatThrownBy(() -> Units.parseBytes("4 parsecs")).hasMessage("unknown unit \"parsecs\" in size \"4 parsecs\"");
    assertThatThrownBy(() -> Units.parseBytes("MiB")).hasMessage("invalid size \"MiB\"");
  }

  @Test
  void durationsPrintLikeGo() {
    assertThat(Units.formatDuration(Duration.ofMillis(200))).isEqualTo("200ms");
    assertThat(Units.formatDuration(Duration.ofMinutes(90))).isEqualTo("1h30m0s");
    assertThat(Units.formatDuration(Duration.ofMillis(1500))).isEqualTo("1.5s");
    assertThat(Units.formatDuration(Duration.ZERO)).isEqualTo("0s");
  }

  @Test
  void suggestionsFindTyposButNotStrangers() {
    assertThat(Suggestions.closest("endpiont", java.util.List.of("endpoint", "headers"))).isEqualTo("endpoint");
    assertThat(Suggestions.closest("zzzzzz", java.util.List.of("endpoint", "headers"))).isNull();
  }
}
