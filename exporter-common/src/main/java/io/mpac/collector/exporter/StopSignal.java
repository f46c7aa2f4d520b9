package io.mpac.collector.exporter;

import java.util.concurrent.CountDownLatch;

/**
 * The shutdown state shared by one send path's workers: whether a stop began, its deadline, and
 * whether the deadline passed (abandoned: give up at once). Waits between retries end early when
 * the stop begins (to re-check the deadline) and when it is abandoned.
 */
public final class StopSignal {

  private final CountDownLatch stopping = new CountDownLatch(1);
  private final CountDownLatch abandon = new CountDownLatch(1);
  private volatile long deadlineNanos = Long.MAX_VALUE;
  private volatile boolean stopped;
  private volatile boolean abandoned;

  /** Begins a stop that must end by {@code deadlineNanos} (a {@link Timing#nanoTime()} reading). Idempotent. */
  public synchronized boolean begin(long deadlineNanos) {
    if (stopped) return false;
    this.deadlineNanos = deadlineNanos;
    stopped = true;
    stopping.countDown();
    return true;
  }

  /** The deadline passed: whoever still sends or waits gives up now. */
  public void abandon() {
    abandoned = true;
    abandon.countDown();
  }

  public boolean isStopping() {
    return stopped;
  }

  public boolean isAbandoned() {
    return abandoned;
  }

  public long deadlineNanos() {
    return deadlineNanos;
  }

  /**
   * Waits until {@code wakeAt} on {@code timing}'s clock. False when the wait would pass the stop's
   * deadline or the stop was abandoned: the caller gives the request up (or keeps it on disk).
   */
  public boolean sleepUntil(Timing timing, long wakeAt) throws InterruptedException {
    for (int round = 0; round < 1000; round++) {
      long left = wakeAt - timing.nanoTime().getAsLong();
      if (left <= 0) return true;
      if (abandoned) return false;
      if (stopped) {
        if (wakeAt - deadlineNanos >= 0) return false;
        timing.sleeper().sleep(left, abandon);
      } else {
        timing.sleeper().sleep(left, stopping);
      }
    }
    return !abandoned;
  }
}
