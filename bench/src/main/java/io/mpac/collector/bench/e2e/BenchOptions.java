package io.mpac.collector.bench.e2e;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Command-line options of {@link EndToEndBenchmark}.
 *
 * @param jvmFlags the flags every target JVM gets (issue #4: {@value #DEFAULT_JVM_FLAGS})
 * @param extraJvmFlags appended for every target alike, for profiling only (e.g. JFR)
 */
record BenchOptions(int repetitions, boolean quick, Path out, Path jar, Path baselineJar, int workers, List<Scenario> scenarios,
    List<Target> targets, List<String> jvmFlags, List<String> extraJvmFlags, Path workDir) {

  static final String DEFAULT_JVM_FLAGS = "-XX:+UseSerialGC -Xmx128m";
  static final String USAGE = """
      usage: EndToEndBenchmark [options]
        --jar PATH             the collector's runnable jar (default collector-app/target/mpac-collector.jar)
        --baseline-jar PATH    another build of the collector, run as target collector-baseline (before/after)
        --out FILE             also write the results as Markdown to FILE
        --repetitions N        repetitions of every scenario on every target (default 3; 1 with --quick)
        --quick                smoke run: 1 repetition, 3 s warm-ups, 4-5 s windows
        --scenarios LIST       comma-separated subset of a,b,c,d (default all)
        --targets LIST         comma-separated subset of relay,relay-detach,relay-2loop,collector,collector-persistent,collector-baseline
                               (default relay,collector)
        --workers N            generator workers = requests in flight (default 8)
        --extra-jvm-flags STR  added to every target's JVM flags alike, for profiling (e.g. JFR); not for reported runs
        --work-dir DIR         where configs and target logs go (default a new temporary directory)
      """;

  static BenchOptions parse(String[] args) {
    boolean quick = false;
    Integer repetitions = null;
    Path out = null;
    Path jar = Path.of("collector-app/target/mpac-collector.jar");
    Path baselineJar = null;
    int workers = 8;
    List<String> scenarioIds = List.of("a", "b", "c", "d");
    List<Target> targets = List.of(Target.RELAY, Target.COLLECTOR);
    List<String> extra = List.of();
    Path workDir = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--quick" -> quick = true;
        case "--repetitions" -> repetitions = positive(a, value(args, ++i, a));
        case "--out" -> out = Path.of(value(args, ++i, a));
        case "--jar" -> jar = Path.of(value(args, ++i, a));
        case "--baseline-jar" -> baselineJar = Path.of(value(args, ++i, a));
        case "--workers" -> workers = positive(a, value(args, ++i, a));
        case "--scenarios" -> scenarioIds = list(value(args, ++i, a));
        case "--targets" -> targets = list(value(args, ++i, a)).stream().map(Target::parse).distinct().toList();
        case "--extra-jvm-flags" -> extra = words(value(args, ++i, a));
        case "--work-dir" -> workDir = Path.of(value(args, ++i, a));
        default -> throw new IllegalArgumentException("unknown option " + a + "\n" + USAGE);
      }
    }
    List<Scenario> all = Scenario.standard(quick);
    List<Scenario> scenarios = new ArrayList<>();
    for (String id : scenarioIds) {
      Scenario s = all.stream().filter(x -> x.id().equals(id)).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("unknown scenario \"" + id + "\" (a, b, c, d)"));
      if (!scenarios.contains(s)) scenarios.add(s);
    }
    if (targets.isEmpty()) throw new IllegalArgumentException("--targets is empty");
    if (targets.contains(Target.COLLECTOR_BASELINE) != (baselineJar != null)) {
      throw new IllegalArgumentException("target collector-baseline and --baseline-jar go together");
    }
    return new BenchOptions(repetitions != null ? repetitions : quick ? 1 : 3, quick, out, jar, baselineJar, workers,
        List.copyOf(scenarios), targets, words(DEFAULT_JVM_FLAGS), extra, workDir);
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
    return args[i];
  }

  private static int positive(String flag, String v) {
    int n;
    try {
      n = Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " must be a positive integer, got \"" + v + "\"");
    }
    if (n < 1) throw new IllegalArgumentException(flag + " must be a positive integer, got " + n);
    return n;
  }

  private static List<String> list(String v) {
    List<String> out = Arrays.stream(v.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).filter(s -> !s.isEmpty())
        .toList();
    if (out.isEmpty()) throw new IllegalArgumentException("empty list \"" + v + "\"");
    return out;
  }

  private static List<String> words(String v) {
    return Arrays.stream(v.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
  }
}
