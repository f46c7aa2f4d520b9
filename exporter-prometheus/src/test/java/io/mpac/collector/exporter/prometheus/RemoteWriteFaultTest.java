package io.mpac.collector.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.exporter.queue.QueueLimits;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.Sample;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Outages, retries, permanent failures, back-pressure and shutdown. */
class RemoteWriteFaultTest {

  private static final long T = 1_700_000_000_000L;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> logs = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      logs.add(r.getMessage());
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private FakeRemoteWriteServer server;
  private RemoteWrite rw;

  @AfterEach
  void tearDown() {
    if (rw != null) rw.shutdown(Duration.ofSeconds(1));
    if (server != null) server.close();
    Logger.getLogger("component.prometheus.remote_write.test").removeHandler(capture);
  }

  private static RemoteWriteConfig.Queue queue(int capacity) {
    return new RemoteWriteConfig.Queue(capacity, 1, 50, 100, Duration.ofMillis(20), Duration.ofMillis(10),
        Duration.ofMillis(80), true, Duration.ZERO);
  }

  private void start(java.net.URI url, RemoteWriteConfig.Queue queue) throws Exception {
    Logger.getLogger("component.prometheus.remote_write.test").addHandler(capture);
    rw = new RemoteWrite(TestContexts.context("prometheus.remote_write", "test", registry),
        new RemoteWriteConfig(Map.of(), List.of(RemoteWriteConfig.Endpoint.defaults(url).withQueue(queue)
            .withRemoteTimeout(Duration.ofSeconds(2)))));
    rw.start();
  }

  private static MetricsBatch samples(int n, long t) {
    List<Sample> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(new Sample(Labels.of("__name__", "m", "i", Integer.toString(i)), t, i));
    return MetricsBatch.ofSamples(out);
  }

