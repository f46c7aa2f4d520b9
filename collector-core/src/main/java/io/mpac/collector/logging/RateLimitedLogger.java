package io.mpac.collector.logging;

import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs at most one line per key per interval. The first event of a key is logged at once (so the
 * first failure shows up with its reason immediately); events within the interval are counted and
 * the count is appended to the next line that is logged: "... (and 37 similar since the last such message)".
 */
public final class RateLimitedLogger {

  private final Logger logger;
  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<String, KeyState> keys = new ConcurrentHashMap<>();

  private static final class KeyState {
    final AtomicLong nextAllowed;
    final AtomicLong suppressed = new AtomicLong();

    KeyState(long now) {
      this.nextAllowed = new AtomicLong(now);
    }
  }

  public RateLimitedLogger(Logger logger, java.time.Duration interval, LongSupplier nanoTime) {
    this.logger = Objects.requireNonNull(logger, "logger");
    this.intervalNanos = interval.toNanos();
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
  }

  /**
   * Logs {@code message} under {@code key} unless a line of that key was logged within the
   * interval, in which case it is only counted.
   *
   * @return true when the line was logged
   */
  public boolean log(Level level, String key, Supplier<String> message) {
    return log(level, key, message, null);
  }

  /** As {@link #log(Level, String, Supplier)}, with the exception's stack trace on the logged line. */
  public boolean log(Level level, String key, Supplier<String> message, Throwable thrown) {
    if (!logger.isLoggable(level)) return false;
    long now = nanoTime.getAsLong();
    KeyState st = keys.computeIfAbsent(key, k -> new KeyState(now));
    long next = st.nextAllowed.get();
    if (now - next < 0 || !st.nextAllowed.compareAndSet(next, now + intervalNanos)) {
      st.suppressed.incrementAndGet();
      return false;
    }
    long skipped = st.suppressed.getAndSet(0);
    String text = message.get();
    if (skipped > 0) {
      text = text + " (and " + skipped + " similar since the last such message)";
    }
    logger.log(level, text, thrown);
    return true;
  }
}
