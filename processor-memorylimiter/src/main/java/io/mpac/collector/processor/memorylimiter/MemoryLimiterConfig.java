package io.mpac.collector.processor.memorylimiter;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Arguments of {@code otelcol.processor.memory_limiter}, validated with Alloy's rules. The limits
 * are given either in bytes ({@code limit}, {@code spike_limit}) or as percentages of the JVM's max
 * heap ({@code limit_percentage}, {@code spike_limit_percentage}); {@link #hardLimit(long)} and
 * {@link #softLimit(long)} resolve both forms against a max heap.
 *
 * @param checkInterval how often the heap is measured; greater than zero
 * @param limitBytes the hard limit in bytes, a whole number of MiB; 0 when percentages are used
 * @param spikeLimitBytes hard minus soft limit in bytes, a whole number of MiB, less than
 *     {@code limitBytes}; 0 when percentages are used
 * @param limitPercentage the hard limit in percent of the max heap (1..100); 0 when bytes are used
 * @param spikeLimitPercentage hard minus soft limit in percent of the max heap, less than
 *     {@code limitPercentage}; 0 when bytes are used
 * @param traces consumers of traces
 * @param metrics consumers of metrics
 * @param logs consumers of logs
 */
public record MemoryLimiterConfig(
    Duration checkInterval,
    long limitBytes,
    long spikeLimitBytes,
    int limitPercentage,
    int spikeLimitPercentage,
    List<OtlpConsumer> traces,
    List<OtlpConsumer> metrics,
    List<OtlpConsumer> logs) {

  static final long MIB = 1L << 20;

  public MemoryLimiterConfig {
    Objects.requireNonNull(checkInterval, "checkInterval");
    if (checkInterval.isNegative() || checkInterval.isZero()) throw new IllegalArgumentException("check_interval must be greater than zero");
    boolean bytes = limitBytes > 0;
    boolean percent = limitPercentage > 0;
    if (bytes == percent) throw new IllegalArgumentException("either limit or limit_percentage must be set, but not both");
    if (bytes && (limitBytes % MIB != 0 || spikeLimitBytes % MIB != 0 || spikeLimitBytes <= 0 || spikeLimitBytes >= limitBytes
        || spikeLimitPercentage != 0)) {
      throw new IllegalArgumentException("limit and spike_limit must be whole MiB with 0 < spike_limit < limit");
    }
    if (percent && (limitPercentage > 100 || spikeLimitPercentage <= 0 || spikeLimitPercentage >= limitPercentage
        || spikeLimitBytes != 0)) {
      throw new IllegalArgumentException("need 0 < spike_limit_percentage < limit_percentage <= 100");
    }
    traces = List.copyOf(traces);
    metrics = List.copyOf(metrics);
    logs = List.copyOf(logs);
  }

  /** The consumers of {@code signal}. */
  public List<OtlpConsumer> output(Signal signal) {
    return switch (signal) {
      case TRACES -> traces;
      case METRICS -> metrics;
      case LOGS -> logs;
    };
  }

  /** The hard limit in bytes for a JVM whose max heap is {@code maxHeap}. */
  public long hardLimit(long maxHeap) {
    return limitBytes > 0 ? limitBytes : maxHeap / 100 * limitPercentage;
  }

  /** The soft limit (hard limit minus the spike limit) in bytes; data is refused above it. */
  public long softLimit(long maxHeap) {
    return limitBytes > 0 ? limitBytes - spikeLimitBytes : hardLimit(maxHeap) - maxHeap / 100 * spikeLimitPercentage;
  }

  /**
   * Reads and validates decoded arguments with Alloy's rules; every problem is reported at the
   * attribute it is about. Like Alloy, {@code limit} and {@code spike_limit} are rounded down to
   * whole MiB, and {@code spike_limit} defaults to 20% of {@code limit}.
   */
  public static MemoryLimiterConfig from(Args args) throws ConfigException {
    List<Diagnostic> errors = new ArrayList<>();
    Duration interval = args.duration("check_interval");
    if (interval.isNegative() || interval.isZero()) {
      errors.add(new Diagnostic(args.positionOf("check_interval"), "check_interval must be greater than zero"));
    }
    long limitRaw = args.bytes("limit");
    long spikeRaw = args.bytes("spike_limit");
    long limitPct = args.integer("limit_percentage");
    long spikePct = args.integer("spike_limit_percentage");
    if (limitRaw < 0) errors.add(new Diagnostic(args.positionOf("limit"), "limit must not be negative"));
    if (spikeRaw < 0) errors.add(new Diagnostic(args.positionOf("spike_limit"), "spike_limit must not be negative"));
    if (limitPct < 0 || limitPct > 100) {
      errors.add(new Diagnostic(args.positionOf("limit_percentage"), "limit_percentage must be between 0 and 100, got " + limitPct));
    }
    if (spikePct < 0 || spikePct > 100) {
      errors.add(new Diagnostic(args.positionOf("spike_limit_percentage"),
          "spike_limit_percentage must be between 0 and 100, got " + spikePct));
    }
    if (!errors.isEmpty()) throw new ConfigException(errors);

    long limit = limitRaw / MIB * MIB;
    long spike = spikeRaw / MIB * MIB;
    if (limitRaw > 0 && limit == 0) {
      errors.add(new Diagnostic(args.positionOf("limit"), "limit is rounded down to whole MiB, and " + limitRaw
          + " bytes is less than 1 MiB"));
    } else if (limit > 0 && limitPct > 0) {
      errors.add(new Diagnostic(args.positionOf("limit_percentage"), "either limit or limit_percentage must be set, but not both"));
    } else if (limit > 0) {
      if (spikePct > 0) {
        errors.add(new Diagnostic(args.positionOf("spike_limit_percentage"),
            "spike_limit_percentage goes with limit_percentage; with limit, set spike_limit"));
      }
      if (spikeRaw > 0 && spike == 0) {
        errors.add(new Diagnostic(args.positionOf("spike_limit"), "spike_limit is rounded down to whole MiB, and "
            + spikeRaw + " bytes is less than 1 MiB"));
      } else if (spike >= limit) {
        errors.add(new Diagnostic(args.positionOf("spike_limit"), "spike_limit (" + mib(spike)
            + ") must be less than limit (" + mib(limit) + ")"));
      }
      if (spike == 0) spike = limit / 5 / MIB * MIB;
      if (spike == 0) {
        errors.add(new Diagnostic(args.positionOf("limit"), "limit (" + mib(limit)
            + ") is too small for the default spike_limit (20% of it, rounded down to whole MiB, is 0); set spike_limit"));
      }
    } else if (limitPct > 0) {
      if (spikeRaw > 0) {
        errors.add(new Diagnostic(args.positionOf("spike_limit"), "spike_limit goes with limit; with limit_percentage, set spike_limit_percentage"));
      }
      if (spikePct == 0) {
        errors.add(new Diagnostic(args.positionOf("limit_percentage"),
            "limit_percentage and spike_limit_percentage must be greater than 0 and less than or equal to 100; set spike_limit_percentage"));
      } else if (spikePct >= limitPct) {
        errors.add(new Diagnostic(args.positionOf("spike_limit_percentage"), "spike_limit_percentage (" + spikePct
            + ") must be less than limit_percentage (" + limitPct + ")"));
      }
    } else {
      errors.add(new Diagnostic(args.position(), "either limit or limit_percentage must be set to greater than zero"));
    }
    if (!errors.isEmpty()) throw new ConfigException(errors);
    Args output = args.blockOrDefaults("output");
    boolean bytes = limit > 0;
    return new MemoryLimiterConfig(interval, bytes ? limit : 0, bytes ? spike : 0, bytes ? 0 : (int) limitPct,
        bytes ? 0 : (int) spikePct, output.list("traces"), output.list("metrics"), output.list("logs"));
  }

  static String mib(long bytes) {
    return bytes % MIB == 0 ? bytes / MIB + " MiB" : String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
  }
}