  private double count(String name, String... tags) {
    return TestContexts.count(registry, name, tags);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void endpointDownThenUpLosesNothingWithinCapacity() throws Exception {
    int port = freePort();
    start(java.net.URI.create("http://127.0.0.1:" + port + "/api/v1/write"), queue(1000));
    for (int k = 0; k < 5; k++) rw.append(samples(100, T + k));
    FakeRemoteWriteServer.await(() -> count("prometheus.remote.storage.samples.retried") > 0, 5000, "a retry");
    assertThat(rw.health().isHealthy()).isFalse();
    assertThat(rw.health().message()).contains("retrying");
    server = new FakeRemoteWriteServer(port);
    FakeRemoteWriteServer.await(() -> server.sampleCount() == 500, 10_000, "all 500 samples");
    FakeRemoteWriteServer.await(() -> count("prometheus.remote.storage.samples") == 500, 5000, "sent count");
    assertThat(count("prometheus.remote.storage.samples.failed")).isZero();
    FakeRemoteWriteServer.await(() -> rw.health().isHealthy(), 2000, "healthy again");
  }

  @Test
  void serverErrorsAreRetriedUntilSuccess() throws Exception {
    server = new FakeRemoteWriteServer();
    server.respond(FakeRemoteWriteServer.Response.of(500, "boom"), FakeRemoteWriteServer.Response.of(503, "busy"));
    start(server.url(), queue(1000));
    rw.append(samples(10, T));
    FakeRemoteWriteServer.await(() -> count("prometheus.remote.storage.samples") == 10, 5000, "10 samples sent");
    assertThat(server.sampleCount()).isEqualTo(10);
    assertThat(server.attempts.get()).isEqualTo(3);
    assertThat(count("prometheus.remote.storage.samples.retried")).isEqualTo(20);
  }

  @Test
  void tooManyRequestsHonoursRetryAfter() throws Exception {
    server = new FakeRemoteWriteServer();
    server.respond(new FakeRemoteWriteServer.Response(429, "slow down", Map.of("Retry-After", "1")));
    start(server.url(), queue(1000));
    long t0 = System.nanoTime();
    rw.append(samples(3, T));
    FakeRemoteWriteServer.await(() -> server.sampleCount() == 3, 5000, "3 samples");
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    assertThat(server.attempts.get()).isEqualTo(2);
  }

  @Test
  void badRequestIsDroppedCountedLoggedWithTheReasonAndNotRetried() throws Exception {
    server = new FakeRemoteWriteServer();
    server.respond(FakeRemoteWriteServer.Response.of(400, "out of order sample"));
    start(server.url(), queue(1000));
    rw.append(samples(4, T));
    FakeRemoteWriteServer.await(() -> count("prometheus.remote.storage.samples.failed") == 4 && !logs.isEmpty(),
        5000, "failure count and log");
    rw.append(samples(2, T + 1));
    FakeRemoteWriteServer.await(() -> server.sampleCount() == 2, 5000, "next batch");
    assertThat(server.attempts.get()).isEqualTo(2); // the rejected batch was not sent again
    assertThat(count("prometheus.remote.storage.samples.retried")).isZero();
    assertThat(logs).anySatisfy(l -> assertThat(l).contains("HTTP 400: out of order sample")
        .contains("not retried").contains("4 samples"));
    assertThat(rw.health().isHealthy()).isTrue(); // bad data, not a bad endpoint
  }

  @Test
  void notFoundExplainsTheRemoteWriteReceiverFlag() throws Exception {
    server = new FakeRemoteWriteServer();
    server.respond(FakeRemoteWriteServer.Response.of(404, "404 page not found"));
    start(server.url(), queue(1000));
    rw.append(samples(1, T));
    FakeRemoteWriteServer.await(() -> count("prometheus.remote.storage.samples.failed") == 1 && !logs.isEmpty(),
        5000, "failure");
    assertThat(logs).anySatisfy(l -> assertThat(l).contains("--web.enable-remote-write-receiver"));
    assertThat(rw.health().isHealthy()).isFalse();
  }

  @Test
  void fullWalRefusesTheWholeBatchAndCountsIt() throws Exception {
    int port = freePort(); // nothing listens: everything stays queued
    Logger.getLogger("component.prometheus.remote_write.test").addHandler(capture);
    // the WAL holds 10 samples; the shard takes 4 of them at a time (one record beyond, when empty)
    rw = new RemoteWrite(TestContexts.context("prometheus.remote_write", "test", registry),
        new RemoteWriteConfig(Map.of(), List.of(RemoteWriteConfig.Endpoint.defaults(
            java.net.URI.create("http://127.0.0.1:" + port + "/api/v1/write")).withQueue(queue(4)))),
        WalStores.inMemory(l -> new QueueLimits(l.maxCount(), 10, l.maxBytes())));
    rw.start();
    rw.append(samples(6, T));
    rw.append(samples(4, T + 1));
    assertThatThrownBy(() -> rw.append(samples(1, T + 2))).isInstanceOf(ConsumeException.Refused.class)
        .hasMessageContaining("is full");
    FakeRemoteWriteServer.await(() -> rw.endpoints().get(0).pending() == 6, 5000, "the first record in the shard");
    assertThat(rw.endpoints().get(0).wal.usage().items()).isEqualTo(10); // both records, unacked
    assertThat(count("prometheus.remote.storage.samples.refused")).isEqualTo(1);
    assertThat(count("prometheus.remote.write.wal.samples.appended")).isEqualTo(10);
    assertThat(rw.wouldRefuse(1)).isNotNull();
  }

  @Test
  void oversizedBatchIsTakenWhenTheQueueIsEmpty() throws Exception {
    server = new FakeRemoteWriteServer();
    start(server.url(), queue(10));
    rw.append(samples(25, T));
    FakeRemoteWriteServer.await(() -> server.sampleCount() == 25, 5000, "25 samples");
  }

  @Test
  void shutdownDrainsTheQueue() throws Exception {
    server = new FakeRemoteWriteServer();
    Logger.getLogger("component.prometheus.remote_write.test").addHandler(capture);
    rw = new RemoteWrite(TestContexts.context("prometheus.remote_write", "test", registry),
        new RemoteWriteConfig(Map.of(), List.of(RemoteWriteConfig.Endpoint.defaults(server.url())))); // 5s deadline
    rw.start();
    rw.append(samples(50, T));
    rw.shutdown(Duration.ofSeconds(5));
    assertThat(server.sampleCount()).isEqualTo(50);
    assertThatThrownBy(() -> rw.append(samples(1, T + 1))).isInstanceOf(ConsumeException.Refused.class);
  }

  @Test
  void shutdownGivesUpAtTheDeadlineAndCountsTheLoss() throws Exception {
    int port = freePort();
    start(java.net.URI.create("http://127.0.0.1:" + port + "/api/v1/write"), queue(1000));
    rw.append(samples(30, T));
    long t0 = System.nanoTime();
    rw.shutdown(Duration.ofMillis(300));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    assertThat(count("prometheus.remote.storage.samples.dropped", "reason", "shutdown")).isEqualTo(30);
    assertThat(rw.endpoints().get(0).pending()).isZero();
  }

  @Test
  void sampleAgeLimitDropsOldSamplesInsteadOfSendingThem() throws Exception {
    server = new FakeRemoteWriteServer();
    Logger.getLogger("component.prometheus.remote_write.test").addHandler(capture);
    RemoteWriteConfig.Queue q = new RemoteWriteConfig.Queue(1000, 1, 1, 100, Duration.ofMillis(20),
        Duration.ofMillis(10), Duration.ofMillis(50), true, Duration.ofMinutes(10));
    rw = new RemoteWrite(TestContexts.context("prometheus.remote_write", "test", registry),
        new RemoteWriteConfig(Map.of(), List.of(RemoteWriteConfig.Endpoint.defaults(server.url()).withQueue(q))));
    rw.start();
    long now = System.currentTimeMillis();
    rw.append(MetricsBatch.ofSamples(List.of(new Sample(Labels.of("__name__", "old"), now - 3_600_000, 1),
        new Sample(Labels.of("__name__", "new"), now, 1))));
    FakeRemoteWriteServer.await(() -> server.sampleCount() == 1, 5000, "1 sample");
    assertThat(server.series()).extracting(RemoteWriteDecoder.TimeSeries::name).containsExactly("new");
    assertThat(count("prometheus.remote.storage.samples.dropped", "reason", "too_old")).isEqualTo(1);
  }
}
