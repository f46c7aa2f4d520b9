package io.mpac.collector.exporter;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.exporter.ExporterMetrics.DropReason;
import io.mpac.collector.exporter.ExporterMetrics.ItemCounters;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The queue, retry and accounting core that every exporter puts in front of its transport
 * ({@link RequestSender}). Generic over the payload, so the OTLP, Loki and Prometheus exporters
 * share one implementation of the semantics below.
 *
 * <pre>
 *  consume() ──offer──▶ [ bounded queue: queue_size in requests | items | bytes ]
 *     │ full → ConsumeException.Refused (back-pressure upstream), enqueue_failed += items
 *     ▼
 *  num_consumers workers ──▶ sender.send(payload, timeout) ──▶ SendOutcome
 *      Success    → sent += items (partial_success rejections → send_failed, reason partial_success)
 *      Permanent  → send_failed += items (reason permanent), logged once per interval with the reason
 *      Retryable  → wait max(backoff with jitter, server delay), try again;
 *                   past max_elapsed_time → send_failed (reason retries_exhausted)
 * </pre>
 *
 * <p><b>Queue disabled</b> ({@code sending_queue { enabled = false }}): {@link #offer} sends in the
 * caller's thread, once. Success returns; a permanent failure throws
 * {@link ConsumeException.Rejected}; a retryable one throws {@link ConsumeException.Refused} with
 * the server's delay, so whoever called (ultimately the SDK behind the receiver) retries. The
 * exporter does not retry itself then: a consumer must not hold its caller's thread for minutes.
 *
 * <p><b>Shutdown</b> ({@link #shutdown(Duration)}): new data is refused at once; the workers keep
 * draining the queue; a retry is still made if it can start before the deadline, otherwise its
 * request is given up at once so the rest of the queue gets its turn; an attempt started during
 * shutdown gets only the time left. At the deadline the queue is emptied, workers still sending are
 * interrupted (gRPC and the JDK HTTP client cancel the call), and whatever is still queued or in
 * flight is counted (reason {@code shutdown}) exactly once; one line says how much was lost. A send
 * that still completes after that is not counted again.
 *
 * <p><b>Timeout</b>: each attempt gets {@code timeout} (less during shutdown); the sender enforces
 * it (gRPC deadline, HTTP request timeout) and answers {@link SendOutcome.Retryable} when it runs
 * out.
 *
 * <p>Thread safety: {@link #offer} may be called from any number of threads.
 *
 * @param <T> the payload type
 */
public final class SendingQueue<T> {

  private static final Duration LOG_INTERVAL = Duration.ofSeconds(30);
  /** How long {@link #shutdown} waits for workers after the deadline (each send is bounded by then). */
  private static final long AFTER_DEADLINE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

  private final String name;
  private final Logger logger;
  private final RequestSender<T> sender;
  private final PayloadInfo<T> info;
  private final QueueConfig queueConfig;
  private final RetryPolicy retryPolicy;
  private final Duration timeout;
  private final Timing timing;
  private final ExporterMetrics metrics;
  private final RateLimitedLogger rateLimited;
  private final BoundedQueue<T> queue;
  private final List<Thread> workers = new ArrayList<>();
  private final CountDownLatch shutdownStarted = new CountDownLatch(1);
  private final CountDownLatch abandon = new CountDownLatch(1);
  private final Map<String, LongAdder> lostAtShutdown = new ConcurrentHashMap<>();
  private final Duration refusalHint;
  private final Object lifecycleLock = new Object();

  private volatile boolean started;
  private volatile boolean shuttingDown;
  private volatile boolean abandoned;
  private volatile long deadlineNanos;

  private SendingQueue(Builder<T> b) {
    this.name = b.context.id().toString();
    this.logger = b.context.logger();
    this.sender = b.sender;
    this.info = b.info;
    this.queueConfig = b.queue;
    this.timing = b.timing;
    this.retryPolicy = new RetryPolicy(b.retry, timing.random());
    this.timeout = b.timeout;
    MeterRegistry registry = b.context.meterRegistry();
    Tags tags = b.context.tags();
    this.metrics = new ExporterMetrics(registry, tags, b.itemNames);
    this.rateLimited = new RateLimitedLogger(logger, LOG_INTERVAL, timing.nanoTime());
    this.queue = new BoundedQueue<>(queueConfig.queueSize());
    if (queueConfig.enabled()) {
      metrics.registerQueueGauges(tags, queue::size, queue.capacity());
    }
    Duration initial = b.retry.initialInterval();
    this.refusalHint = initial.compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : initial;
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

    public SendingQueue<T> build() {
      return new SendingQueue<>(this);
    }
  }

  /** Starts the workers (none when the queue is disabled). Idempotent. */
  public void start() {
    synchronized (lifecycleLock) {
      if (started || shuttingDown) return;
      started = true;
      if (!queueConfig.enabled()) return;
      for (int i = 0; i < queueConfig.numConsumers(); i++) {
        Thread t = new Thread(this::workerLoop, "exporter-" + name + "-" + i);
        t.setDaemon(true);
        workers.add(t);
        t.start();
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
    if (shuttingDown) {
      counters.enqueueFailed.increment(items);
      throw new ConsumeException.Refused("exporter " + name + " is shutting down");
    }
    if (!queueConfig.enabled()) {
      sendNow(payload, items, counters);
      return;
    }
    long size = switch (queueConfig.sizer()) {
      case REQUESTS -> 1;
      case ITEMS -> items;
      case BYTES -> info.sizeBytes(payload);
    };
    if (size > queue.capacity()) {
      counters.enqueueFailed.increment(items);
      throw new ConsumeException.Rejected("request of " + size + " " + queueConfig.sizer().configName()
          + " is larger than the sending queue of " + name + " (queue_size = " + queue.capacity() + ")");
    }
    long waitNanos = queueConfig.blockOnOverflow() ? timeout.toNanos() : 0;
    BoundedQueue.OfferResult result;
    try {
      result = queue.offer(payload, size, waitNanos);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result = BoundedQueue.OfferResult.FULL;
    }
    switch (result) {
      case ACCEPTED -> { }
      case FULL -> {
        counters.enqueueFailed.increment(items);
        rateLimited.log(Level.WARNING, "queue-full", () -> "sending queue is full (" + queue.capacity() + " "
            + queueConfig.sizer().configName() + "); refusing data, the sender is asked to retry");
        throw new ConsumeException.Refused("sending queue of " + name + " is full", refusalHint);
      }
      case CLOSED -> {
        counters.enqueueFailed.increment(items);
        throw new ConsumeException.Refused("exporter " + name + " is shutting down");
      }
    }
  }

  /** Synchronous mode: one attempt in the caller's thread; failures go back to the caller. */
  private void sendNow(T payload, int items, ItemCounters counters) throws ConsumeException {
    SendOutcome outcome;
    try {
      outcome = attempt(payload, timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      counters.enqueueFailed.increment(items);
      throw new ConsumeException.Refused("interrupted while sending");
    }
    if (outcome instanceof SendOutcome.Success s) {
      accountSuccess(null, s, items, counters);
    } else if (outcome instanceof SendOutcome.Permanent p) {
      drop(null, counters, DropReason.PERMANENT, items, payload, p.reason(), null);
      throw new ConsumeException.Rejected(p.reason());
    } else {
      SendOutcome.Retryable r = (SendOutcome.Retryable) outcome;
      counters.enqueueFailed.increment(items);
      rateLimited.log(Level.WARNING, "retryable", () -> "send failed, the sender is asked to retry: " + r.reason());
      throw new ConsumeException.Refused(r.reason(), r.retryAfter());
    }
  }

  private void workerLoop() {
    long poll = TimeUnit.SECONDS.toNanos(1);
    try {
      while (true) {
        BoundedQueue.Entry<T> e = queue.take(poll);
        if (e == null) {
          if (queue.finished()) return;
          continue;
        }
        process(e.payload());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      logger.log(Level.SEVERE, "exporter worker " + Thread.currentThread().getName() + " died", e);
      throw e;
    }
  }

  /**
   * A payload a worker is sending. Whoever settles it first accounts for its items: the worker when
   * the send ends, or {@link #shutdown} when the worker is still stuck after the deadline.
   */
  private final class InFlight {
    final T payload;
    final java.util.concurrent.atomic.AtomicBoolean settled = new java.util.concurrent.atomic.AtomicBoolean();

    InFlight(T payload) {
      this.payload = payload;
    }
  }

  private final java.util.Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();

  /** Delivers one payload with retries; accounts for every item exactly once. */
  private void process(T payload) throws InterruptedException {
    InFlight f = new InFlight(payload);
    inFlight.add(f);
    try {
      deliver(payload, f);
    } catch (InterruptedException e) {
      lost(f, metrics.items(info.itemName(payload)), info.itemCount(payload), payload);
      throw e;
    } finally {
      inFlight.remove(f);
    }
  }

  private void deliver(T payload, InFlight f) throws InterruptedException {
    int items = info.itemCount(payload);
    ItemCounters counters = metrics.items(info.itemName(payload));
    long start = timing.nanoTime().getAsLong();
    RetryPolicy.Backoff backoff = null;
    while (true) {
      Duration attemptTimeout = timeout;
      if (shuttingDown) {
        long left = deadlineNanos - timing.nanoTime().getAsLong();
        if (abandoned || left <= 0) {
          lost(f, counters, items, payload);
          return;
        }
        if (left < attemptTimeout.toNanos()) attemptTimeout = Duration.ofNanos(left);
      }
      SendOutcome outcome = attempt(payload, attemptTimeout);
      if (outcome instanceof SendOutcome.Success s) {
        accountSuccess(f, s, items, counters);
        return;
      }
      if (outcome instanceof SendOutcome.Permanent p) {
        drop(f, counters, DropReason.PERMANENT, items, payload, p.reason(), null);
        return;
      }
      SendOutcome.Retryable r = (SendOutcome.Retryable) outcome;
      if (backoff == null) backoff = retryPolicy.start(start);
      long now = timing.nanoTime().getAsLong();
      long delay = backoff.nextDelayNanos(now, r.retryAfter());
      if (delay == RetryPolicy.STOP) {
        if (retryPolicy.config().enabled()) {
          long elapsed = backoff.elapsedNanos(now);
          int attempts = backoff.retries() + 1;
          drop(f, counters, DropReason.RETRIES_EXHAUSTED, items, payload, r.reason(),
              "after " + attempts + " attempts in " + formatNanos(elapsed) + " (max_elapsed_time "
                  + formatNanos(retryPolicy.config().maxElapsedTime().toNanos()) + ")");
        } else {
          drop(f, counters, DropReason.RETRIES_EXHAUSTED, items, payload, r.reason(), "(retry_on_failure disabled)");
        }
        return;
      }
      long wakeAt = now + delay;
      if (shuttingDown && wakeAt - deadlineNanos >= 0) {
        lost(f, counters, items, payload);
        return;
      }
      metrics.retried();
      rateLimited.log(Level.WARNING, "retryable", () -> "sending " + items + " " + info.itemName(payload)
          + " failed, will retry in " + formatNanos(delay) + ": " + r.reason());
      if (!sleepUntil(wakeAt)) {
        lost(f, counters, items, payload);
        return;
      }
    }
  }

  /** Waits until {@code wakeAt}; false when shutdown means the wait would pass the deadline. */
  private boolean sleepUntil(long wakeAt) throws InterruptedException {
    for (int round = 0; round < 1000; round++) {
      long now = timing.nanoTime().getAsLong();
      long left = wakeAt - now;
      if (left <= 0) return true;
      if (abandoned) return false;
      if (shuttingDown) {
        if (wakeAt - deadlineNanos >= 0) return false;
        timing.sleeper().sleep(left, abandon);
      } else {
        timing.sleeper().sleep(left, shutdownStarted);
      }
    }
    return !abandoned;
  }

  /** One attempt; a sender that throws is a permanent failure of this payload, not of the worker. */
  private SendOutcome attempt(T payload, Duration attemptTimeout) throws InterruptedException {
    try {
      return sender.send(payload, attemptTimeout);
    } catch (RuntimeException e) {
      rateLimited.log(Level.SEVERE, "sender-bug", () -> "sender threw " + e);
      return SendOutcome.permanent("sender threw " + e);
    }
  }

  /** True when the caller is the one to account for {@code f} (always, for untracked payloads). */
  private static boolean settle(SendingQueue<?>.InFlight f) {
    return f == null || f.settled.compareAndSet(false, true);
  }

  private void accountSuccess(InFlight f, SendOutcome.Success s, int items, ItemCounters counters) {
    if (!settle(f)) return;
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

  private void drop(InFlight f, ItemCounters counters, DropReason reason, int items, T payload, String why,
      String detail) {
    if (!settle(f)) return;
    counters.drop(reason, items);
    rateLimited.log(Level.WARNING, reason.tag(), () -> "dropping " + items + " " + info.itemName(payload)
        + (reason == DropReason.PERMANENT ? " (not retryable)" : " (retries exhausted)")
        + (detail == null ? "" : " " + detail) + ": " + why);
  }

  private void lost(InFlight f, ItemCounters counters, int items, T payload) {
    if (!settle(f)) return;
    counters.drop(DropReason.SHUTDOWN, items);
    lostAtShutdown.computeIfAbsent(info.itemName(payload), k -> new LongAdder()).add(items);
  }

  /**
   * Stops taking data and drains the queue within {@code timeout}. Whatever is not delivered by
   * then is counted as {@code send_failed} (reason {@code shutdown}) and logged in one line.
   * Idempotent; may be called without {@link #start()}.
   *
   * @return true when nothing was lost
   */
  public boolean shutdown(Duration timeout) {
    List<Thread> toJoin;
    synchronized (lifecycleLock) {
      if (shuttingDown) return lostAtShutdown.isEmpty();
      deadlineNanos = timing.nanoTime().getAsLong() + Math.max(0, timeout.toNanos());
      shuttingDown = true;
      toJoin = List.copyOf(workers);
    }
    queue.close();
    shutdownStarted.countDown();
    try {
      joinUntil(toJoin, deadlineNanos);
      if (toJoin.stream().anyMatch(Thread::isAlive) || !queue.finished()) {
        abandoned = true;
        abandon.countDown();
        for (BoundedQueue.Entry<T> e : queue.drain()) {
          T p = e.payload();
          lost(null, metrics.items(info.itemName(p)), info.itemCount(p), p);
        }
        // Sends that began before shutdown may run to their full timeout: interrupt them (gRPC and
        // the JDK HTTP client cancel the call), give the workers a moment, and account for whatever
        // is still in flight then; a worker that returns later finds its payload settled.
        for (Thread t : toJoin) t.interrupt();
        joinUntil(toJoin, timing.nanoTime().getAsLong() + AFTER_DEADLINE_GRACE_NANOS);
        for (InFlight f : List.copyOf(inFlight)) {
          lost(f, metrics.items(info.itemName(f.payload)), info.itemCount(f.payload), f.payload);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      metrics.close();
    }
    if (lostAtShutdown.isEmpty()) return true;
    Map<String, Long> lost = new TreeMap<>();
    lostAtShutdown.forEach((k, v) -> lost.put(k, v.sum()));
    logger.warning("shutdown: could not send everything within " + formatNanos(Math.max(0, timeout.toNanos()))
        + "; dropped " + lost);
    return false;
  }

  /** Joins the threads until the deadline, measured on the wall clock for real threads. */
  private void joinUntil(List<Thread> threads, long deadline) throws InterruptedException {
    for (Thread t : threads) {
      long left = deadline - timing.nanoTime().getAsLong();
      if (left <= 0) left = 1;
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
    }
  }

  /** What waits in the queue, in the sizer's unit. */
  public long queueSize() {
    return queue.size();
  }

  public long queueCapacity() {
    return queue.capacity();
  }

  /** True after {@link #shutdown} began. */
  public boolean isShuttingDown() {
    return shuttingDown;
  }

  /** Items lost at shutdown so far, by unit. */
  public Map<String, Long> lostAtShutdown() {
    Map<String, Long> out = new TreeMap<>();
    lostAtShutdown.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  static String formatNanos(long nanos) {
    if (nanos < 1_000_000_000L) return TimeUnit.NANOSECONDS.toMillis(nanos) + "ms";
    return String.format(java.util.Locale.ROOT, "%.1fs", nanos / 1e9);
  }
}
