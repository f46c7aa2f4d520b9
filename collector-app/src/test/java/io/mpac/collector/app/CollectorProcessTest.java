package io.mpac.collector.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the collector as a real process (as {@code java -jar} would) and drives it from outside:
 * admin endpoints, reload by HTTP and by SIGHUP, and a graceful SIGTERM.
 */
class CollectorProcessTest {

  private static final Pattern ADMIN = Pattern.compile("admin server on ([0-9.]+:[0-9]+)");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path dir;

  private Process process;
  private Thread reader;
  private final BlockingQueue<String> logLines = new LinkedBlockingQueue<>();

  @AfterEach
  void kill() {
    if (process != null && process.isAlive()) process.destroyForcibly();
  }

  private static final String CONFIG = """
      logging {
        level = "info"
      }

      otelcol.exporter.debug "d" {
        verbosity = "basic"
      }
      """;

  /** Starts the collector and returns its admin address once it logged it. */
  private String start(Path config) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "run", "--server.http.listen-addr", "127.0.0.1:0",
        "--storage.path", dir.resolve("data").toString(), "--shutdown.timeout", "5s", config.toString())
        .redirectErrorStream(true).start();
    reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) logLines.add(line);
      } catch (java.io.IOException ignored) {
        // process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      String line = logLines.poll(1, TimeUnit.SECONDS);
      if (line == null) {
        if (!process.isAlive()) throw new AssertionError("collector exited with " + process.exitValue());
        continue;
      }
      Matcher m = ADMIN.matcher(line);
      if (m.find()) return m.group(1);
    }
    throw new AssertionError("collector did not report its admin address in time");
  }

  private void signal(String name) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  private static HttpResponse<String> get(String addr, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + addr + path)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> post(String addr, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://" + addr + path)).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode components(String addr) throws Exception {
    return new ObjectMapper().readTree(get(addr, "/api/v0/components").body());
  }

  /** The debug exporter's verbosity argument, from the detail view's Alloy-shaped body. */
  private static String verbosity(String addr) throws Exception {
    JsonNode detail = new ObjectMapper().readTree(get(addr, "/api/v0/web/components/otelcol.exporter.debug.d").body());
    for (JsonNode st : detail.get("arguments")) {
      if (st.get("name").asText().equals("verbosity")) return st.at("/value/value").asText();
    }
    return null;
  }

  @Test
  void servesAdminEndpointsReloadsAndStopsGracefully() throws Exception {
    Path config = Files.writeString(dir.resolve("config.alloy"), CONFIG);
    String addr = start(config);

    assertThat(get(addr, "/-/ready").statusCode()).isEqualTo(200);
    HttpResponse<String> healthy = get(addr, "/-/healthy");
    assertThat(healthy.statusCode()).isEqualTo(200);
    assertThat(healthy.body()).isEqualTo("All components are healthy.\n");
    assertThat(get(addr, "/nope").statusCode()).isEqualTo(404);
    assertThat(post(addr, "/-/ready").statusCode()).isEqualTo(405);

    String metrics = get(addr, "/metrics").body();
    assertThat(metrics).contains("jvm_memory_used_bytes", "process_cpu_usage",
        "otelcol_exporter_sent_spans_total{component_id=\"otelcol.exporter.debug.d\"} 0");

    JsonNode list = components(addr);
    assertThat(list).hasSize(1);
    JsonNode debug = list.get(0);
    assertThat(debug.get("localID").asText()).isEqualTo("otelcol.exporter.debug.d");
    assertThat(debug.get("kind").asText()).isEqualTo("exporter");
    assertThat(debug.at("/health/state").asText()).isEqualTo("healthy");
    assertThat(verbosity(addr)).isEqualTo("basic");
    assertThat(debug.at("/counters/otelcol_exporter_sent_spans_total").asDouble()).isZero();
    assertThat(get(addr, "/api/v0/components/otelcol.exporter.debug.d").statusCode()).isEqualTo(200);
    assertThat(get(addr, "/api/v0/components/nope.x").statusCode()).isEqualTo(404);

    // A bad config is refused with its diagnostics and the running pipeline stays as it was.
    Files.writeString(config, CONFIG.replace("\"basic\"", "\"loud\""));
    HttpResponse<String> refused = post(addr, "/-/reload");
    assertThat(refused.statusCode()).isEqualTo(400);
    assertThat(refused.body()).isEqualTo(config + ":6:15: attribute \"verbosity\": \"loud\" is not one of "
        + "\"basic\", \"normal\", \"detailed\"\n");
    assertThat(verbosity(addr)).isEqualTo("basic");
    assertThat(get(addr, "/-/ready").statusCode()).isEqualTo(200);

    // SIGHUP reloads a good config.
    Files.writeString(config, CONFIG.replace("\"basic\"", "\"normal\""));
    signal("HUP");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String verbosity = "";
    while (System.nanoTime() < deadline && !verbosity.equals("normal")) {
      verbosity = verbosity(addr);
      if (!verbosity.equals("normal")) Thread.sleep(100);
    }
    assertThat(verbosity).isEqualTo("normal");

    // SIGTERM: graceful stop, exit 0, well within the shutdown timeout. (Not Process.destroy():
    // it also closes our end of the child's output, and we want to read its last lines.)
    signal("TERM");
    assertThat(process.waitFor(15, TimeUnit.SECONDS)).as("exits within the timeout").isTrue();
    assertThat(process.exitValue()).isZero();
    reader.join(TimeUnit.SECONDS.toMillis(10)); // the pipe may still hold the last lines
    List<String> lines = List.copyOf(logLines);
    assertThat(lines).as("log after the reload: %s", lines).anyMatch(l -> l.contains("msg=\"stopped\""));
    assertThat(lines).noneMatch(l -> l.contains("Exception"));
  }

  @Test
  void portInUseFailsStartupWithAClearMessage() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Path config = Files.writeString(dir.resolve("config.alloy"), CONFIG);
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run",
          "--server.http.listen-addr", "127.0.0.1:" + taken.getLocalPort(), config.toString())
          .redirectErrorStream(true).start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.exitValue()).isEqualTo(1);
      assertThat(output).contains("error: cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (admin HTTP server)");
    }
  }
}
