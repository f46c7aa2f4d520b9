package io.mpac.collector.receiver.otlp.internal;

import java.util.concurrent.atomic.AtomicInteger;

/** Open connections of one server against its {@code max_connections}; thread-safe. */
final class ConnectionCounter {

  private final int max;
  private final AtomicInteger open = new AtomicInteger();

  ConnectionCounter(int max) {
    this.max = max;
  }

  /** Counts one more connection if below the maximum; false (counting nothing) otherwise. */
  boolean tryOpen() {
    while (true) {
      int n = open.get();
      if (n >= max) return false;
      if (open.compareAndSet(n, n + 1)) return true;
    }
  }

  void closed() {
    open.decrementAndGet();
  }

  int open() {
    return open.get();
  }
}
