package io.mpac.collector.receiver.otlp.internal;

import io.mpac.collector.component.HeapBudget;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A byte budget for request bodies being received. Bytes are taken as they arrive (never as a
 * client declares them) and given back once the request is answered, so the heap held by
 * half-received requests never exceeds {@link #limit()}. Thread-safe, lock-free.
 *
 * <p>{@link #shared()} is the one budget of the process, used by every {@code otelcol.receiver.otlp}
 * (gRPC and HTTP together) that does not set {@code max_in_flight_bytes}: its size is
 * {@link HeapBudget#RECEIVER_IN_FLIGHT} of the max heap.
 *
 * <p>A {@link #child} budget is a share of its parent: bytes taken from it are taken from both, so
 * one client ({@link ClientBudgets}) cannot hold more than its share of the receiver's budget.
 */
public final class InFlightBudget {

  private static volatile InFlightBudget shared;

  private final long limit;
  private final InFlightBudget parent;
  private final AtomicLong used = new AtomicLong();

  public InFlightBudget(long limit) {
    this(limit, null);
  }

  private InFlightBudget(long limit, InFlightBudget parent) {
    if (limit <= 0) throw new IllegalArgumentException("limit must be positive: " + limit);
    this.limit = limit;
    this.parent = parent;
  }

  /** A budget of at most {@code limit} bytes whose bytes also count against this one. */
  public InFlightBudget child(long limit) {
    return new InFlightBudget(limit, this);
  }

  /** The process-wide budget (created on first use from the max heap). */
  public static InFlightBudget shared() {
    InFlightBudget b = shared;
    if (b == null) {
      synchronized (InFlightBudget.class) {
        b = shared;
        if (b == null) shared = b = new InFlightBudget(HeapBudget.share(HeapBudget.RECEIVER_IN_FLIGHT));
      }
    }
    return b;
  }

  /** Takes {@code bytes} if they fit; returns false (taking nothing) otherwise. */
  public boolean tryAcquire(long bytes) {
    if (bytes <= 0) return true;
    while (true) {
      long u = used.get();
      long next = u + bytes;
      if (next > limit || next < 0) return false;
      if (used.compareAndSet(u, next)) break;
    }
    if (parent != null && !parent.tryAcquire(bytes)) {
      used.addAndGet(-bytes);
      return false;
    }
    return true;
  }

  /** Gives back bytes taken with {@link #tryAcquire}. */
  public void release(long bytes) {
    if (bytes <= 0) return;
    used.addAndGet(-bytes);
    if (parent != null) parent.release(bytes);
  }

  public long used() {
    return used.get();
  }

  public long limit() {
    return limit;
  }
}
