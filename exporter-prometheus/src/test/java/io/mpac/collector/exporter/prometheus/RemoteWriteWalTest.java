package io.mpac.collector.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.Supervisor;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.exporter.queue.Lease;
import io.mpac.collector.exporter.queue.MemoryQueueStore;
import io.mpac.collector.exporter.queue.QueueLimits;
import io.mpac.collector.exporter.queue.QueueStore;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.Sample;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The write-ahead log's behaviour, on an in-memory WAL: records are acked only when every shard
 * has settled its part; {@code max_keepalive_time} and {@code truncate_frequency}; supervised
 * shards and reader.
 */
class RemoteWriteWalTest {

  private static final long T = 1_700_000_000_000L;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong clockMs = new AtomicLong(T);
  private FakeRemoteWriteServer server;
  private RemoteWrite rw;

  @AfterEach
  void tearDown() {
    if (rw != null) rw.shutdown(Duration.ofSeconds(1));
    if (server != null) server.close();
  }

  private static RemoteWriteConfig.Queue queue(int capacity, int shards, int maxPerSend) {
    return new RemoteWriteConfig.Queue(capacity, shards, shards, maxPerSend, Duration.ofMillis(20),
        Duration.ofMillis(10), Duration.ofMillis(40), true, Duration.ZERO);
  }

  private void start(URI url, RemoteWriteConfig.Queue queue, RemoteWriteConfig.Wal wal) throws Exception {
    rw = new RemoteWrite(TestContexts.context("prometheus.remote_write", "wal", registry),
        new RemoteWriteConfig(Map.of(), List.of(RemoteWriteConfig.Endpoint.defaults(url).withQueue(queue)
            .withRemoteTimeout(Duration.ofSeconds(2))), wal),
        WalStores.inMemory(l -> l), clockMs::get);
    rw.start();
  }

  private static MetricsBatch samples(String prefix, int n, long t) {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(new Sample(Labels.of("__name__", "m", "s", prefix + i), t, i));
    return MetricsBatch.ofSamples(out);
  }

  private double count(String name, String... tags) {
    return TestContexts.count(registry, name, tags);
  }

  private long walRecords() {
    return rw.endpoints().get(0).wal.usage().count();
  }

