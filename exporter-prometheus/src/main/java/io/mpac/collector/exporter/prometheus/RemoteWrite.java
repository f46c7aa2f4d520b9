package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Health;
import io.mpac.collector.component.Supervisor;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.exporter.StopSignal;
import io.mpac.collector.exporter.Timing;
import io.mpac.collector.exporter.queue.QueueLimits;
import io.mpac.collector.exporter.queue.QueueStore;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.MetricsReceiver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@code prometheus.remote_write}: a {@link MetricsReceiver} that writes what it is given to a
 * write-ahead log per endpoint ({@link RemoteWriteEndpoint}), from which each endpoint sends it
 * with remote write 1.0.
 *
 * <p>The WAL is always on, as in Alloy: what {@link #append} accepted has been written to every
 * endpoint's WAL under {@code <storage.path>/prometheus.remote_write.<label>/wal/<endpoint>/} and
 * survives a restart or a crash; after one, the records not yet acked are sent again (at-least-once:
 * the duplicates are the records that were being sent, at most about {@code capacity × min_shards}
 * samples plus one record per shard).
 *
 * <p>{@link #append} takes a batch for all endpoints or refuses it: when an endpoint's WAL lacks
 * room (its {@code max_size}, or the disk is full) it throws {@link ConsumeException.Refused},
 * counted, and the caller (ultimately the OTLP client) retries later. The room of every WAL is
 * checked first; only when another append takes the last room between that check and the write
 * can one endpoint get a batch that another refused (then the client's retry is a duplicate there).
 */
final class RemoteWrite implements Component, MetricsReceiver {

  private static final Duration REFUSAL_HINT = Duration.ofSeconds(1);
  /** Bytes a sample takes in a WAL record at least, for {@link #wouldRefuse}. */
  private static final long MIN_BYTES_PER_SAMPLE = 24;

  private final ComponentContext context;
  private final RemoteWriteConfig config;
  private final List<RemoteWriteEndpoint> endpoints = new ArrayList<>();
  private final Supervisor supervisor;
  private final StopSignal stop = new StopSignal();
  private final LongSupplier wallClockMs;
  private final Object lifecycleLock = new Object();
  private ScheduledExecutorService metadataScheduler;
  private volatile boolean started;
  private volatile boolean closed;

  RemoteWrite(ComponentContext context, RemoteWriteConfig config, WalStores stores) {
    this(context, config, stores, System::currentTimeMillis);
  }

  /** With an in-memory WAL: for tests only (no configuration selects it). */
  RemoteWrite(ComponentContext context, RemoteWriteConfig config) {
    this(context, config, WalStores.inMemory(l -> l));
  }

  RemoteWrite(ComponentContext context, RemoteWriteConfig config, WalStores stores, LongSupplier wallClockMs) {
    this(context, config, stores, wallClockMs, RemoteWriteEndpoint.SHARD_UPDATE_INTERVAL);
  }

  /** With the shard count reconsidered every {@code reshardEvery} (tests; Prometheus' 10 s otherwise). */
  RemoteWrite(ComponentContext context, RemoteWriteConfig config, WalStores stores, LongSupplier wallClockMs,
      java.time.Duration reshardEvery) {
    this.context = context;
    this.config = config;
    this.wallClockMs = wallClockMs;
    this.supervisor = new Supervisor(context);
    Labels external = Labels.of(config.externalLabels());
    for (RemoteWriteConfig.Endpoint ep : config.endpoints()) {
      endpoints.add(new RemoteWriteEndpoint(context, ep, external, stores, config.wal(), stop, Timing.SYSTEM,
          wallClockMs, reshardEvery));
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
      QueueLimits limits = new QueueLimits(QueueLimits.UNLIMITED, QueueLimits.UNLIMITED, config.wal().maxSize());
      for (RemoteWriteEndpoint ep : endpoints) {
        try {
          ep.openWal(limits);
        } catch (IOException e) {
          for (RemoteWriteEndpoint opened : endpoints) if (opened.wal != null) opened.wal.close();
          throw new IOException("prometheus.remote_write " + context.id() + ": cannot open the WAL of endpoint "
              + ep.name() + ": " + e.getMessage(), e);
        }
      }
      for (RemoteWriteEndpoint ep : endpoints) ep.start(supervisor);
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
    if (batch.isEmpty()) return;
    WalBatch record = WalBatch.of(batch, wallClockMs.getAsLong());
    int items = record.items();
    long bytes = record.estimatedBytes();
    for (RemoteWriteEndpoint ep : endpoints) {
      if (!ep.walHasRoom(items, bytes)) {
        ep.metrics.refused.increment(items);
        throw full(ep, "is full");
      }
    }
    RemoteWriteEndpoint refusedBy = null;
    String why = null;
    for (RemoteWriteEndpoint ep : endpoints) {
      QueueStore.OfferResult r;
      try {
        r = ep.wal.offer(record, items, bytes, 0);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        r = QueueStore.OfferResult.FULL;
      } catch (RuntimeException e) {
        // a write error (disk full, I/O): refuse, the client retries; never a silent drop
        r = QueueStore.OfferResult.FULL;
        if (why == null) why = "cannot be written (" + e.getMessage() + ")";
      }
      if (r == QueueStore.OfferResult.ACCEPTED) {
        ep.metrics.walAppended.increment(items);
        ep.appended(record.appendedAtMs());
      } else {
        ep.metrics.refused.increment(items);
        if (refusedBy == null) refusedBy = ep;
      }
    }
    if (refusedBy != null) throw full(refusedBy, why == null ? "is full" : why);
  }

  /** Refuses when an endpoint's WAL lacks room for {@code samples} (counted by the caller, not here). */
  @Override
  public ConsumeException.Refused wouldRefuse(int samples) {
    if (closed) return new ConsumeException.Refused("prometheus.remote_write " + context.id() + " is shutting down");
    for (RemoteWriteEndpoint ep : endpoints) {
      if (samples > 0 && !ep.walHasRoom(samples, samples * MIN_BYTES_PER_SAMPLE)) return full(ep, "is full");
    }
    return null;
  }

  private ConsumeException.Refused full(RemoteWriteEndpoint ep, String why) {
    return new ConsumeException.Refused("prometheus.remote_write " + context.id() + ": the WAL of endpoint "
        + ep.name() + " " + why + " (max_size " + config.wal().maxSize() + " bytes)", REFUSAL_HINT);
  }

  @Override
  public void shutdown(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lifecycleLock) {
      if (closed) return;
      closed = true;
      if (metadataScheduler != null) metadataScheduler.shutdownNow();
    }
    supervisor.stopRestarting();
    stop.begin(deadline);
    for (RemoteWriteEndpoint ep : endpoints) ep.beginStop();
    for (RemoteWriteEndpoint ep : endpoints) ep.awaitStop(deadline);
  }

  @Override
  public Health health() {
    Health workers = supervisor.health();
    if (!workers.isHealthy()) return workers;
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

  /** For tests. */
  Supervisor supervisor() {
    return supervisor;
  }
}
