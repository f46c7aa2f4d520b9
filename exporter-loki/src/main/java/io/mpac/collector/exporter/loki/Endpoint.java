package io.mpac.collector.exporter.loki;

import io.mpac.collector.component.Supervisor;
import io.mpac.collector.exporter.CountedBackoff;
import io.mpac.collector.exporter.Delivery;
import io.mpac.collector.exporter.ExporterMetrics.DropReason;
import io.mpac.collector.exporter.SendOutcome;
import io.mpac.collector.exporter.StopSignal;
import io.mpac.collector.exporter.Timing;
import io.mpac.collector.exporter.queue.Lease;
import io.mpac.collector.exporter.queue.QueueStore;
import io.mpac.collector.logging.RateLimitedLogger;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.xerial.snappy.Snappy;

/**
 * One {@code endpoint} of {@code loki.write} on the exporter core: a {@link QueueStore} of entry
 * chunks (in memory, or the WAL on disk) and one supervised worker that batches per tenant,
 * encodes, and sends each batch with {@link Delivery}.
 *
 * <pre>
 *  offer(chunk) ──▶ [ QueueStore: memory (capacity bytes) | WAL (max_size on disk) ]
 *      full → FULL (loki.write refuses: back-pressure)
 *  worker: take ──▶ per-tenant Batch ──(batch_size or batch_wait)──▶ encode ▶ snappy ▶ Delivery
 *      Delivered / Dropped (reason from Loki's answer) → the batch's entries are settled;
 *      a chunk whose entries are all settled is acked (freed; on disk: never read again)
 *      Unfinished (stop deadline) → memory: dropped (shutdown); WAL: not acked, sent after restart
 * </pre>
 *
 * <p>The queue's room is held from offer to ack, so the bound covers what waits, what is batched
 * and what is in flight. One worker sends one request at a time, so a stream's batches arrive in
 * order. A worker that crashes is restarted by the {@link Supervisor}; what it held is dropped and
 * counted ({@code worker_failed}) without the WAL, and sent again with it (a chunk that crashes the
 * worker twice is dropped, so one bad chunk cannot crash it forever).
 */
final class Endpoint {

  private static final Duration LOG_INTERVAL = Duration.ofSeconds(30);
  private static final long MIN_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  /** Idle wait of a memory queue's worker (a push wakes it at once). */
  private static final long MEMORY_IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** How long shutdown waits for a worker after the deadline (each send is abandoned by then). */
  private static final long AFTER_DEADLINE_GRACE_MILLIS = 2000;

  private final String componentId;
  private final EndpointConfig cfg;
  private final long maxStreams;
  private final Logger logger;
  private final RateLimitedLogger rateLimited;
  private final WriteMetrics metrics;
  private final PushSender sender;
  private final Timing timing;
  private final QueueStore<EntryChunk> store;
  private final boolean persistent;
  private final WalConfig wal;
  private final StopSignal stop = new StopSignal();
  private final Delivery<Batch> delivery;
  private final long checkNanos;

  // worker-owned (the crash handler runs on the worker's thread too)
  private final Map<String, Batch> batches = new LinkedHashMap<>();
  private final Set<HeldChunk> held = new LinkedHashSet<>();
  private final List<HeldChunk> resend = new ArrayList<>();
  /** Reused from batch to batch (no megabyte-sized allocation per request). */
  private PushEncoder encoder = new PushEncoder();
  private byte[] compressed;
  private int bodyLength;
  private boolean unanswered;
  private Batch sending;
  private int lastStatus;
  private String lastBody = "";
  private long idleNanos;

  private volatile Supervisor.Worker worker;

  /**
   * @param store the endpoint's queue; {@link QueueStore#persistent()} decides what a stop or a
   *     crash does with what is not yet sent
   * @param wal read frequencies and {@code max_segment_age}, used with a persistent store
   */
  Endpoint(String componentId, EndpointConfig cfg, long maxStreams, Logger logger, WriteMetrics metrics,
      PushSender sender, Timing timing, QueueStore<EntryChunk> store, WalConfig wal) {
    this.componentId = componentId;
    this.cfg = cfg;
    this.maxStreams = maxStreams;
    this.logger = logger;
    this.rateLimited = new RateLimitedLogger(logger, LOG_INTERVAL, timing.nanoTime());
    this.metrics = metrics;
    this.sender = sender;
    this.timing = timing;
    this.store = store;
    this.persistent = store.persistent();
    this.wal = wal;
    this.checkNanos = Math.max(cfg.batchWait().toNanos() / 10, MIN_CHECK_NANOS);
    this.delivery = new Delivery<>(this::attempt, new CountedBackoff(cfg.minBackoff(), cfg.maxBackoff(),
        cfg.maxBackoffRetries(), timing.random()), timing, stop, rateLimited,
        () -> metrics.tenant(sending.tenant).retries.increment());
    this.idleNanos = firstIdleNanos();
    metrics.tenant(cfg.tenantId());
  }


