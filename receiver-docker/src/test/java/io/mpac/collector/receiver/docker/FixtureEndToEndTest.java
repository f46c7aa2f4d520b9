package io.mpac.collector.receiver.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.ast.ConfigFile;
import io.mpac.collector.config.ast.Statement;
import io.mpac.collector.config.syntax.Formatter;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Controller;
import io.mpac.collector.pipeline.PipelineBuilder;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture's Docker path ({@code discovery.docker → discovery.relabel → loki.source.docker →
 * loki.process → loki.write}), taken from {@code mpac.alloy} as it is except for the daemon's
 * socket, the Loki URL and a shorter discovery interval, run by the real controller against the
 * fake daemon and a Loki push endpoint that decodes what it gets: exact labels, structured
 * metadata, timestamps and dropped-line counts; a container that appears at run time is picked up;
 * a collector restart in the middle loses and duplicates nothing.
 */
class FixtureEndToEndTest {

  private static final Set<String> DOCKER_PATH = Set.of("discovery.docker", "discovery.relabel", "loki.source.docker",
      "loki.process", "loki.write");
  private static final String[] IDS = {"trace_id", "span_id", "request_id", "corr_id", "merchant_id", "store_id"};

  @TempDir Path dir;
  FakeDockerDaemon daemon;
  LokiPushServer loki;
  final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  final List<Controller> running = new ArrayList<>();
  /** Expected entries by line. */
  final Map<String, Expected> expected = new HashMap<>();
  int seq;

  record Expected(Map<String, String> labels, long timestampNanos, Map<String, String> metadata) {}

  @BeforeEach
  void setUp() throws Exception {
    daemon = new FakeDockerDaemon(dir);
    loki = new LokiPushServer();
  }

  @AfterEach
  void tearDown() throws Exception {
    for (Controller c : running) c.shutdown(Duration.ofSeconds(10));
    loki.close();
    daemon.close();
  }

  /** The fixture's Docker path with the test's socket, push URL and a short discovery interval. */
  private Path config() throws Exception {
    String text;
    try (InputStream in = getClass().getResourceAsStream("/mpac.alloy")) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    text = text.replace("unix:///var/run/docker.sock", daemon.host())
        .replace("http://loki:3100/loki/api/v1/push", loki.url())
        .replace("refresh_interval = \"15s\"", "refresh_interval = \"200ms\"");
    ConfigFile all = Parser.parse("mpac.alloy", text);
    List<Statement> kept = new ArrayList<>();
    for (Statement st : all.body()) {
      if (st instanceof Block b && (DOCKER_PATH.contains(b.fullName()) || b.fullName().equals("logging"))) kept.add(st);
    }
    assertThat(kept).hasSize(6);
    Path file = dir.resolve("docker-path.alloy");
    Files.writeString(file, Formatter.format(new ConfigFile("mpac.alloy", kept, List.of())));
    return file;
  }

  private Controller startCollector() throws Exception {
    PipelineBuilder builder = new PipelineBuilder(new PipelineBuilder.Settings(ComponentRegistry.fromClassPath(),
        Map.of(), dir.resolve("storage"), meters));
    Controller c = new Controller(config(), builder, Duration.ofSeconds(10), l -> { });
    c.start();
    running.add(c);
    return c;
  }

