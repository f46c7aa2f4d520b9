package io.mpac.collector.bench.e2e;

import io.mpac.collector.loadgen.Generator;
import io.mpac.collector.loadgen.NullSink;
import io.mpac.collector.loadgen.Payloads;
import io.mpac.collector.pdata.Signal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The end-to-end benchmark of issue #4: the same OTLP/gRPC load through a raw relay (the floor)
 * and through mpac-collector (receiver → batch → OTLP exporter), both into a null sink.
 *
 * <pre>
 *   this JVM: Generator ──gRPC──▶ child JVM: ZeroWorkRelay | collector ──gRPC──▶ this JVM: NullSink
 * </pre>
 *
 * <p>The generator and the sink run here; each target runs in a fresh child JVM per repetition,
 * with identical JVM flags. For every repetition, targets alternate in order (relay first in odd
 * repetitions, collector first in even ones) so that slow drifts in the machine's load hit both.
 * Per scenario: a warm-up at full speed with the same signal, a wait until the sink is quiet, a
 * reset of the sink and of the target's peak RSS, then the measured window. The window's CPU time
 * is the target's utime + stime from {@code /proc/<pid>/stat}, from the generator's start until the
 * sink's count has been unchanged for 1 s (so the last batch is in). See {@code docs/BENCHMARKS.md}.
 */
public final class EndToEndBenchmark {

  private static final Duration QUIET = Duration.ofSeconds(1);
  private static final Duration QUIET_BOUND = Duration.ofSeconds(30);
  /** Attributes per item: two ~34-byte string attributes make ~144-byte spans, like the testbed's ~146. */
  private static final int ATTRIBUTES = 2;
  private static final int LOG_BODY = 64;

