package io.mpac.collector.deploy;

import io.mpac.collector.app.Main;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the collector's command line ({@code io.mpac.collector.app.Main}) in a separate JVM with this
 * module's test classpath, exactly as {@code java -jar mpac-collector.jar ...} would.
 */
final class CollectorCli {

  /** What a finished command printed and returned. */
  record Result(int exitCode, String output) {}

  private CollectorCli() {}

  static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static String classPath() {
    return System.getProperty("java.class.path");
  }

  /** Runs {@code mpac-collector ARGS} to completion (at most 60 s) and returns stdout+stderr. */
  static Result run(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", classPath(),
        Main.class.getName()));
    cmd.addAll(List.of(args));
    return exec(new ProcessBuilder(cmd), 60);
  }

  /** Runs a process to completion (bounded) and returns its merged output. */
  static Result exec(ProcessBuilder pb, int timeoutSeconds) throws IOException, InterruptedException {
    Process p = pb.redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[][] out = new byte[1][];
    Thread reader = new Thread(() -> {
      try {
        out[0] = p.getInputStream().readAllBytes();
      } catch (IOException e) {
        out[0] = new byte[0];
      }
    });
    reader.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("command did not finish in " + timeoutSeconds + " s: " + pb.command());
    }
    reader.join(TimeUnit.SECONDS.toMillis(10));
    return new Result(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
  }

  /** A collector started with {@code run}; {@link #close()} kills it. */
  static final class Running implements AutoCloseable {
    private static final Pattern ADMIN = Pattern.compile("admin server on ([0-9.]+:[0-9]+)");

    final Process process;
    final String adminAddress;
    final List<String> log = new ArrayList<>();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Running(Path config, Path storage, Map<String, String> env) throws IOException, InterruptedException {
      ProcessBuilder pb = new ProcessBuilder(java(), "-Xmx192m", "-cp", classPath(), Main.class.getName(), "run",
          "--server.http.listen-addr", "127.0.0.1:0", "--storage.path", storage.toString(),
          "--shutdown.timeout", "5s", config.toString()).redirectErrorStream(true);
      pb.environment().putAll(env);
      process = pb.start();
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) lines.add(line);
        } catch (IOException ignored) {
          // the process ended
        }
      });
      reader.setDaemon(true);
      reader.start();
      adminAddress = awaitLine(ADMIN, 60).group(1);
    }

    /** The first log line (seen so far or coming within the time) matching the pattern; fails with the log if none. */
    Matcher awaitLine(Pattern pattern, int seconds) throws InterruptedException {
      for (String seen : log) {
        Matcher m = pattern.matcher(seen);
        if (m.find()) return m;
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (System.nanoTime() < deadline) {
        String line = lines.poll(500, TimeUnit.MILLISECONDS);
        if (line == null) {
          if (!process.isAlive() && lines.isEmpty()) {
            throw new AssertionError("collector exited with " + process.exitValue() + ":\n" + String.join("\n", log));
          }
          continue;
        }
        log.add(line);
        Matcher m = pattern.matcher(line);
        if (m.find()) return m;
      }
      throw new AssertionError("no log line matching " + pattern + " within " + seconds + " s:\n" + String.join("\n", log));
    }

    /** Every log line so far (waits briefly for lines still in the pipe). */
    List<String> drainLog() throws InterruptedException {
      String line;
      while ((line = lines.poll(200, TimeUnit.MILLISECONDS)) != null) log.add(line);
      return List.copyOf(log);
    }

    @Override
    public void close() {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
