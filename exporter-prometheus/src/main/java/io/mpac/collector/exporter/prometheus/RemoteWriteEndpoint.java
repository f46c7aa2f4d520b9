package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Supervisor;
import io.mpac.collector.exporter.CountedBackoff;
import io.mpac.collector.exporter.Delivery;
import io.mpac.collector.exporter.RetrySchedule;
import io.mpac.collector.exporter.SendOutcome;
import io.mpac.collector.exporter.StopSignal;
import io.mpac.collector.exporter.Timing;
import io.mpac.collector.exporter.prometheus.HttpSender.Outcome;
import io.mpac.collector.exporter.queue.Lease;
import io.mpac.collector.exporter.queue.QueueLimits;
import io.mpac.collector.exporter.queue.QueueStore;
import io.mpac.collector.logging.RateLimitedLogger;
import io.mpac.collector.prometheus.HistogramSample;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.Metadata;
import io.mpac.collector.prometheus.Sample;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.xerial.snappy.Snappy;

/**
 * One remote-write destination: its write-ahead log, read by one WAL reader that splits each record
 * into shards by series, each shard drained by its own thread that batches, encodes, compresses and
 * sends with the exporter core's {@link Delivery}.
 *
 * <pre>
 *   RemoteWrite.append ──▶ WAL (QueueStore, this endpoint's own) ──take──▶ WAL reader
 *      (waits while capacity × shards samples are in the shards; meanwhile, every
 *       truncate_frequency, drops the held record if it is older than max_keepalive_time)
 *      shard = hash(labels) mod shards ──▶ [ shard queue ] ──▶ shard thread:
 *          batch of max_samples_per_send, or what is there after batch_send_deadline
 *          → group by series, sort by time → WriteRequest → snappy → Delivery:
 *          2xx: sent │ 5xx/429/network: retried (min_backoff doubling to max_backoff, or Retry-After)
 *                    │ other 4xx: dropped, counted, logged (rate-limited) with the endpoint's reason
 *   a WAL record is acked (its disk space freed) when every shard that got part of it has sent or
 *   dropped that part: a reference count per record ({@link Ref}).
 * </pre>
 *
 * <p>Resharding: every {@link #SHARD_UPDATE_INTERVAL} the reader asks a {@link ShardTuner} how many
 * shards the load needs (Prometheus' rule, between {@code min_shards} and {@code max_shards}). To
 * change the count it stops dispatching, lets every shard send what it holds and end, then starts
 * the new set: a series may move to another shard, but only after its old shard has sent all of
 * it. As in Prometheus, it does not reshard while the endpoint fails (no send succeeded within
 * {@code batch_send_deadline} although samples are pending), or while stopping. Unlike
 * Prometheus, an idle endpoint (nothing pending) may still scale back down.
 *
 * <p>Ordering: the WAL is read in order, a series always goes to the same shard and a shard sends
 * one request at a time, so per series, samples reach the endpoint in the order they were
 * appended. A batch that is being retried holds its shard (as Prometheus does): later samples of
 * the same series wait behind it, first in the shard's queue, then in the WAL.
 *
 * <p>Threads run under the component's {@link Supervisor}: a reader or shard whose loop throws is
 * logged, counted and restarted. A restarted shard sends the batch its predecessor held; a batch
 * that was already resumed once, and a record the reader held, are counted as dropped (reason
 * {@code crash}) and released, so nothing is lost silently and no record stays unacked for ever.
 */
final class RemoteWriteEndpoint {

  /** Series per generation of a shard's label-encoding cache. */
  static final int LABEL_CACHE_GENERATION = 100_000;
  private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  /** How often the shard count is reconsidered (Prometheus: shardUpdateDuration). */
  static final Duration SHARD_UPDATE_INTERVAL = Duration.ofSeconds(10);
  private static final Shard[] NO_SHARDS = new Shard[0];

