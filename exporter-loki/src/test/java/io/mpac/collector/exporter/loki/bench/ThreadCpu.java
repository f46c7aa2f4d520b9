package io.mpac.collector.exporter.loki.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * A diagnostic for the benchmark (Linux only): CPU per thread of this JVM, from
 * {@code /proc/self/task/<tid>/stat}, sampled every 100 ms so that threads that end during a run
 * (the loki.write worker at shutdown, the HTTP client's short-lived threads) are still counted up
 * to their last sample. Grouped by thread name with digits removed ({@code GC Thread#}, {@code C2
 * CompilerThread}, {@code loki-write-…}).
 */
final class ThreadCpu implements AutoCloseable {

  private final Map<Integer, String> names = new HashMap<>();
  private final Map<Integer, Long> ticks = new HashMap<>();
  private final Thread sampler;
  private volatile boolean stop;
  private final long ticksPerSecond = 100; // USER_HZ on Linux

  ThreadCpu() {
    sampler = new Thread(() -> {
      while (!stop) {
        sample();
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "bench-thread-cpu");
    sampler.setDaemon(true);
    sampler.start();
  }

  private synchronized void sample() {
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path t : tasks) {
        try {
          String stat = Files.readString(t.resolve("stat"));
          int open = stat.indexOf('(');
          int close = stat.lastIndexOf(')');
          String name = stat.substring(open + 1, close);
          String[] f = stat.substring(close + 2).split(" ");
          long cpu = Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime
          int tid = Integer.parseInt(t.getFileName().toString());
          names.put(tid, name);
          ticks.merge(tid, cpu, Math::max);
        } catch (IOException | RuntimeException e) {
          // the thread ended between listing and reading
        }
      }
    } catch (IOException e) {
      // not Linux: no breakdown
    }
  }

  /** CPU ms per thread group so far. */
  synchronized Map<String, Long> snapshot() {
    sample();
    Map<String, Long> out = new TreeMap<>();
    for (Map.Entry<Integer, Long> e : ticks.entrySet()) {
      String group = names.get(e.getKey()).replaceAll("[0-9]+", "N").replaceAll("(N[.:])+N?", "N");
      out.merge(group, e.getValue() * 1000 / ticksPerSecond, Long::sum);
    }
    return out;
  }

  /** The per-group difference {@code after - before}, largest first, as text (µs per record). */
  static String delta(Map<String, Long> before, Map<String, Long> after, long records) {
    StringBuilder b = new StringBuilder();
    after.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() > 0)
        .sorted((x, y) -> Long.compare(y.getValue(), x.getValue()))
        .forEach(e -> b.append(String.format("  %-32s %6d ms  %5.2f µs/record%n", e.getKey(), e.getValue(),
            e.getValue() * 1000.0 / records)));
    return b.toString();
  }

  @Override
  public void close() {
    stop = true;
    sampler.interrupt();
  }
}
