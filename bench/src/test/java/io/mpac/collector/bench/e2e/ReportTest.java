package io.mpac.collector.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
  void ratioTargetsDivideEachSidesBestRepetitionAndAbsoluteLimitsTakeTheWorst() {
    List<Measurement> ms = List.of(
        // (a): CPU ticks per 100,000 items: relay 100, 110, 130; collector 90, 120, 60 -> ratios 0.9, 1.09, 0.46,
        // median 0.9; best / best 60 / 100 = 0.6 (PASS <= 0.7)
        m(1, Target.RELAY, "a", 100_000, 100_000, 100, 10, 200), m(1, Target.COLLECTOR, "a", 100_000, 100_000, 90, 10, 100),
        m(2, Target.RELAY, "a", 100_000, 100_000, 110, 10, 200), m(2, Target.COLLECTOR, "a", 100_000, 100_000, 120, 10, 240),
        m(3, Target.RELAY, "a", 100_000, 100_000, 130, 10, 200), m(3, Target.COLLECTOR, "a", 100_000, 100_000, 60, 10, 100),
        // (b): collector loses 5 items in rep 2; CPU 1.2x; rate: best 100,000 / best 200,000 = 0.5x
        m(1, Target.RELAY, "b", 200_000, 200_000, 100, 10, 5), m(1, Target.COLLECTOR, "b", 100_000, 100_000, 60, 10, 5),
        m(2, Target.RELAY, "b", 150_000, 150_000, 100, 10, 5), m(2, Target.COLLECTOR, "b", 100_005, 100_000, 60, 10, 5),
        // a relay variant beside the floor: twice its CPU per item
        m(1, Target.RELAY_DETACH, "b", 200_000, 200_000, 200, 10, 5));
    Report report = new Report(ms, Scenario.standard(false), 3);

    assertThat(report.ratio("a", Measurement::cpuMicrosPerItem).median()).isCloseTo(0.9, within(1e-9));
    assertThat(report.bestRatio(Target.COLLECTOR, Target.RELAY, "a", Measurement::cpuMicrosPerItem, false))
        .isCloseTo(0.6, within(1e-9));
    assertThat(report.bestRatio(Target.COLLECTOR, Target.RELAY, "b", Measurement::itemsPerSecond, true))
        .isCloseTo(0.5, within(1e-9));
    List<Report.Check> checks = report.checks();
    assertThat(checks).extracting(c -> c.scenario() + " " + c.verdict()).containsExactly(
        "a PASS", // CPU 0.6x <= 0.7x
        "a PASS", // RSS 100 MiB both: +0 MiB <= 8 MiB
        "a PASS", // RSS 100 MiB <= 150
        "a FAIL", // p99 260 ms in repetition 2 (> 250 ms), although the other two pass
        "b FAIL", // CPU per span: best 6 µs vs 5 µs = 1.2x > 1.15x
        "b FAIL", // 0.5x < 1.0x
        "b FAIL"); // 5 lost
    assertThat(checks.get(0).measured()).isEqualTo("0.60×");
    assertThat(checks.get(3).measured()).isEqualTo("260.0 ms");
    assertThat(checks.get(4).measured()).isEqualTo("1.20×");
    assertThat(checks.get(6).measured()).isEqualTo("5 / 0");

    String md = report.markdown("header\n");
    assertThat(md).startsWith("header\n").contains("#### (a) traces, fixed 10,000 spans/s")
        .contains("| delivered spans/s | 10,000 / 10,000 / 10,000 | 10,000 / 10,000 / 10,000 | 1.00× (1.00–1.00) | 1.00× |")
        .contains("| (b) | collector spans lost / duplicated (all repetitions) | 0 / 0 | 5 / 0 | **FAIL** |")
        .contains("| relay-detach | 20,000 | 10.00 | 100.0 | 2.00× | 1.00× | 0.0 |");
  }

  @Test
  void theFloorIsTheBestOfEveryRelayVariant() {
    List<Measurement> ms = List.of(
        m(1, Target.RELAY, "b", 100_000, 100_000, 100, 10, 5), // 10 µs, 10,000/s
        m(1, Target.RELAY_2LOOP, "b", 200_000, 200_000, 100, 10, 5), // 5 µs, 20,000/s: the floor
        m(1, Target.COLLECTOR, "b", 150_000, 150_000, 90, 10, 5)); // 6 µs, 15,000/s
    Report report = new Report(ms, Scenario.standard(false), 1);
    assertThat(report.floor("b", Measurement::cpuMicrosPerItem, false)).isCloseTo(5, within(1e-9));
    assertThat(report.vsFloor(Target.COLLECTOR, "b", Measurement::cpuMicrosPerItem, false)).isCloseTo(1.2, within(1e-9));
    assertThat(report.vsFloor(Target.COLLECTOR, "b", Measurement::itemsPerSecond, true)).isCloseTo(0.75, within(1e-9));
    assertThat(report.checks()).extracting(c -> c.measured() + " " + c.verdict())
        .containsExactly("1.20× FAIL", "0.75× FAIL", "0 / 0 PASS");
  }

  @Test
  void logsAndMetricsAreJudgedInMicrosecondsPerItem() {
    List<Measurement> ms = List.of(
        m(1, Target.COLLECTOR, "c", 200_000, 200_000, 20, 10, 5), // 0.2 s / 200,000 = 1.0 µs
        m(2, Target.COLLECTOR, "c", 200_000, 200_000, 80, 10, 5), // 4.0 µs: the best repetition counts
        m(1, Target.COLLECTOR, "d", 100_000, 100_000, 20, 10, 5)); // 2.0 µs
    List<Report.Check> checks = new Report(ms, Scenario.standard(false), 2).checks();
    assertThat(checks).extracting(c -> c.scenario() + " " + c.measured() + " " + c.verdict())
        .containsExactly("c 1.00 µs PASS", "d 2.00 µs FAIL");
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

  /** A measurement over 10 s of sending and an 11 s window, with p99 = latencyMs + 20 ms for the collector. */
  private static Measurement m(int rep, Target t, String scenario, long accepted, long received, long ticks,
      long seconds, long latencyMs) {
    long p99 = (t == Target.COLLECTOR ? latencyMs + 20 : latencyMs) * 1000;
    return new Measurement(rep, t, scenario, accepted / 100 + 1, accepted + 100, accepted, received, 0, seconds * SECOND,
        (seconds + 1) * SECOND, ticks, 50, 100, 90 * 1024, 100 * 1024, true, 100, p99 / 2, p99, 5_000, Map.of("OK", accepted / 100),
        1.5, true);
  }
}
