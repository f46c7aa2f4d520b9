package io.mpac.collector.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mpac.collector.testing.RequiredTool;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus ({@code prometheus} on the PATH) on 127.0.0.1 and a given port, with the
 * remote-write receiver on, a TSDB under the test's directory and no scrape targets. Missing
 * binary: fails under {@code CI=true}, skips elsewhere ({@link RequiredTool}).
 */
final class PrometheusServer implements AutoCloseable {

  private final Process process;
  private final Path dir;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private PrometheusServer(Process process, Path dir, int port) {
    this.process = process;
    this.dir = dir;
    this.port = port;
  }

  /** The binary, or a failure (CI) / skip (elsewhere) when it is not installed. */
  static String requireBinary() {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(File.pathSeparator)) {
        File f = new File(d, "prometheus");
        if (f.isFile() && f.canExecute()) return f.getAbsolutePath();
      }
    }
    RequiredTool.missing("prometheus", "it is not on the PATH (install it with .ci/install-tools.sh)");
    throw new AssertionError("unreachable");
  }

  /** Starts Prometheus on {@code port} and waits (at most 30 s) until it is ready. */
  static PrometheusServer start(Path dir, int port) throws Exception {
    String bin = requireBinary();
    Files.createDirectories(dir);
    Path config = Files.writeString(dir.resolve("prometheus.yml"), "global:\n  scrape_interval: 1m\n");
    Process p = new ProcessBuilder(bin, "--web.enable-remote-write-receiver",
        "--web.listen-address=127.0.0.1:" + port, "--storage.tsdb.path=" + dir.resolve("data"),
        "--config.file=" + config)
        .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
    PrometheusServer prom = new PrometheusServer(p, dir, port);
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < end) {
      if (!p.isAlive()) throw new IllegalStateException("prometheus exited with " + p.exitValue() + ":\n" + prom.log());
      try {
        HttpResponse<String> r = prom.http.send(HttpRequest.newBuilder(prom.uri("/-/ready"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) return prom;
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    prom.close();
    throw new IllegalStateException("prometheus not ready within 30s:\n" + prom.log());
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  String log() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  /** An instant query: label text → value. */
  Map<String, Double> query(String promql) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/api/v1/query?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8))).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IllegalStateException("query " + promql + ": HTTP " + r.statusCode() + " " + r.body());
    Map<String, Double> out = new TreeMap<>();
    for (JsonNode item : new ObjectMapper().readTree(r.body()).path("data").path("result")) {
      Map<String, String> labels = new TreeMap<>();
      item.path("metric").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
      out.put(labels.toString(), Double.parseDouble(item.path("value").get(1).asText()));
    }
    return out;
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
  }
}
