package io.mpac.collector.pipeline;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.ast.ConfigFile;
import io.mpac.collector.config.syntax.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Runs the pipeline described by a config path: initial load and start, reload (SIGHUP or
 * {@code /-/reload}), and shutdown. A reload that fails to build leaves the running pipeline
 * untouched; one that builds replaces only the components whose arguments changed.
 */
public final class Controller {

  private static final Logger LOG = Logger.getLogger("controller");

  private final Path configPath;
  private final PipelineBuilder builder;
  private final Duration stopTimeout;
  private final Consumer<LoggingConfig> loggingApplier;
  private final ConfigLoadMetrics loadMetrics;
  private final Object lock = new Object();
  private volatile Pipeline current;
  private volatile boolean ready;
  private boolean stopped;
  private List<ConfigFile> files = List.of();
  private final java.util.concurrent.atomic.AtomicBoolean refreshPending =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final java.util.concurrent.ExecutorService refresher =
      java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "controller-exports");
        t.setDaemon(true);
        return t;
      });

  /**
   * @param stopTimeout how long components removed by a reload get to stop
   * @param loggingApplier applies the {@code logging} block of each loaded config
   */
  public Controller(Path configPath, PipelineBuilder builder, Duration stopTimeout,
      Consumer<LoggingConfig> loggingApplier) {
    this.configPath = configPath;
    this.builder = builder;
    this.stopTimeout = stopTimeout;
    this.loggingApplier = loggingApplier;
    this.loadMetrics = new ConfigLoadMetrics(builder.meterRegistry());
    builder.onExportsChanged(this::exportsChanged);
  }

  /** Loads, builds and starts the pipeline; on any failure nothing is left running. */
  public void start() throws ConfigException, StartException {
    synchronized (lock) {
      List<ConfigFile> loaded;
      Pipeline p;
      try {
        loaded = ConfigSource.load(configPath);
        p = builder.build(loaded, null);
      } catch (ConfigException e) {
        loadMetrics.failed();
        throw e;
      }
      loadMetrics.succeeded();
      loggingApplier.accept(p.logging());
      p.start(true, stopTimeout);
      current = p;
      files = loaded;
      ready = true;
      LOG.info("pipeline started with " + p.nodes().size() + " components");
    }
  }

  /**
   * Re-reads the config. Throws with every diagnostic if the new config is bad, and then the
   * running pipeline keeps running as it was. Otherwise stops removed and changed components
   * (sources first), then starts new ones (sinks first); a component that fails to start is
   * reported unhealthy rather than failing the reload.
   */
  public void reload() throws ConfigException {
    synchronized (lock) {
      if (stopped) throw new IllegalStateException("collector is shutting down");
      try {
        List<ConfigFile> loaded = ConfigSource.load(configPath);
        apply(loaded);
        files = loaded;
      } catch (ConfigException e) {
        loadMetrics.failed();
        throw e;
      }
      loadMetrics.succeeded();
      LOG.info("config reloaded: " + current.nodes().size() + " components");
    }
  }

  /**
   * A component announced new exports ({@code ComponentContext.exportsChanged()}): re-evaluates the
   * loaded config against the running pipeline on the controller's own thread, so components whose
   * arguments now differ (e.g. {@code targets = discovery.docker.x.targets}) are rebuilt and
   * restarted, and the rest keep running untouched. Coalesced: many announcements while one
   * re-evaluation is pending cause one.
   */
  void exportsChanged(ComponentId source) {
    if (!refreshPending.compareAndSet(false, true)) return;
    try {
      refresher.execute(this::refreshExports);
    } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
      refreshPending.set(false);
    }
  }

  private void refreshExports() {
    refreshPending.set(false);
    synchronized (lock) {
      if (stopped || current == null) return;
      try {
        apply(files);
      } catch (ConfigException e) {
        LOG.warning("re-evaluating components after an export changed failed; keeping them as they were: "
            + e.getMessage());
      }
    }
  }

  /** Builds {@code loaded} against the running pipeline and swaps it in (caller holds the lock). */
  private void apply(List<ConfigFile> loaded) throws ConfigException {
    Pipeline old = current;
    Pipeline next = builder.build(loaded, old);
    loggingApplier.accept(next.logging());
    Set<Object> kept = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Node n : next.nodes()) kept.add(n.component());
    if (old != null) {
      List<Node> reversed = new ArrayList<>(old.nodes());
      Collections.reverse(reversed);
      long deadline = System.nanoTime() + stopTimeout.toNanos();
      for (Node n : reversed) {
        if (!kept.contains(n.component())) Pipeline.stop(n, deadline);
      }
      for (Node n : old.nodes()) {
        if (next.node(n.id()) == null) removeMeters(n.id());
      }
    }
    try {
      next.start(false, stopTimeout);
    } catch (StartException impossible) {
      throw new IllegalStateException(impossible);
    }
    current = next;
  }

  /**
   * Removes the meters of a component the new config no longer has (every component meter carries
   * its {@code component_id}, which the component contract checks), so {@code /metrics} does not
   * report it forever. A component rebuilt under the same id keeps its counters.
   */
  private void removeMeters(ComponentId id) {
    MeterRegistry registry = builder.meterRegistry();
    String tag = id.toString();
    for (Meter m : List.copyOf(registry.getMeters())) {
      if (tag.equals(m.getId().getTag("component_id"))) registry.remove(m);
    }
  }

  /** Stops everything (sources first) within {@code timeout}. Idempotent. */
  public void shutdown(Duration timeout) {
    synchronized (lock) {
      if (stopped) return;
      stopped = true;
      ready = false;
      refresher.shutdown();
      Pipeline p = current;
      if (p != null) p.shutdown(timeout);
    }
  }

  /** The data-flow edges of the pipelines this controller ran (for the UI's rates and live debugging). */
  public io.mpac.collector.livedebug.Flows flows() {
    return builder.flows();
  }

  /** True once the first config loaded and every component started. */
  public boolean isReady() {
    return ready;
  }

  /** The running pipeline, or null before the first successful start. */
  public Pipeline current() {
    return current;
  }
}
