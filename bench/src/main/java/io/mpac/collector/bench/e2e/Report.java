package io.mpac.collector.bench.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * Turns the measurements into Markdown: per scenario, min / median / max over the repetitions for
 * each target and the per-repetition ratios collector/relay (and, when measured, persistent
 * queue/in-memory queue: issue #12); then the issues' targets with PASS or FAIL; then every raw
 * measurement.
 *
 * <p>How targets are judged (issue #16): the floor's figure is the best repetition of every relay
 * variant measured; a ratio to the floor divides the collector's best repetition by it
 * (the lowest CPU or RSS, the highest rate: on a machine shared with builds, noise only ever adds
 * CPU and takes rate away, so the best repetition is the closest to each side's own cost); the
 * per-repetition ratios' median is shown beside it. An absolute limit (peak RSS, p99 latency,
 * zero loss) must hold in every repetition, so it is checked against the worst one.
 */
final class Report {

  /** The target of issue #4 for scenario (a): p99 ≤ the batch processor's timeout (200 ms) + 50 ms. */
  static final double LATENCY_LIMIT_MS = 250;
  static final double RSS_LIMIT_MIB = 150;

  /** One checked target. */
  record Check(String scenario, String what, String limit, String measured, boolean pass) {
    String verdict() {
      return pass ? "PASS" : "FAIL";
    }
  }

  private final List<Measurement> all;
  private final List<Scenario> scenarios;
  private final int repetitions;

  Report(List<Measurement> all, List<Scenario> scenarios, int repetitions) {
    this.all = List.copyOf(all);
    this.scenarios = scenarios;
    this.repetitions = repetitions;
  }

  /** Per-repetition ratios collector/relay of {@code f}, for the repetitions where both were measured. */
  Stats ratio(String scenario, ToDoubleFunction<Measurement> f) {
    return ratio(Target.COLLECTOR, Target.RELAY, scenario, f);
  }

  /** Per-repetition ratios {@code num}/{@code den} of {@code f}, for the repetitions where both were measured. */
  Stats ratio(Target num, Target den, String scenario, ToDoubleFunction<Measurement> f) {
    List<Double> ratios = new ArrayList<>();
    for (int r = 1; r <= repetitions; r++) {
      Optional<Measurement> d = find(r, den, scenario);
      Optional<Measurement> n = find(r, num, scenario);
      if (d.isPresent() && n.isPresent()) {
        ratios.add(f.applyAsDouble(n.get()) / f.applyAsDouble(d.get()));
      }
    }
    return Stats.of(ratios);
  }

  Stats stats(Target target, String scenario, ToDoubleFunction<Measurement> f) {
    return Stats.of(of(target, scenario).stream().map(m -> f.applyAsDouble(m)).toList());
  }

  /** Issue #12's targets for the persistent queue vs the in-memory queue (saturation). */
  static final double PERSISTENT_CPU_LIMIT = 1.3;
  static final double PERSISTENT_RATE_LIMIT = 0.7;

  /** Issue #16's targets, each judged on the best repetition of either side (see {@link #best}). */
  static final double SATURATION_CPU_LIMIT = 1.15;
  static final double SATURATION_RATE_LIMIT = 1.0;
  static final double FIXED_RATE_CPU_LIMIT = 0.7;
  static final double RSS_ABOVE_FLOOR_LIMIT_MIB = 8;

  /** Collector's best ÷ relay's best: min ÷ min for costs, max ÷ max for rates. */
  double bestRatio(Target num, Target den, String scenario, ToDoubleFunction<Measurement> f, boolean higherIsBetter) {
    Stats n = stats(num, scenario, f);
    Stats d = stats(den, scenario, f);
    return higherIsBetter ? n.max() / d.max() : n.min() / d.min();
  }

  static final List<Target> RELAYS = List.of(Target.RELAY, Target.RELAY_DETACH, Target.RELAY_2LOOP);

  /**
   * The floor's figure: the best repetition of every relay variant measured in the run (the lowest
   * cost, the highest rate), so the floor is at least as good as each relay we wrote.
   */
  double floor(String scenario, ToDoubleFunction<Measurement> f, boolean higherIsBetter) {
    List<Double> v = all.stream().filter(m -> RELAYS.contains(m.target()) && m.scenario().equals(scenario))
        .map(m -> f.applyAsDouble(m)).toList();
    Stats st = Stats.of(v);
    return higherIsBetter ? st.max() : st.min();
  }

  /** A target's best repetition ÷ the floor's figure. */
  double vsFloor(Target t, String scenario, ToDoubleFunction<Measurement> f, boolean higherIsBetter) {
    Stats n = stats(t, scenario, f);
    return (higherIsBetter ? n.max() : n.min()) / floor(scenario, f, higherIsBetter);
  }

  /** Issue #16's targets (and issue #4's absolute limits, and #12's persistent-queue ratios) for what was measured. */
  List<Check> checks() {
    List<Check> out = new ArrayList<>();
    if (has("a")) {
      double cpu = vsFloor(Target.COLLECTOR, "a", Measurement::cpuMicrosPerItem, false);
      out.add(new Check("a", "collector CPU per span vs the floor (best ÷ best)", "≤ 0.7×", f(cpu, 2) + "×",
          cpu <= FIXED_RATE_CPU_LIMIT));
      double rssC = stats(Target.COLLECTOR, "a", Measurement::peakRssMiB).min();
      double rssR = floor("a", Measurement::peakRssMiB, false);
      out.add(new Check("a", "collector peak RSS vs the floor (best − best)", "≤ floor + 8 MiB",
          f(rssC, 1) + " − " + f(rssR, 1) + " = " + f(rssC - rssR, 1) + " MiB", rssC - rssR <= RSS_ABOVE_FLOOR_LIMIT_MIB));
      Stats rss = stats(Target.COLLECTOR, "a", Measurement::peakRssMiB);
      out.add(new Check("a", "collector peak RSS (worst repetition)", "≤ 150 MiB",
          f(rss.max(), 1) + " MiB", rss.max() <= RSS_LIMIT_MIB));
      Stats p99 = stats(Target.COLLECTOR, "a", m -> m.latencyP99Micros() / 1000.0);
      boolean sampled = of(Target.COLLECTOR, "a").stream().allMatch(m -> m.latencySamples() > 0);
      out.add(new Check("a", "p99 latency generator → collector → sink (worst repetition)",
          "≤ 250 ms (timeout 200 ms + 50 ms)", f(p99.max(), 1) + " ms", sampled && p99.max() <= LATENCY_LIMIT_MS));
    }
    if (has("b")) {
      double cpu = vsFloor(Target.COLLECTOR, "b", Measurement::cpuMicrosPerItem, false);
      out.add(new Check("b", "collector CPU per span vs the floor (best ÷ best)", "≤ 1.15×", f(cpu, 2) + "×",
          cpu <= SATURATION_CPU_LIMIT));
      double rate = vsFloor(Target.COLLECTOR, "b", Measurement::itemsPerSecond, true);
      out.add(new Check("b", "collector delivered spans/s vs the floor (best ÷ best)", "≥ 1.0×", f(rate, 2) + "×",
          rate >= SATURATION_RATE_LIMIT));
      long lost = of(Target.COLLECTOR, "b").stream().mapToLong(Measurement::lost).sum();
      long dup = of(Target.COLLECTOR, "b").stream().mapToLong(Measurement::duplicated).sum();
      boolean settled = of(Target.COLLECTOR, "b").stream().allMatch(Measurement::settled);
      out.add(new Check("b", "collector spans lost / duplicated (all repetitions)", "0 / 0",
          lost + " / " + dup + (settled ? "" : " (sink did not settle)"), lost == 0 && dup == 0 && settled));
    }
    for (String s : List.of("c", "d")) {
      if (!of(Target.COLLECTOR, s).isEmpty()) {
        double cpu = stats(Target.COLLECTOR, s, Measurement::cpuMicrosPerItem).min();
        String unit = s.equals("c") ? "record" : "point";
        out.add(new Check(s, "collector CPU per " + unit + " (best repetition)", "≤ 1.5 µs", f(cpu, 2) + " µs",
            cpu <= ITEM_CPU_LIMIT_MICROS));
      }
    }
    if (hasPersistent("b")) {
      Stats cpu = ratio(Target.COLLECTOR_PERSISTENT, Target.COLLECTOR, "b", Measurement::cpuMicrosPerItem);
      out.add(new Check("b", "persistent queue CPU per span vs in-memory queue", "≤ 1.3×", ratioText(cpu),
          cpu.median() <= PERSISTENT_CPU_LIMIT));
      Stats rate = ratio(Target.COLLECTOR_PERSISTENT, Target.COLLECTOR, "b", Measurement::itemsPerSecond);
      out.add(new Check("b", "persistent queue delivered spans/s vs in-memory queue", "≥ 0.7×", ratioText(rate),
          rate.median() >= PERSISTENT_RATE_LIMIT));
      long lost = of(Target.COLLECTOR_PERSISTENT, "b").stream().mapToLong(Measurement::lost).sum();
      long dup = of(Target.COLLECTOR_PERSISTENT, "b").stream().mapToLong(Measurement::duplicated).sum();
      boolean settled = of(Target.COLLECTOR_PERSISTENT, "b").stream().allMatch(Measurement::settled);
      out.add(new Check("b", "persistent queue spans lost / duplicated (all repetitions)", "0 / 0",
          lost + " / " + dup + (settled ? "" : " (sink did not settle)"), lost == 0 && dup == 0 && settled));
    }
    return out;
  }

  static final double ITEM_CPU_LIMIT_MICROS = 1.5;

  String markdown(String header) {
    StringBuilder sb = new StringBuilder(header);
    for (Scenario s : scenarios) {
      if (all.stream().noneMatch(m -> m.scenario().equals(s.id()))) continue;
      sb.append("\n#### (").append(s.id()).append(") ").append(s.title()).append(", ")
          .append(s.duration().toSeconds()).append(" s, ").append(s.itemsPerRequest()).append(" ")
          .append(s.unit()).append("s per request\n\n");
      sb.append("| figure | relay min / median / max | collector min / median / max | collector ÷ relay, median (min–max) | collector's best ÷ floor |\n");
      sb.append("|---|---|---|---|---|\n");
      row(sb, s, "delivered " + s.unit() + "s/s", Measurement::itemsPerSecond, 0, true, true);
      row(sb, s, "target CPU per " + s.unit() + " (µs)", Measurement::cpuMicrosPerItem, 2, true, false);
      row(sb, s, "target CPU (% of one core)", Measurement::cpuPercentOfCore, 1, true, false);
      row(sb, s, "target RSS at window start, after warm-up (MiB)", Measurement::rssAtStartMiB, 1, false, false);
      row(sb, s, "target peak RSS in the window (MiB)", Measurement::peakRssMiB, 1, true, false);
      if (s.signal() == io.mpac.collector.pdata.Signal.TRACES) {
        row(sb, s, "latency send → sink, p50 (ms)", m -> m.latencyP50Micros() / 1000.0, 2, false, false);
        row(sb, s, "latency send → sink, p99 (ms)", m -> m.latencyP99Micros() / 1000.0, 2, false, false);
      }
      row(sb, s, "generator request latency p99 (ms)", m -> m.requestP99Micros() / 1000.0, 2, false, false);
      row(sb, s, "accepted " + s.unit() + "s", m -> m.acceptedItems(), 0, false, false);
      row(sb, s, "lost " + s.unit() + "s (accepted − received)", m -> m.lost(), 0, false, false);
      row(sb, s, "duplicated " + s.unit() + "s (received − accepted)", m -> m.duplicated(), 0, false, false);
      row(sb, s, "refused " + s.unit() + "s (not retried)", m -> m.refused(), 0, false, false);
      row(sb, s, "generator + sink JVM CPU (% of one core)", Measurement::loadCpuPercentOfCore, 1, false, false);
      row(sb, s, "load average (1 min) at start", Measurement::loadAverageAtStart, 2, false, false);
      relayVariantsTable(sb, s);
      if (hasPersistent(s.id())) persistentTable(sb, s);
    }
    List<Check> checks = checks();
    if (!checks.isEmpty()) {
      sb.append("\n#### Targets (issue #16; #4's absolute limits; #12)\n\n| scenario | target | limit | measured | result |\n|---|---|---|---|---|\n");
      for (Check c : checks) {
        sb.append("| (").append(c.scenario()).append(") | ").append(c.what()).append(" | ").append(c.limit())
            .append(" | ").append(c.measured()).append(" | **").append(c.verdict()).append("** |\n");
      }
    }
    sb.append("\n#### Every measurement\n\n")
        .append("| rep | target | scen. | load 1m | requests | accepted | received | lost | dup | refused | items/s | CPU s | ")
        .append("CPU µs/item | CPU % core | peak RSS MiB | p50 ms | p99 ms | settled | outcomes |\n")
        .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (Measurement m : all) {
      sb.append("| ").append(m.repetition()).append(" | ").append(m.target().label()).append(" | ").append(m.scenario())
          .append(" | ").append(f(m.loadAverageAtStart(), 2)).append(" | ").append(m.requests())
          .append(" | ").append(m.acceptedItems()).append(" | ").append(m.receivedItems()).append(" | ").append(m.lost())
          .append(" | ").append(m.duplicated()).append(" | ").append(m.refused()).append(" | ").append(f(m.itemsPerSecond(), 0))
          .append(" | ").append(f(m.cpuSeconds(), 2)).append(" | ").append(f(m.cpuMicrosPerItem(), 2))
          .append(" | ").append(f(m.cpuPercentOfCore(), 1)).append(" | ").append(f(m.peakRssMiB(), 1))
          .append(m.peakRssPerPhase() ? "" : "*")
          .append(" | ").append(m.latencySamples() == 0 ? "–" : f(m.latencyP50Micros() / 1000.0, 2))
          .append(" | ").append(m.latencySamples() == 0 ? "–" : f(m.latencyP99Micros() / 1000.0, 2))
          .append(" | ").append(m.settled() ? "yes" : "NO").append(" | ").append(m.outcomes()).append(" |\n");
    }
    if (all.stream().anyMatch(m -> !m.peakRssPerPhase())) {
      sb.append("\n\\* peak since the target started (the kernel refused to reset it before the window).\n");
    }
    return sb.toString();
  }

  private void row(StringBuilder sb, Scenario s, String name, ToDoubleFunction<Measurement> f, int decimals,
      boolean withRatio, boolean higherIsBetter) {
    double best = vsFloor(Target.COLLECTOR, s.id(), f, higherIsBetter);
    sb.append("| ").append(name).append(" | ").append(text(stats(Target.RELAY, s.id(), f), decimals)).append(" | ")
        .append(text(stats(Target.COLLECTOR, s.id(), f), decimals)).append(" | ")
        .append(withRatio ? ratioText(ratio(s.id(), f)) : "").append(" | ")
        .append(withRatio && !Double.isNaN(best) ? f(best, 2) + "×" : "").append(" |\n");
  }

  /**
   * Everything measured beside the floor: the other relays we wrote (the floor must be at least as
   * cheap as each of them) and the collector, with a baseline build of it when one was run.
   */
  private void relayVariantsTable(StringBuilder sb, Scenario s) {
    List<Target> variants = List.of(Target.RELAY_DETACH, Target.RELAY_2LOOP, Target.COLLECTOR, Target.COLLECTOR_BASELINE)
        .stream().filter(t -> !of(t, s.id()).isEmpty()).toList();
    if (variants.stream().noneMatch(t -> t != Target.COLLECTOR) || of(Target.RELAY, s.id()).isEmpty()) return;
    sb.append("\nEvery target beside the floor, same run (best repetition of each). The floor takes, figure by figure, ")
        .append("the best repetition of every relay variant measured (lowest CPU and RSS, highest rate):\n\n");
    sb.append("| target | delivered ").append(s.unit()).append("s/s | CPU per ").append(s.unit())
        .append(" (µs) | peak RSS (MiB) | CPU ÷ floor | rate ÷ floor | RSS − floor (MiB) |\n|---|---|---|---|---|---|---|\n");
    for (Target t : java.util.stream.Stream.concat(java.util.stream.Stream.of(Target.RELAY), variants.stream()).toList()) {
      sb.append("| ").append(t.label()).append(t == Target.RELAY ? " (`" + ZeroWorkRelay.DEFAULT.label() + "`)" : "")
          .append(" | ").append(f(stats(t, s.id(), Measurement::itemsPerSecond).max(), 0))
          .append(" | ").append(f(stats(t, s.id(), Measurement::cpuMicrosPerItem).min(), 2))
          .append(" | ").append(f(stats(t, s.id(), Measurement::peakRssMiB).min(), 1))
          .append(" | ").append(f(vsFloor(t, s.id(), Measurement::cpuMicrosPerItem, false), 2)).append("×")
          .append(" | ").append(f(vsFloor(t, s.id(), Measurement::itemsPerSecond, true), 2)).append("×")
          .append(" | ").append(f(stats(t, s.id(), Measurement::peakRssMiB).min() - floor(s.id(), Measurement::peakRssMiB, false), 1))
          .append(" |\n");
    }
  }

  /** The persistent queue beside the in-memory one, same scenario, same repetitions. */
  private void persistentTable(StringBuilder sb, Scenario s) {
    sb.append("\nPersistent sending queue (`otelcol.storage.file`, fsync off) vs the in-memory queue, same run:\n\n");
    sb.append("| figure | in-memory queue min / median / max | persistent queue min / median / max | persistent ÷ in-memory, median (min–max) |\n");
    sb.append("|---|---|---|---|\n");
    prow(sb, s, "delivered " + s.unit() + "s/s", Measurement::itemsPerSecond, 0, true);
    prow(sb, s, "target CPU per " + s.unit() + " (µs)", Measurement::cpuMicrosPerItem, 2, true);
    prow(sb, s, "target CPU (% of one core)", Measurement::cpuPercentOfCore, 1, true);
    prow(sb, s, "target peak RSS in the window (MiB)", Measurement::peakRssMiB, 1, true);
    if (s.signal() == io.mpac.collector.pdata.Signal.TRACES) {
      prow(sb, s, "latency send → sink, p99 (ms)", m -> m.latencyP99Micros() / 1000.0, 2, true);
    }
    prow(sb, s, "lost " + s.unit() + "s (accepted − received)", m -> m.lost(), 0, false);
    prow(sb, s, "duplicated " + s.unit() + "s (received − accepted)", m -> m.duplicated(), 0, false);
    prow(sb, s, "refused " + s.unit() + "s (not retried)", m -> m.refused(), 0, false);
  }

  private void prow(StringBuilder sb, Scenario s, String name, ToDoubleFunction<Measurement> f, int decimals,
      boolean withRatio) {
    sb.append("| ").append(name).append(" | ").append(text(stats(Target.COLLECTOR, s.id(), f), decimals)).append(" | ")
        .append(text(stats(Target.COLLECTOR_PERSISTENT, s.id(), f), decimals)).append(" | ")
        .append(withRatio ? ratioText(ratio(Target.COLLECTOR_PERSISTENT, Target.COLLECTOR, s.id(), f)) : "")
        .append(" |\n");
  }

  private boolean hasPersistent(String scenario) {
    return !of(Target.COLLECTOR, scenario).isEmpty() && !of(Target.COLLECTOR_PERSISTENT, scenario).isEmpty();
  }

  private boolean has(String scenario) {
    return !of(Target.RELAY, scenario).isEmpty() && !of(Target.COLLECTOR, scenario).isEmpty();
  }

  private List<Measurement> of(Target target, String scenario) {
    return all.stream().filter(m -> m.target() == target && m.scenario().equals(scenario)).toList();
  }

  private Optional<Measurement> find(int repetition, Target target, String scenario) {
    return all.stream()
        .filter(m -> m.repetition() == repetition && m.target() == target && m.scenario().equals(scenario)).findFirst();
  }

  static String text(Stats s, int decimals) {
    if (s.n() == 0) return "–";
    if (s.n() == 1) return f(s.median(), decimals);
    return f(s.min(), decimals) + " / " + f(s.median(), decimals) + " / " + f(s.max(), decimals);
  }

  static String ratioText(Stats s) {
    if (s.n() == 0) return "–";
    if (s.n() == 1) return f(s.median(), 2) + "×";
    return f(s.median(), 2) + "× (" + f(s.min(), 2) + "–" + f(s.max(), 2) + ")";
  }

  static String f(double v, int decimals) {
    if (Double.isNaN(v)) return "–";
    if (decimals == 0) return String.format(Locale.ROOT, "%,.0f", v);
    return String.format(Locale.ROOT, "%,." + decimals + "f", v);
  }
}
