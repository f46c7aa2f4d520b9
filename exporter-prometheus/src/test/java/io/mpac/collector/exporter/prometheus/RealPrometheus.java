package io.mpac.collector.exporter.prometheus;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus (Debian's package, see {@code .ci/install-tools.sh}) started for a test
 * on 127.0.0.1 and a free (or given) port, with the remote-write receiver and native histograms on, a
 * temporary TSDB and no scrape targets. Missing binary: the tests are skipped, unless {@code CI}
 * is {@code true}, where they fail.
 */
public final class RealPrometheus implements AutoCloseable {

  /** One result of an instant query: labels (sorted) and value. */
  public record Result(Map<String, String> labels, String value) {
    public double number() {
      return Double.parseDouble(value);
    }
  }

  private final Process process;
  private final Path dir;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ObjectMapper json = new ObjectMapper();

  private RealPrometheus(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  static String binary() {
    String path = System.getenv("PATH");
    if (path == null) return null;
    for (String d : path.split(File.pathSeparator)) {
      File f = new File(d, "prometheus");
      if (f.isFile() && f.canExecute()) return f.getAbsolutePath();
    }
    return null;
  }

  /** Skips (or, under CI=true, fails) when Prometheus is not installed. */
  public static String requireBinary() {
    String bin = binary();
    if (bin == null) {
      String msg = "prometheus is not on PATH (install it with .ci/install-tools.sh)";
      if ("true".equals(System.getenv("CI"))) fail(msg + "; CI=true, so this is a failure, not a skip");
      assumeTrue(false, msg);
    }
    return bin;
  }

  static RealPrometheus start() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    return start(Files.createTempDirectory("prometheus-it"), port);
  }

  /** Starts Prometheus on {@code port} with its TSDB under {@code dir}; ready within 30 s. */
  public static RealPrometheus start(Path dir, int port) throws Exception {
    String bin = requireBinary();
    Files.createDirectories(dir);
    Path config = dir.resolve("prometheus.yml");
    Files.writeString(config, "global:\n  scrape_interval: 1m\n"); // no scrape configs
    Process p = new ProcessBuilder(bin,
        "--web.enable-remote-write-receiver",
        "--enable-feature=native-histograms",
        "--web.listen-address=127.0.0.1:" + port,
        "--storage.tsdb.path=" + dir.resolve("data"),
        "--config.file=" + config)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    RealPrometheus prom = new RealPrometheus(p, dir, port);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      if (!p.isAlive()) {
        throw new IllegalStateException("prometheus exited with " + p.exitValue() + ":\n" + prom.log());
      }
      try {
        HttpResponse<String> r = prom.http.send(HttpRequest.newBuilder(prom.uri("/-/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) return prom;
      } catch (IOException e) {
        // not listening yet
      }
      if (System.nanoTime() > end) {
        prom.close();
        throw new IllegalStateException("prometheus not ready within 30s:\n" + prom.log());
      }
      Thread.sleep(100);
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  URI writeUrl() {
    return uri("/api/v1/write");
  }

  String log() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** An instant query at the current time; results sorted by their label text. */
  public Map<String, Result> query(String promql) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/api/v1/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IllegalStateException("query " + promql + ": HTTP " + r.statusCode() + " " + r.body());
    JsonNode root = json.readTree(r.body());
    Map<String, Result> out = new TreeMap<>();
    for (JsonNode item : root.path("data").path("result")) {
      Map<String, String> labels = new TreeMap<>();
      item.path("metric").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      out.put(labels.toString(), new Result(labels, item.path("value").get(1).asText()));
    }
    return out;
  }

  /** Polls {@code promql} until it returns {@code n} results (bounded), then returns them. */
  Map<String, Result> awaitResults(String promql, int n, long timeoutMillis) throws Exception {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    Map<String, Result> last = Map.of();
    while (System.nanoTime() < end) {
      last = query(promql);
      if (last.size() == n) return last;
      Thread.sleep(100);
    }
    throw new AssertionError("query " + promql + " gave " + last.size() + " results, wanted " + n + ": " + last);
  }

  /** Polls until the single result of {@code promql} has {@code value}. */
  Result awaitValue(String promql, double value, long timeoutMillis) throws Exception {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    Map<String, Result> last = Map.of();
    while (System.nanoTime() < end) {
      last = query(promql);
      if (last.size() == 1 && last.values().iterator().next().number() == value) return last.values().iterator().next();
      Thread.sleep(100);
    }
    throw new AssertionError("query " + promql + " gave " + last + ", wanted one result with value " + value);
  }

  static Map<String, String> labels(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return new TreeMap<>(m);
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try (var walk = Files.walk(dir)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // temp dir; best effort
    }
  }
}
