package io.mpac.collector.bench.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the benchmark reads from Linux's {@code /proc}: a process's CPU time ({@code stat}: utime +
 * stime, in clock ticks), its peak resident set ({@code status}: VmHWM), the reset of that peak
 * ({@code clear_refs}), and the load average. The parsers are pure functions, tested on sample text.
 */
final class ProcFs {

  private ProcFs() {}

  /**
   * utime + stime (fields 14 and 15, in clock ticks) of a {@code /proc/<pid>/stat} line. The
   * second field, the command name, is in parentheses and may itself contain spaces and
   * parentheses, so fields are counted from the last ')'.
   */
  static long cpuTicks(String statLine) {
    int close = statLine.lastIndexOf(')');
    if (close < 0) throw new IllegalArgumentException("not a /proc/<pid>/stat line: " + abbreviate(statLine));
    String[] f = statLine.substring(close + 1).trim().split("\\s+");
    // f[0] is field 3 (state), so field n is f[n - 3].
    if (f.length < 13) throw new IllegalArgumentException("too few fields in /proc/<pid>/stat: " + abbreviate(statLine));
    try {
      return Long.parseLong(f[14 - 3]) + Long.parseLong(f[15 - 3]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("utime/stime are not numbers in /proc/<pid>/stat: " + abbreviate(statLine), e);
    }
  }

  /** VmHWM of a {@code /proc/<pid>/status} text, in KiB, or -1 if the line is absent. */
  static long peakRssKiB(String status) {
    return kiB(status, "VmHWM:");
  }

  /** VmRSS of a {@code /proc/<pid>/status} text, in KiB, or -1 if the line is absent. */
  static long rssKiB(String status) {
    return kiB(status, "VmRSS:");
  }

  private static long kiB(String status, String key) {
    for (String line : status.split("\n")) {
      if (!line.startsWith(key)) continue;
      String[] f = line.substring(key.length()).trim().split("\\s+");
      if (f.length != 2 || !f[1].equals("kB")) throw new IllegalArgumentException("unexpected " + key + " line: " + line);
      return Long.parseLong(f[0]);
    }
    return -1;
  }

  /** The 1-minute load average of a {@code /proc/loadavg} text. */
  static double loadAverage1m(String loadavg) {
    String[] f = loadavg.trim().split("\\s+");
    if (f.length < 3) throw new IllegalArgumentException("not a /proc/loadavg text: " + abbreviate(loadavg));
    return Double.parseDouble(f[0]);
  }

  static long cpuTicks(long pid) {
    return cpuTicks(read(Path.of("/proc", Long.toString(pid), "stat")));
  }

  static long peakRssKiB(long pid) {
    return peakRssKiB(read(Path.of("/proc", Long.toString(pid), "status")));
  }

  static long rssKiB(long pid) {
    return rssKiB(read(Path.of("/proc", Long.toString(pid), "status")));
  }

  /**
   * Resets the process's peak RSS to its current RSS (writing "5" to {@code clear_refs}, Linux
   * 4.0+), so that a later VmHWM is the peak of one phase. Returns false if the kernel refused.
   */
  static boolean resetPeakRss(long pid) {
    try {
      Files.writeString(Path.of("/proc", Long.toString(pid), "clear_refs"), "5");
      return true;
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  /** The whole {@code /proc/loadavg} line, e.g. {@code "4.54 6.64 5.77 1/85 25205"}. */
  static String loadavg() {
    return read(Path.of("/proc/loadavg")).trim();
  }

  /** {@code getconf CLK_TCK}: the unit of utime and stime (100 on every common Linux). */
  static long clockTicksPerSecond() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      if (p.waitFor() == 0) return Long.parseLong(out);
    } catch (IOException | NumberFormatException e) {
      // fall through to the default
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }

  private static String read(Path path) {
    try {
      return Files.readString(path, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + path + " (is the process still running? is this Linux?)", e);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }
}
