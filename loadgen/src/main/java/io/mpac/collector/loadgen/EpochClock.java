package io.mpac.collector.loadgen;

import java.time.Instant;

/**
 * Wall-clock time in nanoseconds since the epoch, read without allocation: one wall-clock reading
 * taken when the class loads, advanced by {@link System#nanoTime()}. Inside one JVM the readings
 * are monotonic and mutually consistent, so the generator's send stamps and the null sink's
 * receive times can be subtracted to the microsecond. Across JVMs they agree only as well as the
 * two anchors do (the system clock's precision, typically a few microseconds to a millisecond).
 */
public final class EpochClock {

  private static final long ANCHOR_EPOCH_NANOS;
  private static final long ANCHOR_NANO_TIME;

  static {
    Instant now = Instant.now();
    ANCHOR_NANO_TIME = System.nanoTime();
    ANCHOR_EPOCH_NANOS = now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private EpochClock() {}

  /** Now, in nanoseconds since 1970-01-01T00:00:00Z. */
  public static long nowNanos() {
    return ANCHOR_EPOCH_NANOS + (System.nanoTime() - ANCHOR_NANO_TIME);
  }
}