  final RemoteWriteConfig.Endpoint config;
  private final ComponentContext context;
  private final Logger logger;
  private final Labels externalLabels;
  /**
   * Owners of label encodings memoised on {@link Labels} ({@link Labels#memo}): one per set of
   * external labels, the only thing besides the labels that the encoding depends on, so endpoints
   * (and components) with the same external labels share them.
   */
  private static final Map<Labels, Object> ENCODINGS = new ConcurrentHashMap<>();
  private final Object encoding;
  private final RateLimitedLogger log;
  final RemoteWriteMetrics metrics;
  /** The endpoint's WAL: opened at start, so that building a component (validate, reload) touches no files. */
  volatile QueueStore<WalBatch> wal;
  private final WalStores stores;
  private final RemoteWriteConfig.Wal walSettings;
  /** The shards dispatched to; replaced (by the reader only) when resharding. */
  private volatile Shard[] shards;
  /** The previous shards while a reshard waits for them to send what they hold. */
  private volatile Shard[] retiring = NO_SHARDS;
  private final ShardTuner tuner;
  private final long reshardEveryNanos;
  private volatile Supervisor supervisor;
  /** The tuner's inputs since its last interval (items dispatched is the reader's own count). */
  private final java.util.concurrent.atomic.LongAdder itemsSent = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder itemsFailed = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder sendNanos = new java.util.concurrent.atomic.LongAdder();
  private long itemsDispatched;
  /** Append times (epoch ms) of the newest record in the WAL and of the newest sent: their gap is the delay. */
  private final AtomicLong newestAppendedMs = new AtomicLong(Long.MIN_VALUE);
  private final AtomicLong newestSentMs = new AtomicLong(Long.MIN_VALUE);
  private volatile long lastSuccessNanos;
  /** Samples and histograms taken from the WAL and not yet sent or dropped (in the shards). */
  private final AtomicLong pending = new AtomicLong();
  /** Samples the shards hold at most, per shard ({@code capacity}). */
  private final long capacityPerShard;
  private final Map<String, Metadata> metadata = new ConcurrentHashMap<>();
  private final StopSignal stop;
  private final Timing timing;
  private final LongSupplier wallClockMs;
  private final RetrySchedule schedule;
  private final ReentrantLock roomLock = new ReentrantLock();
  private final Condition roomFreed = roomLock.newCondition();
  private final List<Supervisor.Worker> workers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile HttpSender sender;
  private volatile String problem;
  private volatile boolean readerDone;
  /** Records appended before this (epoch ms) are expired: see {@link #truncate()}. */
  private volatile long expiredBeforeMs = Long.MIN_VALUE;
  /** The record the WAL reader holds between take and dispatch (for its crash handler). */
  private volatile Lease<WalBatch> readerHolds;

  RemoteWriteEndpoint(ComponentContext context, RemoteWriteConfig.Endpoint config, Labels externalLabels,
      WalStores stores, RemoteWriteConfig.Wal walSettings, StopSignal stop, Timing timing,
      LongSupplier wallClockMs) {
    this(context, config, externalLabels, stores, walSettings, stop, timing, wallClockMs, SHARD_UPDATE_INTERVAL);
  }

  RemoteWriteEndpoint(ComponentContext context, RemoteWriteConfig.Endpoint config, Labels externalLabels,
      WalStores stores, RemoteWriteConfig.Wal walSettings, StopSignal stop, Timing timing,
      LongSupplier wallClockMs, Duration reshardEvery) {
    this.context = context;
    this.config = config;
    this.logger = context.logger();
    this.externalLabels = externalLabels;
    this.encoding = ENCODINGS.computeIfAbsent(externalLabels, k -> new Object());
    this.log = new RateLimitedLogger(logger, Duration.ofSeconds(30), timing.nanoTime());
    this.stores = stores;
    this.walSettings = walSettings;
    this.stop = stop;
    this.timing = timing;
    this.wallClockMs = wallClockMs;
    this.capacityPerShard = config.queue().capacity();
    this.tuner = new ShardTuner(config.queue().minShards(), config.queue().maxShards());
    this.reshardEveryNanos = reshardEvery.toNanos();
    // Prometheus retries a batch until it is taken, refused for good, too old, or the stop comes
    this.schedule = new CountedBackoff(config.queue().minBackoff(), config.queue().maxBackoff(), 0, timing.random());
    this.shards = newShards(config.queue().minShards());
    this.metrics = new RemoteWriteMetrics(context.meterRegistry(), context.tags(), config.name(),
        config.url().toString());
  }

  String name() {
    return config.name();
  }

  private QueueStore.Usage walUsage() {
    QueueStore<WalBatch> w = wal;
    return w == null ? new QueueStore.Usage(0, 0, 0) : w.usage();
  }

  /** Opens the WAL (recovering what a previous run left in it). */
  void openWal(QueueLimits limits) throws IOException {
    wal = stores.open(name(), limits);
  }

  /** Starts the HTTP client, the WAL reader and the shard threads under {@code supervisor}. */
  void start(Supervisor supervisor) {
    try {
      sender = new HttpSender(config);
    } catch (Exception e) {
      throw new IllegalStateException("endpoint " + config.name() + ": cannot set up the HTTP client: "
          + e.getMessage(), e);
    }
    metrics.registerGauges(pending::get, () -> shards.length, tuner::lastDesired, config.queue().minShards(),
        config.queue().maxShards(), this::walUsage);
    this.supervisor = supervisor;
    lastSuccessNanos = timing.nanoTime().getAsLong();
    startShards(shards);
    workers.add(supervisor.start(workerBase() + "-wal-reader", this::readLoop, (w, e) -> readerCrashed()));
  }

  private String workerBase() {
    return "remote-write-" + context.id() + "-" + name();
  }

  private Shard[] newShards(int n) {
    Shard[] out = new Shard[n];
    for (int i = 0; i < n; i++) out[i] = new Shard(i);
    return out;
  }

