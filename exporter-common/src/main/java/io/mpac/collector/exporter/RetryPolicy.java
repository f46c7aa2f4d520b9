package io.mpac.collector.exporter;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Computes the waits between attempts of one request from a {@link RetryConfig}: exponential
 * growth, uniform jitter, a floor set by the server's requested delay, and the
 * {@code max_elapsed_time} cut-off. Pure arithmetic over an injected clock reading and random
 * source, so it is tested without sleeping.
 *
 * <pre>
 *   wait(n)  = uniform[c(n)·(1-r), c(n)·(1+r)],   c(n) = min(initial · multiplier^n, max_interval)
 *   wait'(n) = max(wait(n), min(serverDelay, {@link #MAX_SERVER_DELAY}))
 *   give up when  (now - firstAttempt) + wait'(n) &gt; max_elapsed_time   (never when it is 0)
 * </pre>
 */
public final class RetryPolicy implements RetrySchedule {

  /** A server-requested delay longer than this is cut to it (a bad header must not park a request for days). */
  public static final Duration MAX_SERVER_DELAY = Duration.ofMinutes(5);

  private final RetryConfig config;
  private final DoubleSupplier random;
  private final long initialNanos;
  private final long maxIntervalNanos;
  private final long maxElapsedNanos;

  public RetryPolicy(RetryConfig config, DoubleSupplier random) {
    this.config = Objects.requireNonNull(config, "config");
    this.random = Objects.requireNonNull(random, "random");
    this.initialNanos = config.initialInterval().toNanos();
    this.maxIntervalNanos = config.maxInterval().toNanos();
    this.maxElapsedNanos = config.maxElapsedTime().toNanos();
  }

  public RetryConfig config() {
    return config;
  }

  @Override
  public Backoff start(long startNanos) {
    return new Backoff(startNanos);
  }

  /** The retry state of one request. Not thread-safe: one request is retried by one thread. */
  public final class Backoff implements RetrySchedule.Backoff {
    private final long startNanos;
    private long currentNanos = initialNanos;
    private int retries;

    private Backoff(long startNanos) {
      this.startNanos = startNanos;
    }

    @Override
    public int retries() {
      return retries;
    }

    /** Nanoseconds since the first attempt. */
    public long elapsedNanos(long nowNanos) {
      return nowNanos - startNanos;
    }

    /**
     * The wait before the next attempt, or {@link #STOP} when retries are disabled or the wait
     * would end past {@code max_elapsed_time}.
     *
     * @param nowNanos the current clock reading
     * @param serverDelay the delay the server asked for, or null
     */
    @Override
    public long nextDelayNanos(long nowNanos, Duration serverDelay) {
      if (!config.enabled()) return STOP;
      double r = config.randomizationFactor();
      double low = currentNanos * (1.0 - r);
      double span = currentNanos * 2.0 * r;
      long delay = (long) (low + random.getAsDouble() * span);
      if (currentNanos >= maxIntervalNanos / config.multiplier()) {
        currentNanos = maxIntervalNanos;
      } else {
        currentNanos = (long) (currentNanos * config.multiplier());
      }
      if (serverDelay != null) {
        long server = serverDelay.compareTo(MAX_SERVER_DELAY) > 0 ? MAX_SERVER_DELAY.toNanos() : serverDelay.toNanos();
        delay = Math.max(delay, server);
      }
      if (maxElapsedNanos != 0 && elapsedNanos(nowNanos) + delay > maxElapsedNanos) return STOP;
      retries++;
      return delay;
    }

    @Override
    public String exhausted(long nowNanos) {
      if (!config.enabled()) return "(retry_on_failure disabled)";
      return "after " + (retries + 1) + " attempts in " + Delivery.formatNanos(elapsedNanos(nowNanos))
          + " (max_elapsed_time " + Delivery.formatNanos(maxElapsedNanos) + ")";
    }
  }
}
