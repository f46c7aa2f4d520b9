package io.mpac.collector.exporter.loki;

import io.mpac.collector.exporter.RateLimitedLogger;
import io.mpac.collector.exporter.RetryPolicy;
import io.mpac.collector.exporter.Timing;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.xerial.snappy.Snappy;

/**
 * One {@code endpoint} of {@code loki.write}: a bounded queue and one worker thread that batches,
 * encodes and pushes, with retries.
 *
 * <pre>
 *  push ──reserve bytes──▶ [ queue ] ──▶ worker: per-tenant batch ──(batch_size or batch_wait)──▶ encode
 *   │ over queue_config.capacity → Refused                  ──▶ snappy ──▶ POST ──▶ 2xx: sent
 *   ▼                                          429 / 5xx / no answer: retry with backoff, then drop
 *                                              other 4xx: drop now, log Loki's reason
 * </pre>
 *
 * <p>The capacity counts entries queued, batched and in flight, so memory stays bounded while Loki
 * is down: the queue fills, {@code push} refuses, and the refusal travels back to the OTLP sender.
 * One worker sends one request at a time, so a stream's batches arrive in order.
 */
final class Endpoint {

  private static final Duration LOG_INTERVAL = Duration.ofSeconds(30);
  private static final long MIN_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final EndpointConfig cfg;
  private final long maxStreams;
  private final Logger logger;
  private final RateLimitedLogger rateLimited;
  private final WriteMetrics metrics;
  private final PushSender sender;
  private final Timing timing;
  private final String componentId;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final ArrayDeque<QueuedEntry[]> chunks = new ArrayDeque<>();
  private final AtomicLong used = new AtomicLong();
  private final CountDownLatch abandon = new CountDownLatch(1);
  private final Map<String, Batch> batches = new LinkedHashMap<>();
  private final long checkNanos;
  /** Worker-owned buffers, reused from batch to batch (no megabyte-sized allocation per request). */
  private final PushEncoder encoder = new PushEncoder();
  private byte[] compressed;

  private volatile boolean closed;
  private volatile boolean abandoned;
  private volatile long deadlineNanos;
  private Thread worker;

  Endpoint(String componentId, EndpointConfig cfg, long maxStreams, Logger logger, WriteMetrics metrics,
      PushSender sender, Timing timing) {
    this.componentId = componentId;
    this.cfg = cfg;
    this.maxStreams = maxStreams;
    this.logger = logger;
    this.rateLimited = new RateLimitedLogger(logger, LOG_INTERVAL, System::nanoTime);
    this.metrics = metrics;
    this.sender = sender;
    this.timing = timing;
    this.checkNanos = Math.max(cfg.batchWait().toNanos() / 10, MIN_CHECK_NANOS);
    metrics.tenant(cfg.tenantId());
  }

  EndpointConfig config() {
    return cfg;
  }

  void start() {
    worker = new Thread(this::run, "loki-write-" + componentId + "-" + cfg.name());
    worker.setDaemon(true);
    worker.start();
  }

  /** Bytes queued, batched or in flight. */
  long usedBytes() {
    return used.get();
  }

  /**
   * Reserves room for {@code bytes}; false when the queue is full. An empty queue always takes a
   * push, however large, so that progress is always possible.
   */
  boolean tryReserve(long bytes) {
    if (closed) return false;
    while (true) {
      long cur = used.get();
      if (cur > 0 && cur + bytes > cfg.queueCapacity()) return false;
      if (used.compareAndSet(cur, cur + bytes)) return true;
    }
  }

  void release(long bytes) {
    used.addAndGet(-bytes);
  }

  boolean isClosed() {
    return closed;
  }

  /** Queues entries whose room {@link #tryReserve} reserved. */
  void enqueue(QueuedEntry[] chunk) {
    lock.lock();
    try {
      chunks.addLast(chunk);
      notEmpty.signal();
    } finally {
      lock.unlock();
    }
  }

