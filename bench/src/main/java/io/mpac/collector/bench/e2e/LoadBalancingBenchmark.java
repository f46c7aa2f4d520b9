package io.mpac.collector.bench.e2e;

import io.mpac.collector.loadgen.Generator;
import io.mpac.collector.loadgen.NullSink;
import io.mpac.collector.pdata.Signal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * CPU per span of {@code otelcol.exporter.loadbalancing} (trace id, three sinks) against the plain
 * {@code otelcol.exporter.otlp} (one sink), both behind the same receiver and batch processor, in
 * the same run: per repetition each target runs in a fresh child JVM, in alternating order, under
 * the same fixed load of OTLP/gRPC spans. CPU is the target's utime + stime from
 * {@code /proc/<pid>/stat} from the generator's start until every sink has been still for 1 s.
 *
 * <pre>
 *   this JVM: Generator ──gRPC──▶ child JVM: collector ──gRPC──▶ this JVM: NullSink ×1 | ×3
 * </pre>
 *
 * Arguments: {@code --jar PATH} (required), {@code --repetitions N} (3), {@code --seconds S} (20),
 * {@code --rate SPANS_PER_S} (10000), {@code --append FILE} (add the report to FILE, e.g.
 * docs/BENCHMARKS.md), {@code --work-dir DIR}.
 */
public final class LoadBalancingBenchmark {

  private static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-Xmx128m");
  private static final int WORKERS = 4;
  private static final Duration WARMUP = Duration.ofSeconds(10);
  private static final Duration QUIET = Duration.ofSeconds(1);
  private static final Duration QUIET_BOUND = Duration.ofSeconds(30);

  private record Run(int rep, Target target, long items, long okItems, long[] perSink, double seconds, long cpuTicks,
      long clk, double load) {
    double cpuMicrosPerSpan() {
      return items == 0 ? Double.NaN : cpuTicks * 1e6 / clk / items;
    }

    double spansPerSecond() {
      return items / seconds;
    }
  }

