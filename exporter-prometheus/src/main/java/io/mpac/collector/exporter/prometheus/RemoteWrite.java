package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Health;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.MetricsReceiver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@code prometheus.remote_write}: a {@link MetricsReceiver} that queues what it is given for each
 * endpoint ({@link RemoteWriteEndpoint}) and sends it with remote write 1.0.
 *
 * <p>{@link #append} takes a batch for all endpoints or for none: when any endpoint's queue lacks
 * room it throws {@link ConsumeException.Refused} and the caller (ultimately the OTLP client)
 * retries later. There is no write-ahead log: what is queued lives in memory only.
 */
final class RemoteWrite implements Component, MetricsReceiver {

  private static final Duration REFUSAL_HINT = Duration.ofSeconds(1);

  private final ComponentContext context;
  private final RemoteWriteConfig config;
  private final List<RemoteWriteEndpoint> endpoints = new ArrayList<>();
  private final Object lifecycleLock = new Object();
  private ScheduledExecutorService metadataScheduler;
  private volatile boolean started;
  private volatile boolean closed;

  RemoteWrite(ComponentContext context, RemoteWriteConfig config) {
    this.context = context;
    this.config = config;
    Labels external = Labels.of(config.externalLabels());
    for (RemoteWriteConfig.Endpoint ep : config.endpoints()) {
      endpoints.add(new RemoteWriteEndpoint(context, ep, external));
    }
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of("receiver", this);
  }

  @Override
  public void start() throws Exception {
    synchronized (lifecycleLock) {
      if (started || closed) return;
      for (RemoteWriteEndpoint ep : endpoints) ep.start();
      metadataScheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "remote-write-metadata-" + context.id());
        t.setDaemon(true);
        return t;
      });
      for (RemoteWriteEndpoint ep : endpoints) {
        RemoteWriteConfig.MetadataSettings md = ep.config.metadata();
        if (!md.send()) continue;
        long every = md.sendInterval().toNanos();
        metadataScheduler.scheduleWithFixedDelay(ep::sendMetadata, every, every, TimeUnit.NANOSECONDS);
      }
      started = true;
    }
  }

  @Override
  public void append(MetricsBatch batch) throws ConsumeException {
    if (closed) throw new ConsumeException.Refused("prometheus.remote_write " + context.id() + " is shutting down");
    for (RemoteWriteEndpoint ep : endpoints) {
      int n = ep.itemsOf(batch);
      if (n > 0 && !ep.hasRoom(n)) {
        ep.metrics.refused.increment(n);
        throw full(ep);
      }
    }
    RemoteWriteEndpoint refusedBy = null;
    for (RemoteWriteEndpoint ep : endpoints) {
      if (!ep.offer(batch) && refusedBy == null) refusedBy = ep;
    }
    if (refusedBy != null) throw full(refusedBy);
  }

  /** Refuses when an endpoint's queue lacks room for {@code samples} (counted by the caller, not here). */
  @Override
  public ConsumeException.Refused wouldRefuse(int samples) {
    if (closed) return new ConsumeException.Refused("prometheus.remote_write " + context.id() + " is shutting down");
    for (RemoteWriteEndpoint ep : endpoints) {
      if (samples > 0 && !ep.hasRoom(samples)) return full(ep);
    }
    return null;
  }

  private ConsumeException.Refused full(RemoteWriteEndpoint ep) {
    return new ConsumeException.Refused("prometheus.remote_write " + context.id() + ": queue of endpoint "
        + ep.name() + " is full (" + ep.config.queue().totalCapacity() + " samples)", REFUSAL_HINT);
  }

  @Override
  public void shutdown(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lifecycleLock) {
      closed = true;
      if (metadataScheduler != null) metadataScheduler.shutdownNow();
    }
    // endpoints drain in parallel, each until the common deadline
    List<Thread> drains = new ArrayList<>();
    for (RemoteWriteEndpoint ep : endpoints) {
      Thread t = new Thread(() -> ep.shutdown(deadline), "remote-write-drain-" + ep.name());
      t.setDaemon(true);
      t.start();
      drains.add(t);
    }
    for (Thread t : drains) {
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 3000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public Health health() {
    for (RemoteWriteEndpoint ep : endpoints) {
      String p = ep.problem();
      if (p != null) return Health.unhealthy(p);
    }
    return Health.healthy(started ? "started" : "created");
  }

  /** For tests. */
  List<RemoteWriteEndpoint> endpoints() {
    return endpoints;
  }
}
