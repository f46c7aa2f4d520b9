package io.mpac.collector.exporter.queue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link QueueStore} on the heap: a FIFO of leases under one lock with two conditions. The lock is
 * taken per payload (a request, a chunk of entries), never per item, and never held while sending.
 * What it holds is lost when the process ends; {@link #abandon()} hands it back to be counted.
 */
public final class MemoryQueueStore<T> implements QueueStore<T> {

  private final QueueLimits limits;
  private final ArrayDeque<Lease<T>> waiting = new ArrayDeque<>();
  /** Leases handed out and not yet acked, by identity (two equal payloads are two leases). */
  private final Set<Lease<T>> inFlight = Collections.newSetFromMap(new IdentityHashMap<>());
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private long nextId;
  private long count;
  private long items;
  private long bytes;
  private boolean closed;
  private boolean abandoned;

  public MemoryQueueStore(QueueLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  @Override
  public OfferResult offer(T payload, int payloadItems, long payloadBytes, long waitNanos)
      throws InterruptedException {
    lock.lock();
    try {
      long remaining = waitNanos;
      while (!closed && !limits.fits(usageLocked(), payloadItems, payloadBytes)) {
        if (remaining <= 0) return OfferResult.FULL;
        remaining = notFull.awaitNanos(remaining);
      }
      if (closed) return OfferResult.CLOSED;
      waiting.addLast(new Lease<>(nextId++, payload, payloadItems, payloadBytes, false));
      count++;
      items += payloadItems;
      bytes += payloadBytes;
      notEmpty.signal();
      return OfferResult.ACCEPTED;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Lease<T> take(long maxWaitNanos) throws InterruptedException {
    lock.lock();
    try {
      long remaining = maxWaitNanos;
      while (waiting.isEmpty() && !closed && !abandoned) {
        if (remaining <= 0) return null;
        remaining = notEmpty.awaitNanos(remaining);
      }
      if (abandoned || waiting.isEmpty()) return null;
      Lease<T> lease = waiting.removeFirst();
      inFlight.add(lease);
      return lease;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void ack(Lease<T> lease) {
    lock.lock();
    try {
      if (inFlight.remove(lease)) release(lease);
    } finally {
      lock.unlock();
    }
  }

  private void release(Lease<T> lease) {
    count--;
    items -= lease.items();
    bytes -= lease.bytes();
    notFull.signalAll();
  }

  @Override
  public void closeForOffers() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public List<Lease<T>> abandon() {
    lock.lock();
    try {
      closed = true;
      abandoned = true;
      List<Lease<T>> out = new ArrayList<>(waiting.size());
      for (Lease<T> lease : waiting) {
        out.add(lease);
        release(lease);
      }
      waiting.clear();
      notEmpty.signalAll();
      notFull.signalAll();
      return out;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean finished() {
    lock.lock();
    try {
      return abandoned || (closed && waiting.isEmpty());
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean persistent() {
    return false;
  }

  @Override
  public Usage usage() {
    lock.lock();
    try {
      return usageLocked();
    } finally {
      lock.unlock();
    }
  }

  private Usage usageLocked() {
    return new Usage(count, items, bytes);
  }

  @Override
  public QueueLimits limits() {
    return limits;
  }

  @Override
  public void close() {
    closeForOffers();
  }
}
