package io.mpac.collector.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.exporter.prometheus.RealPrometheus;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code prometheus.remote_write}'s WAL keeps accepted samples across a {@code kill -9}: with the
 * remote-write backend down, the real OpenTelemetry SDK sends N data points through
 *
 * <pre>
 * SDK ──OTLP/gRPC──▶ otelcol.receiver.otlp ─▶ otelcol.exporter.prometheus ─▶ prometheus.remote_write ──▶ (down)
 * </pre>
 *
 * in a collector child process; the process is killed with SIGKILL, started again on the same
 * {@code --storage.path}, then a real Prometheus comes up on the endpoint's address, and PromQL
 * must count every point.
 */
class RemoteWriteDurabilityTest {

  private static final Pattern ADMIN = Pattern.compile("admin server on ([0-9.]+:[0-9]+)");
  private static final int SERIES = 10;
  private static final int ROUNDS = 20;

  @TempDir Path dir;

  private final List<Process> processes = new CopyOnWriteArrayList<>();
  private final BlockingQueue<String> logLines = new LinkedBlockingQueue<>();
  private final List<String> allLines = new CopyOnWriteArrayList<>();

  @AfterEach
  void killAll() {
    for (Process p : processes) if (p.isAlive()) p.destroyForcibly();
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Starts the collector child and waits until it is ready; returns it. */
  private Process startCollector(Path config) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "run", "--server.http.listen-addr", "127.0.0.1:0",
        "--storage.path", dir.resolve("data").toString(), "--shutdown.timeout", "5s", config.toString())
        .redirectErrorStream(true).start();
    processes.add(p);
    logLines.clear();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          logLines.add(line);
          allLines.add(line);
        }
      } catch (java.io.IOException ignored) {
        // process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    String admin = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (admin == null && System.nanoTime() < deadline) {
      String line = logLines.poll(1, TimeUnit.SECONDS);
      if (line == null) {
        if (!p.isAlive()) throw new AssertionError("collector exited with " + p.exitValue() + ": " + allLines);
        continue;
      }
      Matcher m = ADMIN.matcher(line);
      if (m.find()) admin = m.group(1);
    }
    assertThat(admin).as("admin address in the log: %s", allLines).isNotNull();
    HttpClient http = HttpClient.newHttpClient();
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + admin + "/-/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) return p;
      Thread.sleep(50);
    }
    throw new AssertionError("collector not ready in time: " + allLines);
  }

  @Test
  void samplesInTheWalSurviveAKillAndArriveWhenPrometheusComesUp() throws Exception {
    RealPrometheus.requireBinary();
    int otlpPort = freePort();
    int promPort = freePort(); // nothing listens here until the end: the backend is down
    Path config = Files.writeString(dir.resolve("config.alloy"), """
        otelcol.receiver.otlp "in" {
          grpc {
            endpoint = "127.0.0.1:%d"
          }
          output {
            metrics = [otelcol.exporter.prometheus.p.input]
          }
        }

        otelcol.exporter.prometheus "p" {
          forward_to = [prometheus.remote_write.rw.receiver]
        }

        prometheus.remote_write "rw" {
          endpoint {
            url = "http://127.0.0.1:%d/api/v1/write"
            queue_config {
              batch_send_deadline = "100ms"
              min_backoff         = "50ms"
              max_backoff         = "500ms"
            }
          }
        }
        """.formatted(otlpPort, promPort));
    Process first = startCollector(config);

    // each round adds 1 to every series and exports them (cumulative); N = SERIES x accepted exports
    // (the SDK exports once more when it closes)
    CountingExporter exporter = new CountingExporter(OtlpGrpcMetricExporter.builder()
        .setEndpoint("http://127.0.0.1:" + otlpPort).setTimeout(Duration.ofSeconds(10)).build());
    PeriodicMetricReader reader = PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build();
    try (SdkMeterProvider provider = SdkMeterProvider.builder()
        .setResource(Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "durable")))
        .registerMetricReader(reader).build()) {
      LongCounter counter = provider.get("io.mpac.durability").counterBuilder("wal_points").build();
      for (int round = 0; round < ROUNDS; round++) {
        for (int s = 0; s < SERIES; s++) counter.add(1, Attributes.of(AttributeKey.stringKey("series"), "s" + s));
        CompletableResultCode flushed = provider.forceFlush().join(15, TimeUnit.SECONDS);
        assertThat(flushed.isSuccess()).as("export of round %d accepted by the collector", round).isTrue();
        Thread.sleep(5); // distinct timestamps (milliseconds) per round
      }
    }

    int exports = exporter.accepted.get();
    assertThat(exports).isEqualTo(ROUNDS + 1);
    assertThat(exporter.failed.get()).isZero();

    // accepted means written to the WAL: kill -9 at once
    first.destroyForcibly();
    assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.isDirectory(dir.resolve("data").resolve("prometheus.remote_write.rw").resolve("wal")))
        .as("the WAL directory").isTrue();

    startCollector(config);
    try (RealPrometheus prometheus = RealPrometheus.start(dir.resolve("prometheus"), promPort)) {
      String promql = "count_over_time(wal_points_total{job=\"durable\"}[1h])";
      Map<String, Double> last = Map.of();
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
      while (System.nanoTime() < end) {
        last = numbers(prometheus.query(promql));
        if (last.size() == SERIES && last.values().stream().allMatch(v -> v == exports)) break;
        Thread.sleep(200);
      }
      assertThat(last).as("points per series after the restart").hasSize(SERIES);
      assertThat(last.values()).as("every one of the %d points arrived: %s", SERIES * exports, last)
          .allMatch(v -> v == exports);
      Map<String, Double> values = numbers(prometheus.query("wal_points_total{job=\"durable\"}"));
      assertThat(values.values()).as("the last value of each series").allMatch(v -> v == ROUNDS);
    }
  }

  /** Query results as label text → number. */
  private static Map<String, Double> numbers(Map<String, RealPrometheus.Result> results) {
    Map<String, Double> out = new java.util.TreeMap<>();
    results.forEach((k, v) -> out.put(k, v.number()));
    return out;
  }

  /** Counts the exports the collector accepted (and those it did not). */
  private static final class CountingExporter implements MetricExporter {
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    private final MetricExporter delegate;

    CountingExporter(MetricExporter delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletableResultCode export(Collection<MetricData> metrics) {
      CompletableResultCode result = delegate.export(metrics);
      CompletableResultCode counted = new CompletableResultCode();
      result.whenComplete(() -> {
        (result.isSuccess() ? accepted : failed).incrementAndGet();
        if (result.isSuccess()) counted.succeed(); else counted.fail();
      });
      return counted;
    }

    @Override
    public CompletableResultCode flush() {
      return delegate.flush();
    }

    @Override
    public CompletableResultCode shutdown() {
      return delegate.shutdown();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
      return delegate.getAggregationTemporality(instrumentType);
    }
  }
}