  private static URI nothingListens() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return URI.create("http://127.0.0.1:" + s.getLocalPort() + "/api/v1/write");
    }
  }

  @Test
  void aRecordIsAckedOnlyWhenEveryShardHasSentItsPart() throws Exception {
    server = new FakeRemoteWriteServer();
    // requests holding series "held0" fail (retryable) until the test lets them through
    server.unavailableFor = req -> req.timeseries().stream()
        .anyMatch(ts -> ts.labels().stream().anyMatch(l -> l.value().equals("held0")));
    start(server.url(), queue(1000, 4, 1000), RemoteWriteConfig.Wal.DEFAULTS);
    List<Sample> all = new ArrayList<>(samples("free", 40, T).samples());
    all.addAll(samples("held", 1, T).samples());
    rw.append(MetricsBatch.ofSamples(all));

    FakeRemoteWriteServer.await(() -> server.sampleCount() > 0 && count("prometheus.remote.storage.samples.retried") > 0,
        5000, "the other shards to deliver while one retries");
    Thread.sleep(100);
    assertThat(server.sampleCount()).isLessThan(41);
    assertThat(walRecords()).isEqualTo(1); // one shard has not settled its part: not acked

    server.unavailableFor = null;
    FakeRemoteWriteServer.await(() -> server.sampleCount() == 41, 15_000, "all 41 samples");
    FakeRemoteWriteServer.await(() -> walRecords() == 0, 5000, "the record acked");
    assertThat(rw.endpoints().get(0).pending()).isZero();
    assertThat(count("prometheus.remote.storage.samples.dropped")).isZero();
  }

  @Test
  void truncationDropsRecordsOlderThanMaxKeepaliveWhileTheEndpointIsDown() throws Exception {
    // the shard takes 5 samples; the reader holds the second record, the third waits in the WAL
    start(nothingListens(), queue(5, 1, 5),
        new RemoteWriteConfig.Wal(Duration.ofMillis(100), Duration.ofMinutes(5), Duration.ofHours(1), 1L << 30));
    for (int k = 0; k < 3; k++) rw.append(samples("r" + k, 5, clockMs.get()));
    FakeRemoteWriteServer.await(() -> count("prometheus.remote.storage.samples.retried") > 0, 5000, "retries");

    clockMs.addAndGet(Duration.ofMinutes(59).toMillis()); // younger than max_keepalive_time: kept
    Thread.sleep(400); // several truncations
    assertThat(walRecords()).isEqualTo(3);
    assertThat(count("prometheus.remote.storage.samples.dropped")).isZero();
    assertThat(registry.get("prometheus.remote.write.wal.storage.records").gauge().value()).isEqualTo(3);
    assertThat(registry.get("prometheus.remote.write.wal.storage.samples").gauge().value()).isEqualTo(15);

    clockMs.addAndGet(Duration.ofMinutes(2).toMillis()); // now older
    FakeRemoteWriteServer.await(() -> walRecords() == 0, 5000, "the WAL truncated");
    assertThat(count("prometheus.remote.storage.samples.dropped", "reason", "max_keepalive_time")).isEqualTo(15);
    assertThat(count("prometheus.remote.storage.samples")).isZero();
    assertThat(rw.endpoints().get(0).pending()).isZero();
    // the gauges point at this running instance: gone once it stopped (a reload registers its own)
    rw.shutdown(Duration.ofSeconds(1));
    assertThat(registry.find("prometheus.remote.write.wal.storage.records").gauge()).isNull();
    assertThat(registry.find("prometheus.remote.storage.samples.pending").gauge()).isNull();
  }

  @Test
  void expiredDataIsDroppedOnlyAtTruncation() throws Exception {
    start(nothingListens(), queue(5, 1, 5),
        new RemoteWriteConfig.Wal(Duration.ofHours(2), Duration.ofMinutes(5), Duration.ofHours(1), 1L << 30));
    for (int k = 0; k < 3; k++) rw.append(samples("r" + k, 5, clockMs.get()));
    FakeRemoteWriteServer.await(() -> count("prometheus.remote.storage.samples.retried") > 0, 5000, "retries");
    clockMs.addAndGet(Duration.ofHours(3).toMillis()); // expired, but the next truncation is 2h away
    Thread.sleep(500);
    assertThat(walRecords()).isEqualTo(3);
    assertThat(count("prometheus.remote.storage.samples.dropped")).isZero();
  }

  @Test
  void aWalThatCannotWriteRefusesTheBatchAndCountsIt() throws Exception {
    server = new FakeRemoteWriteServer();
    AtomicBoolean diskFull = new AtomicBoolean();
    rw = new RemoteWrite(TestContexts.context("prometheus.remote_write", "wal", registry),
        new RemoteWriteConfig(Map.of(), List.of(RemoteWriteConfig.Endpoint.defaults(server.url())
            .withQueue(queue(1000, 1, 100)))),
        (name, limits) -> new FailingStore(new MemoryQueueStore<>(limits), diskFull), clockMs::get);
    rw.start();
    rw.append(samples("a", 3, T));
    diskFull.set(true);
    assertThatThrownBy(() -> rw.append(samples("b", 4, T))).isInstanceOf(ConsumeException.Refused.class)
        .hasMessageContaining("cannot be written").hasMessageContaining("No space left on device");
    diskFull.set(false);
    rw.append(samples("c", 5, T));
    FakeRemoteWriteServer.await(() -> server.sampleCount() == 8, 5000, "the accepted 8 samples");
    assertThat(count("prometheus.remote.storage.samples.refused")).isEqualTo(4);
    assertThat(count("prometheus.remote.write.wal.samples.appended")).isEqualTo(8);
  }

  /** A store whose writes fail while {@code full} is set, as a full disk makes them. */
  private record FailingStore(QueueStore<WalBatch> delegate, AtomicBoolean full) implements QueueStore<WalBatch> {
    @Override
    public OfferResult offer(WalBatch payload, int items, long bytes, long waitNanos) throws InterruptedException {
      if (full.get()) throw new java.io.UncheckedIOException(new java.io.IOException("No space left on device"));
      return delegate.offer(payload, items, bytes, waitNanos);
    }

    @Override
    public Lease<WalBatch> take(long maxWaitNanos) throws InterruptedException {
      return delegate.take(maxWaitNanos);
    }

    @Override
    public void ack(Lease<WalBatch> lease) {
      delegate.ack(lease);
    }

    @Override
    public void closeForOffers() {
      delegate.closeForOffers();
    }

    @Override
    public List<Lease<WalBatch>> abandon() {
      return delegate.abandon();
    }

    @Override
    public boolean finished() {
      return delegate.finished();
    }

    @Override
    public boolean persistent() {
      return delegate.persistent();
    }

    @Override
    public Usage usage() {
      return delegate.usage();
    }

    @Override
    public QueueLimits limits() {
      return delegate.limits();
    }

    @Override
    public void close() {
      delegate.close();
    }
  }

  @Test
  void aCrashedShardIsRestartedCountedAndNamedUntilItRecovers() throws Exception {
    server = new FakeRemoteWriteServer();
    start(server.url(), queue(1000, 2, 100), RemoteWriteConfig.Wal.DEFAULTS);
    rw.append(samples("a", 10, T));
    FakeRemoteWriteServer.await(() -> server.sampleCount() == 10, 5000, "first batch");

    String worker = "remote-write-prometheus.remote_write.wal-" + rw.endpoints().get(0).name() + "-shard-1";
    Supervisor.injectFault(worker);
    FakeRemoteWriteServer.await(() -> rw.supervisor().restarts() == 1, 5000, "a restart");
    assertThat(rw.health().isHealthy()).isFalse();
    assertThat(rw.health().message()).contains(worker).contains("fault injected");
    assertThat(count(Supervisor.RESTARTS_METRIC)).isEqualTo(1);

    rw.append(samples("b", 10, T + 1));
    FakeRemoteWriteServer.await(() -> server.sampleCount() == 20, 5000, "data after the restart");
    FakeRemoteWriteServer.await(() -> rw.health().isHealthy(), 5000, "healthy again");
    assertThat(count("prometheus.remote.storage.samples.dropped")).isZero();
    assertThat(walRecords()).isZero();
  }

  @Test
  void aCrashedWalReaderIsRestartedAndTheWalStillDrains() throws Exception {
    server = new FakeRemoteWriteServer();
    start(server.url(), queue(1000, 1, 100), RemoteWriteConfig.Wal.DEFAULTS);
    String worker = "remote-write-prometheus.remote_write.wal-" + rw.endpoints().get(0).name() + "-wal-reader";
    Supervisor.injectFault(worker);
    FakeRemoteWriteServer.await(() -> rw.supervisor().restarts() == 1, 5000, "a restart");
    assertThat(rw.health().message()).contains(worker);
    rw.append(samples("a", 10, T));
    FakeRemoteWriteServer.await(() -> server.sampleCount() == 10, 5000, "data after the restart");
    FakeRemoteWriteServer.await(() -> rw.health().isHealthy(), 5000, "healthy again");
  }
}