  private void startShards(Shard[] set) {
    for (Shard s : set) {
      s.worker = supervisor.start(workerBase() + "-shard-" + s.index, s::run, (w, e) -> s.crashed());
      workers.add(s.worker);
    }
  }

  /** The shards running now (for tests). */
  int shardCount() {
    return shards.length;
  }

  /** A record appended at {@code appendedAtMs} (epoch ms) is in the WAL: the tuner's measure of how far behind. */
  void appended(long appendedAtMs) {
    newestAppendedMs.accumulateAndGet(appendedAtMs, Math::max);
  }

  /** Samples and histograms taken from the WAL and not yet settled. */
  long pending() {
    return pending.get();
  }

  /** Items of {@code batch} this endpoint sends. */
  private int itemsOf(WalBatch batch) {
    return batch.samples().size() + (config.sendNativeHistograms() ? batch.histograms().size() : 0);
  }

  /** True when the WAL has room for a record of {@code items} and {@code bytes}. */
  boolean walHasRoom(int items, long bytes) {
    QueueStore<WalBatch> w = wal;
    return w != null && w.limits().fits(w.usage(), items, bytes);
  }

  /** Why the endpoint is not healthy, or null. */
  String problem() {
    return problem;
  }

  /** The labels as sent: internal {@code __} labels removed, missing external labels added. */
  Labels wireLabels(Labels labels) {
    Labels out = labels.withoutReservedLabels();
    for (int i = 0; i < externalLabels.size(); i++) {
      if (out.get(externalLabels.name(i)) == null) out = out.with(externalLabels.name(i), externalLabels.value(i));
    }
    return out;
  }

  // ------------------------------------------------------------------ the WAL reader

  /**
   * WAL truncation, run by the reader at start and every {@code truncate_frequency}: from now on,
   * records appended before (now - max_keepalive_time) are expired. The reader drops an expired
   * record it holds or takes, a shard the expired part of a batch before its next attempt.
   * max_keepalive_time is at least min_keepalive_time (validated), so data younger than
   * min_keepalive_time is never dropped. Then the store reclaims the disk of segments that are
   * mostly acked (a segment wholly acked is deleted at once, without waiting for this).
   */
  private void truncate() {
    long keep = Math.max(walSettings.maxKeepalive().toMillis(), walSettings.minKeepalive().toMillis());
    expiredBeforeMs = wallClockMs.getAsLong() - keep;
    try {
      long freed = stores.compact(wal);
      if (freed > 0) metrics.walReclaimed.increment(freed);
    } catch (IOException | RuntimeException e) {
      log.log(Level.WARNING, "compact", () -> "endpoint " + name() + ": WAL compaction failed: " + e);
    }
  }

  private boolean expired(long appendedAtMs) {
    return appendedAtMs < expiredBeforeMs;
  }

  private void readLoop(Supervisor.Worker self) throws InterruptedException {
    readerDone = false; // a restarted reader (after a crash) is not done
    long truncateEvery = walSettings.truncateFrequency().toNanos();
    truncate();
    long nextTruncate = timing.nanoTime().getAsLong() + truncateEvery;
    long nextReshard = timing.nanoTime().getAsLong() + reshardEveryNanos;
    long lastTick = timing.nanoTime().getAsLong();
    try {
      // a predecessor that died while resharding left retiring shards: finish that reshard first
      if (retiring.length > 0 && !reshard(shards.length)) return;
      while (true) {
        self.checkpoint();
        if (stop.isAbandoned()) return;
        long now = timing.nanoTime().getAsLong();
        if (now - nextTruncate >= 0) {
          truncate();
          nextTruncate = now + truncateEvery;
        }
        if (now - nextReshard >= 0) {
          int want = desiredShards((now - lastTick) / 1e9);
          lastTick = now;
          nextReshard = now + reshardEveryNanos;
          if (want != shards.length && !reshard(want)) return;
        }
        Lease<WalBatch> lease = wal.take(Math.min(IDLE_WAIT_NANOS, Math.max(1, nextTruncate - now)));
        if (lease == null) {
          if (wal.finished()) return;
          continue;
        }
        readerHolds = lease;
        int n = itemsOf(lease.payload());
        while (!expired(lease.payload().appendedAtMs()) && !hasRoom(n)) {
          if (stop.isAbandoned()) return; // the lease stays unacked: a persistent WAL keeps it
          now = timing.nanoTime().getAsLong();
          if (now - nextTruncate >= 0) {
            truncate();
            nextTruncate = now + truncateEvery;
          }
          awaitRoom(Math.min(nextTruncate - now, IDLE_WAIT_NANOS));
        }
        if (expired(lease.payload().appendedAtMs())) {
          dropRecord(lease, "max_keepalive_time");
        } else {
          dispatch(lease);
        }
        readerHolds = null;
      }
    } finally {
      readerDone = true;
      for (Shard s : shards) s.wake();
    }
  }

