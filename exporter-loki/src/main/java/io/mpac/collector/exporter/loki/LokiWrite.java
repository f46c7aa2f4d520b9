package io.mpac.collector.exporter.loki;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Health;
import io.mpac.collector.component.HeapBudget;
import io.mpac.collector.component.Supervisor;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.exporter.Timing;
import io.mpac.collector.exporter.queue.MemoryQueueStore;
import io.mpac.collector.exporter.queue.QueueLimits;
import io.mpac.collector.exporter.queue.QueueStore;
import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LogsReceiver;
import io.mpac.collector.loki.LokiEntry;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The {@code loki.write} instance: a {@link LogsReceiver} that prepares each entry once (external
 * labels added, {@code __} labels and empty values removed, tenant from {@code __tenant_id__}) and
 * offers the push, as one {@link EntryChunk}, to every endpoint's queue (in memory, or the WAL on
 * disk when {@code wal { enabled = true }}: then a push returns only once it is written). A push
 * is taken by all endpoints or by none: when one endpoint's queue is full the push is refused
 * (back-pressure), so a retry does not duplicate entries at the others.
 */
final class LokiWrite implements Component, LogsReceiver {

  private static final int LABEL_CACHE_LIMIT = 10_000;
  private static final int SEEN = 8;
  private static final Duration REFUSAL_HINT = Duration.ofSeconds(1);

  private final ComponentContext context;
  private final LokiWriteConfig config;
  private final Labels external;
  private final Function<EndpointConfig, PushSender> senders;
  private final Timing timing;
  private final WalStoreOpener walStores;
  private final List<Endpoint> endpoints = new ArrayList<>();
  private final Object offerLock = new Object();
  private Supervisor supervisor;
  private final ConcurrentHashMap<Labels, Labels> streamLabels = new ConcurrentHashMap<>();
  private final Object lifecycle = new Object();
  private volatile boolean started;
  private volatile boolean stopped;

  LokiWrite(ComponentContext context, LokiWriteConfig config, WalStoreOpener walStores) {
    this(context, config, null, Timing.SYSTEM, walStores);
  }

  LokiWrite(ComponentContext context, LokiWriteConfig config, Function<EndpointConfig, PushSender> senders,
      Timing timing) {
    this(context, config, senders, timing, null);
  }

  /**
   * @param senders makes each endpoint's transport (null: HTTP); tests inject fakes
   * @param timing the clock, backoff sleeper and random source
   * @param walStores opens an endpoint's WAL (used when {@code wal { enabled = true }})
   */
  LokiWrite(ComponentContext context, LokiWriteConfig config, Function<EndpointConfig, PushSender> senders,
      Timing timing, WalStoreOpener walStores) {
    this.context = context;
    this.config = config;
    this.external = Labels.of(config.externalLabels());
    this.senders = senders;
    this.timing = timing;
    this.walStores = walStores;
    if (config.wal().enabled() && walStores == null) throw new IllegalArgumentException("the WAL needs a store opener");
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of("receiver", this);
  }

  @Override
  public void start() throws IOException, GeneralSecurityException {
    synchronized (lifecycle) {
      if (started || stopped) return;
      List<QueueStore<EntryChunk>> opened = new ArrayList<>();
      try {
        for (EndpointConfig e : config.endpoints()) {
          QueueStore<EntryChunk> store = openStore(e);
          opened.add(store);
          PushSender s = senders != null ? senders.apply(e) : HttpPushSender.create(e);
          WriteMetrics m = new WriteMetrics(context.meterRegistry(), context.tags(), EndpointConfig.hostOf(e.url()));
          endpoints.add(new Endpoint(context.id().toString(), e, config.maxStreams(), context.logger(), m, s, timing,
              store, config.wal()));
        }
      } catch (IOException | GeneralSecurityException | RuntimeException ex) {
        for (QueueStore<EntryChunk> s : opened) s.close();
        endpoints.clear();
        throw ex;
      }
      supervisor = new Supervisor(context);
      for (Endpoint e : endpoints) e.start(supervisor);
      started = true;
    }
  }

