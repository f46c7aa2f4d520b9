package io.mpac.collector.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code otelcol.exporter.loadbalancing} in a real collector process: the OpenTelemetry SDK sends
 * 20,000 spans of 2,000 traces to the collector's OTLP receiver, which routes them by trace id to
 * three independent OTLP sinks. Every trace lands whole on one sink and the split is even; then one
 * back end dies and leaves the ring, by a config reload or by a real DNS change (the child JVM
 * resolves names from a hosts file the test rewrites, {@code -Djdk.net.hosts.file}). Nothing is
 * lost (what was queued for the dead back end is re-routed), and only its traces change owner.
 */
class LoadBalancingProcessTest {

  private static final int TRACES = 2_000;
  private static final int SPANS_PER_TRACE = 10;
  private static final String HOST = "writers.lb.test";

  @TempDir Path dir;

  private final List<OtlpSink> sinks = new ArrayList<>();
  private RunningCollector collector;
  private int receiverPort;

  @AfterEach
  void tearDown() throws Exception {
    if (collector != null) collector.close();
    for (OtlpSink s : sinks) s.close();
  }

  private static int freePort(String address) throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getByName(address), 0));
      return s.getLocalPort();
    }
  }

  private String config(String resolver) {
    return """
        otelcol.receiver.otlp "in" {
          grpc {
            endpoint = "127.0.0.1:%d"
          }
          output {
            traces = [otelcol.exporter.loadbalancing.writers.input]
          }
        }

        otelcol.exporter.loadbalancing "writers" {
          routing_key = "traceID"
          resolver {
        %s
          }
          protocol {
            otlp {
              timeout = "10s"
              client {
                tls {
                  insecure = true
                }
              }
              retry {
                initial_interval = "100ms"
                max_interval     = "500ms"
                max_elapsed_time = "0s"
              }
            }
          }
        }
        """.formatted(receiverPort, resolver);
  }

  private static String staticResolver(List<OtlpSink> backEnds) {
    StringBuilder sb = new StringBuilder("    static {\n      hostnames = [");
    for (int i = 0; i < backEnds.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append("\"127.0.0.1:").append(backEnds.get(i).port()).append('"');
    }
    return sb.append("]\n    }").toString();
  }

  // ---- the tests

  @Test
  void aBackEndRemovedByConfigReload() throws Exception {
    receiverPort = freePort("127.0.0.1");
    for (int i = 0; i < 3; i++) sinks.add(new OtlpSink(0));
    Path config = Files.writeString(dir.resolve("lb.alloy"), config(staticResolver(sinks)));
    collector = new RunningCollector(config, dir.resolve("data"), Map.of());
    awaitLog("back ends: \\[[^]]*, [^]]*, [^]]*\\]");

    runAndRemoveTheThirdBackEnd(() -> {
      Files.writeString(config, config(staticResolver(sinks.subList(0, 2))));
      assertThat(collector.post("/-/reload").statusCode()).isEqualTo(200);
      awaitLog("config reloaded");
      String ring = collector.output().lines().filter(l -> l.contains("back ends: [")).reduce((a, b) -> b).orElseThrow();
      assertThat(ring).containsPattern("back ends: \\[[^],]*, [^],]*\\]")
          .contains("127.0.0.1:" + sinks.get(0).port(), "127.0.0.1:" + sinks.get(1).port());
    });
    assertThat(collector.output()).contains("could not be delivered in time; a reloaded configuration")
        .contains("re-routing");
  }

  @Test
  void aBackEndRemovedByARealDnsChange() throws Exception {
    receiverPort = freePort("127.0.0.1");
    List<String> addresses = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4");
    int port = -1;
    for (int attempt = 0; attempt < 5 && sinks.size() < 3; attempt++) {
      for (OtlpSink s : sinks) s.close();
      sinks.clear();
      port = freePort(addresses.get(0));
      try {
        for (String a : addresses) sinks.add(new OtlpSink(a, port));
      } catch (IOException taken) {
        // another process has this port on one of the addresses: pick another
      }
    }
    assertThat(sinks).as("three sinks on one port of 127.0.0.2-4").hasSize(3);
    Path hosts = dir.resolve("hosts");
    writeHosts(hosts, addresses);
    String resolver = """
            dns {
              hostname = "%s"
              port     = "%d"
              interval = "200ms"
              timeout  = "1s"
            }""".formatted(HOST, port);
    Path config = Files.writeString(dir.resolve("lb.alloy"), config(resolver));
    collector = new RunningCollector(List.of("-Djdk.net.hosts.file=" + hosts, "-Dsun.net.inetaddr.ttl=0",
        "-Dsun.net.inetaddr.negative.ttl=0"), config, dir.resolve("data"), Map.of());
    awaitLog("back ends: \\[127.0.0.2:" + port + ", 127.0.0.3:" + port + ", 127.0.0.4:" + port + "\\]");

    int p = port;
    int moved = runAndRemoveTheThirdBackEnd(() -> {
      writeHosts(hosts, addresses.subList(0, 2));
      awaitLog("removed \\[127.0.0.4:" + p + "\\]");
    });
    String metrics = collector.get("/metrics").body();
    assertThat(metric(metrics, "otelcol_loadbalancer_ring_changes_total")).isEqualTo(2);
    assertThat(metric(metrics, "otelcol_loadbalancer_backends")).isEqualTo(2);
    double rerouted = metric(metrics, "otelcol_loadbalancer_rerouted_spans_total");
    assertThat(rerouted).as("the dead back end's queued share: its phase 2").isGreaterThanOrEqualTo(3 * moved);
    assertThat(metric(metrics, "otelcol_loadbalancer_routed_spans_total"))
        .as("every span routed once, re-routed ones twice").isEqualTo(TRACES * SPANS_PER_TRACE + rerouted);
    for (String a : List.of("127.0.0.2", "127.0.0.3")) {
      Matcher sent = Pattern.compile("(?m)^otelcol_exporter_sent_spans_total\\{[^}]*backend=\"" + Pattern.quote(a + ":" + port)
          + "\"[^}]*component_id=\"otelcol.exporter.loadbalancing.writers\"[^}]*\\} ([0-9.eE+-]+)$").matcher(metrics);
      assertThat(sent.find()).as("per-back-end exporter metrics of " + a + " in:\n" + metrics).isTrue();
      assertThat(Double.parseDouble(sent.group(1))).isEqualTo(sinks.get(a.endsWith("2") ? 0 : 1).spans.size());
    }
  }

  /** The hosts file the child JVM resolves from; replaced in one rename so no lookup sees half of it. */
  private static void writeHosts(Path hosts, List<String> addresses) throws IOException {
    StringBuilder sb = new StringBuilder("127.0.0.1 localhost\n");
    for (String a : addresses) sb.append(a).append(' ').append(HOST).append('\n');
    Path tmp = hosts.resolveSibling("hosts.tmp");
    Files.writeString(tmp, sb);
    Files.move(tmp, hosts, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private interface Step {
    void run() throws Exception;
  }

  /**
   * Phase 1 (5 spans per trace) with three back ends; then the third dies, phase 2 (3 spans per
   * trace) is sent (its share of the dead one stays queued), the back end leaves the ring
   * ({@code removal}), and phase 3 (2 spans per trace) follows.
   *
   * @return how many traces changed owner (those of the removed back end)
   */
  private int runAndRemoveTheThirdBackEnd(Step removal) throws Exception {
    OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + receiverPort)
        .setTimeout(Duration.ofSeconds(30)).build();
    SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(exporter)
        .setMaxExportBatchSize(500).setMaxQueueSize(TRACES * SPANS_PER_TRACE + 1)
        .setScheduleDelay(Duration.ofMillis(50)).build()).build();
    try {
      Tracer tracer = provider.get("load-balancing-test");

      send(provider, tracer, 0, 5);
      awaitDelivered(TRACES * 5);
      Map<String, Integer> owner = ownersOf(allSpans());
      assertThat(owner).hasSize(TRACES);
      int[] tracesPer = new int[3];
      owner.values().forEach(o -> tracesPer[o]++);
      for (int i = 0; i < 3; i++) {
        assertThat(tracesPer[i]).as("traces on back end " + i + " of " + List.of(tracesPer[0], tracesPer[1], tracesPer[2]))
            .isBetween((int) (TRACES / 3.0 * 0.85), (int) Math.ceil(TRACES / 3.0 * 1.15));
        assertThat(sinks.get(i).spans.size()).as("spans on back end " + i).isEqualTo(tracesPer[i] * 5);
      }

      sinks.get(2).close(); // the third back end dies
      Set<String> onDeadOne = Set.copyOf(sinks.get(2).spans.keySet());
      send(provider, tracer, 5, 8);
      awaitDelivered(TRACES * 5 + (tracesPer[0] + tracesPer[1]) * 3);

      removal.run();
      send(provider, tracer, 8, 10);
      awaitDelivered(TRACES * SPANS_PER_TRACE);

      // Every trace: the survivors' traces stayed whole where they were; the dead one's traces
      // have phase 1 on it and everything after (re-routed or new) on a single new owner.
      Map<String, Set<Integer>> after = new HashMap<>();
      for (int i = 0; i < 2; i++) {
        for (Map.Entry<String, String> e : sinks.get(i).traceOfSpan.entrySet()) {
          after.computeIfAbsent(e.getValue(), k -> new HashSet<>()).add(i);
        }
      }
      int moved = 0;
      for (Map.Entry<String, Integer> e : owner.entrySet()) {
        Set<Integer> where = after.getOrDefault(e.getKey(), Set.of());
        if (e.getValue() < 2) {
          assertThat(where).as("trace " + e.getKey() + " keeps its owner").containsExactly(e.getValue());
        } else {
          moved++;
          assertThat(where).as("trace " + e.getKey() + " of the removed back end has one new owner").hasSize(1);
        }
      }
      assertThat(moved).isEqualTo(tracesPer[2]);
      System.out.printf("load balancing: traces per back end %s, moved %d of %d traces (%.1f%%)%n",
          List.of(tracesPer[0], tracesPer[1], tracesPer[2]), moved, TRACES, 100.0 * moved / TRACES);
      assertThat(onDeadOne).hasSize(tracesPer[2] * 5);
      long duplicates = sinks.stream().mapToLong(OtlpSink::duplicates).sum();
      String why = "per sink " + sinks.stream().map(OtlpSink::duplicates).toList() + "; collector warnings:\n"
          + collector.output().lines().filter(l -> l.contains("level=warn")).toList();
      if (collector.output().contains("DEADLINE_EXCEEDED")) {
        // At-least-once: a send that timed out (a loaded machine) may have arrived and is sent again.
        assertThat(duplicates).as("duplicates only from timed-out sends; " + why)
            .isLessThanOrEqualTo(TRACES * SPANS_PER_TRACE / 10);
      } else {
        assertThat(duplicates).as("nothing sent twice; " + why).isZero();
      }
      return moved;
    } finally {
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  /** Spans {@code from..to-1} of every trace, children of a fixed per-trace parent. */
  private static void send(SdkTracerProvider provider, Tracer tracer, int from, int to) {
    for (int t = 0; t < TRACES; t++) {
      String traceId = String.format("%016x%016x", 0x10adba1aL, 0x9e3779b97f4a7c15L * (t + 1));
      Context parent = Context.root().with(Span.wrap(SpanContext.create(traceId, String.format("%016x", t + 1L),
          TraceFlags.getSampled(), TraceState.getDefault())));
      for (int k = from; k < to; k++) {
        tracer.spanBuilder("op-" + k).setParent(parent).startSpan().end();
      }
    }
    CompletableResultCode flushed = provider.forceFlush().join(60, TimeUnit.SECONDS);
    assertThat(flushed.isSuccess()).as("the SDK exported every batch").isTrue();
  }

  /** Span id → trace id over all sinks (including one that died, with what it got before). */
  private Map<String, Map.Entry<String, Integer>> allSpans() {
    Map<String, Map.Entry<String, Integer>> out = new HashMap<>();
    for (int i = 0; i < sinks.size(); i++) {
      for (Map.Entry<String, String> e : sinks.get(i).traceOfSpan.entrySet()) out.put(e.getKey(), Map.entry(e.getValue(), i));
    }
    return out;
  }

  /** The sink of each trace; fails when a trace is on two. */
  private static Map<String, Integer> ownersOf(Map<String, Map.Entry<String, Integer>> spans) {
    Map<String, Integer> owner = new HashMap<>();
    for (Map.Entry<String, Integer> traceAndSink : spans.values()) {
      Integer before = owner.put(traceAndSink.getKey(), traceAndSink.getValue());
      assertThat(before == null || before.equals(traceAndSink.getValue()))
          .as("all spans of trace " + traceAndSink.getKey() + " on one back end").isTrue();
    }
    return owner;
  }

  private void awaitDelivered(int spans) throws InterruptedException {
    await(Duration.ofSeconds(90), () -> allSpans().size() >= spans,
        () -> "spans delivered: " + allSpans().size() + " of " + spans);
    assertThat(allSpans()).hasSize(spans);
  }

  private void awaitLog(String regex) throws InterruptedException {
    Pattern p = Pattern.compile(regex, Pattern.MULTILINE);
    await(Duration.ofSeconds(60), () -> p.matcher(collector.output()).find(), () -> "no log line matching " + regex);
  }

  private void await(Duration limit, BooleanSupplier condition, java.util.function.Supplier<String> what)
      throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        throw new AssertionError(what.get() + " within " + limit + "; collector output:\n" + collector.output());
      }
      Thread.sleep(100);
    }
  }

  private static double metric(String body, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*component_id=\"otelcol.exporter.loadbalancing"
        + ".writers\"[^}]*\\} ([0-9.eE+-]+)$").matcher(body);
    double sum = 0;
    while (m.find()) sum += Double.parseDouble(m.group(1));
    return sum;
  }
}
