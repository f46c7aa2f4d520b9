package io.mpac.collector.exporter.loki;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.Diagnostic;
import java.time.Duration;
import java.util.List;

/**
 * The {@code wal} block of {@code loki.write} (Alloy's names and defaults). With {@code enabled},
 * every endpoint's queue is a persistent store under
 * {@code <storage.path>/loki.write.<label>/wal/<endpoint>/}: a push is on disk before
 * {@code receiver} accepts it, and a chunk is removed only once each of its entries was delivered
 * or dropped for good, so entries survive a restart or a crash.
 *
 * @param enabled use the WAL (default off, as in Alloy)
 * @param maxSegmentAge a chunk read from the WAL longer than this after it was written is dropped
 *     (counted, reason {@code too_old}), as Alloy deletes segments older than this
 * @param minReadFrequency the first wait of an idle reader before it polls the WAL again
 * @param maxReadFrequency the longest such wait (the wait doubles from min to max while idle; a
 *     push wakes the reader at once)
 * @param drainTimeout how long a shutdown keeps sending from the WAL; the rest stays on disk
 * @param maxSize bytes the WAL of one endpoint may take on disk; when full, pushes are refused
 *     (extension: Alloy's WAL has no bound)
 */
public record WalConfig(boolean enabled, Duration maxSegmentAge, Duration minReadFrequency, Duration maxReadFrequency,
    Duration drainTimeout, long maxSize) {

  public static final long DEFAULT_MAX_SIZE = 1L << 30;

  public static final WalConfig DISABLED = new WalConfig(false, Duration.ofHours(1), Duration.ofMillis(250),
      Duration.ofSeconds(1), Duration.ofSeconds(30), DEFAULT_MAX_SIZE);

  static final Schema SCHEMA = Schema.builder()
      .optional("enabled", Types.BOOL, false, "write entries to a WAL on disk before accepting them")
      .optional("max_segment_age", Types.DURATION, DISABLED.maxSegmentAge(),
          "entries read from the WAL longer than this after they were written are dropped (reason too_old)")
      .optional("min_read_frequency", Types.DURATION, DISABLED.minReadFrequency(),
          "first wait of an idle WAL reader before it polls again (a push wakes it at once)")
      .optional("max_read_frequency", Types.DURATION, DISABLED.maxReadFrequency(),
          "longest wait of an idle WAL reader (doubles from min_read_frequency)")
      .optional("drain_timeout", Types.DURATION, DISABLED.drainTimeout(),
          "longest a shutdown keeps sending from the WAL; the rest stays on disk for the next start")
      .optional("max_size", Types.BYTES, DEFAULT_MAX_SIZE,
          "disk bytes one endpoint's WAL may use; when full, pushes are refused (extension)")
      .build();

  /** Reads the block (defaults when absent), adding problems to {@code diags}; null if it has any. */
  static WalConfig from(Args b, List<Diagnostic> diags) {
    int before = diags.size();
    Duration age = positive(b, "max_segment_age", diags);
    Duration min = positive(b, "min_read_frequency", diags);
    Duration max = positive(b, "max_read_frequency", diags);
    Duration drain = b.duration("drain_timeout");
    if (drain.isNegative()) diags.add(new Diagnostic(b.positionOf("drain_timeout"), "drain_timeout must not be negative"));
    if (min.compareTo(max) >= 0) {
      diags.add(new Diagnostic(b.positionOf("min_read_frequency"),
          "min_read_frequency must be lower than max_read_frequency"));
    }
    long maxSize = b.bytes("max_size");
    if (maxSize < 1) diags.add(new Diagnostic(b.positionOf("max_size"), "max_size must be at least 1 byte"));
    if (diags.size() > before) return null;
    return new WalConfig(b.bool("enabled"), age, min, max, drain, maxSize);
  }

  private static Duration positive(Args b, String name, List<Diagnostic> diags) {
    Duration d = b.duration(name);
    if (d.isNegative() || d.isZero()) diags.add(new Diagnostic(b.positionOf(name), name + " must be greater than 0"));
    return d;
  }
}