  /**
   * An endpoint's queue: in memory, bounded by {@code queue_config.capacity} and by
   * {@link HeapBudget#EXPORTER_QUEUE} of the heap; or its WAL, bounded on disk by {@code wal.max_size}.
   */
  private QueueStore<EntryChunk> openStore(EndpointConfig e) throws IOException {
    if (!config.wal().enabled()) {
      long heapShare = HeapBudget.share(HeapBudget.EXPORTER_QUEUE);
      if (e.queueCapacity() > heapShare) {
        context.logger().warning("endpoint " + e.name() + ": queue_config capacity = " + e.queueCapacity()
            + " bytes is more than " + (int) (HeapBudget.EXPORTER_QUEUE * 100) + "% of the max heap; the queue holds at"
            + " most " + heapShare + " bytes (use the WAL, wal { enabled = true }, for more)");
      }
      long bytes = Math.min(e.queueCapacity(), heapShare);
      return new MemoryQueueStore<>(new QueueLimits(QueueLimits.UNLIMITED, QueueLimits.UNLIMITED, bytes));
    }
    Path dir = context.storageDir().resolve("wal").resolve(LokiWriteConfig.walDirName(e));
    return walStores.open(dir, new QueueLimits(QueueLimits.UNLIMITED, QueueLimits.UNLIMITED, config.wal().maxSize()),
        new EntryChunkCodec(), context.logger());
  }

  @Override
  public void push(List<LokiEntry> entries) throws ConsumeException {
    if (entries.isEmpty()) return;
    if (stopped) {
      for (Endpoint e : endpoints) e.metrics().refused(WriteMetrics.REFUSED_STOPPING, entries.size());
      throw new ConsumeException.Refused("loki.write " + context.id() + " is shutting down", REFUSAL_HINT);
    }
    if (!started) throw new ConsumeException.Refused("loki.write " + context.id() + " is not started", REFUSAL_HINT);
    QueuedEntry[] chunk = new QueuedEntry[entries.size()];
    int n = 0;
    long bytes = 0;
    // the entries of a push share a few Labels objects (one per stream of a converted request):
    // look each one up once per push, by identity
    Labels[] seenRaw = new Labels[SEEN];
    Labels[] seenStream = new Labels[SEEN];
    String[] seenTenant = new String[SEEN];
    int seen = 0;
    for (LokiEntry e : entries) {
      Labels raw = e.labels();
      int k = 0;
      while (k < seen && seenRaw[k] != raw) k++;
      Labels stream;
      String tenant;
      if (k < seen) {
        stream = seenStream[k];
        tenant = seenTenant[k];
      } else {
        tenant = raw.get(Labels.TENANT_ID);
        stream = stream(raw);
        if (seen < SEEN) {
          seenRaw[seen] = raw;
          seenStream[seen] = stream;
          seenTenant[seen++] = tenant;
        }
      }
      if (stream.isEmpty()) continue; // Loki rejects a stream without labels; nothing to send it as
      QueuedEntry q = QueuedEntry.of(stream, tenant, e);
      chunk[n++] = q;
      bytes += q.size();
    }
    if (n == 0) return;
    if (n < chunk.length) chunk = java.util.Arrays.copyOf(chunk, n);
    offer(new EntryChunk(chunk, bytes, System.currentTimeMillis()));
  }