  private EndToEndBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchOptions o;
    try {
      o = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    if (!Files.isRegularFile(o.jar())) {
      System.err.println("collector jar not found: " + o.jar() + " (build it with ./mvnw -B -q package -DskipTests)");
      System.exit(2);
    }
    Path workDir = o.workDir() != null ? Files.createDirectories(o.workDir()) : Files.createTempDirectory("mpac-e2e-");
    List<String> flags = new ArrayList<>(o.jvmFlags());
    flags.addAll(o.extraJvmFlags());
    long clk = ProcFs.clockTicksPerSecond();
    String loadBefore = ProcFs.loadavg();
    String commit = commit(); // at the start: the tree may move on while the run goes
    Instant started = Instant.now();
    log("work dir " + workDir + "; target JVM flags " + String.join(" ", flags) + "; load average " + loadBefore);

    AtomicReference<SystemUnderTest> current = new AtomicReference<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      SystemUnderTest s = current.get();
      if (s != null) s.close();
    }, "e2e-cleanup"));

    List<Measurement> results = new ArrayList<>();
    try (NullSink sink = new NullSink(new InetSocketAddress("127.0.0.1", 0))) {
      for (int rep = 1; rep <= o.repetitions(); rep++) {
        List<Target> order = new ArrayList<>(o.targets());
        if (rep % 2 == 0) java.util.Collections.reverse(order);
        for (Target target : order) {
          String name = target.label() + "-rep" + rep;
          log(name + ": starting");
          Path jar = target == Target.COLLECTOR_BASELINE ? o.baselineJar() : o.jar();
          try (SystemUnderTest sut = SystemUnderTest.start(target, jar, flags, sink.port(), workDir, name)) {
            current.set(sut);
            for (Scenario s : o.scenarios()) {
              Measurement m = measure(rep, sut, sink, s, o.workers(), clk);
              results.add(m);
              log(String.format(Locale.ROOT, "%s (%s): %.0f %ss/s, CPU %.2f µs/%s (%.1f%% of a core), peak RSS %.1f MiB,"
                      + " p99 %.1f ms, accepted %d, received %d, refused %d%s",
                  name, s.id(), m.itemsPerSecond(), s.unit(), m.cpuMicrosPerItem(), s.unit(), m.cpuPercentOfCore(),
                  m.peakRssMiB(), m.latencyP99Micros() / 1000.0, m.acceptedItems(), m.receivedItems(), m.refused(),
                  m.settled() ? "" : " (sink did NOT settle)"));
            }
          } finally {
            current.set(null);
          }
        }
      }
    }
    String loadAfter = ProcFs.loadavg();
    Duration took = Duration.between(started, Instant.now());

    Report report = new Report(results, o.scenarios(), o.repetitions());
    String md = report.markdown(header(o, flags, commit, started, took, loadBefore, loadAfter));
    System.out.println();
    System.out.println(md);
    for (Report.Check c : report.checks()) {
      System.out.printf(Locale.ROOT, "%s  (%s) %s: %s, limit %s%n", c.verdict(), c.scenario(), c.what(), c.measured(),
          c.limit());
    }
    if (o.out() != null) {
      Files.writeString(o.out(), md, StandardCharsets.UTF_8);
      log("wrote " + o.out());
    }
  }

  static Measurement measure(int rep, SystemUnderTest sut, NullSink sink, Scenario s, int workers, long clk)
      throws InterruptedException {
    String endpoint = "127.0.0.1:" + sut.port();
    generator(endpoint, s.signal(), 0, s.warmup(), workers).run();
    awaitQuiet(sink);
    sut.checkAlive();
    sink.reset();
    boolean peakReset = ProcFs.resetPeakRss(sut.pid());
    long rssAtStart = ProcFs.rssKiB(sut.pid());
    double load = ProcFs.loadAverage1m(ProcFs.loadavg());
    long self = ProcessHandle.current().pid();

    long cpu0 = ProcFs.cpuTicks(sut.pid());
    long selfCpu0 = ProcFs.cpuTicks(self);
    long t0 = System.nanoTime();
    Generator.Result r = generator(endpoint, s.signal(), s.itemsPerSecond(), s.duration(), workers).run();
    boolean settled = awaitQuiet(sink);
    long window = System.nanoTime() - t0;
    long cpu1 = ProcFs.cpuTicks(sut.pid());
    long selfCpu1 = ProcFs.cpuTicks(self);
    long peak = ProcFs.peakRssKiB(sut.pid());
    sut.checkAlive();

    return new Measurement(rep, sut.target(), s.id(), r.requests(), r.items(), r.okItems(), sink.items(),
        sink.malformed(), r.elapsed().toNanos(), window, cpu1 - cpu0, selfCpu1 - selfCpu0, clk, rssAtStart, peak, peakReset,
        sink.latencySamples(), sink.latencyP50Micros(), sink.latencyP99Micros(), r.p99Micros(), r.outcomes(), load,
        settled);
  }

  private static Generator generator(String endpoint, Signal signal, double rate, Duration duration, int workers) {
    return new Generator(new Generator.Options(endpoint, Generator.Protocol.GRPC, signal, rate, duration,
        Scenario.ITEMS_PER_REQUEST, workers, ATTRIBUTES, LOG_BODY));
  }

  /** Waits until the sink's item count has not changed for {@link #QUIET}; false if that took longer than {@link #QUIET_BOUND}. */
  static boolean awaitQuiet(NullSink sink) throws InterruptedException {
    long deadline = System.nanoTime() + QUIET_BOUND.toNanos();
    long last = sink.items();
    long since = System.nanoTime();
    while (System.nanoTime() < deadline) {
      Thread.sleep(50);
      long now = sink.items();
      if (now != last) {
        last = now;
        since = System.nanoTime();
      } else if (System.nanoTime() - since >= QUIET.toNanos()) {
        return true;
      }
    }
    return false;
  }

  private static String header(BenchOptions o, List<String> flags, String commit, Instant started, Duration took,
      String loadBefore,
      String loadAfter) {
    StringBuilder sb = new StringBuilder();
    sb.append("Run of ").append(started.truncatedTo(ChronoUnit.SECONDS)).append(" (").append(took.toMinutes())
        .append(" min ").append(took.toSecondsPart()).append(" s)")
        .append(o.quick() ? ", **--quick smoke run: short windows, not a measurement**" : "").append(".\n\n");
    sb.append("- Commit: `").append(commit).append("`.\n");
    sb.append("- Collector jar: `").append(o.jar()).append("`, built ").append(modified(o.jar())).append(".\n");
    if (o.baselineJar() != null) {
      sb.append("- Baseline collector jar (target collector-baseline): `").append(o.baselineJar()).append("`, built ")
          .append(modified(o.baselineJar())).append(".\n");
    }
    sb.append("- Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores (").append(cpuModel())
        .append("), shared with other builds. Java ").append(System.getProperty("java.vm.version")).append(".\n");
    sb.append("- Load average (`/proc/loadavg`) before: `").append(loadBefore).append("`, after: `").append(loadAfter)
        .append("`.\n");
    sb.append("- Target JVM flags: `").append(String.join(" ", flags)).append("`. Repetitions: ").append(o.repetitions())
        .append("; generator workers (requests in flight): ").append(o.workers()).append(".\n");
    sb.append("- Payload per item (protobuf, ").append(Scenario.ITEMS_PER_REQUEST).append(" per request, ")
        .append(ATTRIBUTES).append(" attributes): ");
    List<String> sizes = new ArrayList<>();
    for (Signal s : Signal.values()) {
      byte[] req = Payloads.protobuf(new Payloads.Shape(s, Scenario.ITEMS_PER_REQUEST, ATTRIBUTES, LOG_BODY), 1, 1)[0];
      sizes.add(String.format(Locale.ROOT, "%s %d B/request (%.0f B/item)", s.lowerName(), req.length,
          (double) req.length / Scenario.ITEMS_PER_REQUEST));
    }
    sb.append(String.join(", ", sizes)).append(".\n");
    return sb.toString();
  }

  /** The checked-out commit, marked when tracked files differ from it; "unknown" outside a git work tree. */
  private static String commit() {
    try {
      String head = run("git", "rev-parse", "--short", "HEAD");
      String dirty = run("git", "status", "--porcelain", "--untracked-files=no");
      return head.isEmpty() ? "unknown" : head + (dirty.isEmpty() ? "" : " with uncommitted changes");
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static String run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) return "";
    return new String(out, StandardCharsets.UTF_8).trim();
  }

  private static String modified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toInstant().truncatedTo(ChronoUnit.SECONDS).toString();
    } catch (IOException e) {
      return "at an unknown time";
    }
  }

  private static String cpuModel() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
      }
    } catch (IOException e) {
      // not Linux, or unreadable: leave it out
    }
    return "unknown CPU";
  }

  private static void log(String message) {
    System.out.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " " + message);
  }
}
