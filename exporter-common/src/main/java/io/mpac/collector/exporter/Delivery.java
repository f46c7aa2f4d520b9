package io.mpac.collector.exporter;

import io.mpac.collector.exporter.ExporterMetrics.DropReason;
import io.mpac.collector.logging.RateLimitedLogger;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.logging.Level;

/**
 * Sends one payload until it is delivered, refused for good, out of retries, or overtaken by a
 * stop: the retry loop every send path runs (the OTLP exporters' {@link SendingQueue} workers,
 * {@code loki.write}'s endpoint worker, {@code prometheus.remote_write}'s shards). It decides; the
 * caller accounts, because each backend counts in its own metrics.
 *
 * <pre>
 *  attempt ──▶ Success    → {@link Delivered}
 *          ──▶ Permanent  → {@link Dropped} (reason permanent)
 *          ──▶ Retryable  → wait max(schedule, server delay ≤ {@link RetryPolicy#MAX_SERVER_DELAY}), again;
 *                           schedule says stop → {@link Dropped} (reason retries_exhausted)
 *  stopping: an attempt gets only the time left; a wait past the deadline → {@link Unfinished}
 * </pre>
 *
 * <p>A sender that throws is a permanent failure of that payload (logged as a bug), never of the
 * worker.
 *
 * @param <T> the payload type
 */
public final class Delivery<T> {

  /** What became of a payload. */
  public sealed interface Result permits Delivered, Dropped, Unfinished {}

  /** The backend took it (maybe with a partial-success rejection inside the outcome). */
  public record Delivered(SendOutcome.Success outcome, int attempts) implements Result {}

  /** Given up for good: the caller counts it as dropped with {@code reason} and logs {@code why}. */
  public record Dropped(DropReason reason, String why) implements Result {}

  /**
   * Not delivered because the stop's deadline came first. A persistent queue keeps it for the next
   * start; a memory queue counts it as lost (reason {@code shutdown}).
   */
  public record Unfinished() implements Result {}

  private final RequestSender<T> sender;
  private final RetrySchedule schedule;
  private final Timing timing;
  private final StopSignal stop;
  private final RateLimitedLogger log;
  private final Runnable onRetry;

  /**
   * @param onRetry called once per retry scheduled (a metric)
   */
  public Delivery(RequestSender<T> sender, RetrySchedule schedule, Timing timing, StopSignal stop,
      RateLimitedLogger log, Runnable onRetry) {
    this.sender = Objects.requireNonNull(sender, "sender");
    this.schedule = Objects.requireNonNull(schedule, "schedule");
    this.timing = Objects.requireNonNull(timing, "timing");
    this.stop = Objects.requireNonNull(stop, "stop");
    this.log = Objects.requireNonNull(log, "log");
    this.onRetry = onRetry == null ? () -> { } : onRetry;
  }

  /**
   * Delivers {@code payload}, each attempt bounded by {@code timeout}.
   *
   * @param what describes the payload for log lines ("100 spans"); called only when logging
   */
  public Result deliver(T payload, Duration timeout, Supplier<String> what) throws InterruptedException {
    long start = timing.nanoTime().getAsLong();
    RetrySchedule.Backoff backoff = null;
    int attempts = 0;
    while (true) {
      Duration attemptTimeout = timeout;
      if (stop.isStopping()) {
        long left = stop.deadlineNanos() - timing.nanoTime().getAsLong();
        if (stop.isAbandoned() || left <= 0) return new Unfinished();
        if (left < attemptTimeout.toNanos()) attemptTimeout = Duration.ofNanos(left);
      }
      attempts++;
      SendOutcome outcome = attempt(payload, attemptTimeout);
      if (outcome instanceof SendOutcome.Success s) return new Delivered(s, attempts);
      if (outcome instanceof SendOutcome.Permanent p) return new Dropped(DropReason.PERMANENT, p.reason());
      SendOutcome.Retryable r = (SendOutcome.Retryable) outcome;
      if (backoff == null) backoff = schedule.start(start);
      long now = timing.nanoTime().getAsLong();
      long delay = backoff.nextDelayNanos(now, capped(r.retryAfter()));
      if (delay == RetrySchedule.STOP) {
        return new Dropped(DropReason.RETRIES_EXHAUSTED, backoff.exhausted(now) + ": " + r.reason());
      }
      long wakeAt = now + delay;
      if (stop.isStopping() && wakeAt - stop.deadlineNanos() >= 0) return new Unfinished();
      onRetry.run();
      log.log(Level.WARNING, "retryable", () -> "sending " + what.get() + " failed, will retry in "
          + formatNanos(delay) + ": " + r.reason());
      if (!stop.sleepUntil(timing, wakeAt)) return new Unfinished();
    }
  }

  /** One attempt, no retry (a disabled queue sends this way in the caller's thread). */
  public SendOutcome attempt(T payload, Duration attemptTimeout) throws InterruptedException {
    try {
      return sender.send(payload, attemptTimeout);
    } catch (RuntimeException e) {
      log.log(Level.SEVERE, "sender-bug", () -> "sender threw " + e);
      return SendOutcome.permanent("sender threw " + e);
    }
  }

  /** A server-requested delay, cut to {@link RetryPolicy#MAX_SERVER_DELAY}; null stays null. */
  static Duration capped(Duration serverDelay) {
    if (serverDelay == null) return null;
    return serverDelay.compareTo(RetryPolicy.MAX_SERVER_DELAY) > 0 ? RetryPolicy.MAX_SERVER_DELAY : serverDelay;
  }

  /** "250ms" or "1.5s". */
  public static String formatNanos(long nanos) {
    if (nanos < 1_000_000_000L) return java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(nanos) + "ms";
    return String.format(java.util.Locale.ROOT, "%.1fs", nanos / 1e9);
  }
}
