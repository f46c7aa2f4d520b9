package io.mpac.collector.pipeline;

import io.mpac.collector.component.ComponentId;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Graph helpers over "component → components it references" edges. */
final class Cycles {

  private Cycles() {}

  /** Each cycle once, as the list of its members in reference order (Tarjan's strongly connected components). */
  static List<List<ComponentId>> find(Map<ComponentId, List<ComponentId>> edges) {
    List<List<ComponentId>> cycles = new ArrayList<>();
    Map<ComponentId, Integer> index = new HashMap<>();
    Map<ComponentId, Integer> low = new HashMap<>();
    Deque<ComponentId> stack = new ArrayDeque<>();
    Set<ComponentId> onStack = new HashSet<>();
    int[] counter = {0};
    for (ComponentId v : edges.keySet()) {
      if (!index.containsKey(v)) strongConnect(v, edges, index, low, stack, onStack, counter, cycles);
    }
    return cycles;
  }

  private static void strongConnect(ComponentId v, Map<ComponentId, List<ComponentId>> edges,
      Map<ComponentId, Integer> index, Map<ComponentId, Integer> low, Deque<ComponentId> stack,
      Set<ComponentId> onStack, int[] counter, List<List<ComponentId>> cycles) {
    index.put(v, counter[0]);
    low.put(v, counter[0]);
    counter[0]++;
    stack.push(v);
    onStack.add(v);
    for (ComponentId w : edges.getOrDefault(v, List.of())) {
      if (!edges.containsKey(w)) continue;
      if (!index.containsKey(w)) {
        strongConnect(w, edges, index, low, stack, onStack, counter, cycles);
        low.put(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.contains(w)) {
        low.put(v, Math.min(low.get(v), index.get(w)));
      }
    }
    if (low.get(v).equals(index.get(v))) {
      List<ComponentId> scc = new ArrayList<>();
      ComponentId w;
      do {
        w = stack.pop();
        onStack.remove(w);
        scc.add(0, w);
      } while (!w.equals(v));
      boolean selfLoop = scc.size() == 1 && edges.getOrDefault(v, List.of()).contains(v);
      if (scc.size() > 1 || selfLoop) cycles.add(orderAlongEdges(scc, edges));
    }
  }

  /** Orders a strongly connected component so that each member references the next. */
  private static List<ComponentId> orderAlongEdges(List<ComponentId> scc, Map<ComponentId, List<ComponentId>> edges) {
    Set<ComponentId> members = new HashSet<>(scc);
    List<ComponentId> path = new ArrayList<>();
    Set<ComponentId> seen = new LinkedHashSet<>();
    ComponentId at = scc.get(0);
    while (seen.add(at)) {
      path.add(at);
      ComponentId next = null;
      for (ComponentId w : edges.getOrDefault(at, List.of())) {
        if (members.contains(w) && (!seen.contains(w) || w.equals(path.get(0)))) {
          next = w;
          if (!seen.contains(w)) break;
        }
      }
      if (next == null) break;
      at = next;
    }
    return path;
  }

  /**
   * Nodes ordered so that every node comes after the nodes it references (sinks first), keeping
   * declaration order among independent nodes. Nodes in cycles are left out.
   */
  static List<ComponentId> topologicalOrder(Map<ComponentId, List<ComponentId>> edges) {
    List<ComponentId> order = new ArrayList<>();
    Set<ComponentId> done = new HashSet<>();
    Set<ComponentId> visiting = new HashSet<>();
    for (ComponentId v : edges.keySet()) visit(v, edges, done, visiting, order);
    return order;
  }

  private static boolean visit(ComponentId v, Map<ComponentId, List<ComponentId>> edges, Set<ComponentId> done,
      Set<ComponentId> visiting, List<ComponentId> order) {
    if (done.contains(v)) return true;
    if (!visiting.add(v)) return false; // part of a cycle
    boolean ok = true;
    for (ComponentId w : edges.getOrDefault(v, List.of())) {
      if (edges.containsKey(w) && !visit(w, edges, done, visiting, order)) ok = false;
    }
    visiting.remove(v);
    if (ok) {
      done.add(v);
      order.add(v);
    }
    return ok;
  }
}
