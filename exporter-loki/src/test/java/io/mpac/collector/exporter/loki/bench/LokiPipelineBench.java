package io.mpac.collector.exporter.loki.bench;

import com.google.protobuf.ByteString;
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
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark (not a unit test): OTLP log requests through otelcol.exporter.loki (decode + convert)
 * and loki.write (batch, encode, snappy, HTTP) into a push endpoint that only counts. The endpoint
 * ({@link PushSink}) runs in its own JVM, so the collector's CPU is this process's CPU time (every
 * thread: the caller, the loki.write worker, the HTTP client, GC and JIT). One pipeline serves all
 * runs; a run ends when loki.write has sent all of its entries. Reports records/s,
 * collector CPU µs per record and wire bytes per record: min/median/max of 3 measured runs after
 * warm-up runs: at least {@code -Dbench.warmups} (default 3), then more (up to 12) while the JIT still
 * compiled for more than 100 ms in a run.
 * {@code convert-only} measures decode + convert into a receiver that discards.
 * {@code -Dbench.threads=true} adds CPU per thread group (Linux), sampled every 100 ms.
 *
 * <pre>
 * mvn -B -q -o test-compile -pl exporter-loki -am
 * mvn -B -q -o dependency:build-classpath -pl exporter-loki -am -Dmdep.outputFile=/tmp/loki.cp
 * java -Xmx512m -cp exporter-loki/target/test-classes:exporter-loki/target/classes:collector-core/target/classes:$(cat /tmp/loki.cp) \
 *   io.mpac.collector.exporter.loki.bench.LokiPipelineBench [records-per-run] [records-per-request] [convert-only]
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
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    ThreadCpu perThread = Boolean.getBoolean("bench.threads") ? new ThreadCpu() : null;
    try (Sink sink = Sink.start()) {
      String url = "http://127.0.0.1:" + sink.port + "/loki/api/v1/push";
      List<OtlpRequest> requests = requests(perRequest, 200);
      double[] rates = new double[3];
      double[] cpuPerRecord = new double[3];
      double[] bytesPerRecord = new double[3];
      // warm-up runs until the JIT is (nearly) done: the per-request code of the HTTP client runs a few
      // hundred times per run and reaches the optimising compiler only after several runs
      int minWarmups = Integer.getInteger("bench.warmups", 3);
      int maxWarmups = Math.max(minWarmups, 12);
      java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
      // one pipeline for all runs, as a collector runs: a run ends when loki.write has sent all its entries
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      Pipeline p = pipeline(url, registry);
      OtlpConsumer input = (OtlpConsumer) p.node(new ComponentId("otelcol.exporter.loki", "bench")).exports().get("input");
      Component write = p.node(new ComponentId("loki.write", "bench")).component();
      write.start();
      long total = 0;
      int warmups = 0;
      for (int run = -1; run < 3; run++) {
        long[] before = sink.stats();
        Map<String, Long> threadsBefore = perThread == null ? null : perThread.snapshot();
        long gcBefore = gcMillis();
        long jitBefore = jit.getTotalCompilationTime();
        long callerBefore = threads.getCurrentThreadCpuTime();
        long allocBefore = threads.getCurrentThreadAllocatedBytes();
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
        total += sent;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (sentEntries(registry) < total) {
          if (System.nanoTime() > deadline) throw new IllegalStateException("loki.write did not send everything");
          Thread.sleep(1);
        }
        long wall = System.nanoTime() - start;
        long cpu = os.getProcessCpuTime() - cpuBefore;
        long caller = threads.getCurrentThreadCpuTime() - callerBefore;
        long alloc = threads.getCurrentThreadAllocatedBytes() - allocBefore;
        long gc = gcMillis() - gcBefore;
        long jitMillis = jit.getTotalCompilationTime() - jitBefore;
        long[] after = sink.stats();
        long bytes = after[0] - before[0];
        if (run < 0) {
          warmups++;
          // stay in warm-up while compilation still took more than 100 ms of this run
          if (warmups < minWarmups || (jitMillis > 100 && warmups < maxWarmups)) run--;
        } else {
          rates[run] = sent / (wall / 1e9);
          cpuPerRecord[run] = cpu / 1e3 / sent;
          bytesPerRecord[run] = (double) bytes / sent;
        }
        System.out.printf("%s: %,d records in %.2fs = %,.0f records/s, collector CPU %.2f µs/record (calling thread %.2f,"
            + " other threads %.2f; GC pauses %d ms, JIT %d ms), calling thread allocates %,d bytes/record,"
            + " %.1f wire bytes/record, %d pushes, %d refusals, load %.2f%n",
            run < 0 ? "warm-up " + warmups : "run " + (run + 1), sent, wall / 1e9, sent / (wall / 1e9), cpu / 1e3 / sent,
            caller / 1e3 / sent, (cpu - caller) / 1e3 / sent, gc, jitMillis, alloc / sent, (double) bytes / sent,
            after[1] - before[1], refusals, os.getSystemLoadAverage());
        if (perThread != null) System.out.print(ThreadCpu.delta(threadsBefore, perThread.snapshot(), sent));
      }
      write.shutdown(Duration.ofSeconds(10));
      System.out.printf("min/median/max: %,.0f/%,.0f/%,.0f records/s, %.2f/%.2f/%.2f µs CPU/record,"
          + " %.1f bytes/record on the wire%n", min(rates), median(rates), max(rates), min(cpuPerRecord),
          median(cpuPerRecord), max(cpuPerRecord), median(bytesPerRecord));
    }
  }

  /** The push endpoint in its own JVM ({@link PushSink}), so its CPU is not the collector's. */
  private static final class Sink implements AutoCloseable {
    final Process process;
    final BufferedReader out;
    final Writer in;
    final int port;

    private Sink(Process process) throws IOException {
      this.process = process;
      this.out = new BufferedReader(new InputStreamReader(process.getInputStream(),
          StandardCharsets.US_ASCII));
      this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.US_ASCII);
      String line = out.readLine();
      if (line == null || !line.startsWith("port ")) {
        process.destroy();
        throw new IllegalStateException("push sink did not start: " + line);
      }
      this.port = Integer.parseInt(line.substring(5).strip());
    }

    static Sink start() throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
          PushSink.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      return new Sink(p);
    }

    /** Body bytes and pushes received so far. */
    long[] stats() throws IOException {
      in.write("stats\n");
      in.flush();
      String[] f = out.readLine().strip().split(" ");
      return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])};
    }

    @Override
    public void close() throws Exception {
      in.close();
      if (!process.waitFor(5, TimeUnit.SECONDS)) process.destroyForcibly();
    }
  }

  private static long gcMillis() {
    long sum = 0;
    for (var gc : ManagementFactory.getGarbageCollectorMXBeans()) sum += Math.max(0, gc.getCollectionTime());
    return sum;
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
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    double[] cpuPerRecord = new double[3];
    for (int run = -1; run < 3; run++) {
      long proc0 = os.getProcessCpuTime();
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
      long proc = os.getProcessCpuTime() - proc0;
      if (run >= 0) cpuPerRecord[run] = proc / 1e3 / sent;
      System.out.printf("convert-only %s: %,.0f records/s, %.2f µs CPU/record (process), %.2f (this thread), load %.2f%n",
          run < 0 ? "warm-up" : "run " + (run + 1), sent / (wall / 1e9), proc / 1e3 / sent, cpu / 1e3 / sent,
          os.getSystemLoadAverage());
    }
    System.out.printf("convert-only min/median/max: %.2f/%.2f/%.2f µs CPU/record (process)%n", min(cpuPerRecord),
        median(cpuPerRecord), max(cpuPerRecord));
  }

  private static double min(double[] v) {
    return Arrays.stream(v).min().orElse(Double.NaN);
  }

  private static double max(double[] v) {
    return Arrays.stream(v).max().orElse(Double.NaN);
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }

  private static double sentEntries(SimpleMeterRegistry registry) {
    return registry.find("loki.write.sent.entries").counters().stream().mapToDouble(c -> c.count()).sum();
  }

  /** batch_wait is 100ms (default 1s) so that the last batch of a run goes out soon; batches fill by size. */
  private static Pipeline pipeline(String url, SimpleMeterRegistry registry) throws Exception {
    String cfg = """
        otelcol.exporter.loki "bench" {
          forward_to = [loki.write.bench.receiver]
        }
        loki.write "bench" {
          external_labels = { env = "bench" }
          endpoint {
            url = "%s"
            batch_wait = "100ms"
            queue_config {
              capacity = "32MiB"
            }
          }
        }
        """.formatted(url);
    return new PipelineBuilder(new PipelineBuilder.Settings(
        new ComponentRegistry(List.of(new LokiExporterFactory(), new LokiWriteFactory())), Map.of(), Path.of("data"),
        registry)).build(List.of(Parser.parse("bench.alloy", cfg)), null);
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
