package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.exporter.prometheus.HttpSender.Outcome;
import io.mpac.collector.prometheus.HistogramSample;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.Metadata;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.Sample;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.xerial.snappy.Snappy;

/**
 * One remote-write destination: a bounded queue split into shards by series, each shard drained
 * by its own thread that batches, encodes, compresses and sends, retrying until the endpoint takes
 * the batch or refuses it for good.
 *
 * <pre>
 *   append(batch) ──reserve room (pending + n &lt;= capacity × shards, else Refused)──▶
 *      shard = hash(labels) mod shards  ──▶ [ shard queue ] ──▶ shard thread:
 *          batch of max_samples_per_send, or what is there after batch_send_deadline
 *          → group by series, sort by time → WriteRequest → snappy → POST
 *          2xx: sent │ 5xx/429/network: wait (min_backoff doubling to max_backoff, or Retry-After), again
 *                    │ other 4xx: dropped, counted, logged (rate-limited) with the endpoint's reason
 * </pre>
 *
 * <p>Ordering: a series always goes to the same shard and a shard sends one request at a time, so
 * per series, samples reach the endpoint in the order they were appended. A batch that is being
 * retried holds its shard (as Prometheus does): later samples of the same series wait behind it.
 *
 * <p>A batch larger than the whole queue is still taken when the queue is empty, so an oversized
 * request cannot be refused forever.
 */
final class RemoteWriteEndpoint {

