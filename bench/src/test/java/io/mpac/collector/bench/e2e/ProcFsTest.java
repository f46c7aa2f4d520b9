package io.mpac.collector.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcFsTest {

  // A real line from a JVM, with utime = 1234 and stime = 56 (fields 14 and 15).
  private static final String STAT = "4242 (java) S 1 4242 4242 0 -1 4194560 53312 0 12 0 1234 56 0 0 20 0 31 0 "
      + "9318512 3125465088 40123 18446744073709551615 1 1 0 0 0 0 0 2 16800975 0 0 0 17 1 0 0 0 0 0\n";

  @Test
  void cpuTicksAreUtimePlusStime() {
    assertThat(ProcFs.cpuTicks(STAT)).isEqualTo(1290);
  }

  @Test
  void cpuTicksSurviveACommandNameWithSpacesAndParentheses() {
    String weird = STAT.replace("(java)", "(my (odd) name 7 8 9)");
    assertThat(ProcFs.cpuTicks(weird)).isEqualTo(1290);
  }

  @Test
  void badStatLinesGiveClearErrors() {
    assertThatThrownBy(() -> ProcFs.cpuTicks("garbage")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a /proc/<pid>/stat line");
    assertThatThrownBy(() -> ProcFs.cpuTicks("1 (x) S 1 2")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("too few fields");
    assertThatThrownBy(() -> ProcFs.cpuTicks(STAT.replace(" 1234 56 ", " 12x4 56 ")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not numbers");
  }

  @Test
  void peakAndCurrentRssComeFromStatus() {
    String status = "Name:\tjava\nUmask:\t0022\nState:\tS (sleeping)\nVmPeak:\t 3052224 kB\nVmSize:\t 3052224 kB\n"
        + "VmHWM:\t  123456 kB\nVmRSS:\t   98765 kB\nThreads:\t31\n";
    assertThat(ProcFs.peakRssKiB(status)).isEqualTo(123456);
    assertThat(ProcFs.rssKiB(status)).isEqualTo(98765);
    assertThat(ProcFs.peakRssKiB("Name:\tkthreadd\n")).isEqualTo(-1);
    assertThatThrownBy(() -> ProcFs.peakRssKiB("VmHWM:\t 12 MB\n")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void loadAverageIsTheFirstField() {
    assertThat(ProcFs.loadAverage1m("4.54 6.64 5.77 1/85 25205\n")).isEqualTo(4.54);
    assertThatThrownBy(() -> ProcFs.loadAverage1m("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void ownProcessCanBeReadOnLinux() {
    org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/stat")));
    long pid = ProcessHandle.current().pid();
    assertThat(ProcFs.cpuTicks(pid)).isPositive();
    assertThat(ProcFs.peakRssKiB(pid)).isPositive();
    assertThat(ProcFs.clockTicksPerSecond()).isPositive();
  }
}
