package io.mpac.collector.processor.batch;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mpac.collector.component.Supervisor;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.logging.RateLimitedLogger;
import io.mpac.collector.pdata.ClientMetadata;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.pdata.batching.OtlpMerger;
import io.mpac.collector.pdata.batching.OtlpSplitter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The batcher of one signal: producers hand requests to one worker thread that owns every batch.
 *
 * <pre>
 *  producer threads ──consume()──► [pending counters] ──offer──► MPSC queue ──► worker thread
 *    (no lock, no wait: add to the        (bound check,           (wait-free)     shards by metadata,
 *     counters, offer, maybe unpark)        refuse when full)                      merge / split,
 *                                                                                   send downstream
 * </pre>
 *
 * <p><b>Accounting and back-pressure.</b> {@code pendingItems}/{@code pendingBytes} count what has
 * been accepted and not yet delivered (queued, batched, or being retried). A producer adds first,
 * then checks the bound and the state; over the bound it takes its addition back and throws
 * {@link ConsumeException.Refused}. The worker subtracts once a batch is delivered or dropped.
 *
 * <p><b>Wake-ups are rationed.</b> Before parking, the worker publishes {@code wakeAt}: the
 * {@code pendingItems} level at which queued data could complete a batch. Only the producer that
 * finds the worker parked and the level reached unparks it (one CAS on {@code sleeping}); all other
 * producers touch nothing else. Below that level the worker wakes on its own when the oldest batch
 * is due ({@code timeout} after its first item was accepted).
 *
 * <p><b>Shutdown.</b> The state is set to closed, then the worker drains and sends everything until
 * both counters are zero. A producer adds to the counters before reading the state, and the worker
 * reads the counters after writing it, so either the producer sees "closed" (and takes its
 * addition back) or the worker sees its addition and waits for its request. Nothing accepted is left
 * behind; what cannot be delivered by the deadline is counted as dropped.
 *
 * <p><b>Supervision.</b> The worker runs under the component's {@link Supervisor}: a body that
 * throws is logged, counted and restarted, and the batches it held survive (they live in this
 * object, not on the dead thread's stack). The batch it was sending when it died is put back at the
 * front of its shard and sent again, unless the consumer had already taken it (then it is only
 * released); a batch that kills the worker twice is dropped and counted, so that one poisonous
 * batch cannot keep the worker down.
 */
final class SignalBatcher {

  private static final int NEW = 0;
  private static final int RUNNING = 1;
  private static final int CLOSED = 2;
  private static final int MAX_DRAIN = 4096;
  private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);

  /** One accepted request on its way to the worker. */
  private record Entry(ClientMetadata key, OtlpRequest request, long acceptedNanos) {}

  /** The batch of one metadata combination; worker thread only. */
  private static final class Shard {
    final ClientMetadata metadata;
    final ArrayDeque<OtlpRequest> pending = new ArrayDeque<>();
    long items;
    long startNanos;

    Shard(ClientMetadata metadata) {
      this.metadata = metadata;
    }
  }

  private final Signal signal;
  private final OtlpConsumer next;
  private final int sendBatchSize;
  private final int sendBatchMaxSize;
  private final long timeoutNanos;
  private final List<String> metadataKeys;
  private final int cardinalityLimit;
  private final BatchTuning tuning;
  private final Logger logger;
  private final BatchMetrics metrics;
  private final Duration retryHint;

  private final MpscLinkedQueue<Entry> queue = new MpscLinkedQueue<>();
  private final AtomicLong pendingItems = new AtomicLong();
  private final AtomicLong pendingBytes = new AtomicLong();
  private final AtomicInteger sleeping = new AtomicInteger(); // 1 while the worker is (about to be) parked
  private volatile long wakeAt;
  private volatile int state = NEW;
  private volatile long deadlineNanos = Long.MAX_VALUE;
  private final Supervisor supervisor;
  private final String workerName;
  private volatile Supervisor.Worker worker;
  private volatile Thread workerThread;
  private volatile boolean finished; // finish() ran to its end: everything delivered or counted

  // producer side of the metadata shards: the known combinations (read lock-free; written once per new one)
  private final ConcurrentHashMap<ClientMetadata, Boolean> knownKeys = new ConcurrentHashMap<>();
  private final AtomicInteger cardinality = new AtomicInteger();

  // worker-owned
  private final Map<ClientMetadata, Shard> shards = new HashMap<>();
  private final ArrayList<OtlpRequest> scratch = new ArrayList<>();
  private long heldItems;
  private final RateLimitedLogger errorLog;
  // the batch being sent (its requests are in scratch), for the crash handler
  private Shard inFlightShard;
  private OtlpRequest inFlightSplitting;
  private boolean inFlightDelivered;
  private long inFlightItems;
  private long inFlightBytes;
  private int inFlightCrashes;

  SignalBatcher(Signal signal, OtlpConsumer next, BatchProcessorConfig config, BatchTuning tuning,
      String componentId, MeterRegistry registry, Tags tags, Logger logger, Supervisor supervisor) {
    this.signal = signal;
    this.next = next;
    this.sendBatchSize = config.sendBatchSize();
    this.sendBatchMaxSize = config.sendBatchMaxSize();
    this.timeoutNanos = config.timeout().toNanos();
    this.metadataKeys = config.metadataKeys();
    this.cardinalityLimit = config.metadataCardinalityLimit();
    this.tuning = tuning;
    this.logger = logger;
    this.errorLog = new RateLimitedLogger(logger, LOG_INTERVAL, System::nanoTime);
    this.metrics = new BatchMetrics(registry, tags, signal, cardinality::get, pendingItems);
    long hintMillis = Math.min(Math.max(config.timeout().toMillis(), 100), 5000);
    this.retryHint = Duration.ofMillis(hintMillis);
    this.wakeAt = sendBatchSize == 0 || timeoutNanos == 0 ? 1 : sendBatchSize;
    this.supervisor = supervisor;
    this.workerName = "batch-" + signal.lowerName() + "-" + componentId;
  }

  void start() {
    state = RUNNING;
    Supervisor.Worker w = supervisor.start(workerName, this::run, (self, cause) -> recoverAfterCrash());
    workerThread = w.thread();
    worker = w;
  }

  String workerName() {
    return workerName;
  }

  // ------------------------------------------------------------------------------ producer side

  void consume(OtlpRequest request) throws ConsumeException {
    ClientMetadata key;
    try {
      key = keyOf(request.metadata());
    } catch (ConsumeException e) {
      metrics.refused.increment(request.itemCount());
      throw e;
    }
    List<OtlpRequest> parts = null;
    if (sendBatchMaxSize > 0 && request.itemCount() > sendBatchMaxSize) {
      try {
        parts = OtlpSplitter.split(request, sendBatchMaxSize);
      } catch (IllegalArgumentException e) {
        metrics.refused.increment(request.itemCount());
        throw new ConsumeException.Rejected(e.getMessage());
      }
    }
    long items = request.itemCount();
    long bytes = request.sizeBytes();
    if (parts != null) {
      bytes = 0;
      for (OtlpRequest p : parts) bytes += p.sizeBytes();
    }
    long pb = pendingBytes.addAndGet(bytes);
    long pi = pendingItems.addAndGet(items);
    int s = state;
    boolean overBound = (pi > tuning.maxPendingItems() || pb > tuning.maxPendingBytes()) && (pi > items || pb > bytes);
    if (s != RUNNING || overBound) {
      pendingItems.addAndGet(-items);
      pendingBytes.addAndGet(-bytes);
      metrics.refused.increment(items);
      if (s != RUNNING) {
        throw new ConsumeException.Refused("otelcol.processor.batch is " + (s == NEW ? "not started" : "shutting down"), retryHint);
      }
      throw new ConsumeException.Refused("otelcol.processor.batch: " + signal.lowerName() + " pipeline is full ("
          + (pi - items) + " " + signal.itemName() + ", " + (pb - bytes) + " bytes pending)", retryHint);
    }
    long now = System.nanoTime();
    if (parts == null) {
      queue.offer(new Entry(key, request, now));
    } else {
      for (OtlpRequest p : parts) queue.offer(new Entry(key, p, now));
    }
    // read sleeping before wakeAt: the worker publishes wakeAt before it sets sleeping
    if (sleeping.get() == 1 && pi >= wakeAt && sleeping.compareAndSet(1, 0)) {
      LockSupport.unpark(workerThread);
    }
  }

  /** The shard key: the values of {@code metadata_keys} only; refuses a combination beyond the limit. */
  private ClientMetadata keyOf(ClientMetadata md) throws ConsumeException {
    if (metadataKeys.isEmpty()) return ClientMetadata.EMPTY;
    Map<String, List<String>> values = new TreeMap<>();
    for (String k : metadataKeys) {
      List<String> v = md.get(k);
      if (!v.isEmpty()) values.put(k, v);
    }
    ClientMetadata key = values.isEmpty() ? ClientMetadata.EMPTY : new ClientMetadata(values);
    if (knownKeys.containsKey(key)) return key;
    // a new combination: claim a slot first, so concurrent producers cannot exceed the limit
    int n = cardinality.incrementAndGet();
    if (cardinalityLimit > 0 && n > cardinalityLimit) {
      cardinality.decrementAndGet();
      if (knownKeys.containsKey(key)) return key;
      throw new ConsumeException.Rejected("otelcol.processor.batch: too many distinct metadata combinations for "
          + metadataKeys + " (metadata_cardinality_limit " + cardinalityLimit + ")");
    }
    if (knownKeys.putIfAbsent(key, Boolean.TRUE) != null) cardinality.decrementAndGet();
    return key;
  }

  // ------------------------------------------------------------------------------ shutdown

  /** Stops accepting; the worker sends everything and exits by {@code deadline} (System.nanoTime). */
  void close(long deadline) {
    deadlineNanos = deadline;
    boolean wasRunning = state == RUNNING;
    state = CLOSED;
    if (wasRunning) LockSupport.unpark(workerThread);
  }

  /** Waits for the worker until {@code deadline}; true when it finished. */
  boolean awaitTermination(long deadline) throws InterruptedException {
    Supervisor.Worker w = worker;
    if (w == null || !w.isAlive()) return true;
    long waitMillis = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
    w.join(waitMillis);
    if (w.isAlive()) {
      w.interrupt();
      w.join(200);
    }
    return !w.isAlive();
  }

  /**
   * After the worker ended (or was never started): counts whatever is still pending as dropped,
   * e.g. when the worker died during shutdown and was not restarted. Returns the items dropped.
   */
  long dropLeftovers() {
    Supervisor.Worker w = worker;
    if (finished || (w != null && w.isAlive())) return 0;
    long items = pendingItems.getAndSet(0);
    pendingBytes.set(0);
    if (items > 0) {
      metrics.dropped.increment(items);
      logger.warning("otelcol.processor.batch: the " + signal.lowerName() + " worker ended with " + items + " "
          + signal.itemName() + " not delivered; they are dropped");
    }
    return items;
  }

  long pendingItems() {
    return pendingItems.get();
  }

  // ------------------------------------------------------------------------------ worker

  /** The worker's body (restarted by the supervisor if it throws). */
  private void run(Supervisor.Worker self) {
    while (state == RUNNING) {
      self.checkpoint();
      drain();
      long now = System.nanoTime();
      long due = timeoutNanos == 0 ? flushAll() : flushDue(now);
      park(due, now);
    }
    finish();
  }

  /**
   * The crash handler, on the worker thread before its body restarts: makes the worker-owned state
   * consistent again. The batch that was being sent goes back to the front of its shard (or is
   * released if the consumer took it, or dropped and counted if it already killed the worker once).
   */
  private void recoverAfterCrash() {
    sleeping.set(0);
    Shard shard = inFlightShard;
    if (shard != null) {
      if (inFlightDelivered) {
        pendingItems.addAndGet(-inFlightItems);
        pendingBytes.addAndGet(-inFlightBytes);
        inFlightCrashes = 0;
      } else if (++inFlightCrashes >= 2) {
        long items = 0;
        long bytes = 0;
        for (OtlpRequest r : scratch) {
          items += r.itemCount();
          bytes += r.sizeBytes();
        }
        if (inFlightSplitting != null) {
          items += inFlightSplitting.itemCount();
          bytes += inFlightSplitting.sizeBytes();
        }
        pendingItems.addAndGet(-items);
        pendingBytes.addAndGet(-bytes);
        metrics.sendFailed.increment();
        metrics.dropped.increment(items);
        logError("dropped a batch of " + items + " " + signal.itemName() + ": sending it made the worker fail twice", null);
        inFlightCrashes = 0;
      } else {
        if (inFlightSplitting != null) shard.pending.addFirst(inFlightSplitting);
        for (int i = scratch.size() - 1; i >= 0; i--) shard.pending.addFirst(scratch.get(i));
      }
    }
    scratch.clear();
    inFlightShard = null;
    inFlightSplitting = null;
    inFlightDelivered = false;
    long held = 0;
    long now = System.nanoTime();
    for (Shard s : shards.values()) {
      long items = 0;
      for (OtlpRequest r : s.pending) items += r.itemCount();
      s.items = items;
      if (!s.pending.isEmpty() && s.startNanos == 0) s.startNanos = now;
      held += items;
    }
    heldItems = held;
  }

  private void park(long due, long now) {
    long maxShard = 0;
    for (Shard s : shards.values()) maxShard = Math.max(maxShard, s.items);
    wakeAt = sendBatchSize == 0 || timeoutNanos == 0 ? heldItems + 1 : heldItems + Math.max(1, sendBatchSize - maxShard);
    sleeping.set(1);
    // Re-check after announcing. A producer adds to pendingItems before it reads sleeping; the
    // worker sets sleeping before it reads pendingItems: one of the two sees the other. (The
    // entry itself may still be in flight; the next drain picks it up.)
    if (state != RUNNING || pendingItems.get() >= wakeAt) {
      sleeping.set(0);
      return;
    }
    long idle = timeoutNanos == 0 ? Duration.ofMillis(100).toNanos() : timeoutNanos;
    long wait = due == Long.MAX_VALUE ? idle : Math.max(due - now, 1000);
    LockSupport.parkNanos(this, wait);
    sleeping.set(0);
  }

  /** Takes everything visible in the queue into the shards; sends batches that reached the size. */
  private void drain() {
    Entry e;
    // bounded, so that a steady stream cannot starve the timeout checks of other shards
    for (int n = 0; n < MAX_DRAIN && (e = queue.poll()) != null; n++) {
      Shard shard = shards.computeIfAbsent(e.key(), Shard::new);
      if (shard.pending.isEmpty()) shard.startNanos = e.acceptedNanos();
      OtlpRequest r = e.request();
      shard.pending.addLast(r);
      shard.items += r.itemCount();
      heldItems += r.itemCount();
      while (!shard.pending.isEmpty() && shard.items >= sendBatchSize) {
        sendOne(shard, true);
      }
    }
  }

  /** Sends the batches whose timeout passed; returns when the next one is due (or MAX_VALUE). */
  private long flushDue(long now) {
    long next = Long.MAX_VALUE;
    for (Shard s : shards.values()) {
      if (s.pending.isEmpty()) continue;
      if (now - s.startNanos >= timeoutNanos) {
        while (!s.pending.isEmpty()) sendOne(s, false);
      } else {
        next = Math.min(next, s.startNanos + timeoutNanos);
      }
    }
    return next;
  }

  private long flushAll() {
    for (Shard s : shards.values()) {
      while (!s.pending.isEmpty()) sendOne(s, false);
    }
    return Long.MAX_VALUE;
  }

  /** Drains and sends until everything accepted is delivered, or the deadline passes. */
  private void finish() {
    while (true) {
      drain();
      flushAll();
      if (pendingItems.get() == 0 && pendingBytes.get() == 0) {
        finished = true;
        return;
      }
      if (System.nanoTime() - deadlineNanos >= 0 || Thread.currentThread().isInterrupted()) {
        long lost = pendingItems.get();
        metrics.dropped.increment(lost);
        logger.warning("otelcol.processor.batch: shutdown deadline passed with " + lost + " "
            + signal.itemName() + " not delivered; they are dropped");
        finished = true;
        return;
      }
      // a producer is between its accounting and its offer: wait for it
      LockSupport.parkNanos(50_000);
    }
  }

  /** Builds one batch of at most {@code send_batch_max_size} items from the shard and sends it. */
  private void sendOne(Shard shard, boolean sizeTriggered) {
    List<OtlpRequest> batch = scratch;
    batch.clear();
    inFlightShard = shard;
    inFlightDelivered = false;
    long items = 0;
    long bytes = 0;
    while (!shard.pending.isEmpty()) {
      OtlpRequest r = shard.pending.peekFirst();
      if (sendBatchMaxSize == 0 || items + r.itemCount() <= sendBatchMaxSize) {
        shard.pending.pollFirst();
        batch.add(r);
        items += r.itemCount();
        bytes += r.sizeBytes();
        continue;
      }
      if (items < sendBatchMaxSize) {
        shard.pending.pollFirst();
        inFlightSplitting = r;
        List<OtlpRequest> parts;
        try {
          parts = OtlpSplitter.split(r, (int) (sendBatchMaxSize - items), sendBatchMaxSize);
        } catch (IllegalArgumentException e) {
          // cannot happen for data that passed the receiver's validation; never lose count of it
          inFlightSplitting = null;
          shard.items -= r.itemCount();
          release(r.itemCount(), r.sizeBytes());
          metrics.dropped.increment(r.itemCount());
          logError("dropped a malformed " + signal.lowerName() + " request: " + e.getMessage(), null);
          continue;
        }
        long partBytes = 0;
        for (OtlpRequest p : parts) partBytes += p.sizeBytes();
        OtlpRequest first = parts.get(0);
        for (int i = parts.size() - 1; i >= 1; i--) shard.pending.addFirst(parts.get(i));
        batch.add(first);
        inFlightSplitting = null;
        pendingBytes.addAndGet(partBytes - r.sizeBytes()); // headers repeated in each part
        items += first.itemCount();
        bytes += first.sizeBytes();
      }
      break;
    }
    shard.items -= items;
    if (!shard.pending.isEmpty()) shard.startNanos = System.nanoTime();
    inFlightItems = items;
    inFlightBytes = bytes;
    if (batch.isEmpty()) {
      inFlightShard = null;
      return;
    }
    OtlpRequest merged = OtlpMerger.merge(batch, shard.metadata);
    if (sizeTriggered) {
      metrics.sizeTrigger.increment();
    } else {
      metrics.timeoutTrigger.increment();
    }
    metrics.sendSize.record(items);
    metrics.sendSizeBytes.record(merged.sizeBytes());
    deliver(merged);
    inFlightDelivered = true;
    release(items, bytes);
    batch.clear();
    inFlightShard = null;
    inFlightCrashes = 0;
  }

  private void release(long items, long bytes) {
    heldItems -= items;
    pendingItems.addAndGet(-items);
    pendingBytes.addAndGet(-bytes);
  }

  /** Hands the batch downstream, retrying refusals with backoff while holding it. */
  private void deliver(OtlpRequest batch) {
    long start = System.nanoTime();
    long backoff = tuning.retryInitialBackoff().toNanos();
    long maxBackoff = tuning.retryMaxBackoff().toNanos();
    while (true) {
      try {
        next.consume(batch);
        return;
      } catch (ConsumeException e) {
        if (!(e instanceof ConsumeException.Refused refused)) {
          drop(batch, "the downstream consumer rejected it: " + e.getMessage(), null);
          return;
        }
        metrics.sendRefused.increment();
        long wait = backoff;
        if (refused.retryAfter() != null) wait = Math.max(wait, refused.retryAfter().toNanos());
        wait = Math.min(wait, maxBackoff);
        long now = System.nanoTime();
        long giveUpAt = state == RUNNING ? start + tuning.retryMaxElapsed().toNanos() : deadlineNanos;
        if (now + wait - giveUpAt > 0 || Thread.currentThread().isInterrupted()) {
          drop(batch, "the downstream consumer kept refusing it: " + e.getMessage(), null);
          return;
        }
        LockSupport.parkNanos(this, wait);
        backoff = Math.min(backoff * 2, maxBackoff);
      } catch (RuntimeException e) {
        drop(batch, "the downstream consumer failed", e);
        return;
      }
    }
  }

  private void drop(OtlpRequest batch, String why, Throwable t) {
    metrics.sendFailed.increment();
    metrics.dropped.increment(batch.itemCount());
    logError("dropped a batch of " + batch.itemCount() + " " + signal.itemName() + ": " + why, t);
  }

  /** Logs at most once per 10 s, saying how many messages were suppressed in between. */
  private void logError(String message, Throwable t) {
    errorLog.log(Level.WARNING, "error", () -> "otelcol.processor.batch: " + message, t);
  }
}
