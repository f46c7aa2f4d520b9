package io.mpac.collector.exporter.prometheus;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * At most one log line per key per interval; the first one at once, later ones say how many
 * similar events were suppressed. (The exporter core on the {@code exporter-otlp} branch has the
 * same idea as {@code RateLimitedLogger}; this module does not depend on that branch.)
 */
final class LogLimiter {
  private final Logger logger;
  private final long intervalNanos;
  private final ConcurrentHashMap<String, long[]> keys = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicLong> suppressed = new ConcurrentHashMap<>();

  LogLimiter(Logger logger, java.time.Duration interval) {
    this.logger = logger;
    this.intervalNanos = interval.toNanos();
  }

  /** Logs unless a line with this key was logged within the interval; returns whether it logged. */
  boolean log(Level level, String key, Supplier<String> message) {
    long now = System.nanoTime();
    long[] last = keys.computeIfAbsent(key, k -> new long[] {now - intervalNanos - 1});
    AtomicLong skipped = suppressed.computeIfAbsent(key, k -> new AtomicLong());
    synchronized (last) {
      if (now - last[0] <= intervalNanos) {
        skipped.incrementAndGet();
        return false;
      }
      last[0] = now;
    }
    long n = skipped.getAndSet(0);
    logger.log(level, n == 0 ? message.get() : message.get() + " (and " + n + " similar since the last such message)");
    return true;
  }
}
