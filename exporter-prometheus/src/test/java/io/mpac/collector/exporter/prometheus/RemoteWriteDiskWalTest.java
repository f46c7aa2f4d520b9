package io.mpac.collector.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.Sample;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The production WAL ({@link WalStores#onDisk}): what was accepted survives a stop and a restart. */
class RemoteWriteDiskWalTest {

  private static final long T = 1_700_000_000_000L;

  @TempDir Path dir;
  private final List<RemoteWrite> started = new ArrayList<>();
  private FakeRemoteWriteServer server;

  @AfterEach
  void tearDown() {
    for (RemoteWrite rw : started) rw.shutdown(Duration.ofMillis(500));
    if (server != null) server.close();
  }

  private RemoteWrite start(int port, SimpleMeterRegistry registry) throws Exception {
    return start(port, registry, RemoteWriteConfig.Wal.DEFAULTS);
  }

  private RemoteWrite start(int port, SimpleMeterRegistry registry, RemoteWriteConfig.Wal wal) throws Exception {
    RemoteWriteConfig.Queue q = new RemoteWriteConfig.Queue(100, 2, 2, 50, Duration.ofMillis(20),
        Duration.ofMillis(10), Duration.ofMillis(50), true, Duration.ZERO);
    RemoteWrite rw = new RemoteWrite(TestContexts.context("prometheus.remote_write", "disk", registry),
        new RemoteWriteConfig(Map.of(), List.of(RemoteWriteConfig.Endpoint.defaults(
            URI.create("http://127.0.0.1:" + port + "/api/v1/write")).withQueue(q)), wal),
        WalStores.onDisk(dir.resolve("wal")));
    rw.start();
    started.add(rw);
    return rw;
  }

  private static MetricsBatch samples(int from, int n) {
    List<Sample> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) out.add(new Sample(Labels.of("__name__", "m", "i", Integer.toString(i)), T, i));
    return MetricsBatch.ofSamples(out);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void samplesLeftAtTheShutdownDeadlineAreSentAfterTheNextStart() throws Exception {
    int port = freePort(); // down
    SimpleMeterRegistry first = new SimpleMeterRegistry();
    RemoteWrite rw = start(port, first);
    for (int k = 0; k < 10; k++) rw.append(samples(k * 30, 30));
    rw.shutdown(Duration.ofMillis(300));
    assertThat(TestContexts.count(first, "prometheus.remote.storage.samples.dropped")).isZero();
    try (Stream<Path> files = Files.walk(dir.resolve("wal"))) {
      assertThat(files.filter(p -> p.getFileName().toString().endsWith(".log"))).isNotEmpty();
    }

    server = new FakeRemoteWriteServer(port);
    SimpleMeterRegistry second = new SimpleMeterRegistry();
    RemoteWrite again = start(port, second);
    FakeRemoteWriteServer.await(() -> server.sampleCount() >= 300, 10_000, "the 300 samples from the WAL");
    FakeRemoteWriteServer.await(() -> again.endpoints().get(0).wal.usage().count() == 0, 5000, "the WAL acked");
    // each sample arrived (once, as nothing was in flight when the first instance stopped)
    assertThat(server.series().stream().map(ts -> ts.labels().toString()).distinct().count()).isEqualTo(300);
    assertThat(server.sampleCount()).isEqualTo(300);
    assertThat(TestContexts.count(second, "prometheus.remote.storage.samples.dropped")).isZero();
  }

  @Test
  void aFullWalOnDiskRefusesCountedAndTakesDataAgainOnceDrained() throws Exception {
    int port = freePort(); // down
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RemoteWriteConfig.Wal small = new RemoteWriteConfig.Wal(Duration.ofHours(2), Duration.ofMinutes(5),
        Duration.ofHours(8), 64 * 1024);
    RemoteWrite rw = start(port, registry, small);
    int accepted = 0;
    io.mpac.collector.consumer.ConsumeException.Refused refused = null;
    for (int k = 0; k < 1000 && refused == null; k++) {
      try {
        rw.append(samples(k * 50, 50));
        accepted += 50;
      } catch (io.mpac.collector.consumer.ConsumeException.Refused e) {
        refused = e;
      }
    }
    assertThat(refused).as("refused once the WAL's 64 KiB are used").isNotNull();
    assertThat(refused.getMessage()).contains("WAL of endpoint").contains("max_size 65536 bytes");
    assertThat(accepted).isPositive();
    assertThat(TestContexts.count(registry, "prometheus.remote.storage.samples.refused")).isEqualTo(50);
    assertThat(rw.endpoints().get(0).wal.usage().bytes()).isLessThanOrEqualTo(64 * 1024);

    server = new FakeRemoteWriteServer(port);
    int sent = accepted;
    FakeRemoteWriteServer.await(() -> server.sampleCount() == sent, 10_000, "the accepted samples");
    FakeRemoteWriteServer.await(() -> rw.wouldRefuse(50) == null, 5000, "room again");
    rw.append(samples(1_000_000, 50));
    FakeRemoteWriteServer.await(() -> server.sampleCount() == sent + 50, 5000, "the next batch");
  }
}
