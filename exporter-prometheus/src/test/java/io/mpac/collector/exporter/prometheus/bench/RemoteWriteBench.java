package io.mpac.collector.exporter.prometheus.bench;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.exporter.prometheus.PrometheusExporterFactory;
import io.mpac.collector.exporter.prometheus.RemoteWriteFactory;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Node;
import io.mpac.collector.pipeline.Pipeline;
import io.mpac.collector.pipeline.PipelineBuilder;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Throughput and CPU cost of {@code otelcol.exporter.prometheus} → {@code prometheus.remote_write}
 * (translation, queueing, encoding, snappy, HTTP) into a no-op endpoint running in a separate
 * process. Not a test: run it by hand (see the module README for the command).
 *
 * <p>Workload per OTLP request: one resource (6 attributes), one scope, 250 data points: 100
 * cumulative counter points and 100 gauge points with 3 attributes each, 50 histogram points with
 * 10 bounds (13 series each). Every request has new timestamps; each run uses fresh series.
 *
 * <p>Reported per run: data points/s (wall clock, until the last sample is acknowledged) and
 * collector CPU µs per data point (this process's CPU time / data points); then the median of the
 * measured runs.
 */
public final class RemoteWriteBench {

  static final int COUNTERS = 100;
  static final int GAUGES = 100;
  static final int HISTOGRAMS = 50;
  static final int POINTS_PER_REQUEST = COUNTERS + GAUGES + HISTOGRAMS;

  /** {@code -Dwal=memory}: the remote-write WAL in memory (to compare with the on-disk WAL, the default). */
  static final boolean MEMORY_WAL = "memory".equals(System.getProperty("wal"));

  private RemoteWriteBench() {}

  public static void main(String[] args) throws Exception {
    int instances = args.length > 0 ? Integer.parseInt(args[0]) : 40;
    int requestsPerInstance = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 3;
    int warmups = args.length > 3 ? Integer.parseInt(args[3]) : 5;

    Process server = new ProcessBuilder(javaBinary(), "-cp", System.getProperty("java.class.path"),
        NoopRemoteWriteServer.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    int port = Integer.parseInt(new BufferedReader(new InputStreamReader(server.getInputStream())).readLine().strip());
    try {
      OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      System.out.printf("machine: %d cores, %s; workload: %d requests x %d points per run; WAL %s%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name") + " "
          + System.getProperty("java.version"), instances * requestsPerInstance, POINTS_PER_REQUEST,
          MEMORY_WAL ? "in memory" : "on disk");
      double[] rates = new double[runs];
      double[] cpus = new double[runs];
      for (int run = -warmups; run < runs; run++) { // runs below 0 warm up (JIT)
        Result r = run(port, os, "run" + run, instances, requestsPerInstance);
        System.out.printf("%s: %,d points in %.2fs = %,.0f points/s; CPU %.2f us/point; %,d samples sent%n",
            run < 0 ? "warm-up " + (warmups + run + 1) : "run " + (run + 1), r.points, r.wallNanos / 1e9, r.pointsPerSecond(),
            r.cpuMicrosPerPoint(), r.samplesSent);
        if (run >= 0) {
          rates[run] = r.pointsPerSecond();
          cpus[run] = r.cpuMicrosPerPoint();
        }
      }
      System.out.printf("median of %d runs: %,.0f data points/s, %.2f us CPU per data point%n", runs,
          median(rates), median(cpus));
    } finally {
      server.getOutputStream().close();
      if (!server.waitFor(5, TimeUnit.SECONDS)) server.destroyForcibly();
    }
  }

  private static String javaBinary() {
    return java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
  }

  record Result(long points, long wallNanos, long cpuNanos, long samplesSent) {
    double pointsPerSecond() {
      return points / (wallNanos / 1e9);
    }

    double cpuMicrosPerPoint() {
      return cpuNanos / 1e3 / points;
    }
  }

  private static Result run(int port, OperatingSystemMXBean os, String runId, int instances, int perInstance)
      throws Exception {
    // requests first (not measured): per instance, consecutive scrapes 10s apart
    List<OtlpRequest> requests = new ArrayList<>(instances * perInstance);
    long t0 = System.currentTimeMillis() - (long) perInstance * 10_000;
    for (int k = 0; k < perInstance; k++) {
      for (int i = 0; i < instances; i++) {
        requests.add(request(runId + "-" + i, t0 + k * 10_000L, k));
      }
    }
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    String config = """
        otelcol.exporter.prometheus "bench" {
          forward_to = [prometheus.remote_write.bench.receiver]
        }
        prometheus.remote_write "bench" {
          endpoint {
            url = "http://127.0.0.1:%d/api/v1/write"
            queue_config {
              capacity             = 100000
              min_shards           = 2
              max_samples_per_send = 2000
              batch_send_deadline  = "100ms"
            }
            metadata_config {
              send = false
            }
          }
        }
        """.formatted(port);
    Pipeline p = new PipelineBuilder(new PipelineBuilder.Settings(
        new ComponentRegistry(List.of(new PrometheusExporterFactory(), MEMORY_WAL
            ? new io.mpac.collector.exporter.prometheus.MemoryWalRemoteWriteFactory() : new RemoteWriteFactory())),
        Map.of(),
        Files.createTempDirectory("bench"), registry)).build(List.of(Parser.parse("bench.alloy", config)), null);
    for (Node n : p.nodes()) n.component().start();
    OtlpConsumer input = (OtlpConsumer) p.node(new ComponentId("otelcol.exporter.prometheus", "bench")).exports()
        .get("input");
    System.gc();
    Map<String, Long> threads0 = threadCpuByGroup();
    long gc0 = gcMillis();
    long jit0 = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    long cpu0 = os.getProcessCpuTime();
    long w0 = System.nanoTime();
    long points = 0;
    long refusals = 0;
    for (OtlpRequest r : requests) {
      while (true) {
        try {
          input.consume(r);
          break;
        } catch (ConsumeException.Refused e) {
          refusals++;
          Thread.sleep(1); // back-pressure: the queue is full, as a client would, wait and retry
        }
      }
      points += r.itemCount();
    }
    System.out.printf("  (%,d requests refused and retried: queue full)%n", refusals);
    double accepted = registry.find("otelcol.exporter.sent.metric_points").counter().count();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    while (pending(registry) > 0 && System.nanoTime() < deadline) Thread.sleep(1);
    long w1 = System.nanoTime();
    long cpu1 = os.getProcessCpuTime();
    Map<String, Long> threads1 = threadCpuByGroup();
    StringBuilder byGroup = new StringBuilder();
    long javaThreads = 0;
    for (Map.Entry<String, Long> e : threads1.entrySet()) {
      long d = e.getValue() - threads0.getOrDefault(e.getKey(), 0L);
      javaThreads += d;
      byGroup.append(String.format(" %s %.2f", e.getKey(), d / 1e3 / points));
    }
    System.out.printf("  (CPU us/point by thread:%s; JVM (GC, JIT, ...) %.2f; GC pauses %,d ms, JIT %,d ms)%n",
        byGroup, ((os.getProcessCpuTime() - cpu0) - javaThreads) / 1e3 / points, gcMillis() - gc0,
        ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jit0);
    long sent = (long) registry.find("prometheus.remote.storage.samples").counter().count();
    List<Node> nodes = new ArrayList<>(p.nodes());
    java.util.Collections.reverse(nodes);
    for (Node n : nodes) n.component().shutdown(Duration.ofSeconds(5));
    if (accepted != points) throw new IllegalStateException("exporter accepted " + accepted + " of " + points);
    return new Result(points, w1 - w0, cpu1 - cpu0, sent);
  }

  /** CPU time of live Java threads, by name with digits dropped (threads that ended are not counted). */
  static Map<String, Long> threadCpuByGroup() {
    java.lang.management.ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    Map<String, Long> out = new java.util.TreeMap<>();
    for (long id : mx.getAllThreadIds()) {
      java.lang.management.ThreadInfo info = mx.getThreadInfo(id);
      long cpu = mx.getThreadCpuTime(id);
      if (info == null || cpu < 0) continue;
      String name = info.getThreadName().replaceAll("[0-9]+", "").replaceAll("remote-write-.*", "remote-write-shards");
      out.merge(name, cpu, Long::sum);
    }
    return out;
  }

  static long gcMillis() {
    long ms = 0;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) ms += Math.max(0, gc.getCollectionTime());
    return ms;
  }

  /** Samples not yet sent: in the shards, or in the WAL not yet read. */
  private static double pending(SimpleMeterRegistry registry) {
    return registry.find("prometheus.remote.storage.samples.pending").gauge().value()
        + registry.find("prometheus.remote.write.wal.storage.samples").gauge().value();
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  static OtlpRequest request(String instance, long tsMs, int k) {
    long ts = tsMs * 1_000_000L;
    long start = (tsMs - 3_600_000) * 1_000_000L;
    List<Metric> metrics = new ArrayList<>();
    Sum.Builder sum = Sum.newBuilder().setIsMonotonic(true)
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    Gauge.Builder gauge = Gauge.newBuilder();
    for (int i = 0; i < COUNTERS; i++) {
      sum.addDataPoints(NumberDataPoint.newBuilder().setStartTimeUnixNano(start).setTimeUnixNano(ts)
          .setAsInt(1000L * k + i).addAttributes(kv("http.request.method", i % 2 == 0 ? "GET" : "POST"))
          .addAttributes(kv("http.route", "/api/v1/items/" + i)).addAttributes(kv("http.response.status_code", "200")));
      gauge.addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(ts).setAsDouble(i * 0.5 + k)
          .addAttributes(kv("pool", "pool-" + i)).addAttributes(kv("state", "used"))
          .addAttributes(kv("jvm.memory.type", "heap")));
    }
    Histogram.Builder hist = Histogram.newBuilder()
        .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    List<Double> bounds = List.of(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0);
    for (int i = 0; i < HISTOGRAMS; i++) {
      HistogramDataPoint.Builder dp = HistogramDataPoint.newBuilder().setStartTimeUnixNano(start).setTimeUnixNano(ts)
          .addAllExplicitBounds(bounds).setSum(12.5 * (k + 1)).addAttributes(kv("http.route", "/r/" + i))
          .addAttributes(kv("http.request.method", "GET"));
      long count = 0;
      for (int b = 0; b <= bounds.size(); b++) {
        dp.addBucketCounts(k + b);
        count += k + b;
      }
      hist.addDataPoints(dp.setCount(count));
    }
    metrics.add(Metric.newBuilder().setName("http.server.requests").setUnit("{request}").setSum(sum).build());
    metrics.add(Metric.newBuilder().setName("jvm.memory.used").setUnit("By").setGauge(gauge).build());
    metrics.add(Metric.newBuilder().setName("http.server.request.duration").setUnit("s").setHistogram(hist).build());
    ExportMetricsServiceRequest req = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(
        ResourceMetrics.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(kv("service.name", "checkout"))
                .addAttributes(kv("service.namespace", "shop")).addAttributes(kv("service.instance.id", instance))
                .addAttributes(kv("deployment.environment", "bench")).addAttributes(kv("host.name", "host-1"))
                .addAttributes(kv("telemetry.sdk.language", "java")))
            .addScopeMetrics(ScopeMetrics.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.http").setVersion("2.0.0"))
                .addAllMetrics(metrics)))
        .build();
    return new OtlpRequest(Signal.METRICS, req.toByteArray(), POINTS_PER_REQUEST);
  }
}
