package io.mpac.collector.app.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.app.Main;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
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
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-client proof of issue 15, item 1, against a real collector process under
 * {@code -Xmx256m -XX:+ExitOnOutOfMemoryError}: phases of attack, each while a good client (the
 * real OpenTelemetry SDK, over OTLP/HTTP and OTLP/gRPC alternately, retries off) exports a small
 * batch every 200 ms and times it. Figures go to stdout and {@code target/hostile-clients.md}.
 *
 * <p>Not part of the normal suite (the name does not match surefire's patterns): it runs for about
 * a minute and a half. Run it with {@code scripts/hostile-clients-check.sh}.
 */
class HostileClientsCheck {

  private static final Pattern ADMIN = Pattern.compile("admin server on ([0-9.]+:[0-9]+)");
  private static final Duration PHASE = Duration.ofSeconds(Long.getLong("hostile.phaseSeconds", 15));
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  @TempDir Path dir;
  private Process process;
  private final List<String> log = new CopyOnWriteArrayList<>();
  private String admin;
  private int grpcPort;
  private int httpPort;
  private final StringBuilder report = new StringBuilder();

  @AfterEach
  void stop() throws Exception {
    if (process != null && process.isAlive()) process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    Path out = Path.of("target", "hostile-clients.md");
    Files.createDirectories(out.getParent());
    Files.writeString(out, report.toString());
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void startCollector() throws Exception {
    grpcPort = freePort();
    httpPort = freePort();
    Path config = Files.writeString(dir.resolve("config.alloy"), """
        otelcol.receiver.otlp "in" {
          grpc { endpoint = "127.0.0.1:%d" }
          http { endpoint = "127.0.0.1:%d" }
          output { traces = [otelcol.exporter.debug.d.input] }
        }
        otelcol.exporter.debug "d" {
          verbosity = "basic"
        }
        """.formatted(grpcPort, httpPort));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    process = new ProcessBuilder(java, "-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC",
        "-Dio.netty.leakDetection.level=paranoid", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "run", "--server.http.listen-addr", "127.0.0.1:0",
        "--storage.path", dir.resolve("data").toString(), config.toString())
        .redirectErrorStream(true).start();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) log.add(line);
      } catch (java.io.IOException ignored) {
        // process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (admin == null && System.nanoTime() < deadline) {
      for (String line : log) {
        Matcher m = ADMIN.matcher(line);
        if (m.find()) admin = m.group(1);
      }
      assertThat(process.isAlive()).as("collector running").isTrue();
      Thread.sleep(100);
    }
    assertThat(admin).as("admin address logged").isNotNull();
    while (!log.stream().anyMatch(l -> l.contains("listening gRPC"))) {
      assertThat(System.nanoTime()).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  /** Sum of every sample of {@code name} (optionally only lines containing {@code filter}). */
  private double metric(String name, String filter) throws Exception {
    String text = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + admin + "/metrics"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
    double sum = 0;
    for (String line : text.split("\n")) {
      if (line.startsWith("#") || !(line.startsWith(name + "{") || line.startsWith(name + " "))) continue;
      if (filter != null && !line.contains(filter)) continue;
      sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }
    return sum;
  }

  /** The good client: a real SDK exporter per transport, retries off, one small batch per call. */
  private final class GoodClient implements AutoCloseable {
    final SpanExporter http = OtlpHttpSpanExporter.builder().setEndpoint("http://127.0.0.1:" + httpPort + "/v1/traces")
        .setTimeout(Duration.ofSeconds(5)).setRetryPolicy(null).build();
    final SpanExporter grpc = OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + grpcPort)
        .setTimeout(Duration.ofSeconds(5)).setRetryPolicy(null).build();
    final List<SpanData> ended = new CopyOnWriteArrayList<>();
    final SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(new SpanProcessor() {
      @Override
      public void onStart(Context parentContext, ReadWriteSpan span) {}

      @Override
      public boolean isStartRequired() {
        return false;
      }

      @Override
      public void onEnd(ReadableSpan span) {
        ended.add(span.toSpanData());
      }

      @Override
      public boolean isEndRequired() {
        return true;
      }
    }).build();
    final Tracer tracer = provider.get("hostile-check");
    long ok;
    long failed;
    long maxNanos;
    long over1s;

    /** Starts a new phase's tally. */
    void reset() {
      ok = failed = maxNanos = over1s = 0;
    }

    /** One export over each transport; records the slower one. */
    void exportOnce() {
      for (SpanExporter e : List.of(http, grpc)) {
        ended.clear();
        for (int i = 0; i < 10; i++) tracer.spanBuilder("good-" + i).startSpan().end();
        List<SpanData> batch = new ArrayList<>(ended);
        long t0 = System.nanoTime();
        CompletableResultCode r = e.export(batch).join(6, TimeUnit.SECONDS);
        long took = System.nanoTime() - t0;
        if (r.isSuccess()) ok++; else failed++;
        maxNanos = Math.max(maxNanos, took);
        if (!r.isSuccess() || took > TimeUnit.SECONDS.toNanos(1)) over1s++;
      }
    }

    @Override
    public void close() {
      http.shutdown().join(5, TimeUnit.SECONDS);
      grpc.shutdown().join(5, TimeUnit.SECONDS);
      provider.shutdown().join(5, TimeUnit.SECONDS);
    }
  }

  private record Figures(String phase, long goodOk, long goodFailed, double goodMaxMs, long goodOver1s,
      double maxInFlight, double limit, double maxHeapMb, double refusedMemory, double refusedTimeout,
      double refusedConnections, boolean alive) {}

  /** Runs {@code attack} for {@link #PHASE} while the good client exports and the collector is sampled. */
  private Figures phase(String name, GoodClient good, Attack attack) throws Exception {
    double memory0 = metric("otelcol_receiver_limited_total", "reason=\"memory\"");
    double timeout0 = metric("otelcol_receiver_limited_total", "reason=\"timeout\"");
    double conns0 = metric("otelcol_receiver_limited_total", "reason=\"connections\"");
    AtomicBoolean running = new AtomicBoolean(true);
    Thread attacker = new Thread(() -> {
      try {
        attack.run(running);
      } catch (Exception e) {
        if (running.get()) e.printStackTrace();
      }
    }, "attack-" + name);
    attacker.setDaemon(true);
    attacker.start();
    double maxInFlight = 0;
    double maxHeap = 0;
    double limit = 0;
    good.reset();
    {
      long end = System.nanoTime() + PHASE.toNanos();
      while (System.nanoTime() < end && process.isAlive()) {
        good.exportOnce();
        maxInFlight = Math.max(maxInFlight, metric("otelcol_receiver_in_flight_bytes", null));
        limit = metric("otelcol_receiver_in_flight_limit_bytes", null);
        maxHeap = Math.max(maxHeap, metric("jvm_memory_used_bytes", "area=\"heap\""));
        Thread.sleep(200);
      }
      running.set(false);
      attacker.interrupt();
      attacker.join(10_000);
      Figures f = new Figures(name, good.ok, good.failed, good.maxNanos / 1e6, good.over1s, maxInFlight, limit,
          maxHeap / (1 << 20),
          metric("otelcol_receiver_limited_total", "reason=\"memory\"") - memory0,
          metric("otelcol_receiver_limited_total", "reason=\"timeout\"") - timeout0,
          metric("otelcol_receiver_limited_total", "reason=\"connections\"") - conns0, process.isAlive());
      String row = String.format(Locale.ROOT, "| %s | %d / %d | %.0f | %d | %.1f / %.1f | %.0f | %.0f / %.0f / %.0f | %s |",
          f.phase, f.goodOk, f.goodOk + f.goodFailed, f.goodMaxMs, f.goodOver1s, f.maxInFlight / (1 << 20),
          f.limit / (1 << 20), f.maxHeapMb, f.refusedMemory, f.refusedTimeout, f.refusedConnections,
          f.alive ? "up" : "DOWN");
      System.out.println(row);
      report.append(row).append('\n');
      return f;
    }
  }

  @FunctionalInterface
  private interface Attack {
    void run(AtomicBoolean running) throws Exception;
  }

  private static void hold(AtomicBoolean running) throws InterruptedException {
    while (running.get()) Thread.sleep(100);
  }

  private static void closeAll(List<Socket> sockets) {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  /** 150 connections that send only the headers of a 20,000,000-byte POST and then wait. */
  private void declaredLength(AtomicBoolean running) throws Exception {
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 150 && running.get(); i++) {
        Socket s = new Socket("127.0.0.1", httpPort);
        s.getOutputStream().write(("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
            + "Content-Length: 20000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        sockets.add(s);
      }
      hold(running);
    } finally {
      closeAll(sockets);
    }
  }

  /** 150 slow-loris connections: one header byte per second each, reconnecting when cut off. */
  private void slowLoris(AtomicBoolean running) throws Exception {
    byte[] head = ("POST /v1/traces HTTP/1.1\r\nHost: x\r\nX-Pad: " + "a".repeat(200) + "\r\n")
        .getBytes(StandardCharsets.US_ASCII);
    Socket[] sockets = new Socket[150];
    int[] sent = new int[150];
    try {
      while (running.get()) {
        for (int i = 0; i < sockets.length; i++) {
          try {
            if (sockets[i] == null || sent[i] >= head.length) {
              if (sockets[i] != null) sockets[i].close();
              sockets[i] = new Socket("127.0.0.1", httpPort);
              sent[i] = 0;
            }
            OutputStream out = sockets[i].getOutputStream();
            out.write(head[sent[i]++]);
            out.flush();
          } catch (java.io.IOException cut) {
            sockets[i] = null; // the server closed it: reconnect next round
          }
        }
        Thread.sleep(1000);
      }
    } finally {
      for (Socket s : sockets) if (s != null) s.close();
    }
  }

  /**
   * 100 connections from 127.0.0.2 (another client) that each send 256 KiB of a 1 MB body and
   * stall, reconnecting when refused or cut off.
   */
  private void unfinishedBodies(AtomicBoolean running) throws Exception {
    java.net.InetAddress from = java.net.InetAddress.getByName("127.0.0.2");
    byte[] head = ("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
        + "Content-Length: 1000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] part = new byte[256 * 1024];
    Socket[] sockets = new Socket[100];
    try {
      while (running.get()) {
        for (int i = 0; i < sockets.length && running.get(); i++) {
          try {
            if (sockets[i] != null && (sockets[i].isClosed() || sockets[i].getInputStream().available() > 0)) {
              sockets[i].close(); // answered (429) or cut off: start again
              sockets[i] = null;
            }
            if (sockets[i] == null) {
              Socket s = new Socket("127.0.0.1", httpPort, from, 0);
              s.getOutputStream().write(head);
              s.getOutputStream().write(part);
              s.getOutputStream().flush();
              sockets[i] = s;
            }
          } catch (java.io.IOException cut) {
            sockets[i] = null;
          }
        }
        Thread.sleep(500);
      }
    } finally {
      for (Socket s : sockets) if (s != null) s.close();
    }
  }

  @Test
  void survivesHostileClients() throws Exception {
    startCollector();
    String header = "| phase | good exports ok / sent | good max ms | good failed or > 1 s | in-flight max / budget MiB"
        + " | heap max MiB | refused memory / timeout / connections | process |\n|---|---|---|---|---|---|---|---|";
    System.out.println(header);
    report.append(header).append('\n');
    List<Figures> all = new ArrayList<>();
    try (GoodClient good = new GoodClient()) {
      for (int i = 0; i < 20; i++) good.exportOnce(); // warm up the client's connections and JIT, not measured
      all.add(phase("baseline", good, HostileClientsCheck::hold));
      all.add(phase("150 × headers-only, Content-Length 20000000", good, this::declaredLength));
      all.add(phase("150 × slow-loris headers (1 byte/s)", good, this::slowLoris));
      all.add(phase("gRPC: 15 conns × 100 streams, 4 MB declared, 1 KiB sent", good,
          running -> RawGrpcStreams.unfinished(grpcPort, 15, 100, 4_000_000, 1024, running)));
      all.add(phase("gRPC: 15 conns × 100 streams, 4 MB declared, prefix only", good,
          running -> RawGrpcStreams.unfinished(grpcPort, 15, 100, 4_000_000, 0, running)));
      all.add(phase("gRPC from 127.0.0.2: 10 conns × 100 streams, 64 KiB sent each (volume)", good,
          running -> RawGrpcStreams.unfinished("127.0.0.2", grpcPort, 10, 100, 4_000_000, 64 * 1024, running)));
      all.add(phase("HTTP from 127.0.0.2: 100 conns, 256 KiB of 1 MB bodies (volume)", good, this::unfinishedBodies));
      all.add(phase("after the attacks", good, HostileClientsCheck::hold));
    }
    for (Figures f : all) {
      assertThat(f.alive).as(f.phase + ": process up").isTrue();
      assertThat(f.maxInFlight).as(f.phase + ": in-flight bytes within the budget").isLessThanOrEqualTo(f.limit);
      assertThat(f.maxHeapMb).as(f.phase + ": heap under -Xmx").isLessThan(256);
    }
    for (Figures f : all) {
      // the volume attacks come from another address: per-client fairness keeps half the budget for the others
      assertThat(f.goodOver1s).as(f.phase + ": the good client served within 1 s every time").isZero();
    }
    assertThat(all.get(2).refusedTimeout).as("slow-loris connections cut off and counted").isGreaterThan(0);
    assertThat(all.get(5).refusedMemory).as("gRPC volume over the client's share refused and counted").isGreaterThan(0);
    assertThat(all.get(6).refusedMemory).as("HTTP volume over the client's share refused and counted").isGreaterThan(0);
    assertThat(log).noneMatch(l -> l.contains("LEAK:"));
  }
}