  private boolean hasRoom(int n) {
    long cur = pending.get();
    return cur == 0 || cur + n <= capacityPerShard * shards.length;
  }

  // ------------------------------------------------------------------ resharding

  /** One tuner interval: the shard count wanted from now on (the current one when resharding is not allowed). */
  private int desiredShards(double seconds) {
    long sent = itemsSent.sumThenReset();
    long failed = itemsFailed.sumThenReset();
    long nanos = sendNanos.sumThenReset();
    long in = itemsDispatched;
    itemsDispatched = 0;
    long appended = newestAppendedMs.get();
    long sentMs = newestSentMs.get();
    double delay = appended == Long.MIN_VALUE || sentMs == Long.MIN_VALUE ? 0 : Math.max(0, appended - sentMs) / 1000.0;
    int current = shards.length;
    int want = tuner.next(current, new ShardTuner.Interval(in, sent, failed, nanos, seconds, delay));
    if (want == current || stop.isStopping()) return current;
    long sinceSuccess = timing.nanoTime().getAsLong() - lastSuccessNanos;
    if (pending.get() > 0 && sinceSuccess > config.queue().batchSendDeadline().toNanos()) {
      log.log(Level.INFO, "reshard-skip", () -> "endpoint " + name() + ": not resharding to " + want
          + " shards: no send succeeded within batch_send_deadline");
      return current;
    }
    return want;
  }

  /**
   * Replaces the shards by {@code count} new ones: the old ones send what they hold and end first,
   * so no series has samples in two shards at once. False when the stop was abandoned meanwhile.
   */
  private boolean reshard(int count) throws InterruptedException {
    Shard[] old = shards;
    retiring = old;
    for (Shard s : old) s.retire();
    long nextTruncate = timing.nanoTime().getAsLong() + walSettings.truncateFrequency().toNanos();
    for (Shard s : old) {
      while (s.worker != null && s.worker.isAlive()) {
        if (stop.isAbandoned()) return false;
        long now = timing.nanoTime().getAsLong();
        if (now - nextTruncate >= 0) {
          truncate(); // so that a shard retrying for ever still drops what max_keepalive_time expired
          nextTruncate = now + walSettings.truncateFrequency().toNanos();
        }
        s.worker.join(TimeUnit.NANOSECONDS.toMillis(IDLE_WAIT_NANOS));
      }
    }
    Shard[] next = newShards(count);
    for (Shard s : old) workers.remove(s.worker);
    shards = next;
    retiring = NO_SHARDS;
    startShards(next);
    if (old.length != count) {
      logger.info("endpoint " + name() + ": resharding from " + old.length + " to " + count + " shards");
    }
    return true;
  }

  private void awaitRoom(long nanos) throws InterruptedException {
    if (nanos <= 0) return;
    roomLock.lock();
    try {
      roomFreed.awaitNanos(nanos);
    } finally {
      roomLock.unlock();
    }
  }

  private void freed(long n) {
    pending.addAndGet(-n);
    roomLock.lock();
    try {
      roomFreed.signalAll();
    } finally {
      roomLock.unlock();
    }
  }

  /** Drops a whole record unsent (counted with {@code reason}) and acks it. */
  private void dropRecord(Lease<WalBatch> lease, String reason) {
    WalBatch b = lease.payload();
    if (!b.samples().isEmpty()) metrics.samples.dropped(reason).increment(b.samples().size());
    if (!b.histograms().isEmpty()) metrics.histograms.dropped(reason).increment(b.histograms().size());
    int items = b.items();
    log.log(Level.WARNING, "drop-" + reason, () -> "endpoint " + name() + ": dropped a WAL record of " + items
        + " samples unsent (" + reason + ")");
    readerHolds = null;
    wal.ack(lease);
  }

  private void readerCrashed() {
    Lease<WalBatch> held = readerHolds;
    if (held != null) dropRecord(held, "worker_failed");
  }

  /** Hands a record's items to the shards, by series. */
  private void dispatch(Lease<WalBatch> lease) {
    WalBatch batch = lease.payload();
    appended(batch.appendedAtMs()); // a record recovered from disk was never seen by append
    Shard[] shards = this.shards;
    for (Metadata m : batch.metadata()) {
      Metadata old = metadata.get(m.familyName());
      if (!m.equals(old)) metadata.put(m.familyName(), m);
    }
    if (!config.sendNativeHistograms() && !batch.histograms().isEmpty()) {
      metrics.histograms.dropped("native_histograms_disabled").increment(batch.histograms().size());
    }
    int n = itemsOf(batch);
    if (n == 0) {
      wal.ack(lease);
      return;
    }
    Ref ref = new Ref(lease, n, batch.appendedAtMs());
    pending.addAndGet(n);
    itemsDispatched += n;
    List<HistogramSample> hs = config.sendNativeHistograms() ? batch.histograms() : List.of();
    if (shards.length == 1) {
      List<Object> all = new ArrayList<>(n);
      all.addAll(batch.samples());
      all.addAll(hs);
      shards[0].add(new Part(all, ref));
      return;
    }
    List<List<Object>> parts = new ArrayList<>(shards.length);
    int expected = n / shards.length;
    for (int i = 0; i < shards.length; i++) parts.add(new ArrayList<>(expected + expected / 4 + 16));
    // the hashes first, in a loop of their own: the label sets are rarely in cache, and loads that
    // do not depend on each other can be waited for together
    List<Sample> samples = batch.samples();
    int[] hashes = new int[samples.size()];
    for (int i = 0; i < hashes.length; i++) hashes[i] = samples.get(i).labels().hashCode();
    for (int i = 0; i < hashes.length; i++) parts.get(Math.floorMod(hashes[i], shards.length)).add(samples.get(i));
    for (HistogramSample h : hs) parts.get(Math.floorMod(h.labels().hashCode(), shards.length)).add(h);
    for (int i = 0; i < shards.length; i++) {
      if (!parts.get(i).isEmpty()) shards[i].add(new Part(parts.get(i), ref));
    }
  }

