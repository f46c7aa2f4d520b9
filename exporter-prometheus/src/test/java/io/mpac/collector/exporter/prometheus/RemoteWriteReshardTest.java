package io.mpac.collector.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code max_shards}: a slow endpoint makes the endpoint add shards up to, never past, {@code
 * max_shards}; when the load stops it goes back to {@code min_shards}; and through every reshard
 * each series reaches the endpoint in order (checked on the decoded requests in arrival order).
 */
class RemoteWriteReshardTest {

  private static final long T = 1_700_000_000_000L;
  private static final int SERIES = 40;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private FakeRemoteWriteServer server;
  private RemoteWrite rw;

  @AfterEach
  void tearDown() {
    if (rw != null) rw.shutdown(Duration.ofSeconds(2));
    if (server != null) server.close();
  }

  private RemoteWriteEndpoint start(int minShards, int maxShards) throws Exception {
    server = new FakeRemoteWriteServer(0, 4 * maxShards);
    RemoteWriteConfig.Queue queue = new RemoteWriteConfig.Queue(200, minShards, maxShards, 50, Duration.ofMillis(20),
        Duration.ofMillis(10), Duration.ofMillis(80), true, Duration.ZERO);
    rw = new RemoteWrite(TestContexts.context("prometheus.remote_write", "reshard", registry),
        new RemoteWriteConfig(Map.of(), List.of(RemoteWriteConfig.Endpoint.defaults(server.url()).withQueue(queue)
            .withRemoteTimeout(Duration.ofSeconds(5)))),
        WalStores.inMemory(l -> l), System::currentTimeMillis, Duration.ofMillis(100));
    rw.start();
    return rw.endpoints().get(0);
  }

  /** One sample of every series at time {@code T + step}. */
  private static MetricsBatch step(int step) {
    List<Sample> out = new ArrayList<>(SERIES);
    for (int i = 0; i < SERIES; i++) out.add(new Sample(Labels.of("__name__", "m", "s", Integer.toString(i)), T + step, step));
    return MetricsBatch.ofSamples(out);
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  @Test
  void slowEndpointScalesUpToMaxShardsNotPastThemAndIdleScalesBackKeepingSeriesInOrder() throws Exception {
    RemoteWriteEndpoint ep = start(1, 4);
    server.delayMillis = 40; // one shard sends at most 50 samples per 40 ms
    int steps = 0;
    int mostShards = 1;
    long reachedMaxAt = -1;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    // about 8,000 samples/s offered: far more than one shard's 1,250/s
    while (System.nanoTime() < end) {
      try {
        rw.append(step(steps));
        steps++;
      } catch (ConsumeException.Refused full) {
        // the WAL is full: the endpoint is behind, which is the point
      }
      mostShards = Math.max(mostShards, ep.shardCount());
      if (reachedMaxAt < 0 && ep.shardCount() == 4) reachedMaxAt = System.nanoTime();
      // keep the load on for a while at max_shards, to see it does not go past
      if (reachedMaxAt > 0 && System.nanoTime() - reachedMaxAt > TimeUnit.SECONDS.toNanos(2)) break;
      Thread.sleep(5);
    }
    assertThat(reachedMaxAt).as("reached max_shards under load").isPositive();
    assertThat(gauge("prometheus.remote.storage.shards")).isEqualTo(4.0);
    assertThat(gauge("prometheus.remote.storage.shards.max")).isEqualTo(4.0);
    assertThat(gauge("prometheus.remote.storage.shards.min")).isEqualTo(1.0);
    assertThat(gauge("prometheus.remote.storage.shards.desired")).isGreaterThan(4.0);

    // the load stops and the endpoint is fast again: back to min_shards
    server.delayMillis = 0;
    int total = steps;
    FakeRemoteWriteServer.await(() -> server.sampleCount() == (long) total * SERIES, 30_000, "every sample");
    FakeRemoteWriteServer.await(() -> ep.shardCount() == 1, 30_000, "back to min_shards");
    assertThat(gauge("prometheus.remote.storage.shards")).isEqualTo(1.0);

    assertThat(mostShards).isEqualTo(4);
    assertThat(server.maxInFlight.get()).as("requests at once").isBetween(2, 4);
    assertThat(server.errors).isEmpty();
    // per series, every sample once and in order, across the requests as they arrived
    Map<String, List<Long>> bySeries = new HashMap<>();
    for (RemoteWriteDecoder.TimeSeries ts : server.series()) {
      String s = ts.labels().stream().filter(l -> l.name().equals("s")).findFirst().orElseThrow().value();
      for (RemoteWriteDecoder.Sample x : ts.samples()) bySeries.computeIfAbsent(s, k -> new ArrayList<>()).add(x.timestamp());
    }
    assertThat(bySeries).hasSize(SERIES);
    for (Map.Entry<String, List<Long>> e : bySeries.entrySet()) {
      List<Long> times = e.getValue();
      assertThat(times).as("series " + e.getKey()).hasSize(total);
      for (int i = 1; i < times.size(); i++) {
        assertThat(times.get(i)).as("series " + e.getKey() + " sample " + i).isGreaterThan(times.get(i - 1));
      }
    }
    assertThat(TestContexts.count(registry, "prometheus.remote.storage.samples.failed")).isZero();
  }
}
