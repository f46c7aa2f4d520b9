package io.mpac.collector.receiver.docker;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Health;
import io.mpac.collector.config.value.Value;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code discovery.docker}: reads the daemon's container and network lists every {@code
 * refresh_interval} and exports {@code targets} (see {@link DockerTargets}). When the targets
 * change it tells the runtime ({@link ComponentContext#exportsChanged()}), which re-evaluates the
 * components that use them. A failed refresh keeps the previous targets, marks the component
 * unhealthy and is logged once (and once more when the daemon answers again).
 */
public final class DiscoveryDocker implements Component {

  private final ComponentContext context;
  private final DiscoveryDockerConfig config;
  private final Logger log;
  private volatile Value targets = Targets.toValue(List.of());
  private volatile List<Map<String, String>> current = List.of();
  private volatile Health health = Health.unknown("not refreshed yet");
  private ScheduledExecutorService scheduler;
  private DockerClient client;
  private boolean failing;
  private final Object refreshLock = new Object();

  public DiscoveryDocker(ComponentContext context, DiscoveryDockerConfig config) {
    this.context = context;
    this.config = config;
    this.log = context.logger();
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of("targets", targets);
  }

  /** The current targets. */
  public List<Map<String, String>> targets() {
    return current;
  }

  @Override
  public synchronized void start() {
    client = new DockerClient(config.host(), config.requestTimeout(), DockerTimer.get());
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, context.id() + "-refresh");
      t.setDaemon(true);
      return t;
    });
    scheduler.scheduleWithFixedDelay(this::refresh, 0, config.refreshInterval().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One refresh; public for tests that do not want to wait for the interval. Serialised. */
  public void refresh() {
    synchronized (refreshLock) {
      refreshLocked();
    }
  }

  private void refreshLocked() {
    try {
      List<Map<String, String>> next = DockerTargets.compute(client.listContainers(config.filters()),
          client.listNetworks(), config.port(), config.hostNetworkingHost(), config.matchFirstNetwork());
      health = Health.healthy(next.size() + " targets");
      if (failing) {
        failing = false;
        log.info("Docker daemon at " + config.host() + " answers again");
      }
      if (!next.equals(current)) {
        // the export first: whoever sees the new list must also see the new export
        targets = Targets.toValue(next);
        current = List.copyOf(next);
        context.exportsChanged();
      }
    } catch (Exception e) {
      health = Health.unhealthy("cannot list containers: " + e.getMessage());
      if (!failing) {
        failing = true;
        log.log(Level.WARNING, "cannot list containers at " + config.host() + " (keeping " + current.size()
            + " targets; retrying every " + config.refreshInterval() + "): " + e.getMessage());
      }
    }
  }

  @Override
  public Health health() {
    return health;
  }

  @Override
  public synchronized void shutdown(Duration timeout) {
    if (scheduler == null) return;
    scheduler.shutdownNow();
    try {
      scheduler.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    scheduler = null;
  }
}