  private LoadBalancingBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path jar = null;
    Path append = null;
    Path workDir = null;
    int repetitions = 3;
    int seconds = 20;
    double rate = 10_000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--jar" -> jar = Path.of(args[++i]);
        case "--append" -> append = Path.of(args[++i]);
        case "--work-dir" -> workDir = Path.of(args[++i]);
        case "--repetitions" -> repetitions = Integer.parseInt(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--rate" -> rate = Double.parseDouble(args[++i]);
        default -> {
          System.err.println("unknown option " + args[i]
              + "; usage: --jar PATH [--repetitions N] [--seconds S] [--rate SPANS_PER_S] [--append FILE] [--work-dir DIR]");
          System.exit(2);
        }
      }
    }
    if (jar == null || !Files.isRegularFile(jar)) {
      System.err.println("collector jar not found: " + jar + " (build it with ./mvnw -B -q package -DskipTests)");
      System.exit(2);
    }
    Path dir = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("mpac-lb-bench-");
    long clk = ProcFs.clockTicksPerSecond();
    String loadBefore = ProcFs.loadavg();
    Instant started = Instant.now();
    log("work dir " + dir + "; load average " + loadBefore);

    List<Run> runs = new ArrayList<>();
    List<NullSink> sinks = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) sinks.add(new NullSink(new InetSocketAddress("127.0.0.1", 0)));
      for (int rep = 1; rep <= repetitions; rep++) {
        List<Target> order = rep % 2 == 1 ? List.of(Target.COLLECTOR, Target.COLLECTOR_LOADBALANCING)
            : List.of(Target.COLLECTOR_LOADBALANCING, Target.COLLECTOR);
        for (Target t : order) {
          List<NullSink> used = t == Target.COLLECTOR ? sinks.subList(0, 1) : sinks;
          String name = t.label() + "-rep" + rep;
          try (SystemUnderTest sut = SystemUnderTest.start(t, jar, JVM_FLAGS,
              used.stream().map(NullSink::port).toList(), dir, name)) {
            Run r = measure(rep, sut, used, rate, Duration.ofSeconds(seconds), clk);
            runs.add(r);
            log(String.format(Locale.ROOT, "%s: %.0f spans/s, CPU %.2f µs/span, split %s, accepted %d, received %d",
                name, r.spansPerSecond(), r.cpuMicrosPerSpan(), java.util.Arrays.toString(r.perSink()), r.okItems(),
                r.items()));
          }
        }
      }
    } finally {
      for (NullSink s : sinks) s.close();
    }
    String md = report(runs, started, Duration.between(started, Instant.now()), loadBefore, ProcFs.loadavg(),
        repetitions, seconds, rate);
    System.out.println();
    System.out.println(md);
    if (append != null) {
      Files.writeString(append, "\n" + md, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
      log("appended to " + append);
    }
  }

  private static Run measure(int rep, SystemUnderTest sut, List<NullSink> sinks, double rate, Duration window, long clk)
      throws InterruptedException {
    String endpoint = "127.0.0.1:" + sut.port();
    generator(endpoint, 0, WARMUP).run();
    awaitQuiet(sinks);
    sut.checkAlive();
    for (NullSink s : sinks) s.reset();
    double load = ProcFs.loadAverage1m(ProcFs.loadavg());
    long cpu0 = ProcFs.cpuTicks(sut.pid());
    long t0 = System.nanoTime();
    Generator.Result r = generator(endpoint, rate, window).run();
    awaitQuiet(sinks);
    long cpu1 = ProcFs.cpuTicks(sut.pid());
    sut.checkAlive();
    long[] perSink = sinks.stream().mapToLong(NullSink::items).toArray();
    long items = java.util.Arrays.stream(perSink).sum();
    return new Run(rep, sut.target(), items, r.okItems(), perSink, r.elapsed().toNanos() / 1e9, cpu1 - cpu0, clk, load);
  }

  private static Generator generator(String endpoint, double rate, Duration duration) {
    return new Generator(new Generator.Options(endpoint, Generator.Protocol.GRPC, Signal.TRACES, rate, duration,
        Scenario.ITEMS_PER_REQUEST, WORKERS, 2, 64));
  }

  private static void awaitQuiet(List<NullSink> sinks) throws InterruptedException {
    long deadline = System.nanoTime() + QUIET_BOUND.toNanos();
    long last = total(sinks);
    long since = System.nanoTime();
    while (System.nanoTime() < deadline) {
      Thread.sleep(50);
      long now = total(sinks);
      if (now != last) {
        last = now;
        since = System.nanoTime();
      } else if (System.nanoTime() - since >= QUIET.toNanos()) {
        return;
      }
    }
  }

  private static long total(List<NullSink> sinks) {
    return sinks.stream().mapToLong(NullSink::items).sum();
  }

  private static String report(List<Run> runs, Instant started, Duration took, String loadBefore, String loadAfter,
      int repetitions, int seconds, double rate) {
    StringBuilder sb = new StringBuilder();
    sb.append("## Load balancing: `otelcol.exporter.loadbalancing` → 3 sinks vs `otelcol.exporter.otlp` → 1 sink\n\n");
    sb.append("Written by `bench/loadbalancing.sh` (`io.mpac.collector.bench.e2e.LoadBalancingBenchmark`). Run of ")
        .append(started.truncatedTo(ChronoUnit.SECONDS)).append(" (").append(took.toMinutes()).append(" min ")
        .append(took.toSecondsPart()).append(" s).\n\n");
    sb.append("- Commit: `").append(commit()).append("`. Machine: ").append(Runtime.getRuntime().availableProcessors())
        .append(" cores, shared with other builds. Java ").append(System.getProperty("java.vm.version")).append(".\n");
    sb.append("- Load average before: `").append(loadBefore).append("`, after: `").append(loadAfter).append("`.\n");
    sb.append("- Target JVM flags: `").append(String.join(" ", JVM_FLAGS)).append("`; each target in a fresh JVM per")
        .append(" repetition, order alternating. Pipeline: `otelcol.receiver.otlp` (gRPC) → `otelcol.processor.batch`")
        .append(" (defaults) → the exporter (uncompressed, plaintext). Load: ").append(String.format(Locale.ROOT, "%.0f", rate))
        .append(" spans/s for ").append(seconds).append(" s after a 10 s warm-up at full speed, ")
        .append(Scenario.ITEMS_PER_REQUEST).append(" spans per request (one trace id per request, 64 distinct ids:")
        .append(" the split over the sinks is that of 64 keys, not a measure of the ring's evenness), ")
        .append(WORKERS).append(" requests in flight. Repetitions: ").append(repetitions).append(".\n");
    sb.append("- CPU per span: the target's utime + stime (`/proc/<pid>/stat`) from the generator's start until the")
        .append(" sinks were still for 1 s, ÷ spans the sinks received.\n\n");
    sb.append("| rep | target | spans/s received | CPU µs/span | spans per sink | load (1 min) |\n|---|---|---|---|---|---|\n");
    for (Run r : runs) {
      sb.append(String.format(Locale.ROOT, "| %d | %s | %.0f | %.2f | %s | %.1f |%n", r.rep(), r.target().label(),
          r.spansPerSecond(), r.cpuMicrosPerSpan(), java.util.Arrays.toString(r.perSink()), r.load()));
    }
    List<Double> ratios = new ArrayList<>();
    for (int rep = 1; rep <= repetitions; rep++) {
      Run plain = find(runs, rep, Target.COLLECTOR);
      Run lb = find(runs, rep, Target.COLLECTOR_LOADBALANCING);
      if (plain != null && lb != null) ratios.add(lb.cpuMicrosPerSpan() / plain.cpuMicrosPerSpan());
    }
    List<Double> sorted = ratios.stream().sorted().toList();
    sb.append("\nCPU per span, loadbalancing ÷ otlp, per repetition: ")
        .append(ratios.stream().map(x -> String.format(Locale.ROOT, "%.2f", x)).toList())
        .append(sorted.isEmpty() ? "" : String.format(Locale.ROOT, "; median %.2f", median(sorted)))
        .append(".\n");
    return sb.toString();
  }

  /** The median of sorted values: the mean of the middle two for an even count. */
  static double median(List<Double> sorted) {
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static Run find(List<Run> runs, int rep, Target t) {
    for (Run r : runs) {
      if (r.rep() == rep && r.target() == t) return r;
    }
    return null;
  }

  private static String commit() {
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
      String head = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      Process d = new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no").redirectErrorStream(true)
          .start();
      String dirty = new String(d.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      p.waitFor();
      d.waitFor();
      return head.isEmpty() ? "unknown" : head + (dirty.isEmpty() ? "" : " with uncommitted changes");
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static void log(String message) {
    System.out.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " " + message);
  }
}
