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
 * <p>How targets are judged: a ratio target uses the median of the per-repetition ratios (each
 * ratio pairs the relay and the collector of the same repetition, measured minutes apart on the
 * same machine); an absolute limit (peak RSS, p99 latency, zero loss) must hold in every
 * repetition, so it is checked against the worst one.
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

  /**
   * Issue #17's target for the runtime image's JDK: the collector on the other JDK costs no more
   * CPU per item and no more memory than on the build's JDK (5 % and 10 % allowed for noise on a
   * shared machine), and delivers as much at saturation.
   */
  static final double OTHER_JDK_CPU_LIMIT = 1.05;
  static final double OTHER_JDK_RSS_LIMIT = 1.10;
  static final double OTHER_JDK_RATE_LIMIT = 0.95;

  /** Issue #4's, #12's and #17's targets, for the scenarios measured on both targets compared. */
  List<Check> checks() {
    List<Check> out = new ArrayList<>();
    if (has("a")) {
      Stats cpu = ratio("a", Measurement::cpuMicrosPerItem);
      out.add(new Check("a", "collector CPU per span vs relay", "≤ 1.0×", ratioText(cpu), cpu.median() <= 1.0));
      Stats rss = stats(Target.COLLECTOR, "a", Measurement::peakRssMiB);
      out.add(new Check("a", "collector peak RSS (worst repetition)", "≤ 150 MiB",
          f(rss.max(), 1) + " MiB", rss.max() <= RSS_LIMIT_MIB));
      Stats p99 = stats(Target.COLLECTOR, "a", m -> m.latencyP99Micros() / 1000.0);
      boolean sampled = of(Target.COLLECTOR, "a").stream().allMatch(m -> m.latencySamples() > 0);
      out.add(new Check("a", "p99 latency generator → collector → sink (worst repetition)",
          "≤ 250 ms (timeout 200 ms + 50 ms)", f(p99.max(), 1) + " ms", sampled && p99.max() <= LATENCY_LIMIT_MS));
    }
    if (has("b")) {
      Stats cpu = ratio("b", Measurement::cpuMicrosPerItem);
      out.add(new Check("b", "collector CPU per span vs relay", "≤ 1.5×", ratioText(cpu), cpu.median() <= 1.5));
      long lost = of(Target.COLLECTOR, "b").stream().mapToLong(Measurement::lost).sum();
      long dup = of(Target.COLLECTOR, "b").stream().mapToLong(Measurement::duplicated).sum();
      boolean settled = of(Target.COLLECTOR, "b").stream().allMatch(Measurement::settled);
      out.add(new Check("b", "collector spans lost / duplicated (all repetitions)", "0 / 0",
          lost + " / " + dup + (settled ? "" : " (sink did not settle)"), lost == 0 && dup == 0 && settled));
      Stats rate = ratio("b", Measurement::itemsPerSecond);
      out.add(new Check("b", "collector delivered spans/s vs relay", "≥ 0.7×", ratioText(rate), rate.median() >= 0.7));
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
    for (String scenario : List.of("a", "b")) {
      if (!hasBoth(Target.COLLECTOR, Target.COLLECTOR_OTHER_JDK, scenario)) continue;
      Stats cpu = ratio(Target.COLLECTOR_OTHER_JDK, Target.COLLECTOR, scenario, Measurement::cpuMicrosPerItem);
      out.add(new Check(scenario, "collector CPU per span, other JDK vs this JDK", "≤ 1.05×", ratioText(cpu),
          cpu.median() <= OTHER_JDK_CPU_LIMIT));
      Stats rss = ratio(Target.COLLECTOR_OTHER_JDK, Target.COLLECTOR, scenario, Measurement::peakRssMiB);
      out.add(new Check(scenario, "collector peak RSS, other JDK vs this JDK", "≤ 1.10×", ratioText(rss),
          rss.median() <= OTHER_JDK_RSS_LIMIT));
      if (scenario.equals("b")) {
        Stats rate = ratio(Target.COLLECTOR_OTHER_JDK, Target.COLLECTOR, scenario, Measurement::itemsPerSecond);
        out.add(new Check(scenario, "collector delivered spans/s, other JDK vs this JDK", "≥ 0.95×", ratioText(rate),
            rate.median() >= OTHER_JDK_RATE_LIMIT));
      }
      long lost = of(Target.COLLECTOR_OTHER_JDK, scenario).stream().mapToLong(Measurement::lost).sum();
      long dup = of(Target.COLLECTOR_OTHER_JDK, scenario).stream().mapToLong(Measurement::duplicated).sum();
      boolean settled = of(Target.COLLECTOR_OTHER_JDK, scenario).stream().allMatch(Measurement::settled);
      out.add(new Check(scenario, "other JDK spans lost / duplicated (all repetitions)", "0 / 0",
          lost + " / " + dup + (settled ? "" : " (sink did not settle)"), lost == 0 && dup == 0 && settled));
    }
    return out;
  }

  String markdown(String header) {
    StringBuilder sb = new StringBuilder(header);
    for (Scenario s : scenarios) {
      if (all.stream().noneMatch(m -> m.scenario().equals(s.id()))) continue;
      sb.append("\n#### (").append(s.id()).append(") ").append(s.title()).append(", ")
          .append(s.duration().toSeconds()).append(" s, ").append(s.itemsPerRequest()).append(" ")
          .append(s.unit()).append("s per request\n\n");
      sb.append("| figure | relay min / median / max | collector min / median / max | collector ÷ relay, median (min–max) |\n");
      sb.append("|---|---|---|---|\n");
      row(sb, s, "delivered " + s.unit() + "s/s", Measurement::itemsPerSecond, 0, true);
      row(sb, s, "target CPU per " + s.unit() + " (µs)", Measurement::cpuMicrosPerItem, 2, true);
      row(sb, s, "target CPU (% of one core)", Measurement::cpuPercentOfCore, 1, true);
      row(sb, s, "target RSS at window start, after warm-up (MiB)", Measurement::rssAtStartMiB, 1, false);
      row(sb, s, "target peak RSS in the window (MiB)", Measurement::peakRssMiB, 1, true);
      if (s.signal() == io.mpac.collector.pdata.Signal.TRACES) {
        row(sb, s, "latency send → sink, p50 (ms)", m -> m.latencyP50Micros() / 1000.0, 2, false);
        row(sb, s, "latency send → sink, p99 (ms)", m -> m.latencyP99Micros() / 1000.0, 2, false);
      }
      row(sb, s, "generator request latency p99 (ms)", m -> m.requestP99Micros() / 1000.0, 2, false);
      row(sb, s, "accepted " + s.unit() + "s", m -> m.acceptedItems(), 0, false);
      row(sb, s, "lost " + s.unit() + "s (accepted − received)", m -> m.lost(), 0, false);
      row(sb, s, "duplicated " + s.unit() + "s (received − accepted)", m -> m.duplicated(), 0, false);
      row(sb, s, "refused " + s.unit() + "s (not retried)", m -> m.refused(), 0, false);
      row(sb, s, "generator + sink JVM CPU (% of one core)", Measurement::loadCpuPercentOfCore, 1, false);
      row(sb, s, "load average (1 min) at start", Measurement::loadAverageAtStart, 2, false);
      if (hasPersistent(s.id())) {
        sb.append("\nPersistent sending queue (`otelcol.storage.file`, fsync off) vs the in-memory queue, same run:\n\n");
        comparison(sb, s, Target.COLLECTOR, Target.COLLECTOR_PERSISTENT, "in-memory queue", "persistent queue");
      }
      if (hasBoth(Target.COLLECTOR, Target.COLLECTOR_OTHER_JDK, s.id())) {
        sb.append("\nThe same collector on the other JDK (`collector-other-jdk`) vs this JDK (`collector`), same run:\n\n");
        comparison(sb, s, Target.COLLECTOR, Target.COLLECTOR_OTHER_JDK, "this JDK", "other JDK");
      }
    }
    List<Check> checks = checks();
    if (!checks.isEmpty()) {
      sb.append("\n#### Targets (issues #4, #12 and #17)\n\n| scenario | target | limit | measured | result |\n|---|---|---|---|---|\n");
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
      boolean withRatio) {
    sb.append("| ").append(name).append(" | ").append(text(stats(Target.RELAY, s.id(), f), decimals)).append(" | ")
        .append(text(stats(Target.COLLECTOR, s.id(), f), decimals)).append(" | ")
        .append(withRatio ? ratioText(ratio(s.id(), f)) : "").append(" |\n");
  }

  /** {@code other} beside {@code base}, same scenario, same repetitions, with the per-repetition ratios other ÷ base. */
  private void comparison(StringBuilder sb, Scenario s, Target base, Target other, String baseName, String otherName) {
    sb.append("| figure | ").append(baseName).append(" min / median / max | ").append(otherName)
        .append(" min / median / max | ").append(otherName).append(" ÷ ").append(baseName).append(", median (min–max) |\n");
    sb.append("|---|---|---|---|\n");
    crow(sb, s, base, other, "delivered " + s.unit() + "s/s", Measurement::itemsPerSecond, 0, true);
    crow(sb, s, base, other, "target CPU per " + s.unit() + " (µs)", Measurement::cpuMicrosPerItem, 2, true);
    crow(sb, s, base, other, "target CPU (% of one core)", Measurement::cpuPercentOfCore, 1, true);
    crow(sb, s, base, other, "target peak RSS in the window (MiB)", Measurement::peakRssMiB, 1, true);
    if (s.signal() == io.mpac.collector.pdata.Signal.TRACES) {
      crow(sb, s, base, other, "latency send → sink, p99 (ms)", m -> m.latencyP99Micros() / 1000.0, 2, true);
    }
    crow(sb, s, base, other, "lost " + s.unit() + "s (accepted − received)", m -> m.lost(), 0, false);
    crow(sb, s, base, other, "duplicated " + s.unit() + "s (received − accepted)", m -> m.duplicated(), 0, false);
    crow(sb, s, base, other, "refused " + s.unit() + "s (not retried)", m -> m.refused(), 0, false);
  }

  private void crow(StringBuilder sb, Scenario s, Target base, Target other, String name,
      ToDoubleFunction<Measurement> f, int decimals, boolean withRatio) {
    sb.append("| ").append(name).append(" | ").append(text(stats(base, s.id(), f), decimals)).append(" | ")
        .append(text(stats(other, s.id(), f), decimals)).append(" | ")
        .append(withRatio ? ratioText(ratio(other, base, s.id(), f)) : "")
        .append(" |\n");
  }

  private boolean hasBoth(Target a, Target b, String scenario) {
    return !of(a, scenario).isEmpty() && !of(b, scenario).isEmpty();
  }

  private boolean hasPersistent(String scenario) {
    return hasBoth(Target.COLLECTOR, Target.COLLECTOR_PERSISTENT, scenario);
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
