package io.mpac.collector.exporter;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code retry_on_failure} block shared by every exporter: exponential backoff with jitter.
 *
 * <p>The n-th wait (n = 0, 1, ...) is drawn uniformly from {@code [c·(1-r), c·(1+r)]} where
 * {@code c = min(initial_interval · multiplier^n, max_interval)} and {@code r =
 * randomization_factor}. A delay the server asks for (gRPC {@code RetryInfo}, HTTP
 * {@code Retry-After}) raises the wait to at least that delay. A request is dropped once its next
 * wait would end more than {@code max_elapsed_time} after its first attempt; {@code 0s} means retry
 * forever (bounded only by shutdown).
 *
 * @param enabled retry retryable failures at all; false drops them at the first failure
 * @param initialInterval the first wait before jitter, default 5s
 * @param multiplier growth of the wait per attempt, default {@value #DEFAULT_MULTIPLIER}
 * @param randomizationFactor jitter as a fraction of the wait, default {@value #DEFAULT_RANDOMIZATION_FACTOR}
 * @param maxInterval the largest wait before jitter, default 30s
 * @param maxElapsedTime how long one request may be retried, default 5m; zero = forever
 */
public record RetryConfig(
    boolean enabled,
    Duration initialInterval,
    double multiplier,
    double randomizationFactor,
    Duration maxInterval,
    Duration maxElapsedTime) {

  public static final double DEFAULT_MULTIPLIER = 1.5;
  public static final double DEFAULT_RANDOMIZATION_FACTOR = 0.5;

  /** Alloy's defaults. */
  public static final RetryConfig DEFAULTS = new RetryConfig(true, Duration.ofSeconds(5), DEFAULT_MULTIPLIER,
      DEFAULT_RANDOMIZATION_FACTOR, Duration.ofSeconds(30), Duration.ofMinutes(5));

  /** The schema of the {@code retry_on_failure} block, as Alloy spells it. */
  public static final Schema SCHEMA = Schema.builder()
      .optional("enabled", Types.BOOL, DEFAULTS.enabled(), "retry retryable failures")
      .optional("initial_interval", Types.DURATION, DEFAULTS.initialInterval(), "first wait before jitter")
      .optional("randomization_factor", Types.NUMBER, DEFAULTS.randomizationFactor(), "jitter, 0..1")
      .optional("multiplier", Types.NUMBER, DEFAULTS.multiplier(), "growth of the wait per attempt")
      .optional("max_interval", Types.DURATION, DEFAULTS.maxInterval(), "largest wait before jitter")
      .optional("max_elapsed_time", Types.DURATION, DEFAULTS.maxElapsedTime(),
          "give up on a request after this long; 0s retries forever")
      .build();

  public RetryConfig {
    if (initialInterval == null || maxInterval == null || maxElapsedTime == null) {
      throw new IllegalArgumentException("retry durations must not be null");
    }
    List<Problem> problems = problems(initialInterval, multiplier, randomizationFactor, maxInterval, maxElapsedTime);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems.stream().map(Problem::message).toList()));
    }
  }

  /** True when a failed request is retried until it succeeds or the exporter shuts down. */
  public boolean retriesForever() {
    return maxElapsedTime.isZero();
  }

  /** Reads a {@code retry_on_failure} block (use {@code args.blockOrDefaults("retry_on_failure")}). */
  public static RetryConfig from(Args block) throws ConfigException {
    Duration initial = block.duration("initial_interval");
    double multiplier = block.number("multiplier");
    double jitter = block.number("randomization_factor");
    Duration max = block.duration("max_interval");
    Duration elapsed = block.duration("max_elapsed_time");
    List<Problem> problems = problems(initial, multiplier, jitter, max, elapsed);
    if (!problems.isEmpty()) {
      List<Diagnostic> diags = new ArrayList<>();
      for (Problem p : problems) diags.add(new Diagnostic(block.positionOf(p.attribute()), p.message()));
      throw new ConfigException(diags);
    }
    return new RetryConfig(block.bool("enabled"), initial, multiplier, jitter, max, elapsed);
  }

  private record Problem(String attribute, String message) {}

  private static List<Problem> problems(Duration initial, double multiplier, double jitter, Duration max,
      Duration elapsed) {
    List<Problem> out = new ArrayList<>();
    if (initial.isNegative() || initial.isZero()) {
      out.add(new Problem("initial_interval", "initial_interval must be greater than 0"));
    }
    if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
      out.add(new Problem("multiplier", "multiplier must be at least 1, got " + multiplier));
    }
    if (!(jitter >= 0.0 && jitter <= 1.0)) {
      out.add(new Problem("randomization_factor", "randomization_factor must be between 0 and 1, got " + jitter));
    }
    if (max.compareTo(initial) < 0) {
      out.add(new Problem("max_interval", "max_interval must not be less than initial_interval"));
    }
    if (elapsed.isNegative()) {
      out.add(new Problem("max_elapsed_time", "max_elapsed_time must not be negative"));
    }
    return out;
  }
}
