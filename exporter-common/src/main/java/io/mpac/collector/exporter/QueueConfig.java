package io.mpac.collector.exporter;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code sending_queue} block shared by every exporter.
 *
 * <ul>
 *   <li>{@code enabled} (default true): with the queue off, {@code consume()} makes one attempt in
 *       the caller's thread and reports a retryable failure back upstream as back-pressure instead of
 *       retrying itself (a consumer must not block its caller for long).
 *   <li>{@code num_consumers} (default {@value #DEFAULT_NUM_CONSUMERS}): worker threads sending in
 *       parallel.
 *   <li>{@code queue_size} (default {@value #DEFAULT_QUEUE_SIZE}): the capacity, counted in the
 *       unit of {@code sizer}.
 *   <li>{@code sizer} (default "requests"): what {@code queue_size} counts: {@code requests},
 *       {@code items} (spans, data points, log records) or {@code bytes} (encoded size).
 *   <li>{@code block_on_overflow} (default false): when the queue is full, wait for room up to the
 *       exporter's {@code timeout} before refusing, instead of refusing at once.
 * </ul>
 */
public record QueueConfig(boolean enabled, int numConsumers, long queueSize, Sizer sizer, boolean blockOnOverflow) {

  public static final int DEFAULT_NUM_CONSUMERS = 10;
  public static final long DEFAULT_QUEUE_SIZE = 1000;

  /** The unit of {@code queue_size}. */
  public enum Sizer {
    REQUESTS, ITEMS, BYTES;

    /** The config spelling: "requests", "items", "bytes". */
    public String configName() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Sizer parse(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }
  }

  /** Alloy's defaults. */
  public static final QueueConfig DEFAULTS = new QueueConfig(true, DEFAULT_NUM_CONSUMERS, DEFAULT_QUEUE_SIZE,
      Sizer.REQUESTS, false);

  /** The schema of the {@code sending_queue} block, as Alloy spells it. */
  public static final Schema SCHEMA = Schema.builder()
      .optional("enabled", Types.BOOL, DEFAULTS.enabled(), "queue and send in background workers")
      .optional("num_consumers", Types.INT, (long) DEFAULT_NUM_CONSUMERS, "parallel senders")
      .optional("queue_size", Types.INT, DEFAULT_QUEUE_SIZE, "capacity, in the unit of sizer")
      .optional("sizer", Types.oneOf("requests", "items", "bytes"), "requests", "unit of queue_size")
      .optional("block_on_overflow", Types.BOOL, false, "wait for room (up to timeout) instead of refusing")
      .build();

  public QueueConfig {
    if (sizer == null) throw new IllegalArgumentException("sizer must not be null");
    if (numConsumers < 1) throw new IllegalArgumentException("num_consumers must be at least 1");
    if (queueSize < 1) throw new IllegalArgumentException("queue_size must be at least 1");
  }

  /** Reads a {@code sending_queue} block (use {@code args.blockOrDefaults("sending_queue")}). */
  public static QueueConfig from(Args block) throws ConfigException {
    List<Diagnostic> diags = new ArrayList<>();
    long consumers = block.integer("num_consumers");
    long size = block.integer("queue_size");
    if (consumers < 1 || consumers > 1024) {
      diags.add(new Diagnostic(block.positionOf("num_consumers"),
          "num_consumers must be between 1 and 1024, got " + consumers));
    }
    if (size < 1) {
      diags.add(new Diagnostic(block.positionOf("queue_size"), "queue_size must be at least 1, got " + size));
    }
    if (!diags.isEmpty()) throw new ConfigException(diags);
    return new QueueConfig(block.bool("enabled"), (int) consumers, size, Sizer.parse(block.string("sizer")),
        block.bool("block_on_overflow"));
  }

  public QueueConfig withEnabled(boolean on) {
    return new QueueConfig(on, numConsumers, queueSize, sizer, blockOnOverflow);
  }
}
