package io.mpac.collector.exporter;

import io.micrometer.core.instrument.Tags;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Health;
import io.mpac.collector.component.HeapBudget;
import io.mpac.collector.component.Supervisor;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.exporter.ExporterMetrics.DropReason;
import io.mpac.collector.exporter.ExporterMetrics.ItemCounters;
import io.mpac.collector.exporter.queue.Lease;
import io.mpac.collector.exporter.queue.MemoryQueueStore;
import io.mpac.collector.exporter.queue.QueueLimits;
import io.mpac.collector.exporter.queue.QueueStore;
import io.mpac.collector.logging.RateLimitedLogger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The sending queue of the OTLP exporters (and of any exporter whose payload is sent whole): a
 * {@link QueueStore} (in memory, or persistent with {@code sending_queue { storage = ... }})
 * drained by {@code num_consumers} supervised workers, each delivering with the shared
 * {@link Delivery} retry loop, and the exporter's accounting.
 *
 * <pre>
 *  offer() ──▶ [ QueueStore: queue_size in requests | items | bytes, and a byte bound ]
 *     │ full → ConsumeException.Refused (back-pressure upstream), enqueue_failed += items
 *     ▼
 *  num_consumers workers (Supervisor) ──▶ Delivery ──▶ sender.send(payload, timeout)
 *      Delivered  → sent += items (partial_success rejections → dropped, reason partial_success)
 *      Dropped    → send_failed += items (permanent | retries_exhausted), logged (rate-limited)
 *      Unfinished → memory store: lost at shutdown (counted); persistent store: kept for the next start
 *  every outcome but "kept" acks the payload: its room is freed, a persistent store forgets it
 * </pre>
 *
 * <p><b>Bounds</b>: {@code queue_size} counts in its sizer's unit what is queued <em>and</em> being
 * sent (room is freed when a payload is settled, as in the OpenTelemetry Collector). An in-memory
 * queue is also bounded in bytes, by {@code queue_size} with the {@code bytes} sizer and never
 * more than {@link HeapBudget#EXPORTER_QUEUE} of the max heap.
 *
 * <p><b>Queue disabled</b> ({@code sending_queue { enabled = false }}): {@link #offer} sends in the
 * caller's thread, once. Success returns; a permanent failure throws
 * {@link ConsumeException.Rejected}; a retryable one throws {@link ConsumeException.Refused} with
 * the server's delay, so whoever called (ultimately the SDK behind the receiver) retries.
 *
 * <p><b>Shutdown</b> ({@link #shutdown(Duration)}): new data is refused at once; the workers keep
 * draining; an attempt started during shutdown gets only the time left. At the deadline the workers
 * are interrupted; an in-memory queue counts what is left (reason {@code shutdown}) exactly once and
 * one line says how much was lost; a persistent queue keeps it on disk (counted as kept) and sends
 * it after the next start.
 *
 * <p><b>Supervision</b>: a worker that dies of an unexpected exception is restarted by the
 * component's {@link Supervisor}; the payload it held is delivered by the restarted worker first,
 * and dropped (reason {@code worker_failed}, counted) only if it makes the worker die again.
 *
 * @param <T> the payload type
 */
public final class SendingQueue<T> {

  private static final Duration LOG_INTERVAL = Duration.ofSeconds(30);
  /** How long {@link #shutdown} waits for workers after the deadline (each send is bounded by then). */
  private static final long AFTER_DEADLINE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final long POLL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final String name;
  private final Logger logger;
  private final PayloadInfo<T> info;
  private final QueueConfig queueConfig;
  private final Duration timeout;
  private final Timing timing;
  private final ExporterMetrics metrics;
  private final RateLimitedLogger rateLimited;
  private final QueueStore<T> store;
  private final Supervisor supervisor;
  private final StopSignal stop = new StopSignal();
  private final Delivery<T> delivery;
  private final List<Supervisor.Worker> workers = new ArrayList<>();
  /** Leases being sent, each with "settled" (accounted for by exactly one party). */
  private final Map<Lease<T>, AtomicBoolean> inFlight = Collections.synchronizedMap(new IdentityHashMap<>());
  private final Map<String, LongAdder> lostAtShutdown = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> keptAtShutdown = new ConcurrentHashMap<>();
  private final Duration refusalHint;
  private final Object lifecycleLock = new Object();

  private volatile boolean started;

  private SendingQueue(Builder<T> b) {
    this.name = b.context.id().toString();
    this.logger = b.context.logger();
    this.info = b.info;
    this.queueConfig = b.queue;
    this.timing = b.timing;
    this.timeout = b.timeout;
    Tags tags = b.context.tags();
    this.metrics = new ExporterMetrics(b.context.meterRegistry(), tags, b.itemNames);
    this.rateLimited = new RateLimitedLogger(logger, LOG_INTERVAL, timing.nanoTime());
    this.store = b.store != null ? b.store : new MemoryQueueStore<>(limits(queueConfig, HEAP_SHARE));
    this.supervisor = b.supervisor != null ? b.supervisor : new Supervisor(b.context);
    this.delivery = new Delivery<>(b.sender, new RetryPolicy(b.retry, timing.random()), timing, stop, rateLimited,
        metrics::retried);
    if (queueConfig.enabled()) metrics.declareQueueGauges(tags, this::queueSize, queueConfig.queueSize());
    Duration initial = b.retry.initialInterval();
    this.refusalHint = initial.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : initial;
  }

  /**
   * The limits of a {@code sending_queue} block, with {@code maxBytes} as the byte bound unless the
   * sizer is {@code bytes} (then {@code queue_size} is, if smaller).
   */
  public static QueueLimits limits(QueueConfig q, long maxBytes) {
    long u = QueueLimits.UNLIMITED;
    return switch (q.sizer()) {
      case REQUESTS -> new QueueLimits(q.queueSize(), u, maxBytes);
      case ITEMS -> new QueueLimits(u, q.queueSize(), maxBytes);
      case BYTES -> new QueueLimits(u, u, Math.min(q.queueSize(), maxBytes));
    };
  }

  /** The byte bound of an in-memory queue: a share of the max heap. */
  private static final long HEAP_SHARE = HeapBudget.share(HeapBudget.EXPORTER_QUEUE);

  /** Says once, at start, when the heap bound is tighter than the configured byte size. */
  private void warnIfCapped() {
    if (!store.persistent() && queueConfig.sizer() == QueueConfig.Sizer.BYTES && queueConfig.queueSize() > HEAP_SHARE) {
      logger.warning("sending_queue: queue_size = " + queueConfig.queueSize() + " bytes is more than "
          + (int) (HeapBudget.EXPORTER_QUEUE * 100) + "% of the max heap; the in-memory queue holds at most "
          + HEAP_SHARE + " bytes (use a persistent queue, sending_queue { storage = ... }, for more)");
    }
  }

  /**
   * Starts building a queue for one exporter instance.
   *
   * @param context the exporter's context (id, logger, metrics registry and tags)
   * @param sender the transport
   * @param info item count, item unit and byte size of a payload
   */
  public static <T> Builder<T> builder(ComponentContext context, RequestSender<T> sender, PayloadInfo<T> info) {
    return new Builder<>(context, sender, info);
  }

  /** Configures a {@link SendingQueue}; defaults are Alloy's. */
  public static final class Builder<T> {
    private final ComponentContext context;
    private final RequestSender<T> sender;
    private final PayloadInfo<T> info;
    private QueueConfig queue = QueueConfig.DEFAULTS;
    private RetryConfig retry = RetryConfig.DEFAULTS;
    private Duration timeout = Duration.ofSeconds(5);
    private Timing timing = Timing.SYSTEM;
    private List<String> itemNames = List.of("spans", "metric_points", "log_records");
    private QueueStore<T> store;
    private Supervisor supervisor;

    private Builder(ComponentContext context, RequestSender<T> sender, PayloadInfo<T> info) {
      this.context = Objects.requireNonNull(context, "context");
      this.sender = Objects.requireNonNull(sender, "sender");
      this.info = Objects.requireNonNull(info, "info");
    }

    public Builder<T> queue(QueueConfig queue) {
      this.queue = Objects.requireNonNull(queue);
      return this;
    }

    public Builder<T> retry(RetryConfig retry) {
      this.retry = Objects.requireNonNull(retry);
      return this;
    }

    /** The per-attempt timeout handed to the sender (Alloy's {@code timeout}, default 5s). */
    public Builder<T> timeout(Duration timeout) {
      if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be > 0");
      this.timeout = timeout;
      return this;
    }

    /** Clock, sleeper and random source; tests inject fakes. */
    public Builder<T> timing(Timing timing) {
      this.timing = Objects.requireNonNull(timing);
      return this;
    }

    /** The item units this exporter sees (metric suffixes); default all three OTLP units. */
    public Builder<T> itemNames(String... names) {
      this.itemNames = List.of(names);
      return this;
    }

    /**
     * Where payloads wait: a persistent store for {@code sending_queue { storage = ... }} (build its
     * limits with {@link SendingQueue#limits}). Default: in memory. The queue closes it at shutdown.
     */
    public Builder<T> store(QueueStore<T> store) {
      this.store = Objects.requireNonNull(store);
      return this;
    }

    /** The component's supervisor, when it has other workers too (its health covers all of them). */
    public Builder<T> supervisor(Supervisor supervisor) {
      this.supervisor = Objects.requireNonNull(supervisor);
      return this;
    }

    public SendingQueue<T> build() {
      return new SendingQueue<>(this);
    }
  }

  /** Starts the workers (none when the queue is disabled). Idempotent. */
  public void start() {
    synchronized (lifecycleLock) {
      if (started || stop.isStopping()) return;
      started = true;
      if (!queueConfig.enabled()) return;
      metrics.registerGauges();
      warnIfCapped();
      for (int i = 0; i < queueConfig.numConsumers(); i++) {
        WorkerState state = new WorkerState();
        workers.add(supervisor.start("exporter-" + name + "-" + i, self -> workerLoop(self, state),
            (w, cause) -> state.crashed()));
      }
    }
  }

  /**
   * Takes a payload: queues it, or (queue disabled) sends it now. A payload without items is
   * accepted and ignored.
   *
   * @throws ConsumeException.Refused when the queue is full or the exporter is shutting down, or
   *     (queue disabled) the backend failed in a retryable way
   * @throws ConsumeException.Rejected when the payload can never be taken: larger than the whole
   *     queue, or (queue disabled) refused by the backend for good
   */
  public void offer(T payload) throws ConsumeException {
    int items = info.itemCount(payload);
    if (items == 0) return;
    ItemCounters counters = metrics.items(info.itemName(payload));
    if (stop.isStopping()) {
      counters.enqueueFailed.increment(items);
      throw new ConsumeException.Refused("exporter " + name + " is shutting down");
    }
    if (!queueConfig.enabled()) {
      sendNow(payload, items, counters);
      return;
    }
    long bytes = info.sizeBytes(payload);
    long size = switch (queueConfig.sizer()) {
      case REQUESTS -> 1;
      case ITEMS -> items;
      case BYTES -> bytes;
    };
    if (size > queueConfig.queueSize()) {
      counters.enqueueFailed.increment(items);
      throw new ConsumeException.Rejected("request of " + size + " " + queueConfig.sizer().configName()
          + " is larger than the sending queue of " + name + " (queue_size = " + queueConfig.queueSize() + ")");
    }
    long waitNanos = queueConfig.blockOnOverflow() ? timeout.toNanos() : 0;
    QueueStore.OfferResult result;
    try {
      result = store.offer(payload, items, bytes, waitNanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result = QueueStore.OfferResult.FULL;
    }
    switch (result) {
      case ACCEPTED -> { }
      case FULL -> {
        counters.enqueueFailed.increment(items);
        rateLimited.log(Level.WARNING, "queue-full", () -> "sending queue is full (" + describeLimits()
            + "); refusing data, the sender is asked to retry");
        throw new ConsumeException.Refused("sending queue of " + name + " is full", refusalHint);
      }
      case CLOSED -> {
        counters.enqueueFailed.increment(items);
        throw new ConsumeException.Refused("exporter " + name + " is shutting down");
      }
    }
  }

  private String describeLimits() {
    QueueLimits l = store.limits();
    StringBuilder sb = new StringBuilder();
    if (l.maxCount() != QueueLimits.UNLIMITED) sb.append(l.maxCount()).append(" requests, ");
    if (l.maxItems() != QueueLimits.UNLIMITED) sb.append(l.maxItems()).append(" items, ");
    sb.append(l.maxBytes()).append(" bytes").append(store.persistent() ? " on disk" : " in memory");
    return sb.toString();
  }

  /** Synchronous mode: one attempt in the caller's thread; failures go back to the caller. */
  private void sendNow(T payload, int items, ItemCounters counters) throws ConsumeException {
    SendOutcome outcome;
    try {
      outcome = delivery.attempt(payload, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      counters.enqueueFailed.increment(items);
      throw new ConsumeException.Refused("interrupted while sending");
    }
    if (outcome instanceof SendOutcome.Success s) {
      accountSuccess(s, items, counters);
    } else if (outcome instanceof SendOutcome.Permanent p) {
      drop(counters, DropReason.PERMANENT, items, payload, p.reason());
      throw new ConsumeException.Rejected(p.reason());
    } else {
      SendOutcome.Retryable r = (SendOutcome.Retryable) outcome;
      counters.enqueueFailed.increment(items);
      rateLimited.log(Level.WARNING, "retryable", () -> "send failed, the sender is asked to retry: " + r.reason());
      throw new ConsumeException.Refused(r.reason(), r.retryAfter());
    }
  }

  /** What one worker holds: the lease being sent, and one the previous incarnation died with. */
  private final class WorkerState {
    volatile Lease<T> current;
    Lease<T> resume;
    boolean resumed;

    /** The worker died holding {@link #current}: the restarted worker sends it first, once. */
    void crashed() {
      Lease<T> l = current;
      current = null;
      if (l == null) return;
      if (resumed) {
        resumed = false;
        settleLease(l, flagOf(l), (counters, items) -> drop(counters, DropReason.WORKER_FAILED, items, l.payload(),
            "its worker failed twice while sending it"));
      } else {
        resume = l;
      }
    }
  }

  private void workerLoop(Supervisor.Worker self, WorkerState state) throws InterruptedException {
    while (true) {
      self.checkpoint();
      Lease<T> lease = state.resume;
      state.resumed = lease != null;
      state.resume = null;
      if (lease == null) {
        lease = store.take(POLL_NANOS);
        if (lease == null) {
          if (store.finished()) return;
          continue;
        }
      }
      state.current = lease;
      process(lease);
      state.current = null;
      state.resumed = false;
    }
  }

  /** Delivers one payload with retries; accounts for every item exactly once. */
  private void process(Lease<T> lease) throws InterruptedException {
    AtomicBoolean settled = flagOf(lease);
    T payload = lease.payload();
    Delivery.Result result;
    try {
      result = delivery.deliver(payload, timeout, () -> info.itemCount(payload) + " " + info.itemName(payload));
    } catch (InterruptedException e) {
      unfinished(lease, settled);
      throw e;
    }
    if (result instanceof Delivery.Delivered d) {
      settleLease(lease, settled, (counters, items) -> accountSuccess(d.outcome(), items, counters));
    } else if (result instanceof Delivery.Dropped dr) {
      settleLease(lease, settled, (counters, items) -> drop(counters, dr.reason(), items, payload, dr.why()));
    } else {
      unfinished(lease, settled);
    }
  }

  /** The "settled" flag of a lease being sent (the same one for a resumed lease). */
  private AtomicBoolean flagOf(Lease<T> lease) {
    return inFlight.computeIfAbsent(lease, l -> new AtomicBoolean());
  }

  /**
   * Accounts for a lease once (whoever comes first: its worker, or shutdown) and acks it;
   * {@code settled} is the lease's flag (a fresh one for a lease nobody was sending).
   */
  private void settleLease(Lease<T> lease, AtomicBoolean settled,
      java.util.function.BiConsumer<ItemCounters, Integer> account) {
    if (!settled.compareAndSet(false, true)) return;
    inFlight.remove(lease);
    T p = lease.payload();
    account.accept(metrics.items(info.itemName(p)), info.itemCount(p));
    store.ack(lease);
  }

  /** Not delivered before the stop's deadline: lost in memory, kept on disk. */
  private void unfinished(Lease<T> lease, AtomicBoolean settled) {
    T p = lease.payload();
    if (!store.persistent()) {
      settleLease(lease, settled, (counters, items) -> {
        counters.drop(DropReason.SHUTDOWN, items);
        lostAtShutdown.computeIfAbsent(info.itemName(p), k -> new LongAdder()).add(items);
      });
      return;
    }
    if (!settled.compareAndSet(false, true)) return;
    inFlight.remove(lease);
    int items = info.itemCount(p);
    metrics.items(info.itemName(p)).kept.increment(items);
    keptAtShutdown.computeIfAbsent(info.itemName(p), k -> new LongAdder()).add(items);
  }

  private void accountSuccess(SendOutcome.Success s, int items, ItemCounters counters) {
    long rejected = Math.min(s.rejectedItems(), items);
    counters.sent.increment(items - rejected);
    if (rejected > 0) {
      counters.drop(DropReason.PARTIAL_SUCCESS, rejected);
      rateLimited.log(Level.WARNING, "partial", () -> "backend rejected " + rejected + " of " + items
          + " items (partial success), dropped: " + s.message());
    } else if (!s.message().isEmpty()) {
      rateLimited.log(Level.INFO, "partial-warning", () -> "backend accepted the data with a warning: " + s.message());
    }
  }

  private void drop(ItemCounters counters, DropReason reason, int items, T payload, String why) {
    counters.drop(reason, items);
    rateLimited.log(Level.WARNING, reason.tag(), () -> "dropping " + items + " " + info.itemName(payload)
        + " (" + reason.tag().replace('_', ' ') + "): " + why);
  }

  /**
   * Stops taking data and drains the queue within {@code timeout}. An in-memory queue counts what
   * is not delivered by then as {@code send_failed} (reason {@code shutdown}) and logs it in one
   * line; a persistent queue keeps it for the next start. Idempotent; may be called without
   * {@link #start()}.
   *
   * @return true when nothing was lost
   */
  public boolean shutdown(Duration timeout) {
    List<Supervisor.Worker> toJoin;
    synchronized (lifecycleLock) {
      if (!stop.begin(timing.nanoTime().getAsLong() + Math.max(0, timeout.toNanos()))) {
        return lostAtShutdown.isEmpty();
      }
      toJoin = List.copyOf(workers);
    }
    supervisor.stopRestarting();
    store.closeForOffers();
    try {
      joinUntil(toJoin, stop.deadlineNanos());
      if (toJoin.stream().anyMatch(Supervisor.Worker::isAlive) || !store.finished()) {
        stop.abandon();
        for (Lease<T> l : store.abandon()) unfinished(l, new AtomicBoolean());
        // Sends that began before shutdown may run to their full timeout: interrupt them (gRPC and
        // the JDK HTTP client cancel the call), give the workers a moment, and account for whatever
        // is still in flight then; a worker that returns later finds its payload settled.
        for (Supervisor.Worker w : toJoin) w.interrupt();
        joinUntil(toJoin, timing.nanoTime().getAsLong() + AFTER_DEADLINE_GRACE_NANOS);
        List<Map.Entry<Lease<T>, AtomicBoolean>> left;
        synchronized (inFlight) {
          left = new ArrayList<>();
          inFlight.forEach((k, v) -> left.add(Map.entry(k, v))); // IdentityHashMap's entries are views
        }
        for (Map.Entry<Lease<T>, AtomicBoolean> e : left) unfinished(e.getKey(), e.getValue());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      metrics.close();
      store.close();
    }
    if (!keptAtShutdown.isEmpty()) {
      logger.info("shutdown: kept " + snapshot(keptAtShutdown) + " in the persistent queue, to send after the next start");
    }
    if (lostAtShutdown.isEmpty()) return true;
    logger.warning("shutdown: could not send everything within " + Delivery.formatNanos(Math.max(0, timeout.toNanos()))
        + "; dropped " + snapshot(lostAtShutdown));
    return false;
  }

  /** Joins the threads until the deadline, measured on the wall clock for real threads. */
  private void joinUntil(List<Supervisor.Worker> threads, long deadline) throws InterruptedException {
    for (Supervisor.Worker t : threads) {
      long left = deadline - timing.nanoTime().getAsLong();
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.max(1, left))));
    }
  }

  /** What the queue holds (waiting and being sent), in the sizer's unit. */
  public long queueSize() {
    QueueStore.Usage u = store.usage();
    return switch (queueConfig.sizer()) {
      case REQUESTS -> u.count();
      case ITEMS -> u.items();
      case BYTES -> u.bytes();
    };
  }

  public long queueCapacity() {
    return queueConfig.queueSize();
  }

  /** True when the queue survives restarts ({@code sending_queue { storage = ... }}). */
  public boolean persistent() {
    return store.persistent();
  }

  /** True after {@link #shutdown} began. */
  public boolean isShuttingDown() {
    return stop.isStopping();
  }

  /** Healthy unless a worker died and has not recovered. */
  public Health health() {
    return supervisor.health();
  }

  /** Items lost at shutdown so far, by unit. */
  public Map<String, Long> lostAtShutdown() {
    return snapshot(lostAtShutdown);
  }

  /** Items a persistent queue kept at shutdown, by unit. */
  public Map<String, Long> keptAtShutdown() {
    return snapshot(keptAtShutdown);
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> m) {
    Map<String, Long> out = new TreeMap<>();
    m.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }
}
