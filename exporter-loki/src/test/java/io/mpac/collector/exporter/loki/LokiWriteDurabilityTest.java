package io.mpac.collector.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.component.Health;
import io.mpac.collector.component.Supervisor;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.exporter.Timing;
import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LokiEntry;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * loki.write's queue semantics on the exporter core: the WAL (ack only when every entry of a chunk
 * is settled, what is unsent survives a restart, max_segment_age, read frequencies, a full disk
 * refuses), a crashed worker (supervised, health, what it held), block_on_overflow and drain_timeout.
 */
class LokiWriteDurabilityTest {

  private static final Path STORAGE = Path.of("data", "loki.write.wal");
  private static final Path WAL_DIR = STORAGE.resolve("wal").resolve("127_0_0_1_9"); // the endpoint's name, file-safe

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final FakeWal wal = new FakeWal();
  private final List<LokiWrite> running = new ArrayList<>();
  private final List<String> delivered = new CopyOnWriteArrayList<>();
  private final AtomicBoolean lokiUp = new AtomicBoolean(true);
  private final AtomicInteger requests = new AtomicInteger();

  /** Loki in the test: 204 and the lines decoded from the snappy protobuf when up, 503 when down. */
  private final PushSender loki = (tenant, body, timeout) -> {
    requests.incrementAndGet();
    if (!lokiUp.get()) return new PushSender.Result(503, "down", null, null);
    try {
      for (PushDecoder.Stream s : PushDecoder.decodeSnappy(body)) s.entries().forEach(e -> delivered.add(e.line()));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return new PushSender.Result(204, "", null, null);
  };

  @AfterEach
  void stopAll() {
    for (LokiWrite w : running) w.shutdown(Duration.ofSeconds(1));
  }

  private static EndpointConfig endpoint() {
    return EndpointConfig.defaults(URI.create("http://127.0.0.1:9/loki/api/v1/push"))
        .withBatching(Duration.ofMillis(20), 1 << 20)
        .withRetries(Duration.ofMillis(5), Duration.ofMillis(20), 0, true);
  }

  private static WalConfig walConfig() {
    return new WalConfig(true, Duration.ofHours(1), Duration.ofMillis(10), Duration.ofMillis(80), Duration.ofMillis(200),
        WalConfig.DEFAULT_MAX_SIZE);
  }

  private LokiWrite start(LokiWriteConfig cfg, PushSender sender) throws Exception {
    ComponentContext ctx = new ComponentContext(new ComponentId("loki.write", "wal"), STORAGE, registry,
        Logger.getLogger("test.loki.durability"));
    LokiWrite w = new LokiWrite(ctx, cfg, e -> sender, Timing.SYSTEM, cfg.wal().enabled() ? wal : null);
    w.start();
    running.add(w);
    return w;
  }

  private static List<LokiEntry> entries(String prefix, int n) {
    List<LokiEntry> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(new LokiEntry(Labels.of("job", "a"), i, prefix + i));
    return out;
  }

  private double counter(String name, String... tags) {
    var c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  private static boolean await(java.util.function.BooleanSupplier c) throws InterruptedException {
    return FakeLoki.await(c, 10_000);
  }

  @Test
  void whatLokiDidNotTakeStaysInTheWalAndIsSentAfterARestart() throws Exception {
    lokiUp.set(false);
    LokiWriteConfig cfg = new LokiWriteConfig(Map.of(), 0, List.of(endpoint()), walConfig());
    LokiWrite first = start(cfg, loki);
    first.push(entries("a", 3));
    first.push(entries("b", 2));
    assertThat(wal.opened).containsExactly(WAL_DIR);
    assertThat(wal.unacked(WAL_DIR)).as("on disk before push returned").isEqualTo(2);
    assertThat(await(() -> requests.get() >= 3)).isTrue();
    first.shutdown(Duration.ofSeconds(5)); // drain_timeout 200ms: Loki is still down
    assertThat(wal.unacked(WAL_DIR)).as("unsent chunks are kept").isEqualTo(2);
    assertThat(counter("loki.write.dropped.entries")).as("kept, not dropped").isZero();
    assertThat(delivered).isEmpty();

    lokiUp.set(true);
    start(cfg, loki);
    assertThat(await(() -> delivered.size() == 5)).isTrue();
    assertThat(await(() -> wal.unacked(WAL_DIR) == 0)).isTrue();
    assertThat(delivered).containsExactlyInAnyOrder("a0", "a1", "a2", "b0", "b1");
    assertThat(counter("loki.write.sent.entries")).isEqualTo(5);
    assertThat(wal.contractErrors).isEmpty();
  }

  @Test
  void aChunkIsAckedOnlyOnceEveryEntryOfItIsSettled() throws Exception {
    CountDownLatch secondRequest = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger calls = new AtomicInteger();
    PushSender gated = (tenant, body, timeout) -> {
      if (calls.incrementAndGet() == 2) {
        secondRequest.countDown();
        release.await(10, TimeUnit.SECONDS);
      }
      return loki.send(tenant, body, timeout);
    };
    // each entry counts 100 bytes, a batch holds two: one chunk of three entries spans two requests
    EndpointConfig ep = endpoint().withBatching(Duration.ofMillis(20), 200);
    LokiWrite w = start(new LokiWriteConfig(Map.of(), 0, List.of(ep), walConfig()), gated);
    List<LokiEntry> three = new ArrayList<>();
    for (int i = 0; i < 3; i++) three.add(new LokiEntry(Labels.of("job", "a"), i, i + "x".repeat(99)));
    w.push(three);
    assertThat(secondRequest.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(delivered).hasSize(2);
    assertThat(wal.unacked(WAL_DIR)).as("one entry of the chunk is still in flight").isEqualTo(1);
    release.countDown();
    assertThat(await(() -> wal.unacked(WAL_DIR) == 0)).isTrue();
    assertThat(delivered).hasSize(3);
    assertThat(wal.contractErrors).isEmpty();
  }

  @Test
  void oneChunkOfTwoTenantsIsAckedWhenBothTenantsBatchesAreSettled() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<String> tenants = new CopyOnWriteArrayList<>();
    PushSender perTenant = (tenant, body, timeout) -> {
      tenants.add(tenant);
      if (tenant.equals("bad")) return new PushSender.Result(400, "entry too far behind", null, null);
      release.await(10, TimeUnit.SECONDS);
      return loki.send(tenant, body, timeout);
    };
    LokiWrite w = start(new LokiWriteConfig(Map.of(), 0, List.of(endpoint()), walConfig()), perTenant);
    // one worker sends the tenants' batches one after the other, in the order they were opened
    w.push(List.of(new LokiEntry(Labels.of("job", "a", Labels.TENANT_ID, "bad"), 1, "b1"),
        new LokiEntry(Labels.of("job", "a", Labels.TENANT_ID, "good"), 1, "g1"),
        new LokiEntry(Labels.of("job", "a", Labels.TENANT_ID, "good"), 2, "g2")));
    assertThat(await(() -> counter("loki.write.dropped.entries", "tenant", "bad", "reason", "out_of_order") == 1))
        .isTrue();
    assertThat(wal.unacked(WAL_DIR)).as("the good tenant's batch is still in flight").isEqualTo(1);
    release.countDown();
    assertThat(await(() -> wal.unacked(WAL_DIR) == 0)).isTrue();
    assertThat(delivered).containsExactly("g1", "g2");
    assertThat(tenants).containsExactlyInAnyOrder("good", "bad");
    assertThat(counter("loki.write.sent.entries", "tenant", "good")).isEqualTo(2);
    assertThat(wal.contractErrors).isEmpty();
  }

  @Test
  void chunksOlderThanMaxSegmentAgeAreDroppedAndCounted() throws Exception {
    lokiUp.set(false);
    LokiWrite first = start(new LokiWriteConfig(Map.of(), 0, List.of(endpoint()), walConfig()), loki);
    first.push(entries("old", 4));
    first.shutdown(Duration.ofSeconds(5));
    assertThat(wal.unacked(WAL_DIR)).isEqualTo(1);
    Thread.sleep(30);
    lokiUp.set(true);
    WalConfig young = new WalConfig(true, Duration.ofMillis(20), Duration.ofMillis(10), Duration.ofMillis(80),
        Duration.ofMillis(200), WalConfig.DEFAULT_MAX_SIZE);
    LokiWrite second = start(new LokiWriteConfig(Map.of(), 0, List.of(endpoint()), young), loki);
    assertThat(await(() -> counter("loki.write.dropped.entries", "reason", "too_old") == 4)).isTrue();
    assertThat(await(() -> wal.unacked(WAL_DIR) == 0)).isTrue();
    second.push(entries("new", 1));
    assertThat(await(() -> delivered.size() == 1)).isTrue();
    assertThat(delivered).containsExactly("new0");
  }

  @Test
  void anIdleReaderPollsTheWalFromMinToMaxReadFrequency() throws Exception {
    LokiWrite w = start(new LokiWriteConfig(Map.of(), 0, List.of(endpoint()), walConfig()), loki);
    assertThat(await(() -> wal.takeWaits.size() >= 6)).isTrue();
    long ms = 1_000_000L;
    assertThat(wal.takeWaits.subList(0, 6)).containsExactly(10 * ms, 20 * ms, 40 * ms, 80 * ms, 80 * ms, 80 * ms);
    int before = wal.takeWaits.size();
    w.push(entries("x", 1));
    assertThat(await(() -> delivered.size() == 1)).isTrue();
    assertThat(await(() -> wal.takeWaits.size() > before + 3)).isTrue();
    assertThat(wal.takeWaits.subList(before, wal.takeWaits.size())).as("back to min_read_frequency after data")
        .contains(10 * ms);
  }

  @Test
  void aFullDiskRefusesThePushAndCountsIt() throws Exception {
    EndpointConfig ep = endpoint().withQueue(EndpointConfig.DEFAULT_QUEUE_CAPACITY, false, Duration.ofSeconds(1));
    LokiWrite w = start(new LokiWriteConfig(Map.of(), 0, List.of(ep), walConfig()), loki);
    w.push(entries("first", 1));
    wal.diskFull = true;
    assertThatThrownBy(() -> w.push(entries("refused", 3))).isInstanceOf(ConsumeException.Refused.class)
        .hasMessageContaining("is full");
    assertThat(counter("loki.write.refused.entries", "reason", "queue_full")).isEqualTo(3);
    wal.diskFull = false;
    w.push(entries("later", 2));
    assertThat(await(() -> delivered.size() == 3)).isTrue();
    assertThat(delivered).containsExactlyInAnyOrder("first0", "later0", "later1");
    assertThat(counter("loki.write.dropped.entries")).isZero();
  }

  /** Pushes, waits until the worker holds the chunk in an open batch, then crashes the worker. */
  private void crashWhileHolding(LokiWrite w, List<LokiEntry> batch, java.util.function.BooleanSupplier held)
      throws Exception {
    w.push(batch);
    assertThat(await(held)).isTrue();
    Supervisor.injectFault("loki-write-loki.write.wal-127.0.0.1:9");
    assertThat(await(() -> counter(Supervisor.RESTARTS_METRIC) == 1)).isTrue();
    // unhealthy from the crash until the restarted worker has run for a second
    assertThat(await(() -> !w.health().isHealthy())).isTrue();
  }

  @Test
  void aCrashedWorkerIsRestartedAndWithTheWalResendsWhatItHeld() throws Exception {
    EndpointConfig ep = endpoint().withBatching(Duration.ofMillis(400), 1 << 20);
    LokiWrite w = start(new LokiWriteConfig(Map.of(), 0, List.of(ep), walConfig()), loki);
    crashWhileHolding(w, entries("held", 5), () -> wal.taken.get() == 1);
    Health down = w.health();
    assertThat(down.state()).isEqualTo(Health.State.UNHEALTHY);
    assertThat(down.message()).contains("loki-write-loki.write.wal-127.0.0.1:9").contains("fault injected");
    assertThat(await(() -> delivered.size() == 5)).isTrue();
    assertThat(delivered).containsExactlyInAnyOrder("held0", "held1", "held2", "held3", "held4");
    assertThat(await(() -> wal.unacked(WAL_DIR) == 0)).isTrue();
    assertThat(counter("loki.write.dropped.entries")).isZero();
    assertThat(await(() -> w.health().isHealthy())).as("recovered").isTrue();
    w.push(entries("after", 2));
    assertThat(await(() -> delivered.size() == 7)).isTrue();
    assertThat(wal.contractErrors).isEmpty();
  }

  @Test
  void withoutTheWalWhatACrashedWorkerHeldIsCountedAsDropped() throws Exception {
    EndpointConfig ep = endpoint().withBatching(Duration.ofSeconds(3), 1 << 20);
    LokiWrite w = start(new LokiWriteConfig(Map.of(), 0, List.of(ep)), loki);
    // a memory queue does not show when the worker took the chunk: give it time (it then holds the
    // chunk in a batch for batch_wait = 3s)
    crashWhileHolding(w, entries("held", 5), () -> {
      try {
        Thread.sleep(300);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return true;
    });
    assertThat(w.health().message()).contains("loki-write-loki.write.wal-127.0.0.1:9");
    assertThat(await(() -> counter("loki.write.dropped.entries", "reason", "worker_failed") == 5)).isTrue();
    assertThat(w.usedBytes()).as("the dropped chunk's room is free again").isZero();
    w.push(entries("after", 2));
    assertThat(await(() -> delivered.size() == 2)).isTrue();
    assertThat(delivered).containsExactly("after0", "after1");
    assertThat(await(() -> w.health().isHealthy())).isTrue();
  }

  @Test
  void blockOnOverflowWaitsForRoomInsteadOfRefusing() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    PushSender slow = (tenant, body, timeout) -> {
      release.await(10, TimeUnit.SECONDS);
      return loki.send(tenant, body, timeout);
    };
    EndpointConfig ep = endpoint().withQueue(1000, true, Duration.ofSeconds(1));
    LokiWrite w = start(new LokiWriteConfig(Map.of(), 0, List.of(ep)), slow);
    w.push(List.of(new LokiEntry(Labels.of("job", "a"), 1, "x".repeat(600))));
    AtomicReference<Throwable> failed = new AtomicReference<>();
    CountDownLatch pushed = new CountDownLatch(1);
    Thread second = new Thread(() -> {
      try {
        w.push(List.of(new LokiEntry(Labels.of("job", "a"), 2, "y".repeat(600))));
      } catch (Throwable t) {
        failed.set(t);
      }
      pushed.countDown();
    });
    second.start();
    assertThat(pushed.await(200, TimeUnit.MILLISECONDS)).as("waits while the queue is full").isFalse();
    release.countDown();
    assertThat(pushed.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(failed.get()).isNull();
    assertThat(await(() -> delivered.size() == 2)).isTrue();
    assertThat(counter("loki.write.refused.entries")).isZero();
  }

  @Test
  void theMemoryQueueIsBoundedByCapacityAndByTheHeapBudget() throws Exception {
    EndpointConfig small = endpoint().withQueue(123_456, true, Duration.ofSeconds(1));
    EndpointConfig huge = EndpointConfig.defaults(URI.create("http://127.0.0.1:10/loki/api/v1/push"))
        .withQueue(1L << 40, true, Duration.ofSeconds(1));
    LokiWrite w = start(new LokiWriteConfig(Map.of(), 0, List.of(small, huge)), loki);
    assertThat(w.queueLimits()).extracting(io.mpac.collector.exporter.queue.QueueLimits::maxBytes)
        .containsExactly(123_456L, io.mpac.collector.component.HeapBudget.share(
            io.mpac.collector.component.HeapBudget.EXPORTER_QUEUE));
    LokiWrite withWal = start(new LokiWriteConfig(Map.of(), 0, List.of(endpoint()), new WalConfig(true,
        Duration.ofHours(1), Duration.ofMillis(10), Duration.ofMillis(80), Duration.ofMillis(200), 5_000_000)), loki);
    assertThat(withWal.queueLimits()).extracting(io.mpac.collector.exporter.queue.QueueLimits::maxBytes)
        .as("the WAL is bounded on disk by max_size").containsExactly(5_000_000L);
  }

  @Test
  void drainTimeoutBoundsTheShutdownWithoutTheWal() throws Exception {
    lokiUp.set(false);
    EndpointConfig ep = endpoint().withQueue(EndpointConfig.DEFAULT_QUEUE_CAPACITY, false, Duration.ofMillis(200));
    LokiWrite w = start(new LokiWriteConfig(Map.of(), 0, List.of(ep)), loki);
    w.push(entries("lost", 3));
    assertThat(await(() -> requests.get() >= 2)).isTrue();
    long start = System.nanoTime();
    w.shutdown(Duration.ofSeconds(30));
    assertThat(System.nanoTime() - start).as("drain_timeout, not the 30s shutdown timeout")
        .isLessThan(TimeUnit.SECONDS.toNanos(10));
    assertThat(counter("loki.write.dropped.entries", "reason", "shutdown")).isEqualTo(3);
    assertThat(w.usedBytes()).isZero();
  }
}
