package io.mpac.collector.livedebug;

import io.mpac.collector.component.ComponentId;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One viewer of a component's data. Holds at most {@code capacity} batches (references to the
 * immutable batches the pipeline passes on anyway) and takes at most {@code perSecond} of them a
 * second; the rest is counted as skipped, never waited for. Closing it detaches it from its edges.
 */
public final class Subscription implements AutoCloseable {

  /**
   * One sampled batch and the edge it crossed: {@code payload} is an {@link OtlpRequest}, a
   * {@code List<LokiEntry>} or a {@code MetricsBatch}.
   */
  public record Sample(ComponentId from, ComponentId to, Signal signal, int itemCount, Object payload) {}

  private final ArrayBlockingQueue<Sample> queue;
  private final long minIntervalNanos;
  private final AtomicLong nextAllowed = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong skipped = new AtomicLong();
  private final Runnable onClose;

  Subscription(int capacity, int perSecond, Runnable onClose) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.minIntervalNanos = TimeUnit.SECONDS.toNanos(1) / Math.max(1, perSecond);
    this.onClose = onClose;
  }

  /** On the data path: never blocks, allocates one small record when a sample is taken. */
  void offer(ComponentId from, ComponentId to, Signal signal, int itemCount, Object payload) {
    long now = System.nanoTime();
    long allowed = nextAllowed.get();
    if ((allowed != Long.MIN_VALUE && now - allowed < 0) || !nextAllowed.compareAndSet(allowed, now + minIntervalNanos)
        || !queue.offer(new Sample(from, to, signal, itemCount, payload))) {
      skipped.incrementAndGet();
    }
  }

  /** The next sample, waiting at most {@code timeout}; null when none came. */
  public Sample poll(long timeout, TimeUnit unit) throws InterruptedException {
    return queue.poll(timeout, unit);
  }

  /** Requests not sampled (rate limit or full queue) so far. */
  public long skipped() {
    return skipped.get();
  }

  /** Requests held right now (never more than the capacity). */
  public int held() {
    return queue.size();
  }

  @Override
  public void close() {
    onClose.run();
    queue.clear();
  }
}
