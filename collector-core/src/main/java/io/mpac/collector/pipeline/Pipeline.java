package io.mpac.collector.pipeline;

import io.mpac.collector.component.ComponentId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A built component graph. {@link #nodes()} is in dependency order: a component comes after every
 * component it references, so exporters (sinks) come first and receivers (sources) last. Starting
 * walks that order and stopping walks it backwards: nothing is ever handed to a component that is
 * not running.
 */
public final class Pipeline {

  private static final Logger LOG = Logger.getLogger("pipeline");

  private final List<Node> nodes;
  private final Map<ComponentId, Node> byId;
  private final LoggingConfig logging;
  private final boolean liveDebugging;

  Pipeline(List<Node> nodes, LoggingConfig logging, boolean liveDebugging) {
    this.liveDebugging = liveDebugging;
    this.nodes = List.copyOf(nodes);
    Map<ComponentId, Node> m = new LinkedHashMap<>();
    for (Node n : nodes) m.put(n.id(), n);
    this.byId = Collections.unmodifiableMap(m);
    this.logging = logging;
  }

  /** Nodes in start order (sinks first). */
  public List<Node> nodes() {
    return nodes;
  }

  public Node node(ComponentId id) {
    return byId.get(id);
  }

  public LoggingConfig logging() {
    return logging;
  }

  /** Whether the config's {@code livedebugging} block enabled live debugging. */
  public boolean liveDebugging() {
    return liveDebugging;
  }

  /**
   * Starts every node not yet running, sinks first. With {@code failFast} the first failure stops
   * what was started and is thrown (initial start: the process must not run half a pipeline);
   * otherwise a failure marks that node unhealthy and the others start (reload).
   */
  void start(boolean failFast, Duration stopTimeout) throws StartException {
    for (Node n : nodes) {
      if (n.started()) continue;
      try {
        n.component().start();
        n.markStarted();
        LOG.fine(() -> "started " + n.id());
      } catch (Exception | LinkageError e) {
        String message = n.id() + ": " + describe(e);
        if (failFast) {
          shutdown(stopTimeout);
          throw new StartException(message);
        }
        n.markStartFailed("failed to start: " + describe(e));
        LOG.log(Level.SEVERE, "component failed to start: " + message);
      }
    }
  }

  /** Stops every running node, sources first, sharing {@code timeout} among them. */
  void shutdown(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Node> reversed = new ArrayList<>(nodes);
    Collections.reverse(reversed);
    for (Node n : reversed) stop(n, deadline);
  }

  /** Stops one node with what is left until {@code deadlineNanos}. */
  static void stop(Node n, long deadlineNanos) {
    if (!n.started()) return;
    long left = Math.max(0, deadlineNanos - System.nanoTime());
    try {
      n.component().shutdown(Duration.ofNanos(left));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "component " + n.id() + " failed to stop cleanly: " + describe(e));
    }
    n.markStopped();
  }

  static String describe(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }
}