  private static final long MAX_RETRY_AFTER_NANOS = TimeUnit.MINUTES.toNanos(5);
  private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);
  /** Series per generation of a shard's label-encoding cache. */
  static final int LABEL_CACHE_GENERATION = 100_000;

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
  private final io.mpac.collector.exporter.RateLimitedLogger logLimiter;
  final RemoteWriteMetrics metrics;
  private final Shard[] shards;
  private final AtomicLong pending = new AtomicLong();
  private final long capacity;
  private final Map<String, Metadata> metadata = new ConcurrentHashMap<>();
  private final CountDownLatch abandonLatch = new CountDownLatch(1);
  private final long minBackoffNanos;
  private final long maxBackoffNanos;
  private volatile HttpSender sender;
  private volatile boolean closed;
  private volatile boolean draining;
  private volatile boolean abandoned;
  private volatile long deadlineNanos = Long.MAX_VALUE;
  private volatile String problem;

  RemoteWriteEndpoint(ComponentContext context, RemoteWriteConfig.Endpoint config, Labels externalLabels) {
    this.context = context;
    this.config = config;
    this.logger = context.logger();
    this.externalLabels = externalLabels;
    this.encoding = ENCODINGS.computeIfAbsent(externalLabels, k -> new Object());
    this.logLimiter = new io.mpac.collector.exporter.RateLimitedLogger(logger, Duration.ofSeconds(30), System::nanoTime);
    this.capacity = config.queue().totalCapacity();
    this.minBackoffNanos = config.queue().minBackoff().toNanos();
    this.maxBackoffNanos = config.queue().maxBackoff().toNanos();
    this.shards = new Shard[config.queue().minShards()];
    for (int i = 0; i < shards.length; i++) shards[i] = new Shard(i);
    this.metrics = new RemoteWriteMetrics(context.meterRegistry(), context.tags(), config.name(),
        config.url().toString(), pending::get, () -> shards.length);
  }

  String name() {
    return config.name();
  }

  /** Starts the HTTP client and the shard threads. */
  void start() throws Exception {
    try {
      sender = new HttpSender(config);
    } catch (IOException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException("endpoint " + config.name() + ": cannot set up TLS: " + e.getMessage(), e);
    }
    for (Shard s : shards) s.start();
  }

  /** Samples and histograms queued or in flight. */
  long pending() {
    return pending.get();
  }

  /** Items of {@code batch} this endpoint would queue. */
  int itemsOf(MetricsBatch batch) {
    return batch.samples().size() + (config.sendNativeHistograms() ? batch.histograms().size() : 0);
  }

  /** True when {@code n} more items fit (or the queue is empty). */
  boolean hasRoom(int n) {
    long cur = pending.get();
    return cur == 0 || cur + n <= capacity;
  }

  /** Why the endpoint is not healthy, or null. */
  String problem() {
    return problem;
  }

  /**
   * Queues the batch whole, or returns false (and counts the refusal) when it does not fit or the
   * endpoint is closed.
   */
  boolean offer(MetricsBatch batch) {
    for (Metadata m : batch.metadata()) {
      Metadata old = metadata.get(m.familyName());
      if (!m.equals(old)) metadata.put(m.familyName(), m);
    }
    if (!config.sendNativeHistograms() && !batch.histograms().isEmpty()) {
      metrics.histograms.dropped("native_histograms_disabled").increment(batch.histograms().size());
    }
    int n = itemsOf(batch);
    if (n == 0) return true;
    if (closed) {
      metrics.refused.increment(n);
      return false;
    }
    while (true) {
      long cur = pending.get();
      if (cur > 0 && cur + n > capacity) {
        metrics.refused.increment(n);
        return false;
      }
      if (pending.compareAndSet(cur, cur + n)) break;
    }
    List<HistogramSample> hs = config.sendNativeHistograms() ? batch.histograms() : List.of();
    if (shards.length == 1) {
      shards[0].add(batch.samples(), hs);
      return true;
    }
    List<List<Object>> parts = new ArrayList<>(shards.length);
    int expected = (batch.samples().size() + hs.size()) / shards.length;
    for (int i = 0; i < shards.length; i++) parts.add(new ArrayList<>(expected + expected / 4 + 16));
    // the hashes first, in a loop of their own: the label sets are rarely in cache, and loads that
    // do not depend on each other can be waited for together
    List<Sample> samples = batch.samples();
    int[] hashes = new int[samples.size()];
    for (int i = 0; i < hashes.length; i++) hashes[i] = samples.get(i).labels().hashCode();
    for (int i = 0; i < hashes.length; i++) parts.get(Math.floorMod(hashes[i], shards.length)).add(samples.get(i));
    for (HistogramSample h : hs) parts.get(shardOf(h.labels())).add(h);
    for (int i = 0; i < shards.length; i++) {
      if (!parts.get(i).isEmpty()) shards[i].addAll(parts.get(i));
    }
    return true;
  }

  private int shardOf(Labels labels) {
    return Math.floorMod(labels.hashCode(), shards.length);
  }

  /** The labels as sent: internal {@code __} labels removed, missing external labels added. */
  Labels wireLabels(Labels labels) {
    Labels out = labels.withoutReservedLabels();
    for (int i = 0; i < externalLabels.size(); i++) {
      if (out.get(externalLabels.name(i)) == null) out = out.with(externalLabels.name(i), externalLabels.value(i));
    }
    return out;
  }

  /** Sends the known metadata once (called every {@code metadata_config.send_interval}). */
  void sendMetadata() {
    HttpSender s = sender;
    if (s == null || closed || metadata.isEmpty()) return;
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
          logLimiter.log(Level.FINE, "metadata", () -> "endpoint " + name() + ": sending metadata failed: " + o);
        }
      } catch (IOException e) {
        metrics.metadataFailed.increment(part.size());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * Stops taking data, sends what is queued until {@code deadlineNanos}, then gives up on the
   * rest (counted as dropped, reason {@code shutdown}). Returns the number of items lost.
   */
  long shutdown(long deadline) {
    closed = true;
    deadlineNanos = deadline;
    draining = true;
    for (Shard s : shards) s.wake();
    for (Shard s : shards) s.join(deadline);
    boolean alive = false;
    for (Shard s : shards) alive |= s.isAlive();
    if (alive) {
      abandoned = true;
      abandonLatch.countDown();
      for (Shard s : shards) s.wake();
      long graceEnd = System.nanoTime() + GRACE_NANOS;
      for (Shard s : shards) s.join(graceEnd);
    }
    long lost = 0;
    for (Shard s : shards) lost += s.dropRemaining();
    if (lost > 0) {
      logger.warning("endpoint " + name() + ": " + lost + " samples were still queued at the shutdown deadline and "
          + "are lost (counted in prometheus_remote_storage_samples_dropped_total{reason=\"shutdown\"})");
    }
    HttpSender s = sender;
    if (s != null) s.close();
    return lost;
  }

  // ------------------------------------------------------------------ sending

  private final class Shard implements Runnable {
    private final int index;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    private long batchStartNanos = -1;
    private Thread thread;
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

    Shard(int index) {
      this.index = index;
    }

    void start() {
      thread = new Thread(this, "remote-write-" + context.id() + "-" + name() + "-" + index);
      thread.setDaemon(true);
      thread.start();
    }

    void add(List<Sample> samples, List<HistogramSample> histograms) {
      lock.lock();
      try {
        queue.addAll(samples);
        queue.addAll(histograms);
        arrived();
      } finally {
        lock.unlock();
      }
    }

    void addAll(List<Object> items) {
      lock.lock();
      try {
        queue.addAll(items);
        arrived();
      } finally {
        lock.unlock();
      }
    }

    private void arrived() {
      if (batchStartNanos < 0) batchStartNanos = System.nanoTime();
      if (queue.size() >= config.queue().maxSamplesPerSend()) changed.signal();
    }

    void wake() {
      lock.lock();
      try {
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }

    void join(long deadline) {
      Thread t = thread;
      if (t == null) return;
      long left = deadline - System.nanoTime();
      if (left <= 0) return;
      try {
        t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    boolean isAlive() {
      return thread != null && thread.isAlive();
    }

    /** After shutdown: counts and clears whatever is left. */
    long dropRemaining() {
      lock.lock();
      try {
        long n = queue.size();
        countDropped(new ArrayList<>(queue), "shutdown");
        pending.addAndGet(-n);
        queue.clear();
        return n;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void run() {
      int max = config.queue().maxSamplesPerSend();
      long deadlineNanos = config.queue().batchSendDeadline().toNanos();
      List<Object> batch = new ArrayList<>(Math.min(max, 4096));
      try {
        while (true) {
          lock.lock();
          try {
            while (true) {
              if (abandoned) return;
              int size = queue.size();
              if (size == 0 && draining) return;
              long now = System.nanoTime();
              if (size >= max || (size > 0 && (draining || now - batchStartNanos >= deadlineNanos))) break;
              long wait = size == 0 ? TimeUnit.SECONDS.toNanos(1) : deadlineNanos - (now - batchStartNanos);
              changed.awaitNanos(wait);
            }
            for (int i = 0; i < max && !queue.isEmpty(); i++) batch.add(queue.poll());
            batchStartNanos = queue.isEmpty() ? -1 : System.nanoTime();
          } finally {
            lock.unlock();
          }
          send(batch, this);
          batch.clear();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException | Error e) {
        logger.log(Level.SEVERE, "remote-write shard " + Thread.currentThread().getName() + " died", e);
        throw e;
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

  /** Sends one batch with retries; accounts every item once. */
  private void send(List<Object> batch, Shard shard) throws InterruptedException {
    int taken = batch.size();
    try {
      List<Object> live = dropTooOld(batch);
      if (live.isEmpty()) return;
      int length = encode(live, shard);
      byte[] body = shard.compressed;
      Counts counts = Counts.of(live, config.sendExemplars());
      long backoff = minBackoffNanos;
      while (true) {
        if (abandoned) {
          countDropped(live, "shutdown");
          return;
        }
        Duration maxWait = config.remoteTimeout();
        if (draining) maxWait = Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
        long t0 = System.nanoTime();
        Outcome o = sender.send(body, length, maxWait);
        metrics.sentBatchDuration.record(System.nanoTime() - t0, TimeUnit.NANOSECONDS);
        if (o instanceof Outcome.Success) {
          metrics.samples.total.increment(counts.samples);
          metrics.histograms.total.increment(counts.histograms);
          metrics.exemplars.total.increment(counts.exemplars);
          metrics.bytes.increment(length);
          problem = null;
          return;
        }
        if (o instanceof Outcome.Permanent p) {
          Counts c = counts;
          metrics.samples.failed.increment(counts.samples);
          metrics.histograms.failed.increment(counts.histograms);
          metrics.exemplars.failed.increment(counts.exemplars);
          if (p.status() == 401 || p.status() == 403 || p.status() == 404 || p.status() == 405) {
            problem = "endpoint " + name() + " refuses writes: " + p.reason();
          }
          logLimiter.log(Level.WARNING, "permanent-" + p.status(), () -> "endpoint " + name() + " ("
              + config.url() + ") refused " + c.samples + " samples, " + c.histograms
              + " histograms for good, dropping them (not retried): " + p.reason());
          return;
        }
        Outcome.Retryable r = (Outcome.Retryable) o;
        problem = "endpoint " + name() + ": sending fails, retrying: " + r.reason();
        metrics.samples.retried.increment(counts.samples);
        metrics.histograms.retried.increment(counts.histograms);
        metrics.exemplars.retried.increment(counts.exemplars);
        long wait = backoff;
        if (r.retryAfter() != null) wait = Math.max(wait, Math.min(r.retryAfter().toNanos(), MAX_RETRY_AFTER_NANOS));
        long retryWait = wait;
        int failedSamples = counts.samples;
        logLimiter.log(Level.WARNING, "retryable", () -> "endpoint " + name() + " (" + config.url() + "): send of "
            + failedSamples + " samples failed, retrying in " + TimeUnit.NANOSECONDS.toMillis(retryWait) + "ms: "
            + r.reason());
        if (draining && System.nanoTime() + wait > deadlineNanos) {
          countDropped(live, "shutdown");
          return;
        }
        if (abandonLatch.await(wait, TimeUnit.NANOSECONDS)) {
          countDropped(live, "shutdown");
          return;
        }
        backoff = Math.min(backoff * 2, maxBackoffNanos);
        if (!config.queue().sampleAgeLimit().isZero()) {
          List<Object> younger = dropTooOld(live);
          if (younger.size() != live.size()) {
            live = younger;
            if (live.isEmpty()) return;
            // an abandoned attempt may still be reading the old buffers: encode into new ones
            shard.raw[0] = null;
            shard.compressed = new byte[0];
            length = encode(live, shard);
            body = shard.compressed;
            counts = Counts.of(live, config.sendExemplars());
          }
        }
      }
    } finally {
      pending.addAndGet(-taken);
    }
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

  /** The items not older than {@code sample_age_limit}; the others are counted as dropped. */
  private List<Object> dropTooOld(List<Object> items) {
    Duration limit = config.queue().sampleAgeLimit();
    if (limit.isZero()) return items;
    long oldest = System.currentTimeMillis() - limit.toMillis();
    List<Object> keep = new ArrayList<>(items.size());
    List<Object> old = new ArrayList<>();
    for (Object o : items) {
      long ts = o instanceof Sample s ? s.timestampMs() : ((HistogramSample) o).timestampMs();
      (ts < oldest ? old : keep).add(o);
    }
    if (!old.isEmpty()) countDropped(old, "too_old");
    return keep;
  }

  private void countDropped(List<Object> items, String reason) {
    Counts c = Counts.of(items, false);
    if (c.samples > 0) metrics.samples.dropped(reason).increment(c.samples);
    if (c.histograms > 0) metrics.histograms.dropped(reason).increment(c.histograms);
  }
}
