package io.mpac.collector.app;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A collector started as its own JVM ({@code Main run}), every output line kept for inspection. */
final class RunningCollector implements AutoCloseable {

  private static final Pattern ADMIN = Pattern.compile("admin server on ([0-9.]+:[0-9]+)");
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Process process;
  private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
  final String address;

  /** Starts {@code run} with {@code flags} then the config path; waits until the admin address is logged. */
  RunningCollector(Path config, Path storage, Map<String, String> env, String... flags) throws Exception {
    this(List.of(), config, storage, env, flags);
  }

  /** As above, with JVM options (system properties such as {@code -Djdk.net.hosts.file=...}). */
  RunningCollector(List<String> jvmOptions, Path config, Path storage, Map<String, String> env, String... flags)
      throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m"));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(), "run",
        "--server.http.listen-addr", "127.0.0.1:0", "--storage.path", storage.toString(), "--shutdown.timeout", "5s"));
    cmd.addAll(List.of(flags));
    cmd.add(config.toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    process = pb.start();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) lines.add(line);
      } catch (java.io.IOException ignored) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String found = null;
    while (found == null && System.nanoTime() < deadline) {
      synchronized (lines) {
        for (String l : lines) {
          Matcher m = ADMIN.matcher(l);
          if (m.find()) found = m.group(1);
        }
      }
      if (found == null) {
        if (!process.isAlive()) throw new AssertionError("collector exited with " + process.exitValue() + ":\n" + output());
        Thread.sleep(100);
      }
    }
    if (found == null) {
      process.destroyForcibly();
      throw new AssertionError("collector did not report its admin address in time:\n" + output());
    }
    address = found;
  }

  String base() {
    return "http://" + address;
  }

  HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(20))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Everything the process wrote so far (stdout and stderr). */
  String output() {
    synchronized (lines) {
      return String.join("\n", lines);
    }
  }

  /** Stops with SIGTERM (graceful), then waits for the exit; kills after 20 s. */
  int stop() throws Exception {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
    process.waitFor(5, TimeUnit.SECONDS);
    Thread.sleep(200); // let the reader take the last lines
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) process.destroyForcibly();
  }
}
