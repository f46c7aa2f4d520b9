package io.mpac.collector.livedebug;

import io.mpac.collector.component.ComponentId;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.util.concurrent.atomic.LongAdder;

/**
 * One data-flow edge, {@code from} (whose argument lists the consumer) to {@code to} (whose input it
 * is): items that passed, per signal, and the viewers watching it right now.
 */
public final class Edge {

  private static final Subscription[] NOBODY = new Subscription[0];

  private final ComponentId from;
  private final ComponentId to;
  private final LongAdder[] items = new LongAdder[Signal.values().length];
  /** Replaced, never mutated: the hot path reads it once, without a lock. */
  private volatile Subscription[] viewers = NOBODY;

  Edge(ComponentId from, ComponentId to) {
    this.from = from;
    this.to = to;
    for (int i = 0; i < items.length; i++) items[i] = new LongAdder();
  }

  public ComponentId from() {
    return from;
  }

  public ComponentId to() {
    return to;
  }

  /** Items of {@code signal} that crossed this edge since the collector started. */
  public long items(Signal signal) {
    return items[signal.ordinal()].sum();
  }

  /** Called for each request the target accepted: a count, and one volatile read when unwatched. */
  void passed(OtlpRequest request) {
    passed(request.signal(), request.itemCount(), request);
  }

  /**
   * Called for each batch the target accepted ({@code payload}: an {@link OtlpRequest}, a list of
   * Loki entries or a Prometheus batch, all immutable once passed on).
   */
  void passed(Signal signal, int itemCount, Object payload) {
    items[signal.ordinal()].add(itemCount);
    Subscription[] w = viewers;
    if (w.length != 0) {
      for (Subscription s : w) s.offer(from, to, signal, itemCount, payload);
    }
  }

  synchronized void watch(Subscription s) {
    Subscription[] w = viewers;
    Subscription[] next = java.util.Arrays.copyOf(w, w.length + 1);
    next[w.length] = s;
    viewers = next;
  }

  synchronized void unwatch(Subscription s) {
    Subscription[] w = viewers;
    int n = 0;
    Subscription[] next = new Subscription[w.length];
    for (Subscription x : w) {
      if (x != s) next[n++] = x;
    }
    viewers = n == 0 ? NOBODY : java.util.Arrays.copyOf(next, n);
  }

  /** Whether anybody watches (tests, the benchmark). */
  public boolean watched() {
    return viewers.length != 0;
  }
}
