package io.mpac.collector.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Node;
import io.mpac.collector.pipeline.Pipeline;
import io.mpac.collector.pipeline.PipelineBuilder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import com.google.protobuf.ByteString;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client-side auth: {@code auth = otelcol.auth.X.handler} in the OTLP exporters' {@code client}
 * block, against a receiver that requires the same credential (server side), in one pipeline:
 * receiver "in" → exporter (auth) → receiver "sink" (auth). The right credential is accepted by
 * the sink; a wrong one is refused there and nothing arrives.
 */
class ExporterAuthTest {

  @TempDir Path dir;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private Pipeline pipeline;

  @AfterEach
  void stop() {
    if (pipeline == null) return;
    List<Node> nodes = new ArrayList<>(pipeline.nodes());
    Collections.reverse(nodes);
    for (Node n : nodes) n.component().shutdown(Duration.ofSeconds(2));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private Pipeline build(String config) throws ConfigException {
    return new PipelineBuilder(new PipelineBuilder.Settings(ComponentRegistry.fromClassPath(), Map.of(), dir, registry))
        .build(List.of(Parser.parse("auth.alloy", config)), null);
  }

  private double accepted(String receiverLabel) {
    return registry.find("otelcol.receiver.accepted.spans").tag("component_id", "otelcol.receiver.otlp." + receiverLabel)
        .counters().stream().mapToDouble(Counter::count).sum(); // both transports
  }

  private double unauthenticated() {
    return registry.find("otelcol.receiver.unauthenticated").tag("component_id", "otelcol.receiver.otlp.sink")
        .counters().stream().mapToDouble(Counter::count).sum();
  }

  private static byte[] traces(int n) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < n; i++) {
      scope.addSpans(Span.newBuilder().setName("s" + i)
          .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, (byte) i}))
          .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) (i + 1)})));
    }
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
        .build().toByteArray();
  }

  private void run(String exporter, String sinkToken, String exporterToken) throws Exception {
    int in = freePort();
    int sink = freePort();
    String client = exporter.equals("otlphttp")
        ? "endpoint = \"http://127.0.0.1:" + sink + "\"\n    auth = otelcol.auth.bearer.send.handler"
        : "endpoint = \"127.0.0.1:" + sink + "\"\n    auth = otelcol.auth.bearer.send.handler\n"
            + "    tls {\n      insecure = true\n    }";
    String sinkServer = exporter.equals("otlphttp") ? "http" : "grpc";
    pipeline = build("""
        otelcol.auth.bearer "send" {
          token = "%s"
        }
        otelcol.auth.bearer "check" {
          token = "%s"
        }
        otelcol.receiver.otlp "sink" {
          %s {
            endpoint = "127.0.0.1:%d"
            auth     = otelcol.auth.bearer.check.handler
          }
          output {}
        }
        otelcol.exporter.%s "out" {
          client {
            %s
          }
          retry_on_failure {
            enabled = false
          }
        }
        otelcol.receiver.otlp "in" {
          http {
            endpoint = "127.0.0.1:%d"
          }
          output {
            traces = [otelcol.exporter.%s.out.input]
          }
        }
        """.formatted(exporterToken, sinkToken, sinkServer, sink, exporter, client, in, exporter));
    for (Node n : pipeline.nodes()) n.component().start();
    HttpResponse<String> resp = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + in + "/v1/traces")).header("Content-Type", "application/x-protobuf")
        .POST(HttpRequest.BodyPublishers.ofByteArray(traces(3))).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(resp.statusCode()).isEqualTo(200);
  }

  private void awaitTrue(java.util.function.BooleanSupplier c, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!c.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what + "; meters: " + registry.getMetersAsString().lines()
          .filter(l -> l.contains("receiver.accepted") || l.contains("unauthenticated") || l.contains("exporter"))
          .toList()).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void otlpHttpExporterSendsTheBearerToken() throws Exception {
    run("otlphttp", "right-token", "right-token");
    awaitTrue(() -> accepted("sink") == 3, "the sink to accept the 3 spans");
    assertThat(unauthenticated()).isZero();
  }

  @Test
  void otlpHttpExporterWithTheWrongTokenIsRefused() throws Exception {
    run("otlphttp", "right-token", "wrong-token");
    awaitTrue(() -> unauthenticated() >= 1, "the sink to refuse the export");
    assertThat(accepted("sink")).isZero();
  }

  @Test
  void otlpGrpcExporterSendsTheBearerToken() throws Exception {
    run("otlp", "right-token", "right-token");
    awaitTrue(() -> accepted("sink") == 3, "the sink to accept the 3 spans");
    assertThat(unauthenticated()).isZero();
  }

  @Test
  void otlpGrpcExporterWithTheWrongTokenIsRefused() throws Exception {
    run("otlp", "right-token", "wrong-token");
    awaitTrue(() -> unauthenticated() >= 1, "the sink to refuse the export");
    assertThat(accepted("sink")).isZero();
  }

  @Test
  void aServerOnlyHandlerIsRefusedOnAnExporter() {
    assertThatThrownBy(() -> build("""
        otelcol.auth.basic "users" {
          htpasswd {
            inline = "a:b"
          }
        }
        otelcol.exporter.otlphttp "out" {
          client {
            endpoint = "http://127.0.0.1:1"
            auth     = otelcol.auth.basic.users.handler
          }
        }
        """)).isInstanceOf(ConfigException.class).hasMessageContaining("auth.alloy:9:")
        .hasMessageContaining("does not authenticate outgoing requests");
  }
}