  EndpointConfig config() {
    return cfg;
  }

  WriteMetrics metrics() {
    return metrics;
  }

  /** The worker's name: {@code loki-write-<component>-<endpoint>} (what {@link Supervisor#injectFault} matches). */
  String workerName() {
    return "loki-write-" + componentId + "-" + cfg.name();
  }

  void start(Supervisor supervisor) {
    worker = supervisor.start(workerName(), this::run, (w, cause) -> crashed(cause));
  }

  /** The queue's bound. */
  io.mpac.collector.exporter.queue.QueueLimits limits() {
    return store.limits();
  }

  /** Bytes held by the queue (queued, batched or in flight; on disk for the WAL). */
  long usedBytes() {
    return store.usage().bytes();
  }

  boolean isStopping() {
    return stop.isStopping();
  }

  /** True when {@code chunk} fits beside what the queue holds now. */
  boolean fits(EntryChunk chunk) {
    return store.limits().fits(store.usage(), chunk.size(), chunk.bytes());
  }

  /** Queues a chunk, waiting up to {@code waitNanos} for room; with the WAL, it is on disk when this returns. */
  QueueStore.OfferResult offer(EntryChunk chunk, long waitNanos) {
    if (stop.isStopping()) return QueueStore.OfferResult.CLOSED;
    try {
      return store.offer(chunk, chunk.size(), chunk.bytes(), waitNanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return QueueStore.OfferResult.FULL;
    }
  }

  /** Stops taking chunks; the worker sends what it can until {@code deadlineNanos} (on {@link Timing}'s clock). */
  void beginStop(long deadlineNanos) {
    stop.begin(deadlineNanos);
    store.closeForOffers();
  }

  /**
   * Waits for the worker until the deadline, then abandons what is left: without the WAL it is
   * counted as dropped ({@code shutdown}); with it, it stays on disk for the next start.
   */
  void awaitStopped() {
    Supervisor.Worker w = worker;
    try {
      if (w != null) {
        long left = stop.deadlineNanos() - timing.nanoTime().getAsLong();
        w.join(TimeUnit.NANOSECONDS.toMillis(Math.max(left, 0)) + 1);
        if (w.isAlive()) {
          stop.abandon();
          sender.abort();
          countLost(store.abandon());
          w.join(AFTER_DEADLINE_GRACE_MILLIS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stop.abandon();
    countLost(store.abandon());
    sender.close();
    store.close();
  }

  /** Chunks nobody took before the end (a memory store hands them back; they are lost). */
  private void countLost(List<Lease<EntryChunk>> lost) {
    for (Lease<EntryChunk> l : lost) {
      for (QueuedEntry q : l.payload().entries()) metrics.tenant(tenantOf(q)).drop(WriteMetrics.REASON_SHUTDOWN, 1, q.size());
    }
  }

  private String tenantOf(QueuedEntry q) {
    return q.tenant() != null ? q.tenant() : cfg.tenantId();
  }

  private long firstIdleNanos() {
    return persistent ? wal.minReadFrequency().toNanos() : MEMORY_IDLE_NANOS;
  }

  /** The worker's loop (restarted by the supervisor after a crash). */
  private void run(Supervisor.Worker self) throws InterruptedException {
    resumeAfterCrash();
    while (true) {
      self.checkpoint();
      if (deadlinePassed()) {
        giveUpUnsent();
        return;
      }
      long waited = waitNanos();
      Lease<EntryChunk> lease = store.take(waited);
      long now = timing.nanoTime().getAsLong();
      if (lease != null) {
        accept(lease, now);
        idleNanos = firstIdleNanos();
      } else if (batches.isEmpty() && persistent) {
        // idle: poll the WAL less often, from min_read_frequency up to max_read_frequency
        idleNanos = Math.min(idleNanos * 2, wal.maxReadFrequency().toNanos());
      }
      flushExpired(now);
      if (lease == null && store.finished()) {
        for (Batch b : new ArrayList<>(batches.values())) send(b);
        batches.clear();
        return;
      }
    }
  }

  private boolean deadlinePassed() {
    return stop.isStopping()
        && (stop.isAbandoned() || timing.nanoTime().getAsLong() - stop.deadlineNanos() >= 0);
  }

  /** The stop's deadline passed: memory batches are counted as dropped; WAL chunks stay unacked on disk. */
  private void giveUpUnsent() {
    for (Batch b : batches.values()) {
      if (!persistent) drop(metrics.tenant(b.tenant), b, WriteMetrics.REASON_SHUTDOWN, "not sent by the shutdown deadline");
    }
    batches.clear();
  }

  /** How long to wait for the next chunk: until the oldest batch is due (checked every tenth of batch_wait), or idle. */
  private long waitNanos() {
    if (batches.isEmpty()) return idleNanos;
    long now = timing.nanoTime().getAsLong();
    long wait = cfg.batchWait().toNanos();
    long earliest = Long.MAX_VALUE;
    for (Batch b : batches.values()) earliest = Math.min(earliest, b.createdNanos + wait);
    return Math.max(Math.min(earliest - now, checkNanos), 0);
  }

  private void accept(Lease<EntryChunk> lease, long now) throws InterruptedException {
    HeldChunk h = new HeldChunk(lease);
    held.add(h);
    EntryChunk chunk = lease.payload();
    if (persistent && System.currentTimeMillis() - chunk.writtenAtMillis() > wal.maxSegmentAge().toMillis()) {
      dropAll(h, WriteMetrics.REASON_TOO_OLD);
      rateLimited.log(Level.WARNING, "too-old", () -> "endpoint " + cfg.name() + ": dropping " + chunk.size()
          + " entries written to the WAL more than max_segment_age = " + wal.maxSegmentAge() + " ago");
      return;
    }
    for (QueuedEntry q : chunk.entries()) add(q, now, h);
  }

  private void add(QueuedEntry q, long now, HeldChunk owner) throws InterruptedException {
    String tenant = tenantOf(q);
    Batch b = batches.get(tenant);
    if (b == null) {
      b = new Batch(tenant, now);
      batches.put(tenant, b);
    } else if (!b.isEmpty() && b.bytes() + q.size() > cfg.batchSize()) {
      batches.remove(tenant);
      send(b);
      b = new Batch(tenant, timing.nanoTime().getAsLong());
      batches.put(tenant, b);
    }
    if (!b.add(q, maxStreams, owner)) {
      metrics.tenant(tenant).drop(WriteMetrics.REASON_STREAM_LIMITED, 1, q.size());
      settle(owner, 1);
      rateLimited.log(Level.WARNING, "max-streams", () -> "endpoint " + cfg.name() + ": dropping entries of new streams,"
          + " the batch already has max_streams = " + maxStreams + " streams");
    }
  }

  private void flushExpired(long now) throws InterruptedException {
    long wait = cfg.batchWait().toNanos();
    List<Batch> due = null;
    Iterator<Batch> it = batches.values().iterator();
    while (it.hasNext()) {
      Batch b = it.next();
      if (now - b.createdNanos >= wait) {
        it.remove();
        if (due == null) due = new ArrayList<>(2);
        due.add(b);
      }
    }
    if (due != null) {
      for (Batch b : due) send(b);
    }
  }

  /** Sends a batch with {@link Delivery}; settles its entries unless the stop left it unfinished on disk. */
  private void send(Batch batch) throws InterruptedException {
    if (batch.isEmpty()) return;
    WriteMetrics.Tenant m = metrics.tenant(batch.tenant);
    sending = batch;
    unanswered = false;
    try {
      try {
        int raw = encoder.encode(batch.streamsToSend());
        int max = Snappy.maxCompressedLength(raw);
        if (compressed == null || compressed.length < max) compressed = new byte[max + (max >> 3)];
        bodyLength = Snappy.compress(encoder.buffer(), 0, raw, compressed, 0);
      } catch (IOException | RuntimeException e) {
        drop(m, batch, WriteMetrics.REASON_GENERIC, "cannot encode batch: " + e);
        return;
      }
      m.encodedBytes.increment(bodyLength);
      Delivery.Result result = delivery.deliver(batch, cfg.remoteTimeout(), () -> batch.entries() + " entries"
          + (batch.tenant.isEmpty() ? "" : " of tenant " + batch.tenant) + " to endpoint " + cfg.name());
      if (result instanceof Delivery.Delivered) {
        m.sentEntries.increment(batch.entries());
        m.sentBytes.increment(bodyLength);
        settle(batch);
      } else if (result instanceof Delivery.Dropped d) {
        String reason;
        if (lastStatus == 429) {
          reason = WriteMetrics.REASON_RATE_LIMITED;
        } else if (d.reason() == DropReason.PERMANENT && lastStatus > 0) {
          reason = reasonOf(lastBody);
        } else {
          reason = WriteMetrics.REASON_GENERIC;
        }
        drop(m, batch, reason, d.why());
      } else if (!persistent) {
        drop(m, batch, WriteMetrics.REASON_SHUTDOWN, "not sent by the shutdown deadline");
      }
      // else: unfinished with the WAL: its chunks stay unacked on disk and are sent after the next start
    } finally {
      // a request without an answer may still be reading the body: the next batch gets a new buffer
      if (unanswered) compressed = null;
      sending = null;
    }
  }

  /** One push request of the batch being sent; its answer classified as Loki's clients do. */
  private SendOutcome attempt(Batch batch, Duration timeout) throws InterruptedException {
    lastStatus = 0;
    lastBody = "";
    long start = System.nanoTime();
    PushSender.Result r = sender.send(batch.tenant, compressed, bodyLength, timeout);
    WriteMetrics.Tenant m = metrics.tenant(batch.tenant);
    m.requestDuration(r.status(), System.nanoTime() - start);
    m.requestSize.record(bodyLength);
    lastStatus = r.status();
    lastBody = r.body();
    if (r.status() < 0) unanswered = true;
    return r.outcome(cfg.retryOnHttp429()); // the common classification: no answer, 5xx, 429 if asked
  }

  private void drop(WriteMetrics.Tenant m, Batch batch, String reason, String why) {
    m.drop(reason, batch.entries(), batch.bytes());
    settle(batch);
    rateLimited.log(Level.WARNING, "drop-" + reason, () -> "endpoint " + cfg.name() + ": dropping " + batch.entries()
        + " entries (reason " + reason + (batch.tenant.isEmpty() ? "" : ", tenant " + batch.tenant) + "): " + why);
  }

  private void settle(Batch batch) {
    batch.forEachOwner(this::settle);
  }

  /** {@code n} entries of {@code h} are delivered or dropped; the last of them acks the chunk. */
  private void settle(HeldChunk h, int n) {
    h.pending -= n;
    if (h.pending <= 0 && held.remove(h)) store.ack(h.lease);
  }

  /** Drops every entry of a chunk nobody has batched yet (too old), counted per tenant. */
  private void dropAll(HeldChunk h, String reason) {
    for (QueuedEntry q : h.chunk().entries()) metrics.tenant(tenantOf(q)).drop(reason, 1, q.size());
    h.pending = 0;
    held.remove(h);
    store.ack(h.lease);
  }

  /**
   * The body died: forget its batches. Without the WAL, what it held is dropped and counted
   * ({@code worker_failed}); with it, the chunks are batched again by the restarted body (their
   * entries already delivered are sent again: duplicates, at most these chunks), except a chunk
   * held through a second crash, which is dropped.
   */
  private void crashed(Throwable cause) {
    batches.clear();
    sending = null;
    compressed = null;
    encoder = new PushEncoder();
    idleNanos = firstIdleNanos();
    int dropped = 0;
    for (HeldChunk h : new ArrayList<>(held)) {
      if (persistent && ++h.crashes < 2) {
        resend.add(h);
        continue;
      }
      dropped += h.pending;
      dropPending(h);
    }
    held.clear();
    if (dropped > 0) {
      int n = dropped;
      logger.warning("endpoint " + cfg.name() + ": " + n + " entries held by the crashed worker are dropped"
          + " (reason " + WriteMetrics.REASON_WORKER_FAILED + ")" + (persistent ? " after a second crash" : ""));
    }
  }

  /** Counts the unsettled entries of {@code h} as dropped (the latest {@code pending} of them) and acks it. */
  private void dropPending(HeldChunk h) {
    QueuedEntry[] entries = h.chunk().entries();
    for (int i = Math.max(0, entries.length - h.pending); i < entries.length; i++) {
      metrics.tenant(tenantOf(entries[i])).drop(WriteMetrics.REASON_WORKER_FAILED, 1, entries[i].size());
    }
    h.pending = 0;
    store.ack(h.lease);
  }

  /** A restarted body batches again what the crashed one held (WAL only). */
  private void resumeAfterCrash() throws InterruptedException {
    if (resend.isEmpty()) return;
    List<HeldChunk> again = new ArrayList<>(resend);
    resend.clear();
    long now = timing.nanoTime().getAsLong();
    for (HeldChunk h : again) {
      h.pending = h.chunk().size();
      held.add(h);
      for (QueuedEntry q : h.chunk().entries()) add(q, now, h);
    }
  }

  /** The drop reason for a rejection, from Loki's message. */
  static String reasonOf(String body) {
    String b = body.toLowerCase(Locale.ROOT);
    if (b.contains("line too long") || b.contains("max entry size") || b.contains("line_too_long")) {
      return WriteMetrics.REASON_LINE_TOO_LONG;
    }
    if (b.contains("rate limit") || b.contains("rate_limited")) return WriteMetrics.REASON_RATE_LIMITED;
    if (b.contains("stream limit") || b.contains("maximum active stream") || b.contains("stream_limit")) {
      return WriteMetrics.REASON_STREAM_LIMITED;
    }
    if (b.contains("out of order") || b.contains("too far behind") || b.contains("out_of_order")) {
      return WriteMetrics.REASON_OUT_OF_ORDER;
    }
    return WriteMetrics.REASON_GENERIC;
  }
}
