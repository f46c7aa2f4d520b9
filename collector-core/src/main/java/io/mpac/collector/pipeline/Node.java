package io.mpac.collector.pipeline;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.component.Health;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.config.ast.Block;
import java.util.List;
import java.util.Map;

/**
 * One component instance in a built pipeline: where it was declared, what it references, its
 * arguments, the running component, and whether it started.
 */
public final class Node {

  private final ComponentId id;
  private final Block block;
  private final ComponentFactory factory;
  private final List<ComponentId> references;
  private final Args args;
  private final Component component;
  private final Map<String, Object> exports;
  private volatile boolean started;
  private volatile Health startFailure;
  private volatile Health lastHealth;

  Node(ComponentId id, Block block, ComponentFactory factory, List<ComponentId> references, Args args,
      Component component, boolean started) {
    this.id = id;
    this.block = block;
    this.factory = factory;
    this.references = List.copyOf(references);
    this.args = args;
    this.component = component;
    this.exports = Map.copyOf(component.exports());
    this.started = started;
  }

  public ComponentId id() {
    return id;
  }

  public Block block() {
    return block;
  }

  public ComponentFactory factory() {
    return factory;
  }

  /** The components this one's arguments reference (data flows towards them). */
  public List<ComponentId> references() {
    return references;
  }

  public Args args() {
    return args;
  }

  public Component component() {
    return component;
  }

  public Map<String, Object> exports() {
    return exports;
  }

  public boolean started() {
    return started;
  }

  void markStarted() {
    started = true;
    startFailure = null;
  }

  void markStopped() {
    started = false;
  }

  void markStartFailed(String message) {
    startFailure = Health.unhealthy(message);
  }

  /**
   * The component's own health, unless it failed to start. Its {@code updated} time is when the
   * state or message last changed (as Alloy reports it), not when it was asked.
   */
  public Health health() {
    Health now = currentHealth();
    Health before = lastHealth;
    if (before != null && before.state() == now.state() && java.util.Objects.equals(before.message(), now.message())) {
      return before;
    }
    lastHealth = now;
    return now;
  }

  private Health currentHealth() {
    Health f = startFailure;
    if (f != null) return f;
    if (!started) return Health.unknown("not started");
    try {
      return component.health();
    } catch (RuntimeException e) {
      return Health.unhealthy("health check failed: " + e);
    }
  }

  /** A coarse kind for UIs: receiver, processor, exporter, discovery, or other. */
  public String kind() {
    String n = id.name();
    if (n.startsWith("otelcol.receiver.") || n.startsWith("loki.source.")) return "receiver";
    if (n.startsWith("otelcol.processor.") || n.equals("loki.process") || n.endsWith(".relabel")) return "processor";
    if (n.startsWith("otelcol.exporter.") || n.endsWith(".write") || n.endsWith(".remote_write")) return "exporter";
    if (n.startsWith("discovery.")) return "discovery";
    return "other";
  }
}