  /** Stops taking entries; the worker sends what it has until {@code deadline}. */
  void close(long deadline) {
    lock.lock();
    try {
      deadlineNanos = deadline;
      closed = true;
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Waits for the worker until the deadline, then abandons what is left (counted as dropped). */
  void awaitStopped() {
    Thread t = worker;
    if (t == null) {
      // never started: whatever was queued is lost
      abandoned = true;
      drainAsLost();
      return;
    }
    try {
      long left = deadlineNanos - System.nanoTime();
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      if (t.isAlive()) {
        abandoned = true;
        abandon.countDown();
        sender.abort();
        t.join(TimeUnit.SECONDS.toMillis(2));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    sender.close();
  }

  private void drainAsLost() {
    lock.lock();
    try {
      for (QueuedEntry[] c : chunks) {
        long bytes = 0;
        for (QueuedEntry q : c) {
          bytes += q.size();
          metrics.tenant(tenantOf(q)).drop(WriteMetrics.REASON_SHUTDOWN, 1, q.size());
        }
        release(bytes);
      }
      chunks.clear();
    } finally {
      lock.unlock();
    }
  }

  private String tenantOf(QueuedEntry q) {
    return q.tenant() != null ? q.tenant() : cfg.tenantId();
  }

  private void run() {
    try {
      while (true) {
        QueuedEntry[] chunk = take();
        long now = System.nanoTime();
        if (chunk != null) {
          for (QueuedEntry q : chunk) add(q, now);
        }
        flushExpired(now);
        if (closed && chunk == null && queueEmpty()) {
          for (Batch b : new ArrayList<>(batches.values())) send(b);
          batches.clear();
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      logger.log(Level.SEVERE, "loki.write endpoint " + cfg.name() + " worker died", e);
      throw e;
    }
  }

  private boolean queueEmpty() {
    lock.lock();
    try {
      return chunks.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  /** The next chunk, waiting until the oldest batch is due (or a check interval); null if none came. */
  private QueuedEntry[] take() throws InterruptedException {
    lock.lock();
    try {
      long wait = waitNanos();
      while (chunks.isEmpty() && !closed && wait > 0) {
        wait = notEmpty.awaitNanos(wait);
      }
      return chunks.pollFirst();
    } finally {
      lock.unlock();
    }
  }

  private long waitNanos() {
    if (batches.isEmpty()) return TimeUnit.SECONDS.toNanos(1);
    long now = System.nanoTime();
    long earliest = Long.MAX_VALUE;
    for (Batch b : batches.values()) earliest = Math.min(earliest, b.createdNanos + cfg.batchWait().toNanos());
    return Math.max(Math.min(earliest - now, checkNanos), 0);
  }

  private void add(QueuedEntry q, long now) throws InterruptedException {
    String tenant = tenantOf(q);
    Batch b = batches.get(tenant);
    if (b == null) {
      b = new Batch(tenant, now);
      batches.put(tenant, b);
    } else if (!b.isEmpty() && b.bytes() + q.size() > cfg.batchSize()) {
      batches.remove(tenant);
      send(b);
      b = new Batch(tenant, System.nanoTime());
      batches.put(tenant, b);
    }
    if (!b.add(q, maxStreams)) {
      metrics.tenant(tenant).drop(WriteMetrics.REASON_STREAM_LIMITED, 1, q.size());
      release(q.size());
      rateLimited.log(Level.WARNING, "max-streams", () -> "endpoint " + cfg.name() + ": dropping entries of new streams,"
          + " the batch already has max_streams = " + maxStreams + " streams");
    }
  }

  private void flushExpired(long now) throws InterruptedException {
    long wait = cfg.batchWait().toNanos();
    // once closed, what is queued is still batched up to batch_size (not sent chunk by chunk); the
    // rest goes out when the queue is empty
    boolean draining = closed && queueEmpty();
    Iterator<Batch> it = batches.values().iterator();
    List<Batch> due = null;
    while (it.hasNext()) {
      Batch b = it.next();
      if (now - b.createdNanos >= wait || draining) {
        it.remove();
        if (due == null) due = new ArrayList<>(2);
        due.add(b);
      }
    }
    if (due != null) {
      for (Batch b : due) send(b);
    }
  }

  /** Sends a batch with retries; accounts for every entry once and releases its queue room. */
  private void send(Batch batch) throws InterruptedException {
    if (batch.isEmpty()) return;
    WriteMetrics.Tenant m = metrics.tenant(batch.tenant);
    boolean unanswered = false;
    try {
      byte[] body;
      int bodyLength;
      try {
        int raw = encoder.encode(batch.streamsToSend());
        int max = Snappy.maxCompressedLength(raw);
        if (compressed == null || compressed.length < max) compressed = new byte[max + (max >> 3)];
        body = compressed;
        bodyLength = Snappy.compress(encoder.buffer(), 0, raw, body, 0);
      } catch (IOException | RuntimeException e) {
        drop(m, batch, WriteMetrics.REASON_GENERIC, "cannot encode batch: " + e);
        return;
      }
      m.encodedBytes.increment(bodyLength);
      LokiBackoff backoff = new LokiBackoff(cfg.minBackoff(), cfg.maxBackoff(), cfg.maxBackoffRetries(),
          timing.random());
      while (true) {
        if (abandoned) {
          m.drop(WriteMetrics.REASON_SHUTDOWN, batch.entries(), batch.bytes());
          return;
        }
        Duration timeout = cfg.remoteTimeout();
        if (closed) {
          long left = deadlineNanos - System.nanoTime();
          if (left <= 0) {
            m.drop(WriteMetrics.REASON_SHUTDOWN, batch.entries(), batch.bytes());
            return;
          }
          if (left < timeout.toNanos()) timeout = Duration.ofNanos(left);
        }
        long start = System.nanoTime();
        PushSender.Result r = sender.send(batch.tenant, body, bodyLength, timeout);
        if (r.status() < 0) unanswered = true;
        m.requestDuration(r.status(), System.nanoTime() - start);
        m.requestSize.record(bodyLength);
        if (r.success()) {
          m.sentEntries.increment(batch.entries());
          m.sentBytes.increment(bodyLength);
          return;
        }
        boolean rateLimitedAnswer = r.status() == 429;
        boolean retryable = r.outcome(cfg.retryOnHttp429()) instanceof io.mpac.collector.exporter.SendOutcome.Retryable;
        String why = r.status() < 0 ? r.error() : "server returned HTTP status " + r.status()
            + (r.body().isEmpty() ? "" : ": " + r.body());
        if (!retryable) {
          drop(m, batch, rateLimitedAnswer ? WriteMetrics.REASON_RATE_LIMITED : reasonOf(r.body()), why);
          return;
        }
        if (!backoff.canRetry()) {
          drop(m, batch, rateLimitedAnswer ? WriteMetrics.REASON_RATE_LIMITED : WriteMetrics.REASON_GENERIC,
              "no retries left after " + (backoff.retries() + 1) + " attempts: " + why);
          return;
        }
        Duration serverDelay = r.retryAfter();
        if (serverDelay != null && serverDelay.compareTo(RetryPolicy.MAX_SERVER_DELAY) > 0) {
          serverDelay = RetryPolicy.MAX_SERVER_DELAY;
        }
        long delay = backoff.nextDelayNanos(serverDelay);
        m.retries.increment();
        if (closed && System.nanoTime() + delay - deadlineNanos >= 0) {
          m.drop(WriteMetrics.REASON_SHUTDOWN, batch.entries(), batch.bytes());
          return;
        }
        rateLimited.log(Level.WARNING, "retry", () -> "endpoint " + cfg.name() + ": sending " + batch.entries()
            + " entries failed, retrying in " + delay / 1_000_000 + "ms: " + why);
        if (timing.sleeper().sleep(delay, abandon) && abandoned) {
          m.drop(WriteMetrics.REASON_SHUTDOWN, batch.entries(), batch.bytes());
          return;
        }
      }
    } finally {
      // a request without an answer may still be reading the body: the next batch gets a new buffer
      if (unanswered) compressed = null;
      release(batch.bytes());
    }
  }

  private void drop(WriteMetrics.Tenant m, Batch batch, String reason, String why) {
    m.drop(reason, batch.entries(), batch.bytes());
    rateLimited.log(Level.WARNING, "drop-" + reason, () -> "endpoint " + cfg.name() + ": dropping " + batch.entries()
        + " entries (reason " + reason + (batch.tenant.isEmpty() ? "" : ", tenant " + batch.tenant) + "): " + why);
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
