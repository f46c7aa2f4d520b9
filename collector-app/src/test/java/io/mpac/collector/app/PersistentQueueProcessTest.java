package io.mpac.collector.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable delivery of traces, proven on a real collector process: spans sent with the OpenTelemetry
 * SDK while the backend is down are on disk once the receiver accepted them, survive
 * {@code kill -9}, and reach an independent OTLP backend after the next start; a damaged queue
 * directory is skipped, reported, and the collector serves.
 */
class PersistentQueueProcessTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private static final int CONSUMERS = 2;
  private static final int SDK_BATCH = 200;

  @TempDir Path dir;

  private Process process;
  private int receiverPort;
  private int sinkPort;
  private int adminPort;
  private OtlpSink sink;

  @AfterEach
  void tearDown() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    if (sink != null) sink.close();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private Path config() throws IOException {
    return Files.writeString(dir.resolve("config.alloy"), """
        otelcol.receiver.otlp "in" {
          grpc {
            endpoint = "127.0.0.1:%d"
          }
          output {
            traces = [otelcol.exporter.otlp.tempo.input]
          }
        }

        otelcol.storage.file "queue" {}

        otelcol.exporter.otlp "tempo" {
          client {
            endpoint = "127.0.0.1:%d"
            tls {
              insecure = true
            }
          }
          retry_on_failure {
            initial_interval = "100ms"
            max_interval     = "500ms"
            max_elapsed_time = "0s"
          }
          sending_queue {
            num_consumers = %d
            storage       = otelcol.storage.file.queue.handler
          }
        }
        """.formatted(receiverPort, sinkPort, CONSUMERS));
  }

  private Path queueDir() {
    return dir.resolve("data").resolve("otelcol.storage.file.queue").resolve("otelcol.exporter.otlp.tempo");
  }

  private Path log(int run) {
    return dir.resolve("collector-" + run + ".log");
  }

  /** Starts the collector (same config, same --storage.path) and waits until it is ready. */
  private void startCollector(int run) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "run", config().toString(), "--server.http.listen-addr", "127.0.0.1:" + adminPort,
        "--storage.path", dir.resolve("data").toString())
        .redirectErrorStream(true).redirectOutput(log(run).toFile()).start();
    await(Duration.ofSeconds(60), () -> {
      if (!process.isAlive()) throw new AssertionError("collector exited: " + read(log(run)));
      return get("/-/ready").map(r -> r.statusCode() == 200).orElse(false);
    });
  }

  private void kill9() throws InterruptedException {
    process.destroyForcibly(); // SIGKILL: no shutdown hook, no drain
    assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).isEqualTo(137);
  }

  private java.util.Optional<HttpResponse<String>> get(String path) {
    try {
      return java.util.Optional.of(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      return java.util.Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.Optional.empty();
    }
  }

  /** The value of one series of the collector's /metrics (0 when absent). */
  private double metric(String name, String componentId) {
    String body = get("/metrics").map(HttpResponse::body).orElse("");
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*component_id=\"" + Pattern.quote(componentId)
        + "\"[^}]*\\} ([0-9.eE+-]+)$").matcher(body);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  private static void await(Duration limit, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("condition not met within " + limit);
      Thread.sleep(100);
    }
  }

  /** Sends {@code n} spans with the OpenTelemetry SDK and returns their span ids. */
  private Set<String> sendSpans(int n, String prefix) {
    Set<String> ids = new HashSet<>();
    OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + receiverPort)
        .setTimeout(Duration.ofSeconds(10)).build();
    SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(exporter)
        .setMaxExportBatchSize(SDK_BATCH).setMaxQueueSize(n + 1).setScheduleDelay(Duration.ofMillis(50)).build())
        .build();
    try {
      Tracer tracer = provider.get("durable-delivery-test");
      for (int i = 0; i < n; i++) {
        Span s = tracer.spanBuilder(prefix + i).setAttribute("index", i).startSpan();
        ids.add(s.getSpanContext().getSpanId());
        s.end();
      }
      CompletableResultCode flushed = provider.forceFlush().join(30, TimeUnit.SECONDS);
      assertThat(flushed.isSuccess()).as("the SDK exported every batch").isTrue();
    } finally {
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }
    return ids;
  }

  private List<Path> segments() throws IOException {
    try (Stream<Path> files = Files.list(queueDir())) {
      return files.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
    }
  }

  @Test
  void spansAcceptedWhileTheBackendIsDownSurviveKill9AndArriveAfterTheRestart() throws Exception {
    receiverPort = freePort();
    sinkPort = freePort(); // nothing listens there yet: Tempo is down
    adminPort = freePort();
    int n = 3_000;
    startCollector(1);
    Set<String> sent = sendSpans(n, "op-");
    assertThat(sent).hasSize(n);
    await(Duration.ofSeconds(30), () -> metric("otelcol_receiver_accepted_spans_total", "otelcol.receiver.otlp.in")
        == n);
    assertThat(metric("otelcol_exporter_sent_spans_total", "otelcol.exporter.otlp.tempo")).isZero();
    assertThat(metric("otelcol_exporter_queue_size", "otelcol.exporter.otlp.tempo")).isPositive();
    kill9();
    assertThat(segments()).as("the queue is on disk").isNotEmpty();

    sink = new OtlpSink(sinkPort); // Tempo comes back
    startCollector(2);
    await(Duration.ofSeconds(30), () -> sink.spans.keySet().containsAll(sent));
    assertThat(sink.spans.keySet()).isEqualTo(sent);
    // at-least-once: after a crash, at most the requests being sent (num_consumers of them) come twice
    assertThat(sink.duplicates()).isLessThanOrEqualTo((long) CONSUMERS * SDK_BATCH);
    assertThat(metric("otelcol_exporter_queue_recovered_records", "otelcol.exporter.otlp.tempo")).isPositive();
    await(Duration.ofSeconds(10), () -> metric("otelcol_exporter_sent_spans_total", "otelcol.exporter.otlp.tempo")
        >= n);
    assertThat(read(log(2))).contains("requests from the previous run will be sent");
  }

  @Test
  void aDamagedQueueDirectoryIsSkippedReportedAndTheCollectorServes() throws Exception {
    receiverPort = freePort();
    sinkPort = freePort();
    adminPort = freePort();
    startCollector(1);
    Set<String> before = sendSpans(1_000, "before-");
    await(Duration.ofSeconds(30), () -> metric("otelcol_receiver_accepted_spans_total", "otelcol.receiver.otlp.in")
        == 1_000);
    kill9();

    // flipped bytes in the middle of a segment, and a file that is no segment of ours
    Path segment = segments().get(0);
    long size = Files.size(segment);
    assertThat(size).isGreaterThan(1_000);
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xff, 0x00, (byte) 0xff, 0x00, 0x55, 0x55}), size / 2);
    }
    Files.writeString(queueDir().resolve("segment-00000000000000099999.log"), "not a queue segment at all");

    sink = new OtlpSink(sinkPort);
    startCollector(2);
    String log = read(log(2));
    assertThat(log).contains("damaged records").contains("CHECKSUM_MISMATCH").contains("UNKNOWN_SEGMENT_HEADER");
    assertThat(metric("otelcol_exporter_queue_skipped_records", "otelcol.exporter.otlp.tempo")).isPositive();
    assertThat(metric("otelcol_exporter_queue_skipped_segments", "otelcol.exporter.otlp.tempo")).isEqualTo(1);
    assertThat(get("/-/healthy").orElseThrow().statusCode()).isEqualTo(200);

    // it serves: new spans are accepted and delivered, with what came before the damage
    Set<String> after = sendSpans(500, "after-");
    await(Duration.ofSeconds(30), () -> sink.spans.keySet().containsAll(after));
    long fromBefore = sink.spans.keySet().stream().filter(before::contains).count();
    assertThat(fromBefore).as("the records before the damage were sent").isPositive().isLessThan(1_000);
    assertThat(sink.spans.keySet()).allMatch(id -> before.contains(id) || after.contains(id));
    assertThat(process.isAlive()).isTrue();
  }
}
