package io.mpac.collector.exporter;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that only moves when someone sleeps, and a fixed "random" value: retries run instantly. */
final class FakeTiming {
  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final List<Long> sleeps = new CopyOnWriteArrayList<>();
  volatile double random = 0.5;

  Timing timing() {
    return new Timing(now::get, (nanos, wake) -> {
      sleeps.add(nanos);
      now.addAndGet(nanos);
      return false;
    }, () -> random);
  }
}