  /** Offers the chunk to every endpoint, or to none (refused). */
  private void offer(EntryChunk chunk) throws ConsumeException {
    if (endpoints.size() == 1) {
      Endpoint e = endpoints.get(0);
      QueueStore.OfferResult r = e.offer(chunk, e.config().blockOnOverflow() ? EndpointConfig.BLOCK_LIMIT.toNanos() : 0);
      if (r != QueueStore.OfferResult.ACCEPTED) refuse(e, r, chunk);
      return;
    }
    synchronized (offerLock) {
      // only pushes (under this lock) add to the queues, so room seen here is still there below
      long deadline = System.nanoTime() + EndpointConfig.BLOCK_LIMIT.toNanos();
      for (int round = 0; ; round++) {
        Endpoint full = null;
        for (Endpoint e : endpoints) {
          if (e.isStopping()) refuse(e, QueueStore.OfferResult.CLOSED, chunk);
          if (!e.fits(chunk)) {
            full = e;
            break;
          }
        }
        if (full == null) break;
        if (!full.config().blockOnOverflow() || System.nanoTime() - deadline >= 0) {
          refuse(full, QueueStore.OfferResult.FULL, chunk);
        }
        try {
          Thread.sleep(round < 10 ? 1 : 5);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          refuse(full, QueueStore.OfferResult.FULL, chunk);
        }
      }
      for (int i = 0; i < endpoints.size(); i++) {
        Endpoint e = endpoints.get(i);
        QueueStore.OfferResult r = e.offer(chunk, 0);
        if (r == QueueStore.OfferResult.ACCEPTED) continue;
        if (i == 0) refuse(e, r, chunk);
        // a later endpoint failed after earlier ones took the push (its disk filled up, or it is
        // stopping): refusing now would duplicate at the others, so these entries are lost here
        for (QueuedEntry q : chunk.entries()) {
          e.metrics().tenant(q.tenant() != null ? q.tenant() : e.config().tenantId())
              .drop(WriteMetrics.REFUSED_FULL, 1, q.size());
        }
        context.logger().warning("loki.write " + context.id() + ": endpoint " + e.config().name() + " could not queue "
            + chunk.size() + " entries the other endpoints took (" + r + "); counted as dropped (reason queue_full)");
      }
    }
  }

  private void refuse(Endpoint e, QueueStore.OfferResult r, EntryChunk chunk) throws ConsumeException {
    if (r == QueueStore.OfferResult.CLOSED || e.isStopping()) {
      e.metrics().refused(WriteMetrics.REFUSED_STOPPING, chunk.size());
      throw new ConsumeException.Refused("loki.write " + context.id() + " is shutting down", REFUSAL_HINT);
    }
    e.metrics().refused(WriteMetrics.REFUSED_FULL, chunk.size());
    throw new ConsumeException.Refused("loki.write " + context.id() + ": queue of endpoint " + e.config().name()
        + " is full (" + (config.wal().enabled() ? "WAL max_size " + config.wal().maxSize() + " bytes or the disk"
        : e.config().queueCapacity() + " bytes") + ")", REFUSAL_HINT);
  }

  /** The labels a stream is sent with: external labels under the entry's, no internal or empty labels. */
  private Labels stream(Labels raw) {
    Labels cached = streamLabels.get(raw);
    if (cached != null) return cached;
    Labels s = external.merge(raw).cleaned();
    if (streamLabels.size() >= LABEL_CACHE_LIMIT) streamLabels.clear();
    streamLabels.put(raw, s);
    return s;
  }

  @Override
  public void shutdown(Duration timeout) {
    List<Endpoint> toStop;
    synchronized (lifecycle) {
      if (stopped) return;
      stopped = true;
      toStop = List.copyOf(endpoints);
    }
    if (supervisor != null) supervisor.stopRestarting();
    long now = timing.nanoTime().getAsLong();
    for (Endpoint e : toStop) {
      // drain within drain_timeout (the WAL's, or the queue's), never past the runtime's shutdown timeout
      Duration drain = config.wal().enabled() ? config.wal().drainTimeout() : e.config().drainTimeout();
      Duration d = drain.compareTo(timeout) < 0 ? drain : timeout;
      e.beginStop(now + Math.max(0, d.toNanos()));
    }
    for (Endpoint e : toStop) e.awaitStopped();
  }

  @Override
  public Health health() {
    if (stopped) return Health.unknown("stopped");
    if (!started) return Health.healthy("created");
    return supervisor.health();
  }

  /** The endpoints' queue bounds, in order (tests). */
  List<QueueLimits> queueLimits() {
    return endpoints.stream().map(Endpoint::limits).toList();
  }

  /** Bytes waiting or in flight, summed over endpoints (tests and diagnostics). */
  long usedBytes() {
    long sum = 0;
    for (Endpoint e : endpoints) sum += e.usedBytes();
    return sum;
  }
}
