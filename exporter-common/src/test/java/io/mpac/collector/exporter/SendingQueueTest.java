package io.mpac.collector.exporter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.ConsumeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SendingQueueTest {

  /** A test payload: an id and a number of "spans". */
  record Payload(int id, int items) {}

  static final PayloadInfo<Payload> INFO = info(p -> "spans");

  /** Items are "spans", 100 bytes each; {@code itemName} may be made to misbehave. */
  static PayloadInfo<Payload> info(java.util.function.Function<Payload, String> itemName) {
    return new PayloadInfo<>() {
      @Override
      public String itemName(Payload p) {
        return itemName.apply(p);
      }

      @Override
      public int itemCount(Payload p) {
        return p.items();
      }

      @Override
      public long sizeBytes(Payload p) {
        return 100L * p.items();
      }
    };
  }

  /** Answers per (payload, attempt number starting at 1); records deliveries and attempts. */
  static final class ScriptedSender implements RequestSender<Payload> {
    final BiFunction<Payload, Integer, SendOutcome> script;
    final Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();
    final Map<Integer, AtomicInteger> delivered = new ConcurrentHashMap<>();
    final List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();

    ScriptedSender(BiFunction<Payload, Integer, SendOutcome> script) {
      this.script = script;
    }

    @Override
    public SendOutcome send(Payload p, Duration timeout) throws InterruptedException {
      threads.add(Thread.currentThread().getName());
      int n = attempts.computeIfAbsent(p.id(), k -> new AtomicInteger()).incrementAndGet();
      SendOutcome o = script.apply(p, n);
      if (o instanceof SendOutcome.Success) {
        delivered.computeIfAbsent(p.id(), k -> new AtomicInteger()).incrementAndGet();
      }
      return o;
    }

    int totalAttempts() {
      return attempts.values().stream().mapToInt(AtomicInteger::get).sum();
    }
  }

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ComponentContext context = new ComponentContext(new ComponentId("otelcol.exporter.test", "t"),
      Path.of("build-unused"), registry, Logger.getLogger("test.exporter"));
  private final FakeTiming fake = new FakeTiming();
  private SendingQueue<Payload> queue;

  @AfterEach
  void tearDown() {
    if (queue != null) queue.shutdown(Duration.ofSeconds(1));
  }

  private SendingQueue<Payload> build(RequestSender<Payload> sender, QueueConfig q, RetryConfig r, Timing t) {
    queue = SendingQueue.builder(context, sender, INFO).queue(q).retry(r).timeout(Duration.ofSeconds(1))
        .timing(t).itemNames("spans").build();
    return queue;
  }

  private static QueueConfig queue(int consumers, long size, QueueConfig.Sizer sizer) {
    return new QueueConfig(true, consumers, size, sizer, false);
  }

  private double count(String name) {
    Counter c = registry.find(name).tag("component_id", "otelcol.exporter.test.t").counter();
    return c == null ? -1 : c.count();
  }

  private double dropped(ExporterMetrics.DropReason reason) {
    return registry.find(ExporterMetrics.DROPPED + "spans").tag("reason", reason.tag()).counter().count();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("condition not met within 10s");
      Thread.sleep(2);
    }
  }

  @Test
  void everyPayloadIsDeliveredExactlyOnce() throws Exception {
    ScriptedSender sender = new ScriptedSender((p, n) -> SendOutcome.success());
    SendingQueue<Payload> q = build(sender, queue(4, 1000, QueueConfig.Sizer.REQUESTS), RetryConfig.DEFAULTS,
        fake.timing());
    q.start();
    for (int i = 0; i < 500; i++) q.offer(new Payload(i, 3));
    await(() -> count(ExporterMetrics.SENT + "spans") == 1500);
    assertThat(sender.delivered).hasSize(500);
    assertThat(sender.delivered.values()).allMatch(a -> a.get() == 1);
    assertThat(q.shutdown(Duration.ofSeconds(5))).isTrue();
    assertThat(count(ExporterMetrics.SEND_FAILED + "spans")).isZero();
    assertThat(count(ExporterMetrics.ENQUEUE_FAILED + "spans")).isZero();
    assertThat(sender.threads).allMatch(t -> t.startsWith("exporter-otelcol.exporter.test.t-"));
  }

  @Test
  void permanentFailureIsDroppedAtOnceAndCounted() throws Exception {
    ScriptedSender sender = new ScriptedSender((p, n) -> p.id() % 2 == 0
        ? SendOutcome.permanent("INVALID_ARGUMENT: bad trace id") : SendOutcome.success());
    SendingQueue<Payload> q = build(sender, queue(2, 100, QueueConfig.Sizer.REQUESTS), RetryConfig.DEFAULTS,
        fake.timing());
    q.start();
    for (int i = 0; i < 10; i++) q.offer(new Payload(i, 5));
    await(() -> count(ExporterMetrics.SENT + "spans") + count(ExporterMetrics.SEND_FAILED + "spans") == 50);
    assertThat(count(ExporterMetrics.SENT + "spans")).isEqualTo(25);
    assertThat(count(ExporterMetrics.SEND_FAILED + "spans")).isEqualTo(25);
    assertThat(dropped(ExporterMetrics.DropReason.PERMANENT)).isEqualTo(25);
    assertThat(sender.totalAttempts()).isEqualTo(10); // never retried
    assertThat(count(ExporterMetrics.RETRIES)).isZero();
  }

  @Test
  void retryableFailuresAreRetriedWithBackoffUntilSuccess() throws Exception {
    ScriptedSender sender = new ScriptedSender((p, n) -> n <= 3 ? SendOutcome.retryable("UNAVAILABLE")
        : SendOutcome.success());
    SendingQueue<Payload> q = build(sender, queue(1, 100, QueueConfig.Sizer.REQUESTS), RetryConfig.DEFAULTS,
        fake.timing());
    q.start();
    for (int i = 0; i < 4; i++) q.offer(new Payload(i, 2));
    await(() -> count(ExporterMetrics.SENT + "spans") == 8);
    assertThat(sender.totalAttempts()).isEqualTo(16);
    assertThat(sender.delivered.values()).allMatch(a -> a.get() == 1).hasSize(4);
    assertThat(count(ExporterMetrics.RETRIES)).isEqualTo(12);
    // random fixed at 0.5: no jitter, so each payload waits 5s, 7.5s, 11.25s.
    assertThat(fake.sleeps).containsExactly(
        5_000_000_000L, 7_500_000_000L, 11_250_000_000L, 5_000_000_000L, 7_500_000_000L, 11_250_000_000L,
        5_000_000_000L, 7_500_000_000L, 11_250_000_000L, 5_000_000_000L, 7_500_000_000L, 11_250_000_000L);
    assertThat(count(ExporterMetrics.SEND_FAILED + "spans")).isZero();
  }

  @Test
  void retriesStopAtMaxElapsedTimeAndTheDataIsCounted() throws Exception {
    ScriptedSender sender = new ScriptedSender((p, n) -> SendOutcome.retryable("UNAVAILABLE"));
    RetryConfig r = new RetryConfig(true, Duration.ofSeconds(5), 1.5, 0.5, Duration.ofSeconds(30),
        Duration.ofSeconds(20));
    SendingQueue<Payload> q = build(sender, queue(1, 100, QueueConfig.Sizer.REQUESTS), r, fake.timing());
    q.start();
    q.offer(new Payload(1, 7));
    await(() -> count(ExporterMetrics.SEND_FAILED + "spans") == 7);
    // waits 5s and 7.5s fit in 20s; the third wait (11.25s) would end at 23.75s: given up.
    assertThat(sender.totalAttempts()).isEqualTo(3);
    assertThat(dropped(ExporterMetrics.DropReason.RETRIES_EXHAUSTED)).isEqualTo(7);
    assertThat(count(ExporterMetrics.SENT + "spans")).isZero();
  }

  @Test
  void retryForeverKeepsGoingUntilTheBackendRecovers() throws Exception {
    ScriptedSender sender = new ScriptedSender((p, n) -> n <= 200 ? SendOutcome.retryable("UNAVAILABLE")
        : SendOutcome.success());
    RetryConfig r = new RetryConfig(true, Duration.ofSeconds(5), 1.5, 0.5, Duration.ofSeconds(30), Duration.ZERO);
    SendingQueue<Payload> q = build(sender, queue(1, 100, QueueConfig.Sizer.REQUESTS), r, fake.timing());
    q.start();
    q.offer(new Payload(1, 1));
    await(() -> count(ExporterMetrics.SENT + "spans") == 1);
    assertThat(sender.totalAttempts()).isEqualTo(201);
    assertThat(fake.sleeps.stream().mapToLong(Long::longValue).sum()).isGreaterThan(Duration.ofMinutes(90).toNanos());
  }

  @Test
  void serverRequestedDelayIsHonoured() throws Exception {
    ScriptedSender sender = new ScriptedSender((p, n) -> n == 1
        ? SendOutcome.retryable("RESOURCE_EXHAUSTED: RATE_LIMITED", Duration.ofSeconds(12)) : SendOutcome.success());
    SendingQueue<Payload> q = build(sender, queue(1, 100, QueueConfig.Sizer.REQUESTS), RetryConfig.DEFAULTS,
        fake.timing());
    q.start();
    q.offer(new Payload(1, 4));
    await(() -> count(ExporterMetrics.SENT + "spans") == 4);
    assertThat(fake.sleeps).containsExactly(12_000_000_000L);
  }

  @Test
  void partialSuccessCountsRejectedItemsAsDropped() throws Exception {
    ScriptedSender sender = new ScriptedSender((p, n) -> SendOutcome.partial(2, "2 spans had empty trace ids"));
    SendingQueue<Payload> q = build(sender, queue(1, 100, QueueConfig.Sizer.REQUESTS), RetryConfig.DEFAULTS,
        fake.timing());
    q.start();
    q.offer(new Payload(1, 10));
    await(() -> count(ExporterMetrics.SENT + "spans") == 8);
    assertThat(dropped(ExporterMetrics.DropReason.PARTIAL_SUCCESS)).isEqualTo(2);
    assertThat(count(ExporterMetrics.SEND_FAILED + "spans")).isEqualTo(2);
    assertThat(sender.totalAttempts()).isEqualTo(1);
  }

  @Test
  void aThrowingSenderFailsThatPayloadOnlyAndTheWorkerLives() throws Exception {
    ScriptedSender sender = new ScriptedSender((p, n) -> {
      if (p.id() == 1) throw new IllegalStateException("boom");
      return SendOutcome.success();
    });
    SendingQueue<Payload> q = build(sender, queue(1, 100, QueueConfig.Sizer.REQUESTS), RetryConfig.DEFAULTS,
        fake.timing());
    q.start();
    q.offer(new Payload(1, 3));
    q.offer(new Payload(2, 4));
    await(() -> count(ExporterMetrics.SENT + "spans") == 4);
    assertThat(dropped(ExporterMetrics.DropReason.PERMANENT)).isEqualTo(3);
  }

  @Test
  void fullQueueRefusesWithBackPressureAndRecovers() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    AtomicInteger inSend = new AtomicInteger();
    ScriptedSender sender = new ScriptedSender((p, n) -> {
      inSend.incrementAndGet();
      try {
        gate.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return SendOutcome.success();
    });
    SendingQueue<Payload> q = build(sender, queue(1, 3, QueueConfig.Sizer.REQUESTS), RetryConfig.DEFAULTS,
        Timing.SYSTEM);
    q.start();
    q.offer(new Payload(1, 5));
    await(() -> inSend.get() == 1); // the worker holds payload 1: it still takes room until it is settled
    assertThat(q.queueSize()).isEqualTo(1);
    q.offer(new Payload(2, 5));
    q.offer(new Payload(3, 5));
    assertThat(q.queueSize()).isEqualTo(3);
    assertThatThrownBy(() -> q.offer(new Payload(4, 5)))
        .isInstanceOfSatisfying(ConsumeException.Refused.class, e -> {
          assertThat(e.getMessage()).contains("sending queue").contains("full");
          assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(5));
        });
    assertThat(count(ExporterMetrics.ENQUEUE_FAILED + "spans")).isEqualTo(5);
    gate.countDown();
    await(() -> count(ExporterMetrics.SENT + "spans") == 15);
    q.offer(new Payload(4, 5)); // the sender's retry now gets in
    await(() -> count(ExporterMetrics.SENT + "spans") == 20);
    assertThat(sender.delivered.keySet()).containsExactlyInAnyOrder(1, 2, 3, 4);
  }

  @Test
  void itemsSizerBoundsByItemsAndRejectsOversizeRequests() throws Exception {
    CountDownLatch gate = new CountDownLatch(1);
    ScriptedSender sender = new ScriptedSender((p, n) -> SendOutcome.success());
    SendingQueue<Payload> q = build(sender, queue(1, 10, QueueConfig.Sizer.ITEMS), RetryConfig.DEFAULTS,
        fake.timing());
    // not started: nothing leaves the queue
    q.offer(new Payload(1, 6));
    assertThat(q.queueSize()).isEqualTo(6);
    assertThatThrownBy(() -> q.offer(new Payload(2, 5))).isInstanceOf(ConsumeException.Refused.class);
    q.offer(new Payload(3, 4));
    assertThat(q.queueSize()).isEqualTo(10);
    assertThatThrownBy(() -> q.offer(new Payload(4, 11))).isInstanceOf(ConsumeException.Rejected.class)
        .hasMessageContaining("larger than the sending queue");
    assertThat(count(ExporterMetrics.ENQUEUE_FAILED + "spans")).isEqualTo(16);
    gate.countDown();
    q.start();
    await(() -> count(ExporterMetrics.SENT + "spans") == 10);
  }

  @Test
  void bytesSizerBoundsByEncodedSize() throws Exception {
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    ScriptedSender sender = new ScriptedSender((p, n) -> {
      try {
        release.await(10, java.util.concurrent.TimeUnit.SECONDS); // holds the first payload in flight
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return SendOutcome.success();
    });
    SendingQueue<Payload> q = build(sender, queue(1, 1000, QueueConfig.Sizer.BYTES), RetryConfig.DEFAULTS,
        fake.timing());
    assertThat(registry.find(ExporterMetrics.QUEUE_SIZE).gauge()).as("gauges wait for start").isNull();
    q.start();
    try {
      q.offer(new Payload(1, 7)); // 700 bytes
      assertThatThrownBy(() -> q.offer(new Payload(2, 4))).isInstanceOf(ConsumeException.Refused.class);
      q.offer(new Payload(3, 3)); // 300 bytes: exactly full
      assertThat(q.queueSize()).isEqualTo(1000);
      Gauge size = registry.find(ExporterMetrics.QUEUE_SIZE).gauge();
      Gauge capacity = registry.find(ExporterMetrics.QUEUE_CAPACITY).gauge();
      assertThat(size.value()).isEqualTo(1000);
      assertThat(capacity.value()).isEqualTo(1000);
    } finally {
      release.countDown();
      q.shutdown(Duration.ofSeconds(5));
    }
    assertThat(registry.find(ExporterMetrics.QUEUE_SIZE).gauge()).as("gauges go at shutdown").isNull();
  }

  @Test
  void blockOnOverflowWaitsForRoomInsteadOfRefusing() throws Exception {
    ScriptedSender sender = new ScriptedSender((p, n) -> SendOutcome.success());
    SendingQueue<Payload> q = build(sender, new QueueConfig(true, 1, 1, QueueConfig.Sizer.REQUESTS, true),
        RetryConfig.DEFAULTS, Timing.SYSTEM);
    q.offer(new Payload(1, 1));
    Thread starter = new Thread(() -> {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      }
      q.start();
    });
    starter.start();
    q.offer(new Payload(2, 1)); // waits (up to the 1s timeout) until the worker takes payload 1
    await(() -> count(ExporterMetrics.SENT + "spans") == 2);
    assertThat(count(ExporterMetrics.ENQUEUE_FAILED + "spans")).isZero();
    starter.join();
  }

  @Test
  void disabledQueueSendsInTheCallersThreadAndReportsFailuresUpstream() throws Exception {
    ScriptedSender sender = new ScriptedSender((p, n) -> switch (p.id()) {
      case 1 -> SendOutcome.success();
      case 2 -> SendOutcome.retryable("UNAVAILABLE", Duration.ofSeconds(3));
      default -> SendOutcome.permanent("INVALID_ARGUMENT");
    });
    SendingQueue<Payload> q = build(sender, QueueConfig.DEFAULTS.withEnabled(false), RetryConfig.DEFAULTS,
        fake.timing());
    q.start();
    q.offer(new Payload(1, 2));
    assertThat(sender.threads).containsExactly(Thread.currentThread().getName());
    assertThat(count(ExporterMetrics.SENT + "spans")).isEqualTo(2);
    assertThatThrownBy(() -> q.offer(new Payload(2, 3)))
        .isInstanceOfSatisfying(ConsumeException.Refused.class,
            e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(3)));
    assertThatThrownBy(() -> q.offer(new Payload(3, 4))).isInstanceOf(ConsumeException.Rejected.class);
    assertThat(sender.totalAttempts()).isEqualTo(3);
    assertThat(count(ExporterMetrics.ENQUEUE_FAILED + "spans")).isEqualTo(3);
    assertThat(dropped(ExporterMetrics.DropReason.PERMANENT)).isEqualTo(4);
    assertThat(registry.find(ExporterMetrics.QUEUE_SIZE).gauge()).isNull();
  }

  @Test
  void emptyPayloadsAreAcceptedAndNotSent() throws Exception {
    ScriptedSender sender = new ScriptedSender((p, n) -> SendOutcome.success());
    SendingQueue<Payload> q = build(sender, queue(1, 1, QueueConfig.Sizer.REQUESTS), RetryConfig.DEFAULTS,
        fake.timing());
    for (int i = 0; i < 5; i++) q.offer(new Payload(i, 0));
    assertThat(q.queueSize()).isZero();
    assertThat(sender.totalAttempts()).isZero();
  }

  @Test
  void shutdownDrainsTheQueueWithinTheDeadline() throws Exception {
    ScriptedSender sender = new ScriptedSender((p, n) -> {
      try {
        Thread.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return SendOutcome.success();
    });
    SendingQueue<Payload> q = build(sender, queue(2, 1000, QueueConfig.Sizer.REQUESTS), RetryConfig.DEFAULTS,
        Timing.SYSTEM);
    for (int i = 0; i < 100; i++) q.offer(new Payload(i, 2)); // queued before start
    q.start();
    assertThat(q.shutdown(Duration.ofSeconds(10))).isTrue();
    assertThat(count(ExporterMetrics.SENT + "spans")).isEqualTo(200);
    assertThat(sender.delivered).hasSize(100);
    assertThatThrownBy(() -> q.offer(new Payload(999, 1))).isInstanceOf(ConsumeException.Refused.class)
        .hasMessageContaining("shutting down");
    assertThat(count(ExporterMetrics.ENQUEUE_FAILED + "spans")).isEqualTo(1);
    assertThat(registry.find(ExporterMetrics.QUEUE_SIZE).gauge()).isNull(); // removed with the instance
  }

  @Test
  void shutdownWithTheBackendDownGivesUpRetriesAndCountsWhatWasLost() throws Exception {
    ScriptedSender sender = new ScriptedSender((p, n) -> SendOutcome.retryable("UNAVAILABLE: connection refused"));
    RetryConfig r = new RetryConfig(true, Duration.ofMillis(200), 1.5, 0.0, Duration.ofSeconds(1), Duration.ZERO);
    SendingQueue<Payload> q = build(sender, queue(2, 1000, QueueConfig.Sizer.REQUESTS), r, Timing.SYSTEM);
    q.start();
    for (int i = 0; i < 50; i++) q.offer(new Payload(i, 3));
    long t0 = System.nanoTime();
    assertThat(q.shutdown(Duration.ofMillis(500))).isFalse();
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(tookMs).isLessThan(2_000);
    assertThat(count(ExporterMetrics.SENT + "spans")).isZero();
    assertThat(count(ExporterMetrics.SEND_FAILED + "spans")).isEqualTo(150);
    assertThat(dropped(ExporterMetrics.DropReason.SHUTDOWN)).isEqualTo(150);
    assertThat(q.lostAtShutdown()).isEqualTo(Map.of("spans", 150L));
    assertThat(q.queueSize()).isZero();
  }

  @Test
  void shutdownWithAHangingBackendEndsAtTheDeadline() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    RequestSender<Payload> hanging = (p, timeout) -> {
      never.await(timeout.toNanos(), TimeUnit.NANOSECONDS); // honours the timeout, as a sender must
      return SendOutcome.retryable("DEADLINE_EXCEEDED");
    };
    queue = SendingQueue.builder(context, hanging, INFO).queue(queue(2, 1000, QueueConfig.Sizer.REQUESTS))
        .retry(RetryConfig.DEFAULTS).timeout(Duration.ofSeconds(30)).itemNames("spans").build();
    queue.start();
    for (int i = 0; i < 20; i++) queue.offer(new Payload(i, 1));
    long t0 = System.nanoTime();
    assertThat(queue.shutdown(Duration.ofMillis(300))).isFalse();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2_500);
    assertThat(count(ExporterMetrics.SEND_FAILED + "spans")).isEqualTo(20);
    assertThat(dropped(ExporterMetrics.DropReason.SHUTDOWN)).isEqualTo(20);
  }

  @Test
  void aSenderThatIgnoresInterruptsIsCountedAtTheDeadlineAndNotTwice() throws Exception {
    CountDownLatch returned = new CountDownLatch(2);
    CountDownLatch sending = new CountDownLatch(2);
    RequestSender<Payload> stubborn = (p, timeout) -> {
      sending.countDown();
      long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3_000);
      while (System.nanoTime() < end) {
        Thread.onSpinWait(); // ignores interrupts
        if (Thread.interrupted()) {
          // swallow
        }
      }
      returned.countDown();
      return SendOutcome.success(); // arrives after shutdown gave up: must not be counted again
    };
    queue = SendingQueue.builder(context, stubborn, INFO).queue(queue(2, 1000, QueueConfig.Sizer.REQUESTS))
        .retry(RetryConfig.DEFAULTS).timeout(Duration.ofSeconds(30)).itemNames("spans").build();
    queue.start();
    for (int i = 0; i < 10; i++) queue.offer(new Payload(i, 2));
    assertThat(sending.await(10, TimeUnit.SECONDS)).isTrue(); // two are with the workers
    assertThat(queue.queueSize()).isEqualTo(10); // in flight still takes room
    assertThat(queue.shutdown(Duration.ofMillis(200))).isFalse();
    assertThat(dropped(ExporterMetrics.DropReason.SHUTDOWN)).isEqualTo(20);
    assertThat(returned.await(10, TimeUnit.SECONDS)).isTrue();
    // the workers end once their late send returns and its (ignored) bookkeeping is done
    await(() -> Thread.getAllStackTraces().keySet().stream()
        .noneMatch(t -> t.isAlive() && t.getName().startsWith("exporter-otelcol.exporter.test.t-")));
    assertThat(count(ExporterMetrics.SENT + "spans")).isZero();
    assertThat(count(ExporterMetrics.SEND_FAILED + "spans")).isEqualTo(20);
  }

  @Test
  void shutdownWithoutStartCountsTheQueuedData() throws Exception {
    ScriptedSender sender = new ScriptedSender((p, n) -> SendOutcome.success());
    SendingQueue<Payload> q = build(sender, queue(2, 1000, QueueConfig.Sizer.REQUESTS), RetryConfig.DEFAULTS,
        fake.timing());
    q.offer(new Payload(1, 4));
    assertThat(q.shutdown(Duration.ofMillis(100))).isFalse();
    assertThat(dropped(ExporterMetrics.DropReason.SHUTDOWN)).isEqualTo(4);
    assertThat(q.shutdown(Duration.ofMillis(100))).isFalse(); // idempotent
    assertThat(dropped(ExporterMetrics.DropReason.SHUTDOWN)).isEqualTo(4);
  }

  @Test
  void aWorkerThatDiesIsRestartedCountedAndTheRequestItHeldIsStillDelivered() throws Exception {
    ScriptedSender sender = new ScriptedSender((p, n) -> SendOutcome.success());
    AtomicInteger bombs = new AtomicInteger(1);
    // called while accounting a sent payload: the worker dies holding payload 7, once
    PayloadInfo<Payload> explosive = info(p -> {
      if (p.id() == 7 && sender.delivered.containsKey(7) && bombs.getAndDecrement() > 0) {
        throw new IllegalStateException("bug in accounting");
      }
      return "spans";
    });
    queue = SendingQueue.builder(context, sender, explosive).queue(queue(1, 100, QueueConfig.Sizer.REQUESTS))
        .retry(RetryConfig.DEFAULTS).timeout(Duration.ofSeconds(1)).itemNames("spans").build();
    queue.start();
    for (int i = 0; i < 20; i++) queue.offer(new Payload(i, 1));
    await(() -> count(ExporterMetrics.SENT + "spans") == 20);
    assertThat(registry.find(io.mpac.collector.component.Supervisor.RESTARTS_METRIC).counter().count())
        .isEqualTo(1);
    assertThat(sender.delivered.get(7).get()).isEqualTo(2); // resumed by the restarted worker: sent again
    assertThat(sender.delivered).hasSize(20);
    assertThat(queue.queueSize()).isZero();
    // healthy again once the restarted worker has run for Supervisor.STABLE_AFTER
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!queue.health().isHealthy() && System.nanoTime() < end) Thread.sleep(20);
    assertThat(queue.health().isHealthy()).isTrue();
  }

  @Test
  void anInjectedFaultMakesTheComponentUnhealthyNamingTheWorkerUntilItRecovers() throws Exception {
    ScriptedSender sender = new ScriptedSender((p, n) -> SendOutcome.success());
    SendingQueue<Payload> q = build(sender, queue(1, 100, QueueConfig.Sizer.REQUESTS), RetryConfig.DEFAULTS,
        Timing.SYSTEM);
    io.mpac.collector.component.Supervisor.injectFault("exporter-otelcol.exporter.test.t-0");
    q.start();
    await(() -> !q.health().isHealthy());
    assertThat(q.health().message()).contains("exporter-otelcol.exporter.test.t-0").contains("fault injected");
    for (int i = 0; i < 5; i++) q.offer(new Payload(i, 2));
    await(() -> count(ExporterMetrics.SENT + "spans") == 10);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!q.health().isHealthy() && System.nanoTime() < end) Thread.sleep(20);
    assertThat(q.health().isHealthy()).isTrue();
    assertThat(registry.find(io.mpac.collector.component.Supervisor.RESTARTS_METRIC).counter().count())
        .isEqualTo(1);
  }
}