  /**
   * A WAL record being sent: acked once all its items have been settled (sent or dropped) by the
   * shards that got them.
   */
  private final class Ref {
    final Lease<WalBatch> lease;
    final long appendedAtMs;
    private final AtomicInteger unsettled;

    Ref(Lease<WalBatch> lease, int items, long appendedAtMs) {
      this.lease = lease;
      this.appendedAtMs = appendedAtMs;
      this.unsettled = new AtomicInteger(items);
    }

    void settle(int items) {
      if (unsettled.addAndGet(-items) == 0) wal.ack(lease);
    }
  }

  /** A shard's share of one record; {@code next} items of it have been batched. */
  private static final class Part {
    final List<Object> items;
    final Ref ref;
    int next;

    Part(List<Object> items, Ref ref) {
      this.items = items;
      this.ref = ref;
    }
  }

  // ------------------------------------------------------------------ metadata

  /** Sends the known metadata once (called every {@code metadata_config.send_interval}). */
  void sendMetadata() {
    HttpSender s = sender;
    if (s == null || stop.isStopping() || metadata.isEmpty()) return;
    List<Metadata> all = new ArrayList<>(metadata.values());
    int chunk = config.metadata().maxSamplesPerSend();
    for (int i = 0; i < all.size(); i += chunk) {
      List<Metadata> part = all.subList(i, Math.min(all.size(), i + chunk));
      try {
        byte[] body = Snappy.compress(WriteRequestEncoder.encode(List.of(), part));
        Outcome o = s.send(body, body.length, config.remoteTimeout());
        if (o instanceof Outcome.Success) {
          metrics.metadata.increment(part.size());
        } else {
          metrics.metadataFailed.increment(part.size());
          log.log(Level.FINE, "metadata", () -> "endpoint " + name() + ": sending metadata failed: " + o);
        }
      } catch (IOException e) {
        metrics.metadataFailed.increment(part.size());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  // ------------------------------------------------------------------ shutdown

  /** Stops taking data: the reader sends what the WAL holds until the stop's deadline. */
  void beginStop() {
    if (wal == null) return;
    wal.closeForOffers();
    for (Shard s : retiring) s.wake();
    for (Shard s : shards) s.wake();
  }

  /**
   * Waits for the reader and shards until {@code deadline}, then abandons the rest: a persistent
   * WAL keeps it for the next start; an in-memory one (tests) counts it as dropped (reason
   * {@code shutdown}). Returns the number of samples lost.
   */
  long awaitStop(long deadline) {
    if (wal == null) return 0;
    joinAll(deadline);
    boolean alive = false;
    for (Supervisor.Worker w : workers) alive |= w.isAlive();
    if (alive) {
      stop.abandon();
      for (Shard s : retiring) s.wake();
      for (Shard s : shards) s.wake();
      joinAll(timing.nanoTime().getAsLong() + GRACE_NANOS);
    }
    long lost = 0;
    if (!wal.persistent()) {
      for (Shard s : retiring) lost += s.dropRemaining();
      for (Shard s : shards) lost += s.dropRemaining();
      Lease<WalBatch> held = readerHolds;
      if (held != null) {
        readerHolds = null;
        WalBatch b = held.payload();
        countDropped(b.samples().size(), itemsOf(b) - b.samples().size(), "shutdown");
        lost += itemsOf(b);
      }
      for (Lease<WalBatch> l : wal.abandon()) {
        WalBatch b = l.payload();
        countDropped(b.samples().size(), itemsOf(b) - b.samples().size(), "shutdown");
        lost += itemsOf(b);
      }
      if (lost > 0) {
        logger.warning("endpoint " + name() + ": " + lost + " samples were still queued at the shutdown deadline and "
            + "are lost (counted in prometheus_remote_storage_samples_dropped_total{reason=\"shutdown\"})");
      }
    } else if (pending.get() > 0 || wal.usage().count() > 0) {
      logger.info("endpoint " + name() + ": " + wal.usage().items() + " samples stay in the WAL and are sent after "
          + "the next start");
    }
    HttpSender s = sender;
    if (s != null) s.close();
    wal.close();
    metrics.removeGauges();
    return lost;
  }

  private void joinAll(long deadline) {
    for (Supervisor.Worker w : workers) {
      long left = deadline - timing.nanoTime().getAsLong();
      if (left <= 0) return;
      try {
        w.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private void countDropped(int samples, int histograms, String reason) {
    if (samples > 0) metrics.samples.dropped(reason).increment(samples);
    if (histograms > 0) metrics.histograms.dropped(reason).increment(histograms);
  }

  // ------------------------------------------------------------------ shards

  /** What {@code Shard.next()} returns when nothing came for a while. */
  private static final ShardBatch IDLE = new ShardBatch(0);

  /** One request's worth of items, with the records they came from. */
  private static final class ShardBatch {
    /** The items, in runs per record: {@code counts[i]} items of {@code refs[i]}, in order. */
    final List<Object> items;
    final List<Ref> refs = new ArrayList<>(4);
    final List<Integer> counts = new ArrayList<>(4);
    Counts live;
    int length;
    byte[] body;
    int lastStatus;
    String lastReason = "";
    boolean resumed;

    ShardBatch(int size) {
      items = new ArrayList<>(size);
    }

    void add(Ref ref, List<Object> from, int start, int end) {
      items.addAll(from.subList(start, end));
      refs.add(ref);
      counts.add(end - start);
    }
  }

  private final class Shard {
    private final int index;
    /** Its thread, set when started. */
    volatile Supervisor.Worker worker;
    /** Set when resharding: send what is queued, then end. */
    private boolean retiring;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Part> queue = new ArrayDeque<>();
    private int queued;
    private long batchStartNanos = -1;
    private final Delivery<ShardBatch> delivery;
    /** The batch being sent (for retry counts and the crash handler). */
    private volatile ShardBatch current;
    /** A batch its crashed predecessor held, to send first. */
    private volatile ShardBatch resume;
    /** Reused across requests (one request at a time per shard): encoded and compressed bodies. */
    final byte[][] raw = {null};
    byte[] compressed = new byte[0];
    /** Groups samples by series, reused request after request. */
    final WriteRequestEncoder.GroupTable groups = new WriteRequestEncoder.GroupTable();
    /**
     * Encoded wire labels of the series this shard sent recently, for label sets whose memo slot
     * ({@link Labels#memo}) another owner holds (a series always goes to the same shard, so no
     * locking). Two generations: a series not seen for a whole generation is forgotten, so
     * memory stays within 2 x {@value #LABEL_CACHE_GENERATION} entries.
     */
    private java.util.HashMap<Labels, byte[]> labelCache = new java.util.HashMap<>();
    private java.util.HashMap<Labels, byte[]> previousLabelCache = new java.util.HashMap<>();

    Shard(int index) {
      this.index = index;
      this.delivery = new Delivery<>(this::attempt, schedule, timing, stop, log, this::retrying);
    }

    /**
     * A series' encoded wire labels: memoised on the label set itself (the converter hands on the
     * same instance for every sample of a stream), else from this shard's cache, else encoded.
     */
    byte[] encodedLabels(Labels labels) {
      byte[] b = labels.memo(encoding);
      if (b != null) return b;
      b = labelCache.get(labels);
      if (b != null) return b;
      b = previousLabelCache.get(labels);
      if (b == null) b = WriteRequestEncoder.encodeLabels(wireLabels(labels));
      if (labels.memoize(encoding, b)) return b;
      if (labelCache.size() >= LABEL_CACHE_GENERATION) {
        previousLabelCache = labelCache;
        labelCache = new java.util.HashMap<>();
      }
      labelCache.put(labels, b);
      return b;
    }

    void add(Part part) {
      lock.lock();
      try {
        queue.addLast(part);
        queued += part.items.size();
        if (batchStartNanos < 0) batchStartNanos = timing.nanoTime().getAsLong();
        if (queued >= config.queue().maxSamplesPerSend()) changed.signal();
      } finally {
        lock.unlock();
      }
    }

    /** Sends what it holds at once, then ends (resharding). */
    void retire() {
      lock.lock();
      try {
        retiring = true;
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void wake() {
      lock.lock();
      try {
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void run(Supervisor.Worker self) throws InterruptedException {
      while (true) {
        self.checkpoint();
        ShardBatch batch = resume;
        resume = null;
        if (batch != null) {
          current = batch;
          send(batch, this);
          current = null;
          continue;
        }
        batch = next();
        if (batch == null) return;
        if (batch == IDLE) continue;
        current = batch;
        send(batch, this);
        current = null;
      }
    }

    /** The next batch, waiting for it; {@link #IDLE} after a while without data; null when the endpoint is done. */
    private ShardBatch next() throws InterruptedException {
      int max = config.queue().maxSamplesPerSend();
      long deadlineNanos = config.queue().batchSendDeadline().toNanos();
      lock.lock();
      try {
        while (true) {
          if (stop.isAbandoned()) return null;
          boolean draining = stop.isStopping();
          if (queued == 0 && ((draining && readerDone) || retiring)) return null;
          long now = timing.nanoTime().getAsLong();
          boolean flush = draining || retiring || now - batchStartNanos >= deadlineNanos;
          if (queued >= max || (queued > 0 && flush)) break;
          if (queued == 0) {
            // back to the loop now and then, so that a restarted shard reaches its checkpoint
            changed.awaitNanos(IDLE_WAIT_NANOS);
            if (queued == 0) return IDLE;
            continue;
          }
          changed.awaitNanos(deadlineNanos - (now - batchStartNanos));
        }
        ShardBatch batch = new ShardBatch(Math.min(max, queued));
        while (batch.items.size() < max && !queue.isEmpty()) {
          Part p = queue.peekFirst();
          int take = Math.min(max - batch.items.size(), p.items.size() - p.next);
          batch.add(p.ref, p.items, p.next, p.next + take);
          p.next += take;
          queued -= take;
          if (p.next == p.items.size()) queue.removeFirst();
        }
        batchStartNanos = queued == 0 ? -1 : timing.nanoTime().getAsLong();
        return batch;
      } finally {
        lock.unlock();
      }
    }

    /** One attempt for {@link Delivery}: drops what aged out, (re-)encodes, posts. */
    private SendOutcome attempt(ShardBatch batch, Duration timeout) throws InterruptedException {
      boolean aged = dropAged(batch);
      if (batch.body == null || aged) {
        if (batch.items.isEmpty()) {
          batch.live = new Counts(0, 0, 0);
          return SendOutcome.success(); // nothing left to send
        }
        batch.length = encode(batch.items, this);
        batch.body = compressed;
        batch.live = Counts.of(batch.items, config.sendExemplars());
      }
      long t0 = timing.nanoTime().getAsLong();
      Outcome o = sender.send(batch.body, batch.length, timeout);
      metrics.sentBatchDuration.record(timing.nanoTime().getAsLong() - t0, TimeUnit.NANOSECONDS);
      if (o instanceof Outcome.Success) return SendOutcome.success();
      if (o instanceof Outcome.Permanent p) {
        batch.lastStatus = p.status();
        return SendOutcome.permanent(p.reason());
      }
      Outcome.Retryable r = (Outcome.Retryable) o;
      batch.lastReason = r.reason();
      return SendOutcome.retryable(r.reason(), r.retryAfter());
    }

    private void retrying() {
      ShardBatch b = current;
      if (b == null || b.live == null) return;
      problem = "endpoint " + name() + ": sending fails, retrying: " + b.lastReason;
      metrics.samples.retried.increment(b.live.samples);
      metrics.histograms.retried.increment(b.live.histograms);
      metrics.exemplars.retried.increment(b.live.exemplars);
    }

    /**
     * Removes the items older than {@code sample_age_limit} and those of records older than
     * {@code max_keepalive_time}, counting them; true when any went (the body must be re-encoded,
     * into new buffers: an abandoned attempt may still be reading the old ones).
     */
    private boolean dropAged(ShardBatch batch) {
      Duration ageLimit = config.queue().sampleAgeLimit();
      long now = wallClockMs.getAsLong();
      boolean anyExpired = false;
      for (Ref r : batch.refs) anyExpired |= expired(r.appendedAtMs);
      if (ageLimit.isZero() && !anyExpired) return false;
      long oldest = ageLimit.isZero() ? Long.MIN_VALUE : now - ageLimit.toMillis();
      List<Object> keep = new ArrayList<>(batch.items.size());
      int tooOldSamples = 0;
      int tooOldHistograms = 0;
      int expiredSamples = 0;
      int expiredHistograms = 0;
      int pos = 0;
      for (int i = 0; i < batch.refs.size(); i++) {
        boolean expired = expired(batch.refs.get(i).appendedAtMs);
        int end = pos + batch.counts.get(i);
        for (; pos < end; pos++) {
          Object o = batch.items.get(pos);
          boolean sample = o instanceof Sample;
          long ts = sample ? ((Sample) o).timestampMs() : ((HistogramSample) o).timestampMs();
          if (expired) {
            if (sample) expiredSamples++; else expiredHistograms++;
          } else if (ts < oldest) {
            if (sample) tooOldSamples++; else tooOldHistograms++;
          } else {
            keep.add(o);
          }
        }
      }
      if (keep.size() == batch.items.size()) return false;
      countDropped(tooOldSamples, tooOldHistograms, "too_old");
      countDropped(expiredSamples, expiredHistograms, "max_keepalive_time");
      // the runs per record no longer line up with the items: settle by the original counts
      batch.items.clear();
      batch.items.addAll(keep);
      if (batch.body != null) {
        raw[0] = null;
        compressed = new byte[0];
      }
      return true;
    }

    /** Settles a batch's items with their records. */
    private void settle(ShardBatch batch) {
      int total = 0;
      for (int i = 0; i < batch.refs.size(); i++) {
        batch.refs.get(i).settle(batch.counts.get(i));
        total += batch.counts.get(i);
      }
      freed(total);
    }

    /**
     * The body threw: the restarted body sends the batch it held again; if that batch was already
     * being resumed (it may be what makes the body throw), it is counted as dropped (reason
     * {@code crash}) and released instead.
     */
    void crashed() {
      ShardBatch b = current;
      current = null;
      if (b == null) return;
      if (!b.resumed) {
        b.resumed = true;
        resume = b;
        return;
      }
      Counts c = Counts.of(b.items, false);
      countDropped(c.samples, c.histograms, "worker_failed");
      settle(b);
    }

    /** After an abandoned shutdown with an in-memory WAL: counts and releases what is left. */
    long dropRemaining() {
      lock.lock();
      try {
        long n = 0;
        for (Part p : queue) {
          List<Object> rest = p.items.subList(p.next, p.items.size());
          Counts c = Counts.of(rest, false);
          countDropped(c.samples, c.histograms, "shutdown");
          n += rest.size();
        }
        queue.clear();
        queued = 0;
        pending.addAndGet(-n);
        return n;
      } finally {
        lock.unlock();
      }
    }
  }

  /** Counts of a batch by kind. */
  private record Counts(int samples, int histograms, int exemplars) {
    static Counts of(List<Object> items, boolean withExemplars) {
      int s = 0;
      int h = 0;
      int e = 0;
      for (Object o : items) {
        if (o instanceof Sample x) {
          s++;
          if (withExemplars) e += x.exemplars().size();
        } else if (o instanceof HistogramSample x) {
          h++;
          if (withExemplars) e += x.exemplars().size();
        }
      }
      return new Counts(s, h, e);
    }
  }

  /** Delivers one batch and accounts for every item once. */
  private void send(ShardBatch batch, Shard shard) throws InterruptedException {
    long t0 = timing.nanoTime().getAsLong();
    Delivery.Result result = shard.delivery.deliver(batch, config.remoteTimeout(),
        () -> batch.items.size() + " samples to endpoint " + name() + " (" + config.url() + ")");
    Counts c = batch.live == null ? Counts.of(batch.items, config.sendExemplars()) : batch.live;
    if (result instanceof Delivery.Delivered) {
      if (c.samples + c.histograms > 0) {
        metrics.samples.total.increment(c.samples);
        metrics.histograms.total.increment(c.histograms);
        metrics.exemplars.total.increment(c.exemplars);
        metrics.bytes.increment(batch.length);
        problem = null;
      }
      long now = timing.nanoTime().getAsLong();
      itemsSent.add(batch.items.size());
      sendNanos.add(now - t0);
      lastSuccessNanos = now;
      long newest = Long.MIN_VALUE;
      for (Ref r : batch.refs) newest = Math.max(newest, r.appendedAtMs);
      newestSentMs.accumulateAndGet(newest, Math::max);
      shard.settle(batch);
    } else if (result instanceof Delivery.Dropped d) {
      metrics.samples.failed.increment(c.samples);
      metrics.histograms.failed.increment(c.histograms);
      metrics.exemplars.failed.increment(c.exemplars);
      itemsFailed.add(batch.items.size());
      int status = batch.lastStatus;
      if (status == 401 || status == 403 || status == 404 || status == 405) {
        problem = "endpoint " + name() + " refuses writes: " + d.why();
      }
      log.log(Level.WARNING, "permanent-" + status, () -> "endpoint " + name() + " (" + config.url() + ") refused "
          + c.samples + " samples, " + c.histograms + " histograms for good, dropping them (not retried): "
          + d.why());
      shard.settle(batch);
    } else if (!wal.persistent()) {
      // Unfinished with an in-memory WAL: lost
      countDropped(c.samples, c.histograms, "shutdown");
      shard.settle(batch);
    }
    // Unfinished with a persistent WAL: the records stay unacked and are sent after the next start
  }

  /** Encodes and compresses into the shard's buffers; returns the compressed length. */
  private int encode(List<Object> items, Shard shard) {
    List<WriteRequestEncoder.SeriesGroup> groups = WriteRequestEncoder.group(items, shard::encodedLabels,
        config.sendExemplars(), shard.groups);
    int n = WriteRequestEncoder.encode(groups, List.of(), shard.raw);
    int max = Snappy.maxCompressedLength(n);
    if (shard.compressed.length < max) shard.compressed = new byte[max];
    try {
      return Snappy.compress(shard.raw[0], 0, n, shard.compressed, 0);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("snappy compression failed", e);
    }
  }
}
