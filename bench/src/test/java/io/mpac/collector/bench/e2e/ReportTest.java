package io.mpac.collector.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void statsTakeMinMedianMax() {
    assertThat(Stats.of(List.of(3.0, 1.0, 2.0))).isEqualTo(new Stats(1, 2, 3, 3));
    assertThat(Stats.of(List.of(4.0, 1.0))).isEqualTo(new Stats(1, 2.5, 4, 2));
    assertThat(Stats.of(List.of(Double.NaN, 7.0))).isEqualTo(new Stats(7, 7, 7, 1));
    assertThat(Stats.of(List.of()).n()).isZero();
  }

  @Test
  void measurementDerivesRatesAndLoss() {
    Measurement m = m(1, Target.COLLECTOR, "b", 1_000, 990, 150, 10, 300);
    assertThat(m.itemsPerSecond()).isEqualTo(99.0); // 990 items in 10 s
    assertThat(m.cpuSeconds()).isEqualTo(1.5); // 150 ticks at 100 Hz
    assertThat(m.cpuMicrosPerItem()).isCloseTo(1.5e6 / 990, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(m.cpuPercentOfCore()).isCloseTo(1.5 / 11 * 100, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(m.lost()).isEqualTo(10);
    assertThat(m.duplicated()).isZero();
    assertThat(m.refused()).isEqualTo(100);
    assertThat(m(1, Target.COLLECTOR, "b", 1_000, 1_001, 1, 10, 1).duplicated()).isEqualTo(1);
  }

  @Test
  void targetsUseTheMedianPerRepetitionRatioAndTheWorstAbsoluteFigure() {
    List<Measurement> ms = List.of(
        // (a): CPU ticks per 100,000 items: relay 100, collector 90, 120, 80 -> ratios 0.9, 1.2, 0.8 -> median 0.9
        m(1, Target.RELAY, "a", 100_000, 100_000, 100, 10, 200), m(1, Target.COLLECTOR, "a", 100_000, 100_000, 90, 10, 100),
        m(2, Target.RELAY, "a", 100_000, 100_000, 100, 10, 200), m(2, Target.COLLECTOR, "a", 100_000, 100_000, 120, 10, 240),
        m(3, Target.RELAY, "a", 100_000, 100_000, 100, 10, 200), m(3, Target.COLLECTOR, "a", 100_000, 100_000, 80, 10, 100),
        // (b): collector loses 5 items in rep 2 and delivers half the relay's rate
        m(1, Target.RELAY, "b", 200_000, 200_000, 100, 10, 5), m(1, Target.COLLECTOR, "b", 100_000, 100_000, 60, 10, 5),
        m(2, Target.RELAY, "b", 200_000, 200_000, 100, 10, 5), m(2, Target.COLLECTOR, "b", 100_005, 100_000, 60, 10, 5));
    Report report = new Report(ms, Scenario.standard(false), 3);

    assertThat(report.ratio("a", Measurement::cpuMicrosPerItem)).isEqualTo(new Stats(0.8, 0.9, 1.2, 3));
    List<Report.Check> checks = report.checks();
    assertThat(checks).extracting(c -> c.scenario() + " " + c.verdict()).containsExactly(
        "a PASS", // CPU 0.9x <= 1.0x
        "a PASS", // RSS 100 MiB
        "a FAIL", // p99 260 ms in repetition 2 (> 250 ms), although the other two pass
        "b PASS", // CPU per span 1.2x <= 1.5x
        "b FAIL", // 5 lost
        "b FAIL"); // 0.5x < 0.7x
    assertThat(checks.get(2).measured()).isEqualTo("260.0 ms");
    assertThat(checks.get(3).measured()).isEqualTo("1.20× (1.20–1.20)");
    assertThat(checks.get(4).measured()).isEqualTo("5 / 0");

    String md = report.markdown("header\n");
    assertThat(md).startsWith("header\n").contains("#### (a) traces, fixed 10,000 spans/s")
        .contains("| delivered spans/s | 10,000 / 10,000 / 10,000 | 10,000 / 10,000 / 10,000 | 1.00× (1.00–1.00) |")
        .contains("| (b) | collector spans lost / duplicated (all repetitions) | 0 / 0 | 5 / 0 | **FAIL** |");
  }

  @Test
  void thePersistentQueueIsJudgedAgainstTheInMemoryQueueOfTheSameRepetition() {
    List<Measurement> ms = List.of(
        // CPU per span: in-memory 10 µs; persistent 12 µs, 16 µs -> ratios 1.2, 1.6 -> median 1.4 (FAIL)
        // spans/s: in-memory 10,000; persistent 9,000, 6,000 -> 0.9, 0.6 -> median 0.75 (PASS)
        m(1, Target.COLLECTOR, "b", 100_000, 100_000, 100, 10, 5),
        m(1, Target.COLLECTOR_PERSISTENT, "b", 90_000, 90_000, 108, 10, 5),
        m(2, Target.COLLECTOR_PERSISTENT, "b", 60_000, 60_000, 96, 10, 5),
        m(2, Target.COLLECTOR, "b", 100_000, 100_000, 100, 10, 5));
    Report report = new Report(ms, Scenario.standard(false), 2);
    List<Report.Check> checks = report.checks();
    assertThat(checks).extracting(c -> c.what() + " " + c.verdict()).containsExactly(
        "persistent queue CPU per span vs in-memory queue FAIL",
        "persistent queue delivered spans/s vs in-memory queue PASS",
        "persistent queue spans lost / duplicated (all repetitions) PASS");
    assertThat(checks.get(0).measured()).isEqualTo("1.40× (1.20–1.60)");
    assertThat(checks.get(1).measured()).isEqualTo("0.75× (0.60–0.90)");
    String md = report.markdown("h\n");
    assertThat(md).contains("Persistent sending queue (`otelcol.storage.file`, fsync off) vs the in-memory queue")
        .contains("| delivered spans/s | 10,000 / 10,000 / 10,000 | 6,000 / 7,500 / 9,000 | 0.75× (0.60–0.90) |")
        .contains("| 2 | collector-persistent | b |");
  }

  @Test
  void theOtherJdkIsJudgedAgainstThisJdkOfTheSameRepetition() {
    List<Measurement> ms = List.of(
        // (b) CPU per span: this JDK 10 µs; other JDK 10.2 µs, 11 µs -> ratios 1.02, 1.10 -> median 1.06 (FAIL at 1.05)
        // spans/s: this JDK 10,000; other JDK 10,000, 8,000 -> 1.0, 0.8 -> median 0.9 (FAIL at 0.95)
        m(1, Target.COLLECTOR, "b", 100_000, 100_000, 100, 10, 5),
        m(1, Target.COLLECTOR_OTHER_JDK, "b", 100_000, 100_000, 102, 10, 5),
        m(2, Target.COLLECTOR_OTHER_JDK, "b", 80_000, 80_000, 88, 10, 5),
        m(2, Target.COLLECTOR, "b", 100_000, 100_000, 100, 10, 5),
        // (a): equal CPU, one span lost on the other JDK
        m(1, Target.COLLECTOR, "a", 100_000, 100_000, 50, 10, 100),
        m(1, Target.COLLECTOR_OTHER_JDK, "a", 100_000, 99_999, 50, 10, 100));
    Report report = new Report(ms, Scenario.standard(false), 2);
    List<Report.Check> checks = report.checks();
    assertThat(checks).extracting(c -> c.scenario() + " " + c.what() + " " + c.verdict()).containsExactly(
        "a collector CPU per span, other JDK vs this JDK PASS",
        "a collector peak RSS, other JDK vs this JDK PASS",
        "a other JDK spans lost / duplicated (all repetitions) FAIL",
        "b collector CPU per span, other JDK vs this JDK FAIL",
        "b collector peak RSS, other JDK vs this JDK PASS",
        "b collector delivered spans/s, other JDK vs this JDK FAIL",
        "b other JDK spans lost / duplicated (all repetitions) PASS");
    assertThat(checks.get(2).measured()).isEqualTo("1 / 0");
    assertThat(checks.get(3).measured()).isEqualTo("1.06× (1.02–1.10)");
    assertThat(checks.get(5).measured()).isEqualTo("0.90× (0.80–1.00)");
    String md = report.markdown("h\n");
    assertThat(md).contains("The same collector on the other JDK (`collector-other-jdk`) vs this JDK (`collector`)")
        .contains("| delivered spans/s | 10,000 / 10,000 / 10,000 | 8,000 / 9,000 / 10,000 | 0.90× (0.80–1.00) |")
        .contains("| 2 | collector-other-jdk | b |")
        .doesNotContain("Persistent sending queue");
  }

  /** A measurement over 10 s of sending and an 11 s window, with p99 = latencyMs + 20 ms for the collector. */
  private static Measurement m(int rep, Target t, String scenario, long accepted, long received, long ticks,
      long seconds, long latencyMs) {
    long p99 = (t == Target.COLLECTOR ? latencyMs + 20 : latencyMs) * 1000;
    return new Measurement(rep, t, scenario, accepted / 100 + 1, accepted + 100, accepted, received, 0, seconds * SECOND,
        (seconds + 1) * SECOND, ticks, 50, 100, 90 * 1024, 100 * 1024, true, 100, p99 / 2, p99, 5_000, Map.of("OK", accepted / 100),
        1.5, true);
  }
}
