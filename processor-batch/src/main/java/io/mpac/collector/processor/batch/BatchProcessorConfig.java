package io.mpac.collector.processor.batch;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.config.syntax.Position;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Arguments of {@code otelcol.processor.batch}, with Alloy's defaults.
 *
 * @param timeout how long a batch may wait after its first item before it is sent; 0 sends as
 *     soon as the queued data has been taken in (no waiting)
 * @param sendBatchSize items (spans, metric data points, log records) that trigger a send; a
 *     trigger, not a cap; 0 sends every request at once
 * @param sendBatchMaxSize the most items in one batch (larger input is split); 0 = no limit;
 *     when non-zero it must be at least {@code sendBatchSize}
 * @param metadataKeys client-metadata keys (lower-cased) to batch by: one batcher per distinct
 *     combination of their values
 * @param metadataCardinalityLimit the most distinct combinations per signal; 0 = no limit
 * @param traces consumers of traces batches
 * @param metrics consumers of metrics batches
 * @param logs consumers of logs batches
 */
public record BatchProcessorConfig(
    Duration timeout,
    int sendBatchSize,
    int sendBatchMaxSize,
    List<String> metadataKeys,
    int metadataCardinalityLimit,
    List<OtlpConsumer> traces,
    List<OtlpConsumer> metrics,
    List<OtlpConsumer> logs) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(200);
  public static final int DEFAULT_SEND_BATCH_SIZE = 2000;
  public static final int DEFAULT_SEND_BATCH_MAX_SIZE = 3000;
  public static final int DEFAULT_METADATA_CARDINALITY_LIMIT = 1000;

  public BatchProcessorConfig {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative");
    if (sendBatchSize < 0) throw new IllegalArgumentException("send_batch_size must not be negative");
    if (sendBatchMaxSize < 0) throw new IllegalArgumentException("send_batch_max_size must not be negative");
    if (sendBatchMaxSize != 0 && sendBatchMaxSize < sendBatchSize) {
      throw new IllegalArgumentException("send_batch_max_size (" + sendBatchMaxSize
          + ") must be greater than or equal to send_batch_size (" + sendBatchSize + ")");
    }
    if (metadataCardinalityLimit < 0) throw new IllegalArgumentException("metadata_cardinality_limit must not be negative");
    LinkedHashSet<String> keys = new LinkedHashSet<>();
    for (String k : metadataKeys) keys.add(k.toLowerCase(Locale.ROOT));
    metadataKeys = List.copyOf(keys);
    traces = List.copyOf(traces);
    metrics = List.copyOf(metrics);
    logs = List.copyOf(logs);
  }

  /** Alloy's defaults with the given outputs. */
  public static BatchProcessorConfig defaults(List<OtlpConsumer> traces, List<OtlpConsumer> metrics, List<OtlpConsumer> logs) {
    return new BatchProcessorConfig(DEFAULT_TIMEOUT, DEFAULT_SEND_BATCH_SIZE, DEFAULT_SEND_BATCH_MAX_SIZE, List.of(),
        DEFAULT_METADATA_CARDINALITY_LIMIT, traces, metrics, logs);
  }

  /** The consumers of {@code signal}'s batches. */
  public List<OtlpConsumer> output(Signal signal) {
    return switch (signal) {
      case TRACES -> traces;
      case METRICS -> metrics;
      case LOGS -> logs;
    };
  }

  /**
   * Reads and validates decoded arguments; every problem is reported, each at the position of the
   * attribute it is about.
   */
  public static BatchProcessorConfig from(Args args) throws ConfigException {
    List<Diagnostic> errors = new ArrayList<>();
    Duration timeout = args.duration("timeout");
    if (timeout.isNegative()) errors.add(new Diagnostic(args.positionOf("timeout"), "timeout must not be negative"));
    int size = intArg(args, "send_batch_size", errors);
    int max = intArg(args, "send_batch_max_size", errors);
    int limit = intArg(args, "metadata_cardinality_limit", errors);
    if (errors.isEmpty() && max != 0 && max < size) {
      boolean maxSet = args.isSet("send_batch_max_size");
      Position at = maxSet ? args.positionOf("send_batch_max_size") : args.positionOf("send_batch_size");
      errors.add(new Diagnostic(at, "send_batch_max_size (" + max + (maxSet ? "" : ", the default")
          + ") must be greater than or equal to send_batch_size (" + size + "), or 0 for no limit"
          + (maxSet ? "" : "; set send_batch_max_size too")));
    }
    if (!errors.isEmpty()) throw new ConfigException(errors);
    Args output = args.blockOrDefaults("output");
    return new BatchProcessorConfig(timeout, size, max, args.list("metadata_keys"), limit,
        output.list("traces"), output.list("metrics"), output.list("logs"));
  }

  private static int intArg(Args args, String name, List<Diagnostic> errors) {
    long v = args.integer(name);
    if (v < 0 || v > Integer.MAX_VALUE) {
      errors.add(new Diagnostic(args.positionOf(name), name + " must be between 0 and " + Integer.MAX_VALUE + ", got " + v));
      return 0;
    }
    return (int) v;
  }
}
