package io.mpac.collector.bench.e2e;

import io.mpac.collector.kafka.testing.KafkaBroker;
import io.mpac.collector.loadgen.Generator;
import io.mpac.collector.loadgen.NullSink;
import io.mpac.collector.pdata.Signal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * CPU per span of the Kafka tier at saturation, as a ratio to the OTLP path measured in the same run
 * (issue #14). Two paths, alternating in order each repetition:
 *
 * <pre>
 *   otlp:  Generator ─▶ collector C (otlp receiver → batch → otlp exporter) ─▶ NullSink
 *   kafka: Generator ─▶ collector A (otlp receiver → batch → kafka exporter) ─▶ broker
 *                       ─▶ collector B (kafka receiver → batch → otlp exporter) ─▶ NullSink
 * </pre>
 *
 * Each collector is a child JVM with the same flags; the broker is a real Kafka 4.4.0 (KRaft) in its
 * own JVM. Per path: a warm-up at full speed, a wait until the sink is quiet, then the measured
 * window: the generator at full speed for the duration, until the sink has been quiet for 1 s. CPU is
 * each process's utime + stime over the window, divided by the spans the sink received.
 *
 * <p>Usage: {@code KafkaPathBenchmark --jar collector.jar [--seconds 20] [--warmup 8] [--repetitions 2]
 * [--out report.md] [--append docs/BENCHMARKS.md]}
 */
public final class KafkaPathBenchmark {

  private static final String JVM_FLAGS = "-XX:+UseSerialGC -Xmx256m";
  private static final int WORKERS = 4;

  private KafkaPathBenchmark() {}

  record Row(int rep, String path, long spans, double seconds, double cpuA, double cpuB, double cpuBroker) {
    double spansPerSecond() {
      return spans / seconds;
    }

    double micros(double cpuSeconds) {
      return spans == 0 ? Double.NaN : cpuSeconds * 1e6 / spans;
    }
  }

  public static void main(String[] args) throws Exception {
    Path jar = null;
    Path out = null;
    Path append = null;
    int seconds = 20;
    int warmup = 8;
    int repetitions = 2;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--jar" -> jar = Path.of(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--append" -> append = Path.of(args[++i]);
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--repetitions" -> repetitions = Integer.parseInt(args[++i]);
        default -> {
          System.err.println("unknown option " + args[i]);
          System.exit(2);
        }
      }
    }
    if (jar == null || !Files.isRegularFile(jar)) {
      System.err.println("--jar collector-app/target/mpac-collector.jar is required (build it first)");
      System.exit(2);
    }
    Path work = Files.createTempDirectory("mpac-kafka-bench-");
    long clk = ProcFs.clockTicksPerSecond();
    String loadBefore = ProcFs.loadavg();
    Instant started = Instant.now();
    List<Row> rows = new ArrayList<>();
    try (KafkaBroker broker = KafkaBroker.start(work.resolve("broker"), 4);
        NullSink sink = new NullSink(new InetSocketAddress("127.0.0.1", 0))) {
      log("broker on " + broker.bootstrap() + "; work dir " + work + "; load " + loadBefore);
      for (int rep = 1; rep <= repetitions; rep++) {
        List<String> order = rep % 2 == 1 ? List.of("otlp", "kafka") : List.of("kafka", "otlp");
        for (String path : order) {
          Row r = path.equals("otlp") ? otlp(rep, jar, work, sink, seconds, warmup, clk)
              : kafka(rep, jar, work, broker, sink, seconds, warmup, clk);
          rows.add(r);
          log(String.format(Locale.ROOT, "rep %d %s: %.0f spans/s, CPU µs/span: first %.2f, second %.2f, broker %.2f",
              rep, path, r.spansPerSecond(), r.micros(r.cpuA()), r.micros(r.cpuB()), r.micros(r.cpuBroker())));
        }
      }
    }
    String md = report(rows, jar, seconds, warmup, repetitions, started, loadBefore, ProcFs.loadavg());
    System.out.println(md);
    if (out != null) Files.writeString(out, md, StandardCharsets.UTF_8);
    if (append != null) {
      Files.writeString(append, "\n" + md, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
      log("appended to " + append);
    }
  }

  private static Row otlp(int rep, Path jar, Path work, NullSink sink, int seconds, int warmup, long clk)
      throws Exception {
    int port = SystemUnderTest.freePort();
    try (Child c = Child.start(jar, work, "otlp-rep" + rep, SystemUnderTest.collectorConfig(port, sink.port()))) {
      Window w = measure(port, sink, seconds, warmup, clk, List.of(c.pid()));
      return new Row(rep, "otlp", w.spans, w.seconds, w.cpu[0], 0, 0);
    }
  }

  private static Row kafka(int rep, Path jar, Path work, KafkaBroker broker, NullSink sink, int seconds, int warmup,
      long clk) throws Exception {
    String topic = "bench-spans-" + rep;
    broker.createTopic(topic, 4);
    int port = SystemUnderTest.freePort();
    try (Child a = Child.start(jar, work, "gateway-rep" + rep, gateway(port, broker.bootstrap(), topic));
        Child b = Child.start(jar, work, "writer-rep" + rep, writer(sink.port(), broker.bootstrap(), topic, rep))) {
      Window w = measure(port, sink, seconds, warmup, clk, List.of(a.pid(), b.pid(), brokerPid(a)));
      return new Row(rep, "kafka", w.spans, w.seconds, w.cpu[0], w.cpu[1], w.cpu[2]);
    }
  }

  /** The broker's pid: the java child of this JVM running kafka.Kafka. */
  private static long brokerPid(Child any) {
    return ProcessHandle.current().children().filter(p -> p.info().arguments().map(a -> List.of(a).contains("kafka.Kafka"))
        .orElse(false)).findFirst().map(ProcessHandle::pid).orElse(-1L);
  }

  record Window(long spans, double seconds, double[] cpu) {}

  private static Window measure(int port, NullSink sink, int seconds, int warmup, long clk, List<Long> pids)
      throws InterruptedException {
    String endpoint = "127.0.0.1:" + port;
    generator(endpoint, Duration.ofSeconds(warmup)).run();
    EndToEndBenchmark.awaitQuiet(sink);
    sink.reset();
    long[] cpu0 = new long[pids.size()];
    for (int i = 0; i < pids.size(); i++) cpu0[i] = pids.get(i) > 0 ? ProcFs.cpuTicks(pids.get(i)) : 0;
    long t0 = System.nanoTime();
    generator(endpoint, Duration.ofSeconds(seconds)).run();
    if (!EndToEndBenchmark.awaitQuiet(sink)) EndToEndBenchmark.awaitQuiet(sink); // the writer may lag: up to 60 s
    double window = (System.nanoTime() - t0) / 1e9;
    double[] cpu = new double[pids.size()];
    for (int i = 0; i < pids.size(); i++) {
      cpu[i] = pids.get(i) > 0 ? (ProcFs.cpuTicks(pids.get(i)) - cpu0[i]) / (double) clk : Double.NaN;
    }
    return new Window(sink.items(), window, cpu);
  }

  private static Generator generator(String endpoint, Duration d) {
    return new Generator(new Generator.Options(endpoint, Generator.Protocol.GRPC, Signal.TRACES, 0, d,
        Scenario.ITEMS_PER_REQUEST, WORKERS, 2, 64));
  }

  static String gateway(int port, String brokers, String topic) {
    return """
        // Written by io.mpac.collector.bench.e2e.KafkaPathBenchmark: collector A.
        otelcol.receiver.otlp "bench" {
          grpc {
            endpoint = "127.0.0.1:%d"
          }
          output {
            traces = [otelcol.processor.batch.bench.input]
          }
        }

        otelcol.processor.batch "bench" {
          output {
            traces = [otelcol.exporter.kafka.bench.input]
          }
        }

        otelcol.exporter.kafka "bench" {
          brokers          = ["%s"]
          protocol_version = "4.0.0"
          traces {
            topic = "%s"
          }
        }
        """.formatted(port, brokers, topic);
  }

  static String writer(int sinkPort, String brokers, String topic, int rep) {
    return """
        // Written by io.mpac.collector.bench.e2e.KafkaPathBenchmark: collector B.
        otelcol.receiver.kafka "bench" {
          brokers          = ["%s"]
          protocol_version = "4.0.0"
          group_id         = "bench-writers-%d"
          initial_offset   = "earliest"
          traces {
            topics = ["%s"]
          }
          message_marking {
            after_execution = true
          }
          output {
            traces = [otelcol.processor.batch.bench.input]
          }
        }

        otelcol.processor.batch "bench" {
          output {
            traces = [otelcol.exporter.otlp.sink.input]
          }
        }

        otelcol.exporter.otlp "sink" {
          client {
            endpoint    = "127.0.0.1:%d"
            compression = "none"
            tls {
              insecure = true
            }
          }
        }
        """.formatted(brokers, rep, topic, sinkPort);
  }

  /** A collector child JVM on a config; ready once its admin server answers /-/ready. */
  private record Child(Process process) implements AutoCloseable {
    static Child start(Path jar, Path work, String name, String config) throws IOException, InterruptedException {
      Path file = work.resolve(name + ".alloy");
      Files.writeString(file, config, StandardCharsets.UTF_8);
      int admin = SystemUnderTest.freePort();
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(List.of(JVM_FLAGS.split(" ")));
      cmd.addAll(List.of("-jar", jar.toString(), "run", "--server.http.listen-addr", "127.0.0.1:" + admin,
          "--storage.path", work.resolve(name + "-data").toString(), file.toString()));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve(name + ".log").toFile())
          .start();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline) {
        if (!p.isAlive()) throw new IOException(name + " exited; see " + work.resolve(name + ".log"));
        try {
          HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin + "/-/ready"))
              .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
          if (r.statusCode() == 200) return new Child(p);
        } catch (IOException e) {
          // not up yet
        }
        Thread.sleep(200);
      }
      p.destroyForcibly();
      throw new IOException(name + " not ready in 120 s");
    }

    long pid() {
      return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
    }
  }

  private static String report(List<Row> rows, Path jar, int seconds, int warmup, int reps, Instant started,
      String loadBefore, String loadAfter) {
    StringBuilder sb = new StringBuilder();
    sb.append("### Kafka tier: CPU per span at saturation (KafkaPathBenchmark)\n\n");
    sb.append("- Commit: `").append(commit()).append("`, run ").append(started).append(".\n");
    sb.append("- Paths, alternating per repetition: `otlp` = collector C (otlp receiver → batch → otlp exporter) → "
        + "null sink; `kafka` = collector A (otlp receiver → batch → kafka exporter, otlp_proto) → Kafka 4.4.0 "
        + "broker (KRaft, 4 partitions) → collector B (kafka receiver, after_execution → batch → otlp exporter) "
        + "→ null sink. Generator: ").append(WORKERS).append(" gRPC workers at full speed, 100 spans/request. "
        + "Collector JVMs: `").append(JVM_FLAGS).append("`.\n");
    sb.append("- Window: ").append(warmup).append(" s warm-up, then ").append(seconds)
        .append(" s of load until the sink is quiet for 1 s; CPU = utime + stime of each process over the window "
            + "÷ spans received by the sink. ").append(reps).append(" repetitions.\n");
    sb.append("- Load average before: ").append(loadBefore).append("; after: ").append(loadAfter)
        .append(" (2 cores, shared).\n\n");
    sb.append("| rep | path | spans/s | C or A µs/span | B µs/span | broker µs/span | A ÷ C | B ÷ C |\n");
    sb.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (Row r : rows) {
      Row c = rows.stream().filter(x -> x.rep() == r.rep() && x.path().equals("otlp")).findFirst().orElse(null);
      boolean kafka = r.path().equals("kafka");
      double base = c == null ? Double.NaN : c.micros(c.cpuA());
      sb.append(String.format(Locale.ROOT, "| %d | %s | %,.0f | %.2f | %s | %s | %s | %s |%n", r.rep(), r.path(),
          r.spansPerSecond(), r.micros(r.cpuA()), kafka ? f(r.micros(r.cpuB())) : "", kafka ? f(r.micros(r.cpuBroker())) : "",
          kafka ? f(r.micros(r.cpuA()) / base) : "", kafka ? f(r.micros(r.cpuB()) / base) : ""));
    }
    return sb.toString();
  }

  private static String f(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static String commit() {
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
      String head = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      Process d = new ProcessBuilder("git", "status", "--porcelain", "--untracked-files=no").redirectErrorStream(true)
          .start();
      String dirty = new String(d.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return head + (dirty.isEmpty() ? "" : " with uncommitted changes");
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static void log(String s) {
    System.err.println("[kafka-bench] " + s);
  }
}
