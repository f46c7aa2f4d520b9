package io.mpac.collector.processor.loki.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.ast.ConfigFile;
import io.mpac.collector.config.ast.Statement;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LogsReceiver;
import io.mpac.collector.loki.LokiEntry;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Pipeline;
import io.mpac.collector.pipeline.PipelineBuilder;
import io.mpac.collector.processor.loki.LokiProcess;
import io.mpac.collector.processor.loki.LokiProcessFactory;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Throughput of {@code loki.process} with the fixture's stages (drop health checks, json with the
 * six ids, timestamp, labels, structured_metadata, static_labels, label_drop), built from the
 * fixture through the real parser and pipeline builder, pushing to a sink that discards.
 *
 * <p>Run (from the repository root):
 * <pre>
 * mvn -B -q -o test-compile -pl processor-loki -am
 * mvn -B -q -o dependency:build-classpath -pl processor-loki -am -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp-loki.txt
 * CP="processor-loki/target/test-classes:processor-loki/target/classes:collector-core/target/classes:$(tr ':' '\n' &lt; /tmp/cp-loki.txt | grep -v '/collector-core-' | paste -sd:)"
 * java -cp "$CP" io.mpac.collector.processor.loki.bench.LokiProcessBench 10 1
 * </pre>
 * (The classpath file names an installed collector-core jar, which may be older than this tree:
 * the command puts this tree's classes in its place.)
 * Arguments: measured seconds (after a warm-up of half as long) and entries per push. Prints
 * lines/s and CPU µs per line, both of the whole process (what the target is about: it includes
 * GC and JIT threads) and of the pushing thread alone, and the bytes the pushing thread allocates
 * per line.
 */
public final class LokiProcessBench {

  private LokiProcessBench() {}

  public static void main(String[] argv) throws Exception {
    int seconds = argv.length > 0 ? Integer.parseInt(argv[0]) : 5;
    int batch = argv.length > 1 ? Integer.parseInt(argv[1]) : 1;
    LokiProcess process = build();
    List<LokiEntry> lines = lines(1000);
    List<List<LokiEntry>> batches = new ArrayList<>();
    for (int i = 0; i + batch <= lines.size(); i += batch) batches.add(List.copyOf(lines.subList(i, i + batch)));

    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    // Warm-up: let the JIT compile the stages.
    long warmEnd = System.nanoTime() + Duration.ofSeconds(Math.max(2, seconds / 2)).toNanos();
    while (System.nanoTime() < warmEnd) {
      for (List<LokiEntry> b : batches) process.push(b);
    }
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long count = 0;
    com.sun.management.ThreadMXBean alloc = (com.sun.management.ThreadMXBean) mx;
    long self = Thread.currentThread().getId();
    long proc0 = os.getProcessCpuTime();
    long cpu0 = mx.getCurrentThreadCpuTime();
    long bytes0 = alloc.getThreadAllocatedBytes(self);
    long t0 = System.nanoTime();
    long end = t0 + Duration.ofSeconds(seconds).toNanos();
    while (System.nanoTime() < end) {
      for (List<LokiEntry> b : batches) process.push(b);
      count += (long) batches.size() * batch;
    }
    long wall = System.nanoTime() - t0;
    long cpu = mx.getCurrentThreadCpuTime() - cpu0;
    long proc = os.getProcessCpuTime() - proc0;
    long bytes = alloc.getThreadAllocatedBytes(self) - bytes0;
    System.out.printf("loki.process (fixture stages), batch %d: %d lines in %.2f s = %.0f lines/s; "
            + "CPU %.3f us/line (process, incl. GC/JIT), %.3f us/line (pushing thread); wall %.3f us/line; "
            + "allocated %.0f B/line%n",
        batch, count, wall / 1e9, count / (wall / 1e9), proc / 1e3 / count, cpu / 1e3 / count, wall / 1e3 / count,
        (double) bytes / count);
    System.out.printf("dropped healthcheck: %.0f (of every 1000 lines: %d health checks, %d malformed)%n",
        process.droppedLines("healthcheck"), 1000 / 20, 1000 / 50);
  }

  static LokiProcess build() throws Exception {
    String text;
    try (InputStream in = LokiProcessBench.class.getResourceAsStream("/mpac.alloy")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .replace("forward_to = [loki.write.default.receiver]", "forward_to = [bench.discard.out.receiver]");
    }
    ConfigFile all = Parser.parse("mpac.alloy", text);
    List<Statement> kept = new ArrayList<>();
    for (Statement st : all.body()) {
      if (st instanceof Block b && b.fullName().equals("loki.process")) kept.add(st);
    }
    kept.addAll(Parser.parse("sink.alloy", "bench.discard \"out\" {}\n").body());
    ComponentFactory discard = new ComponentFactory() {
      public String name() {
        return "bench.discard";
      }

      public Schema schema() {
        return Schema.EMPTY;
      }

      public Component create(ComponentContext c, Args a) {
        return new Discard();
      }
    };
    Pipeline p = new PipelineBuilder(new PipelineBuilder.Settings(
        new ComponentRegistry(List.of(new LokiProcessFactory(), discard)), Map.of(),
        Files.createTempDirectory("bench"), new SimpleMeterRegistry()))
        .build(List.of(new ConfigFile("mpac.alloy", kept, List.of())), null);
    return (LokiProcess) p.node(new ComponentId("loki.process", "app_json")).component();
  }

  /** Realistic app lines: the six ids, a message, an RFC3339Nano time; 1 in 20 a health check, 1 in 50 malformed. */
  static List<LokiEntry> lines(int n) {
    Labels labels = Labels.of("container", "payments-api", "service_name", "payments-api", "source", "docker",
        "stream", "stdout");
    List<LokiEntry> out = new ArrayList<>(n);
    long t = 1_714_557_600_000_000_000L;
    for (int i = 0; i < n; i++) {
      String line;
      if (i % 20 == 0) {
        line = "{\"level\":\"info\",\"msg\":\"request\",\"method\":\"GET\",\"path\":\"/healthz\",\"status\":200}";
      } else if (i % 50 == 1) {
        line = "panic: runtime error: index out of range [3] with length 3 (goroutine " + i + ")";
      } else {
        line = String.format("{\"timestamp\":\"2024-05-01T10:00:%02d.%09dZ\",\"level\":\"%s\",\"msg\":\"payment authorised\","
                + "\"trace_id\":\"4bf92f3577b34da6a3ce929d0e0e%04d\",\"span_id\":\"00f067aa0ba9%04d\","
                + "\"request_id\":\"req-%08d\",\"corr_id\":\"corr-%08d\",\"merchant_id\":\"m-%05d\",\"store_id\":\"s-%04d\","
                + "\"amount\":12.5,\"currency\":\"EUR\",\"path\":\"/v1/payments\",\"duration_ms\":%d}",
            i % 60, i * 1000 + 7, i % 7 == 0 ? "warn" : "info", i, i, i, i, i % 300, i % 40, i % 250);
      }
      out.add(new LokiEntry(labels, t + i, line));
    }
    return out;
  }

  static final class Discard implements Component, LogsReceiver {
    @Override
    public void push(List<LokiEntry> entries) {}

    @Override
    public Map<String, Object> exports() {
      return Map.of("receiver", this);
    }

    @Override
    public void start() {}

    @Override
    public void shutdown(Duration timeout) {}
  }
}
