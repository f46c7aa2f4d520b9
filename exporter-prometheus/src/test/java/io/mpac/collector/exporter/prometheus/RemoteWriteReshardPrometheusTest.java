package io.mpac.collector.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.Sample;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Resharding against a real Prometheus, which refuses a sample older than the newest of its series
 * ("out of order sample", HTTP 400): behind a proxy that makes every write slow, the endpoint
 * reshards up to {@code max_shards} and back, and Prometheus accepts every sample of every series.
 */
class RemoteWriteReshardPrometheusTest {

  private static final int SERIES = 30;

  @Test
  void reshardingNeverSendsASeriesOutOfOrder() throws Exception {
    RealPrometheus.requireBinary();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    HttpServer proxy = null;
    ExecutorService pool = Executors.newFixedThreadPool(16);
    RemoteWrite rw = null;
    try (RealPrometheus prometheus = RealPrometheus.start()) {
      HttpClient http = HttpClient.newBuilder().executor(pool).build();
      URI target = prometheus.writeUrl();
      proxy = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      proxy.createContext("/api/v1/write", ex -> forwardSlowly(ex, http, target));
      proxy.setExecutor(pool);
      proxy.start();
      URI url = URI.create("http://127.0.0.1:" + proxy.getAddress().getPort() + "/api/v1/write");
      RemoteWriteConfig.Queue queue = new RemoteWriteConfig.Queue(150, 1, 3, 30, Duration.ofMillis(20),
          Duration.ofMillis(10), Duration.ofMillis(80), true, Duration.ZERO);
      rw = new RemoteWrite(TestContexts.context("prometheus.remote_write", "reshard_real", registry),
          new RemoteWriteConfig(Map.of(), List.of(RemoteWriteConfig.Endpoint.defaults(url).withQueue(queue)
              .withRemoteTimeout(Duration.ofSeconds(5)))),
          WalStores.inMemory(l -> l), System::currentTimeMillis, Duration.ofMillis(100));
      rw.start();
      RemoteWriteEndpoint ep = rw.endpoints().get(0);

      long t0 = System.currentTimeMillis() - TimeUnit.MINUTES.toMillis(10);
      int steps = 0;
      int mostShards = 1;
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < end && steps < 1500) {
        try {
          rw.append(step(t0, steps));
          steps++;
        } catch (ConsumeException.Refused full) {
          // behind: the WAL is full
        }
        mostShards = Math.max(mostShards, ep.shardCount());
        if (mostShards == 3 && steps >= 400) break;
        Thread.sleep(3);
      }
      assertThat(mostShards).as("shards under a slow endpoint").isEqualTo(3);
      int total = steps;
      FakeRemoteWriteServer.await(() -> TestContexts.count(registry, "prometheus.remote.storage.samples")
          + TestContexts.count(registry, "prometheus.remote.storage.samples.failed") == (double) total * SERIES,
          60_000, "every sample settled");
      assertThat(TestContexts.count(registry, "prometheus.remote.storage.samples.failed"))
          .as("samples Prometheus refused (out of order)").isZero();
      Map<String, RealPrometheus.Result> counts =
          prometheus.awaitResults("count_over_time(reshard_ordered[1h])", SERIES, 30_000);
      for (RealPrometheus.Result r : counts.values()) assertThat(r.number()).as(r.labels().toString()).isEqualTo(total);
    } finally {
      if (rw != null) rw.shutdown(Duration.ofSeconds(2));
      if (proxy != null) proxy.stop(0);
      pool.shutdownNow();
    }
  }

  private static MetricsBatch step(long t0, int step) {
    List<Sample> out = new ArrayList<>(SERIES);
    for (int i = 0; i < SERIES; i++) {
      out.add(new Sample(Labels.of("__name__", "reshard_ordered", "s", Integer.toString(i)), t0 + step, step));
    }
    return MetricsBatch.ofSamples(out);
  }

  /** Waits 30 ms, then hands the request to Prometheus and its answer back. */
  private static void forwardSlowly(HttpExchange ex, HttpClient http, URI target) throws IOException {
    try (InputStream in = ex.getRequestBody()) {
      byte[] body = in.readAllBytes();
      Thread.sleep(30);
      HttpRequest.Builder req = HttpRequest.newBuilder(target).POST(HttpRequest.BodyPublishers.ofByteArray(body));
      for (String h : List.of("Content-Type", "Content-Encoding", "X-Prometheus-Remote-Write-Version")) {
        String v = ex.getRequestHeaders().getFirst(h);
        if (v != null) req.header(h, v);
      }
      HttpResponse<byte[]> r = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
      ex.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
      if (r.body().length > 0) ex.getResponseBody().write(r.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ex.sendResponseHeaders(503, -1);
    } finally {
      ex.close();
    }
  }
}
