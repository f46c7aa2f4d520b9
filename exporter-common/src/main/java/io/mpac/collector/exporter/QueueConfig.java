package io.mpac.collector.exporter;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.exporter.storage.StorageHandler;
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
 *   <li>{@code storage} (default none: in memory): an {@code otelcol.storage.file} handler; the
 *       queue is then kept on disk in the storage's directory, survives restarts and crashes, and
 *       is bounded on disk by {@code queue_size} (sizer {@code bytes}) or
 *       1 GiB (the other sizers) as well as by {@code queue_size}.
 * </ul>
 */
public record QueueConfig(boolean enabled, int numConsumers, long queueSize, Sizer sizer, boolean blockOnOverflow,
    StorageHandler storage) {

  public static final int DEFAULT_NUM_CONSUMERS = 10;
  public static final long DEFAULT_QUEUE_SIZE = 1000;
  /**
   * The disk bound of a persistent queue whose sizer is not {@code bytes}: 1 GiB of queue files per
   * exporter (a 10-minute outage at 1,000 spans/s is about 200 MB).
   */
  public static final long DEFAULT_DISK_BYTES = 1L << 30;

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
      Sizer.REQUESTS, false, null);

  /** The schema of the {@code sending_queue} block, as Alloy spells it. */
  public static final Schema SCHEMA = Schema.builder()
      .optional("enabled", Types.BOOL, DEFAULTS.enabled(), "queue and send in background workers")
      .optional("num_consumers", Types.INT, (long) DEFAULT_NUM_CONSUMERS, "parallel senders")
      .optional("queue_size", Types.INT, DEFAULT_QUEUE_SIZE, "capacity, in the unit of sizer")
      .optional("sizer", Types.oneOf("requests", "items", "bytes"), "requests", "unit of queue_size")
      .optional("block_on_overflow", Types.BOOL, false, "wait for room (up to timeout) instead of refusing")
      .optional("storage", StorageHandler.TYPE, null, "otelcol.storage.file handler: keep the queue on disk")
      .build();

  public QueueConfig {
    if (sizer == null) throw new IllegalArgumentException("sizer must not be null");
    if (numConsumers < 1) throw new IllegalArgumentException("num_consumers must be at least 1");
    if (queueSize < 1) throw new IllegalArgumentException("queue_size must be at least 1");
    if (storage != null && !enabled) throw new IllegalArgumentException("a persistent queue must be enabled");
  }

  /** An in-memory queue. */
  public QueueConfig(boolean enabled, int numConsumers, long queueSize, Sizer sizer, boolean blockOnOverflow) {
    this(enabled, numConsumers, queueSize, sizer, blockOnOverflow, null);
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
    StorageHandler storage = block.isSet("storage") ? (StorageHandler) block.get("storage") : null;
    if (storage != null && !block.bool("enabled")) {
      diags.add(new Diagnostic(block.positionOf("storage"),
          "storage needs the queue: remove enabled = false, or remove storage"));
    }
    if (!diags.isEmpty()) throw new ConfigException(diags);
    return new QueueConfig(block.bool("enabled"), (int) consumers, size, Sizer.parse(block.string("sizer")),
        block.bool("block_on_overflow"), storage);
  }

  public QueueConfig withEnabled(boolean on) {
    return new QueueConfig(on, numConsumers, queueSize, sizer, blockOnOverflow, on ? storage : null);
  }

  /** True with {@code storage} set: the queue is kept on disk. */
  public boolean persistent() {
    return storage != null;
  }

  /**
   * The bounds of the persistent queue: {@code queue_size} in its sizer's unit, and on disk
   * {@code queue_size} bytes (sizer {@code bytes}) or {@link #DEFAULT_DISK_BYTES}.
   */
  public io.mpac.collector.exporter.queue.QueueLimits diskLimits() {
    return SendingQueue.limits(this, sizer == Sizer.BYTES ? queueSize : DEFAULT_DISK_BYTES);
  }
}
