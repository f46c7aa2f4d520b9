package io.mpac.collector.exporter.loki.bench;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.exporter.loki.LokiExporterFactory;
import io.mpac.collector.exporter.loki.LokiWriteFactory;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Pipeline;
import io.mpac.collector.pipeline.PipelineBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Benchmark (not a unit test): OTLP log requests through otelcol.exporter.loki (decode + convert)
 * and loki.write (batch, encode, snappy, HTTP) into a local push endpoint that only counts. Reports
 * records/s, collector CPU µs per record (process CPU minus the endpoint's threads, so JIT and GC
 * count against the collector) and wire bytes per record; median of 3 measured runs after a warm-up.
 *
 * <pre>
 * mvn -B -q -o test-compile -pl exporter-loki -am
 * mvn -B -q -o dependency:build-classpath -pl exporter-loki -Dmdep.outputFile=/tmp/loki.cp
 * java -Xmx512m -cp exporter-loki/target/test-classes:exporter-loki/target/classes:$(cat /tmp/loki.cp) \
 *   io.mpac.collector.exporter.loki.bench.LokiPipelineBench [records-per-run] [records-per-request]
 * </pre>
 */
public final class LokiPipelineBench {

  private LokiPipelineBench() {}

  public static void main(String[] args) throws Exception {
    int records = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    int perRequest = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    if (args.length > 2 && args[2].equals("convert-only")) {
      convertOnly(records, perRequest);
      return;
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    AtomicLong wireBytes = new AtomicLong();
    AtomicLong pushes = new AtomicLong();
    Set<Long> sinkThreads = ConcurrentHashMap.newKeySet();
    HttpServer sink = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    sink.createContext("/loki/api/v1/push", ex -> {
      sinkThreads.add(Thread.currentThread().getId());
      try (ex; InputStream in = ex.getRequestBody()) {
        wireBytes.addAndGet(in.readAllBytes().length);
        pushes.incrementAndGet();
        ex.sendResponseHeaders(204, -1);
      }
    });
    sink.setExecutor(Executors.newFixedThreadPool(2));
    sink.start();
    String url = "http://127.0.0.1:" + sink.getAddress().getPort() + "/loki/api/v1/push";

    List<OtlpRequest> requests = requests(perRequest, 200);
    double[] rates = new double[3];
    double[] cpuPerRecord = new double[3];
    double[] bytesPerRecord = new double[3];
    for (int run = -1; run < 3; run++) {
      Pipeline p = pipeline(url);
      OtlpConsumer input = (OtlpConsumer) p.node(new ComponentId("otelcol.exporter.loki", "bench")).exports().get("input");
      Component write = p.node(new ComponentId("loki.write", "bench")).component();
      write.start();
      long bytesBefore = wireBytes.get();
      long sinkCpuBefore = cpu(threads, sinkThreads);
      long cpuBefore = os.getProcessCpuTime();
      long start = System.nanoTime();
      int sent = 0;
      int refusals = 0;
      for (int i = 0; sent < records; i++) {
        OtlpRequest r = requests.get(i % requests.size());
        while (true) {
          try {
            input.consume(r);
            break;
          } catch (ConsumeException.Refused e) {
            refusals++;
            Thread.sleep(1);
          }
        }
        sent += r.itemCount();
      }
      write.shutdown(Duration.ofSeconds(60));
      long wall = System.nanoTime() - start;
      long cpu = os.getProcessCpuTime() - cpuBefore - (cpu(threads, sinkThreads) - sinkCpuBefore);
      long bytes = wireBytes.get() - bytesBefore;
      if (run >= 0) {
        rates[run] = sent / (wall / 1e9);
        cpuPerRecord[run] = cpu / 1e3 / sent;
        bytesPerRecord[run] = (double) bytes / sent;
      }
      System.out.printf("%s: %,d records in %.2fs = %,.0f records/s, collector CPU %.2f µs/record, %.1f wire bytes/record,"
          + " %d refusals%n", run < 0 ? "warm-up" : "run " + (run + 1), sent, wall / 1e9, sent / (wall / 1e9),
          cpu / 1e3 / sent, (double) bytes / sent, refusals);
    }
    System.out.printf("median: %,.0f records/s, %.2f µs CPU/record, %.1f bytes/record on the wire (%d requests)%n",
        median(rates), median(cpuPerRecord), median(bytesPerRecord), pushes.get());
    sink.stop(0);
    ((java.util.concurrent.ExecutorService) sink.getExecutor()).shutdownNow();
  }

  /** Decode + convert only, into a receiver that discards: the exporter's share of the cost. */
  private static void convertOnly(int records, int perRequest) throws Exception {
    List<OtlpRequest> requests = requests(perRequest, 200);
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    // forward_to = [] discards the converted entries
    Pipeline p = new PipelineBuilder(new PipelineBuilder.Settings(
        new ComponentRegistry(List.of(new LokiExporterFactory())), Map.of(), Path.of("data"),
        new SimpleMeterRegistry())).build(List.of(Parser.parse("bench.alloy",
            "otelcol.exporter.loki \"bench\" {\n  forward_to = []\n}\n")), null);
    OtlpConsumer input = (OtlpConsumer) p.node(new ComponentId("otelcol.exporter.loki", "bench")).exports().get("input");
    for (int run = -1; run < 3; run++) {
      long cpu0 = threads.getCurrentThreadCpuTime();
      long t0 = System.nanoTime();
      int sent = 0;
      for (int i = 0; sent < records; i++) {
        OtlpRequest r = requests.get(i % requests.size());
        input.consume(r);
        sent += r.itemCount();
      }
      long wall = System.nanoTime() - t0;
      long cpu = threads.getCurrentThreadCpuTime() - cpu0;
      System.out.printf("convert-only %s: %,.0f records/s, %.2f µs CPU/record (thread)%n", run < 0 ? "warm-up" : "run " + (run + 1),
          sent / (wall / 1e9), cpu / 1e3 / sent);
    }
  }

  private static long cpu(ThreadMXBean threads, Set<Long> ids) {
    long sum = 0;
    for (long id : ids) {
      long t = threads.getThreadCpuTime(id);
      if (t > 0) sum += t;
    }
    return sum;
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }

  private static Pipeline pipeline(String url) throws Exception {
    String cfg = """
        otelcol.exporter.loki "bench" {
          forward_to = [loki.write.bench.receiver]
        }
        loki.write "bench" {
          external_labels = { env = "bench" }
          endpoint {
            url = "%s"
            queue_config {
              capacity = "32MiB"
            }
          }
        }
        """.formatted(url);
    return new PipelineBuilder(new PipelineBuilder.Settings(
        new ComponentRegistry(List.of(new LokiExporterFactory(), new LokiWriteFactory())), Map.of(), Path.of("data"),
        new SimpleMeterRegistry())).build(List.of(Parser.parse("bench.alloy", cfg)), null);
  }

  /** Requests like an instrumented service sends: 4 services, INFO/WARN/ERROR, ~120-char bodies, ids. */
  static List<OtlpRequest> requests(int perRequest, int count) {
    Random rnd = new Random(42);
    List<OtlpRequest> out = new ArrayList<>();
    long t0 = 1_767_225_600_000_000_000L;
    String[] services = {"checkout", "payments", "cart", "search"};
    int[] severities = {9, 9, 9, 13, 17};
    for (int c = 0; c < count; c++) {
      String svc = services[c % services.length];
      ScopeLogs.Builder scope = ScopeLogs.newBuilder()
          .setScope(InstrumentationScope.newBuilder().setName("com.shop." + svc).setVersion("1.4.2"));
      for (int i = 0; i < perRequest; i++) {
        byte[] trace = new byte[16];
        byte[] span = new byte[8];
        rnd.nextBytes(trace);
        rnd.nextBytes(span);
        int sev = severities[rnd.nextInt(severities.length)];
        scope.addLogRecords(LogRecord.newBuilder()
            .setTimeUnixNano(t0 + (long) c * 1_000_000_000L + i * 1000L)
            .setObservedTimeUnixNano(t0 + (long) c * 1_000_000_000L + i * 1000L + 500)
            .setSeverityNumberValue(sev).setSeverityText(sev == 9 ? "INFO" : sev == 13 ? "WARN" : "ERROR")
            .setBody(str("order " + rnd.nextInt(1_000_000) + " processed for customer " + rnd.nextInt(100_000)
                + " in " + rnd.nextInt(500) + "ms via gateway eu-west-1; items=" + rnd.nextInt(20) + " total=EUR "
                + rnd.nextInt(10_000)))
            .addAttributes(kv("http.route", "/api/v1/orders/{id}"))
            .addAttributes(kv("http.status_code", AnyValue.newBuilder().setIntValue(200).build()))
            .addAttributes(kv("thread.name", "http-nio-8080-exec-" + rnd.nextInt(10)))
            .setTraceId(ByteString.copyFrom(trace)).setSpanId(ByteString.copyFrom(span)).setFlags(1));
      }
      ExportLogsServiceRequest req = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
          .setResource(Resource.newBuilder()
              .addAttributes(kv("service.name", svc)).addAttributes(kv("service.namespace", "shop"))
              .addAttributes(kv("service.instance.id", svc + "-" + (c % 3)))
              .addAttributes(kv("deployment.environment", "prod")).addAttributes(kv("host.name", "ip-10-0-0-" + c % 7)))
          .addScopeLogs(scope)).build();
      out.add(new OtlpRequest(Signal.LOGS, req.toByteArray(), perRequest));
    }
    return out;
  }

  private static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  private static KeyValue kv(String k, String v) {
    return kv(k, str(v));
  }

  private static KeyValue kv(String k, AnyValue v) {
    return KeyValue.newBuilder().setKey(k).setValue(v).build();
  }

}
