package io.mpac.collector.exporter;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * The time and chance a {@link SendingQueue} runs on: a monotonic clock, a way to wait, and a
 * uniform random source in {@code [0, 1)} for jitter. Production uses {@link #SYSTEM}; tests inject
 * a fake clock whose sleeps return at once, so a five-minute retry schedule runs in microseconds.
 *
 * @param nanoTime monotonic nanoseconds, like {@link System#nanoTime()}
 * @param sleeper waits between retries
 * @param random uniform in [0, 1)
 */
public record Timing(LongSupplier nanoTime, Sleeper sleeper, DoubleSupplier random) {

  /** Waits for a backoff delay, returning early when {@code wake} opens (shutdown). */
  @FunctionalInterface
  public interface Sleeper {
    /**
     * Waits up to {@code nanos}, or until {@code wake} is opened.
     *
     * @return true when woken early by {@code wake}
     */
    boolean sleep(long nanos, CountDownLatch wake) throws InterruptedException;
  }

  /** The real clock, latch-based waiting and {@link ThreadLocalRandom}. */
  public static final Timing SYSTEM = new Timing(System::nanoTime,
      (nanos, wake) -> wake.await(nanos, TimeUnit.NANOSECONDS),
      () -> ThreadLocalRandom.current().nextDouble());
}
