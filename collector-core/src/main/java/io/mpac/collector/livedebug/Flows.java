package io.mpac.collector.livedebug;

import io.mpac.collector.component.ComponentId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The collector's data-flow edges, kept across reloads (a component that survives a reload keeps
 * its counted edges), and the viewers of live debugging.
 */
public final class Flows {

  private record Key(ComponentId from, ComponentId to) {}

  private final Map<Key, Edge> edges = new ConcurrentHashMap<>();

  /** The edge from {@code from} to {@code to}, created on first use. */
  public Edge edge(ComponentId from, ComponentId to) {
    return edges.computeIfAbsent(new Key(from, to), k -> new Edge(k.from(), k.to()));
  }

  /** Every edge seen so far (including ones a reload removed; callers filter by the running graph). */
  public List<Edge> edges() {
    return new ArrayList<>(edges.values());
  }

  /**
   * Starts watching what {@code id} sends on (its outgoing edges), or, for a component that sends
   * nothing on (an exporter), what it receives. Edges created later are not watched: a viewer
   * re-subscribes after a reload.
   */
  public Subscription watch(ComponentId id, int capacity, int perSecond) {
    List<Edge> watched = new ArrayList<>();
    for (Edge e : edges.values()) {
      if (e.from().equals(id)) watched.add(e);
    }
    if (watched.isEmpty()) {
      for (Edge e : edges.values()) {
        if (e.to().equals(id)) watched.add(e);
      }
    }
    Subscription[] self = new Subscription[1];
    self[0] = new Subscription(capacity, perSecond, () -> watched.forEach(e -> e.unwatch(self[0])));
    watched.forEach(e -> e.watch(self[0]));
    return self[0];
  }
}
