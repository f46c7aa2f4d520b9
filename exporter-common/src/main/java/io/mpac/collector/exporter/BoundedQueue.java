package io.mpac.collector.exporter;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A FIFO bounded by the sum of its elements' sizes (1 per request, items, or bytes), shared by
 * many producers and the exporter's workers. One lock and two conditions: the queue holds whole
 * requests (a few hundred to a few thousand a second), so the lock is taken per request, never per
 * item, and is never held while sending.
 *
 * <p>Each element leaves the queue exactly once: by {@link #take} (a worker now owns it) or by
 * {@link #drain} (shutdown counts it as lost). The size counts what waits, not what is in flight.
 */
final class BoundedQueue<T> {

  /** One queued payload with its size in the queue's unit. */
  record Entry<T>(T payload, long size) {}

  private final long capacity;
  private final ArrayDeque<Entry<T>> entries = new ArrayDeque<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private long used;
  private boolean closed;
  private boolean abandoned;

  BoundedQueue(long capacity) {
    if (capacity < 1) throw new IllegalArgumentException("capacity < 1");
    this.capacity = capacity;
  }

  long capacity() {
    return capacity;
  }

  /** The summed size of the waiting elements. */
  long size() {
    lock.lock();
    try {
      return used;
    } finally {
      lock.unlock();
    }
  }

  /** The number of waiting elements. */
  int count() {
    lock.lock();
    try {
      return entries.size();
    } finally {
      lock.unlock();
    }
  }

  enum OfferResult { ACCEPTED, FULL, CLOSED }

  /**
   * Adds a payload if it fits, waiting up to {@code waitNanos} for room (0: do not wait).
   * The caller checks beforehand that {@code size <= capacity}.
   */
  OfferResult offer(T payload, long size, long waitNanos) throws InterruptedException {
    lock.lock();
    try {
      long remaining = waitNanos;
      while (!closed && used + size > capacity) {
        if (remaining <= 0) return OfferResult.FULL;
        remaining = notFull.awaitNanos(remaining);
      }
      if (closed) return OfferResult.CLOSED;
      entries.addLast(new Entry<>(payload, size));
      used += size;
      notEmpty.signal();
      return OfferResult.ACCEPTED;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The oldest element, waiting up to {@code maxWaitNanos} for one. Null when the wait ran out,
   * or once the queue is closed and empty, or abandoned ({@link #finished()} tells which).
   */
  Entry<T> take(long maxWaitNanos) throws InterruptedException {
    lock.lock();
    try {
      long remaining = maxWaitNanos;
      while (entries.isEmpty() && !closed && !abandoned) {
        if (remaining <= 0) return null;
        remaining = notEmpty.awaitNanos(remaining);
      }
      if (abandoned || entries.isEmpty()) return null;
      Entry<T> e = entries.removeFirst();
      used -= e.size();
      notFull.signalAll();
      return e;
    } finally {
      lock.unlock();
    }
  }

  /** True once the queue is closed and empty, or abandoned: takers are done. */
  boolean finished() {
    lock.lock();
    try {
      return abandoned || (closed && entries.isEmpty());
    } finally {
      lock.unlock();
    }
  }

  /** No more offers; takers drain what is left and then get null. Wakes blocked producers. */
  void close() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Closes the queue and removes every waiting element; takers get null from now on. */
  List<Entry<T>> drain() {
    lock.lock();
    try {
      closed = true;
      abandoned = true;
      List<Entry<T>> out = new ArrayList<>(entries);
      entries.clear();
      used = 0;
      notEmpty.signalAll();
      notFull.signalAll();
      return out;
    } finally {
      lock.unlock();
    }
  }
}
