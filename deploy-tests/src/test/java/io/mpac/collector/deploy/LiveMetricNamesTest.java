package io.mpac.collector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.mpac.collector.pipeline.ComponentRegistry;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The metric names that dashboards, correlations, alert rules and DEPLOY.md use exist: each one is
 * either on the live {@code /metrics} of a collector started here, or produced by a backend (Tempo's
 * metrics generator, Prometheus' own {@code up}) and listed below.
 *
 * <p>The collector runs in a separate JVM with every pipeline component this build has (the config is
 * generated from the component registry, so exporters that land later are picked up), with loopback
 * listeners and fake Loki/Prometheus push endpoints, and one OTLP request per signal is sent through
 * it so that meters registered on first use exist too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LiveMetricNamesTest {

  /** Series Tempo's metrics generator remote-writes (span-metrics and service-graphs processors). */
  static final Set<String> TEMPO_GENERATED = Set.of(
      "traces_spanmetrics_calls_total", "traces_spanmetrics_latency_bucket", "traces_spanmetrics_latency_count",
      "traces_spanmetrics_latency_sum", "traces_spanmetrics_size_total",
      "traces_service_graph_request_total", "traces_service_graph_request_failed_total",
      "traces_service_graph_request_server_seconds_bucket", "traces_service_graph_request_server_seconds_count",
      "traces_service_graph_request_server_seconds_sum", "traces_service_graph_request_client_seconds_bucket",
      "traces_service_graph_request_client_seconds_count", "traces_service_graph_request_client_seconds_sum",
      "traces_service_graph_unpaired_spans_total", "traces_service_graph_dropped_spans_total");

  /** Series Prometheus adds itself for every scrape target. */
  static final Set<String> PROMETHEUS_SYNTHETIC = Set.of("up");

  /**
   * Names that exist in the collector but cannot be seen here even with traffic. Empty: every meter
   * the components register is created when the component is built (checked by this test), and the
   * traffic sent below covers anything created on first use. Add a name only with the reason.
   */
  static final Map<String, String> ALLOW_LIST = Map.of();

  static final Pattern HTTP_LISTEN = Pattern.compile("component_id=otelcol\\.receiver\\.otlp\\.default msg=\"listening.* HTTP ([0-9.]+:[0-9]+)");
  static final Pattern DOC_METRIC = Pattern.compile(
      "\\b((?:otelcol|loki_write|prometheus_remote_storage|jvm|process|traces_spanmetrics|traces_service_graph)_[a-z0-9_]+)\\b");

  private Path dir;
  private CollectorCli.Running collector;
  private HttpServer fakeBackends;
  private final Map<String, AtomicInteger> pushes = new ConcurrentHashMap<>();
  private List<String> components;
  private Set<String> live;

  @BeforeAll
  void startCollectorAndSendOneRequestPerSignal() throws Exception {
    dir = Files.createTempDirectory("deploy-live");
    fakeBackends = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    for (String path : List.of("/api/v1/write", "/loki/api/v1/push")) {
      fakeBackends.createContext(path, exchange -> {
        exchange.getRequestBody().readAllBytes();
        pushes.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
        exchange.sendResponseHeaders(204, -1);
        exchange.close();
      });
    }
    fakeBackends.start();
    components = ComponentRegistry.fromClassPath().names();
    Path config = dir.resolve("live.alloy");
    Files.writeString(config, config(components, "127.0.0.1:" + fakeBackends.getAddress().getPort()));
    collector = new CollectorCli.Running(config, dir.resolve("data"), Map.of());

    if (components.contains("otelcol.receiver.otlp")) {
      String http = collector.awaitLine(HTTP_LISTEN, 30).group(1);
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      for (Map.Entry<String, String> e : OtlpJson.REQUESTS.entrySet()) {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://" + http + e.getKey()))
            .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(e.getValue())).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("%s: %s", e.getKey(), r.body()).isEqualTo(200);
      }
      // Wait (bounded) until what can reach the fake backends did, so senders' meters exist.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      Set<String> expectedPushes = new TreeSet<>();
      if (components.containsAll(List.of("otelcol.exporter.prometheus", "prometheus.remote_write"))) expectedPushes.add("/api/v1/write");
      if (components.containsAll(List.of("otelcol.exporter.loki", "loki.write"))) expectedPushes.add("/loki/api/v1/push");
      while (System.nanoTime() < deadline && !pushes.keySet().containsAll(expectedPushes)) Thread.sleep(100);
      assertThat(pushes.keySet()).as("pushes that reached the fake backends").containsAll(expectedPushes);
    }
    live = scrape();
  }

  @AfterAll
  void stop() {
    if (collector != null) collector.close();
    if (fakeBackends != null) fakeBackends.stop(0);
    if (dir != null) {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (java.io.IOException ignored) {
        // best effort
      }
    }
  }

  /** A pipeline with every component this build has, wired as in config/local.alloy where possible. */
  static String config(List<String> have, String backend) {
    String sink = "otelcol.exporter.debug.sink.input";
    boolean batch = have.contains("otelcol.processor.batch");
    boolean otlp = have.contains("otelcol.exporter.otlp");
    boolean prom = have.containsAll(List.of("otelcol.exporter.prometheus", "prometheus.remote_write"));
    boolean loki = have.containsAll(List.of("otelcol.exporter.loki", "loki.write"));
    StringBuilder sb = new StringBuilder("otelcol.exporter.debug \"sink\" {\n  verbosity = \"basic\"\n}\n");
    if (have.contains("otelcol.receiver.otlp")) {
      String next = batch ? "otelcol.processor.batch.default.input" : sink;
      sb.append("otelcol.receiver.otlp \"default\" {\n  grpc {\n    endpoint = \"127.0.0.1:0\"\n  }\n")
          .append("  http {\n    endpoint = \"127.0.0.1:0\"\n  }\n")
          .append("  output {\n    traces = [").append(next).append("]\n    metrics = [").append(next)
          .append("]\n    logs = [").append(next).append("]\n  }\n}\n");
    }
    if (batch) {
      sb.append("otelcol.processor.batch \"default\" {\n  timeout = \"100ms\"\n  output {\n")
          .append("    traces = [").append(otlp ? "otelcol.exporter.otlp.tempo.input" : sink).append("]\n")
          .append("    metrics = [").append(prom ? "otelcol.exporter.prometheus.default.input" : sink).append("]\n")
          .append("    logs = [").append(loki ? "otelcol.exporter.loki.default.input" : sink).append("]\n  }\n}\n");
    }
    if (otlp) {
      // Nothing listens on port 1: sends fail and are retried, which is all this test needs.
      sb.append("otelcol.exporter.otlp \"tempo\" {\n  client {\n    endpoint = \"127.0.0.1:1\"\n")
          .append("    tls {\n      insecure = true\n    }\n  }\n}\n");
    }
    if (have.contains("otelcol.exporter.otlphttp")) {
      sb.append("otelcol.exporter.otlphttp \"unused\" {\n  client {\n    endpoint = \"http://127.0.0.1:1\"\n  }\n}\n");
    }
    if (prom) {
      sb.append("otelcol.exporter.prometheus \"default\" {\n  forward_to = [prometheus.remote_write.default.receiver]\n}\n")
          .append("prometheus.remote_write \"default\" {\n  endpoint {\n    url = \"http://").append(backend)
          .append("/api/v1/write\"\n    queue_config {\n      batch_send_deadline = \"100ms\"\n    }\n  }\n}\n");
    }
    if (loki) {
      sb.append("otelcol.exporter.loki \"default\" {\n  forward_to = [loki.write.default.receiver]\n}\n")
          .append("loki.write \"default\" {\n  endpoint {\n    url = \"http://").append(backend)
          .append("/loki/api/v1/push\"\n    batch_wait = \"100ms\"\n  }\n}\n");
    }
    return sb.toString();
  }

  private Set<String> scrape() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    String text = client.send(HttpRequest.newBuilder(URI.create("http://" + collector.adminAddress + "/metrics"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    Set<String> names = new TreeSet<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      int end = 0;
      while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') end++;
      names.add(line.substring(0, end));
    }
    return names;
  }

  /** name → where it is used, for every metric name a deployment file or DEPLOY.md mentions. */
  static Map<String, Set<String>> usedMetricNames() throws Exception {
    Map<String, Set<String>> used = new TreeMap<>();
    for (Path d : GrafanaProvisioningTest.dashboards()) {
      for (String q : GrafanaProvisioningTest.promQueries(d)) {
        for (String n : PromQl.metricNames(q)) used.computeIfAbsent(n, k -> new TreeSet<>()).add(d.getFileName().toString());
      }
    }
    for (String q : GrafanaProvisioningTest.correlationPromQueries()) {
      for (String n : PromQl.metricNames(q)) used.computeIfAbsent(n, k -> new TreeSet<>()).add("datasources.yaml");
    }
    for (Path rules : Repo.files("docker/prometheus/rules", ".yml")) {
      for (JsonNode group : Repo.YAML.readTree(rules.toFile()).path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          for (String n : PromQl.metricNames(rule.path("expr").asText())) {
            used.computeIfAbsent(n, k -> new TreeSet<>()).add(rules.getFileName().toString());
          }
        }
      }
    }
    Matcher m = DOC_METRIC.matcher(Repo.read("docs/DEPLOY.md"));
    while (m.find()) used.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add("DEPLOY.md");
    return used;
  }

  @Test
  void everyMetricNameUsedExistsOnTheLiveCollectorOrInABackend() throws Exception {
    Map<String, Set<String>> used = usedMetricNames();
    assertThat(used).containsKeys("otelcol_receiver_accepted_spans_total", "traces_spanmetrics_calls_total", "up");
    Map<String, Set<String>> unknown = new TreeMap<>();
    used.forEach((name, where) -> {
      if (!live.contains(name) && !TEMPO_GENERATED.contains(name) && !PROMETHEUS_SYNTHETIC.contains(name)
          && !ALLOW_LIST.containsKey(name)) {
        unknown.put(name, where);
      }
    });
    assertThat(unknown).as("metric names used but not exposed by this build's collector (components: %s)",
        components).isEmpty();
  }

  /** The allow-list stays honest: a name on it that the collector now exposes must come off it. */
  /**
   * Two components registering meters that map to one Prometheus name (Micrometer then drops one
   * with a warning), or an error while running, would show up in the log. (Warnings about the
   * deliberately unreachable Tempo endpoint are expected.)
   */
  @Test
  void everyComponentTogetherRegistersItsMetersWithoutClashOrError() throws Exception {
    assertThat(collector.drainLog()).noneMatch(l -> l.contains("registration has failed") || l.contains("level=error"));
  }

  @Test
  void allowListHoldsOnlyNamesNotSeenLive() {
    assertThat(ALLOW_LIST.keySet()).doesNotContainAnyElementsOf(live);
  }

  /** Sanity: the scrape really read the collector (JVM and component meters), so the check above can fail. */
  @Test
  void liveScrapeHasJvmAndComponentMeters() {
    assertThat(live).contains("jvm_memory_used_bytes", "process_cpu_usage", "jvm_gc_live_data_size_bytes",
        "jvm_gc_max_data_size_bytes", "system_cpu_count");
    if (components.contains("otelcol.receiver.otlp")) assertThat(live).contains("otelcol_receiver_accepted_spans_total");
    assertThat(live).doesNotContain("no_such_metric_total");
  }

  /** The image's health check command (docker/mpac-collector.sh health) answers 0 for a ready collector. */
  @Test
  void launcherHealthProbeSucceedsAgainstTheRunningCollector() throws Exception {
    ProcessBuilder pb = new ProcessBuilder("sh", Repo.path("docker/mpac-collector.sh").toString(), "health",
        "--addr", collector.adminAddress);
    pb.environment().putAll(DockerfileTest.launcherEnv());
    CollectorCli.Result r = CollectorCli.exec(pb, 60);
    assertThat(r.exitCode()).as(r.output()).isZero();
  }

  /** Sanity of the list used above: a name nobody produces is reported. */
  @Test
  void unknownNamesAreNotSilentlyAccepted() {
    List<String> fake = new ArrayList<>(List.of("otelcol_exporter_sent_spanz_total"));
    fake.removeIf(n -> live.contains(n) || TEMPO_GENERATED.contains(n) || ALLOW_LIST.containsKey(n));
    assertThat(fake).hasSize(1);
  }
}
