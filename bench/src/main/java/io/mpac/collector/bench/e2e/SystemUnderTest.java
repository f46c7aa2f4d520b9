package io.mpac.collector.bench.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A relay or a collector in its own JVM, listening for OTLP/gRPC on a free loopback port and
 * forwarding to the null sink. Its output goes to a log file in the work directory. {@link #close()}
 * stops it (SIGTERM, then SIGKILL after 20 s).
 */
final class SystemUnderTest implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final Target target;
  private final Process process;
  private final int port;
  private final Path log;

  private SystemUnderTest(Target target, Process process, int port, Path log) {
    this.target = target;
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * Starts the target and waits until it accepts requests.
   *
   * @param jvmFlags the JVM flags, identical for every target
   */
  static SystemUnderTest start(Target target, Path jar, List<String> jvmFlags, int sinkPort, Path workDir, String name)
      throws IOException, InterruptedException {
    return start(target, jar, jvmFlags, List.of(sinkPort), workDir, name);
  }

  /**
   * As above; {@code sinkPorts} holds one port, except for {@link Target#COLLECTOR_LOADBALANCING},
   * which balances over all of them.
   */
  static SystemUnderTest start(Target target, Path jar, List<String> jvmFlags, List<Integer> sinkPorts, Path workDir,
      String name) throws IOException, InterruptedException {
    int sinkPort = sinkPorts.get(0);
    int port = freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags);
    int adminPort = -1;
    switch (target) {
      // The relay runs from the benchmark's own class path (it is in bench, not in the collector).
      case RELAY, RELAY_DETACH, RELAY_2LOOP -> cmd.addAll(List.of("-cp", System.getProperty("java.class.path"),
          ZeroWorkRelay.class.getName(), "--port", Integer.toString(port), "--upstream", "127.0.0.1:" + sinkPort,
          "--variant", target.relayVariant().label()));
      case COLLECTOR, COLLECTOR_PERSISTENT, COLLECTOR_LOADBALANCING, COLLECTOR_BASELINE -> {
        adminPort = freePort();
        Path config = workDir.resolve(name + ".alloy");
        boolean persistent = target == Target.COLLECTOR_PERSISTENT;
        String text = target == Target.COLLECTOR_LOADBALANCING ? loadBalancingConfig(port, sinkPorts)
            : collectorConfig(port, sinkPort, persistent);
        Files.writeString(config, text, StandardCharsets.UTF_8);
        cmd.addAll(List.of("-jar", jar.toString(), "run", config.toString(),
            "--server.http.listen-addr", "127.0.0.1:" + adminPort,
            "--storage.path", workDir.resolve(name + "-data").toString()));
      }
    }
    Path log = workDir.resolve(name + ".log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    SystemUnderTest sut = new SystemUnderTest(target, p, port, log);
    try {
      sut.awaitReady(adminPort);
    } catch (IOException | RuntimeException | InterruptedException e) {
      sut.close();
      throw e;
    }
    return sut;
  }

  /**
   * The collector's pipeline: OTLP/gRPC receiver → batch processor (Alloy's defaults: 200ms,
   * 2000, 3000) → OTLP/gRPC exporter (its default queue and retry) to the sink, uncompressed; with
   * {@code persistent}, the exporter's queue is kept on disk by {@code otelcol.storage.file}
   * (otherwise identical).
   */
  static String collectorConfig(int port, int sinkPort, boolean persistent) {
    String queue = persistent ? "  sending_queue {\n    storage = otelcol.storage.file.queue.handler\n  }\n" : "";
    String storage = persistent ? "\notelcol.storage.file \"queue\" {}\n" : "";
    return """
        // Written by io.mpac.collector.bench.e2e.EndToEndBenchmark.
        otelcol.receiver.otlp "bench" {
          grpc {
            endpoint = "127.0.0.1:%d"
          }
          output {
            traces  = [otelcol.processor.batch.bench.input]
            metrics = [otelcol.processor.batch.bench.input]
            logs    = [otelcol.processor.batch.bench.input]
          }
        }

        otelcol.processor.batch "bench" {
          output {
            traces  = [otelcol.exporter.otlp.sink.input]
            metrics = [otelcol.exporter.otlp.sink.input]
            logs    = [otelcol.exporter.otlp.sink.input]
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
        %s}
        %s""".formatted(port, sinkPort, queue, storage);
  }

  /**
   * {@link #collectorConfig} with {@code otelcol.exporter.loadbalancing} (trace id, a static list of
   * {@code sinkPorts}, OTLP uncompressed and plaintext, default queue and retry) as the exporter.
   */
  static String loadBalancingConfig(int port, List<Integer> sinkPorts) {
    StringBuilder hostnames = new StringBuilder();
    for (int p : sinkPorts) hostnames.append(hostnames.length() == 0 ? "" : ", ").append("\"127.0.0.1:").append(p).append('"');
    return """
        // Written by io.mpac.collector.bench.e2e.LoadBalancingBenchmark.
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
            traces = [otelcol.exporter.loadbalancing.sinks.input]
          }
        }

        otelcol.exporter.loadbalancing "sinks" {
          routing_key = "traceID"
          resolver {
            static {
              hostnames = [%s]
            }
          }
          protocol {
            otlp {
              client {
                compression = "none"
                tls {
                  insecure = true
                }
              }
            }
          }
        }
        """.formatted(port, hostnames);
  }

  static String collectorConfig(int port, int sinkPort) {
    return collectorConfig(port, sinkPort, false);
  }

  Target target() {
    return target;
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  /** Throws if the process has exited. */
  void checkAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException(target.label() + " exited with status " + process.exitValue() + "; see " + log);
    }
  }

  private void awaitReady(int adminPort) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    while (System.nanoTime() < deadline) {
      checkAlive();
      if (adminPort > 0 ? ready(http, adminPort) : accepts(port)) return;
      Thread.sleep(200);
    }
    throw new IOException(target.label() + " not ready after " + START_TIMEOUT.toSeconds() + " s; see " + log);
  }

  private static boolean ready(HttpClient http, int adminPort) throws InterruptedException {
    try {
      HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/-/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
      return r.statusCode() == 200;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A port that was free a moment ago on 127.0.0.1. */
  static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