  private static void await(String what, BooleanSupplier cond) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!cond.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(20);
    }
  }

  private static long nanos(String rfc3339) {
    Instant i = Instant.parse(rfc3339);
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  /** An application JSON line with the six ids; returns it after recording what Loki must get. */
  private void appLine(FakeDockerDaemon.Container c, String container, String service, String stream, String level) {
    int n = seq++;
    String ts = "2024-05-01T09:00:%02d.%09dZ".formatted(n % 60, 1000 + n);
    StringBuilder line = new StringBuilder("{\"timestamp\":\"" + ts + "\",\"level\":\"" + level + "\",\"msg\":\"payment " + n + "\"");
    Map<String, String> metadata = new HashMap<>();
    for (String id : IDS) {
      line.append(",\"").append(id).append("\":\"").append(id, 0, 2).append('-').append(n).append('"');
      metadata.put(id, id.substring(0, 2) + "-" + n);
    }
    line.append(",\"path\":\"/v1/payments\"}");
    Map<String, String> labels = baseLabels(container, service, stream);
    labels.put("level", level);
    expected.put(line.toString(), new Expected(labels, nanos(ts), metadata));
    c.log(stream, line.toString());
  }

  private Map<String, String> baseLabels(String container, String service, String stream) {
    Map<String, String> labels = new HashMap<>(Map.of("container", container, "stream", stream, "source", "docker",
        "platform", "payments", "env", "dev"));
    if (service != null) labels.put("service_name", service);
    return labels;
  }

  /** A line that is not JSON: it keeps Docker's time and gets no level or metadata. */
  private void malformedLine(FakeDockerDaemon.Container c, String container, String service, String stream) {
    String line = "panic: something broke #" + seq++;
    c.log(stream, line);
    expected.put(line, new Expected(baseLabels(container, service, stream), c.log.get(c.log.size() - 1).ts(), Map.of()));
  }

  private void healthCheck(FakeDockerDaemon.Container c) {
    c.log("stdout", "{\"level\":\"info\",\"msg\":\"request\",\"path\":\"/healthz\",\"n\":" + seq++ + "}");
  }

  @Test
  void fixtureDockerPathEndToEndWithARestartInTheMiddle() throws Exception {
    FakeDockerDaemon.Container api = daemon.add("c1", "payments-api", false,
        Map.of("com.docker.compose.service", "api", "com.docker.compose.project", "mpac"));
    for (int i = 0; i < 8; i++) appLine(api, "payments-api", "api", i % 4 == 3 ? "stderr" : "stdout", i % 3 == 0 ? "warn" : "info");
    healthCheck(api);
    malformedLine(api, "payments-api", "api", "stderr");
    healthCheck(api);
    // A line longer than Docker's 16 KiB chunks reaches Loki whole.
    String big = "{\"timestamp\":\"2024-05-01T09:30:00Z\",\"level\":\"error\",\"msg\":\"" + "x".repeat(40_000)
        + "\",\"trace_id\":\"big-trace\"}";
    api.log("stdout", big);
    Map<String, String> bigLabels = baseLabels("payments-api", "api", "stdout");
    bigLabels.put("level", "error");
    expected.put(big, new Expected(bigLabels, nanos("2024-05-01T09:30:00Z"), Map.of("trace_id", "big-trace")));
    daemon.add("c9", "stopped-one", false, Map.of()).stop(); // filtered out by status=running

    startCollector();
    await("the first container's lines", () -> loki.received.size() == 10);

    // A container that starts while the collector runs is discovered and followed.
    FakeDockerDaemon.Container tty = daemon.add("c2", "orders-worker", true, Map.of());
    appLine(tty, "orders-worker", null, "stdout", "info");
    malformedLine(tty, "orders-worker", null, "stdout");
    await("the new container's lines", () -> loki.received.size() == 12);

    running.remove(0).shutdown(Duration.ofSeconds(10));

    // While the collector is down, both containers keep writing.
    for (int i = 0; i < 4; i++) appLine(api, "payments-api", "api", "stdout", "info");
    healthCheck(api);
    appLine(tty, "orders-worker", null, "stdout", "debug");

    startCollector();
    await("everything", () -> loki.received.size() == expected.size());
    Thread.sleep(1500); // longer than batch_wait: anything duplicated would have arrived
    assertThat(loki.received).hasSize(expected.size());

    Map<String, LokiPushServer.Received> byLine = new HashMap<>();
    for (LokiPushServer.Received r : loki.received) {
      assertThat(byLine.put(r.line(), r)).as("duplicate: " + r.line()).isNull();
    }
    assertThat(byLine.keySet()).isEqualTo(expected.keySet());
    expected.forEach((line, e) -> {
      LokiPushServer.Received r = byLine.get(line);
      assertThat(r.labels()).as("labels of " + line.substring(0, Math.min(60, line.length()))).isEqualTo(e.labels());
      assertThat(r.timestampNanos()).as("time of " + line.substring(0, Math.min(60, line.length()))).isEqualTo(e.timestampNanos());
      assertThat(r.metadata()).as("metadata of " + line.substring(0, Math.min(60, line.length()))).isEqualTo(e.metadata());
    });
    assertThat(meters.scrape()).contains(
        "loki_process_dropped_lines_total{component_id=\"loki.process.app_json\",reason=\"healthcheck\"} 3.0");
  }
}
