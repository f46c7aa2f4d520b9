package io.mpac.collector.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.CodedInputStream;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xerial.snappy.Snappy;

/**
 * Logs survive a crash with {@code loki.write}'s WAL: Loki is down; N log records are sent with the
 * OpenTelemetry SDK through {@code otelcol.receiver.otlp → otelcol.exporter.loki → loki.write}
 * (wal on) in a collector child process; the process is killed (SIGKILL) and started again on the
 * same storage path; then Loki comes up and every record arrives. Loki was down during the first
 * run, so nothing was delivered before the kill and no record may arrive twice.
 */
class LokiWalCrashTest {

  private static final Pattern HTTP_LISTEN =
      Pattern.compile("component_id=otelcol\\.receiver\\.otlp\\.default msg=\"listening.* HTTP ([0-9.]+:[0-9]+)");
  private static final Pattern BODY = Pattern.compile("\"body\":\"record-(\\d+)\"");
  private static final int RECORDS = 500;

  @TempDir Path dir;

  private final List<Process> processes = new ArrayList<>();
  private HttpServer loki;

  @AfterEach
  void stop() {
    for (Process p : processes) p.destroyForcibly();
    if (loki != null) loki.stop(0);
  }

  /** One collector process; its output lines, as they come. */
  private record Collector(Process process, BlockingQueue<String> lines, List<String> seen) {
    String await(Pattern pattern, int seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < deadline) {
        String line = lines.poll(200, TimeUnit.MILLISECONDS);
        if (line == null) {
          if (!process.isAlive()) throw new AssertionError("collector exited with " + process.exitValue() + ": " + seen);
          continue;
        }
        seen.add(line);
        Matcher m = pattern.matcher(line);
        if (m.find()) return m.group(1);
      }
      throw new AssertionError("no line matching " + pattern + " within " + seconds + "s: " + seen);
    }
  }

  private Collector start(Path config) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx192m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "run", "--server.http.listen-addr", "127.0.0.1:0",
        "--storage.path", dir.resolve("data").toString(), "--shutdown.timeout", "5s", config.toString())
        .redirectErrorStream(true).start();
    processes.add(p);
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) lines.add(line);
      } catch (IOException ignored) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    return new Collector(p, lines, new CopyOnWriteArrayList<>());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void everyRecordAcceptedBeforeAKillArrivesOnceLokiIsBack() throws Exception {
    int lokiPort = freePort(); // nothing listens there until Loki "comes up"
    Path config = Files.writeString(dir.resolve("config.alloy"), """
        otelcol.receiver.otlp "default" {
          http {
            endpoint = "127.0.0.1:0"
          }
          output {
            logs = [otelcol.exporter.loki.default.input]
          }
        }

        otelcol.exporter.loki "default" {
          forward_to = [loki.write.default.receiver]
        }

        loki.write "default" {
          endpoint {
            name                = "loki"
            url                 = "http://127.0.0.1:%d/loki/api/v1/push"
            batch_wait          = "100ms"
            min_backoff_period  = "50ms"
            max_backoff_period  = "200ms"
            max_backoff_retries = 0
          }
          wal {
            enabled = true
          }
        }
        """.formatted(lokiPort));

    // first run: Loki down; every export the SDK reports as successful is in the WAL
    Collector first = start(config);
    String otlp = first.await(HTTP_LISTEN, 60);
    OtlpHttpLogRecordExporter exporter = OtlpHttpLogRecordExporter.builder()
        .setEndpoint("http://" + otlp + "/v1/logs").setTimeout(Duration.ofSeconds(10)).build();
    try (SdkLoggerProvider provider = SdkLoggerProvider.builder()
        .setResource(Resource.getDefault().toBuilder().put("service.name", "crash-test").build())
        .addLogRecordProcessor(BatchLogRecordProcessor.builder(exporter).setMaxExportBatchSize(50)
            .setMaxQueueSize(RECORDS * 2).build())
        .build()) {
      Logger logger = provider.get("crash-test");
      for (int i = 0; i < RECORDS; i++) {
        logger.logRecordBuilder().setSeverity(Severity.INFO).setBody("record-" + i).emit();
      }
      CompletableResultCode flushed = provider.forceFlush().join(30, TimeUnit.SECONDS);
      assertThat(flushed.isSuccess()).as("the collector accepted every export").isTrue();
    }
    Path wal = dir.resolve("data").resolve("loki.write.default").resolve("wal").resolve("loki");
    assertThat(wal).isDirectory();
    try (Stream<Path> files = Files.list(wal)) {
      assertThat(files.count()).as("WAL files in %s", wal).isPositive();
    }

    first.process().destroyForcibly(); // SIGKILL: no shutdown hook, no drain
    assertThat(first.process().waitFor(20, TimeUnit.SECONDS)).isTrue();

    // second run on the same storage path, then Loki comes up
    Collector second = start(config);
    second.await(HTTP_LISTEN, 60);
    Map<Integer, Integer> received = new ConcurrentHashMap<>();
    List<String> errors = new CopyOnWriteArrayList<>();
    loki = HttpServer.create(new InetSocketAddress("127.0.0.1", lokiPort), 0);
    loki.createContext("/loki/api/v1/push", exchange -> {
      try {
        byte[] body = Snappy.uncompress(exchange.getRequestBody().readAllBytes());
        for (String line : lines(body)) {
          Matcher m = BODY.matcher(line);
          if (m.find()) {
            received.merge(Integer.parseInt(m.group(1)), 1, Integer::sum);
          } else {
            errors.add("unexpected line " + line);
          }
        }
        exchange.sendResponseHeaders(204, -1);
      } catch (IOException | RuntimeException e) {
        errors.add(e.toString());
        exchange.sendResponseHeaders(400, -1);
      } finally {
        exchange.close();
      }
    });
    loki.start();

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    while (received.size() < RECORDS && System.nanoTime() < deadline) Thread.sleep(100);
    assertThat(errors).isEmpty();
    assertThat(received.keySet()).as("records that arrived").hasSize(RECORDS);
    for (int i = 0; i < RECORDS; i++) assertThat(received).containsKey(i);
    Set<Integer> twice = new java.util.TreeSet<>();
    received.forEach((k, n) -> {
      if (n > 1) twice.add(k);
    });
    assertThat(twice).as("duplicates: none can exist, Loki was down before the kill").isEmpty();
  }

  /**
   * The lines of a Loki {@code PushRequest}, read with protobuf-java's wire reader (push.proto is
   * not a dependency): streams = 1 { labels = 1, entries = 2 { timestamp = 1, line = 2 } }.
   */
  static List<String> lines(byte[] pushRequest) throws IOException {
    List<String> out = new ArrayList<>();
    CodedInputStream req = CodedInputStream.newInstance(pushRequest);
    for (int tag = req.readTag(); tag != 0; tag = req.readTag()) {
      if (tag != ((1 << 3) | 2)) {
        req.skipField(tag);
        continue;
      }
      CodedInputStream stream = CodedInputStream.newInstance(req.readByteArray());
      for (int st = stream.readTag(); st != 0; st = stream.readTag()) {
        if (st != ((2 << 3) | 2)) {
          stream.skipField(st);
          continue;
        }
        CodedInputStream entry = CodedInputStream.newInstance(stream.readByteArray());
        for (int et = entry.readTag(); et != 0; et = entry.readTag()) {
          if (et == ((2 << 3) | 2)) {
            out.add(entry.readStringRequireUtf8());
          } else {
            entry.skipField(et);
          }
        }
      }
    }
    return out;
  }
}
