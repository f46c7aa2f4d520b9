package io.mpac.collector.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Node;
import io.mpac.collector.pipeline.Pipeline;
import io.mpac.collector.pipeline.PipelineBuilder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full persistent queue (its disk bound reached, the backend down) pushes back through
 * {@code otelcol.receiver.otlp}: HTTP 429 and gRPC RESOURCE_EXHAUSTED, counted, never a 500.
 */
class PersistentQueueBackPressureTest {

  private static final ComponentId EXPORTER = new ComponentId("otelcol.exporter.otlp", "tempo");
  private static final ComponentId RECEIVER = new ComponentId("otelcol.receiver.otlp", "in");

  @TempDir Path tmp;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private Pipeline pipeline;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    if (pipeline == null) return;
    List<Node> reversed = new ArrayList<>(pipeline.nodes());
    Collections.reverse(reversed);
    for (Node n : reversed) n.component().shutdown(Duration.ofSeconds(1));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static ExportTraceServiceRequest request(int n, int spans) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < spans; i++) {
      scope.addSpans(Span.newBuilder()
          .setTraceId(ByteString.copyFrom(ByteBuffer.allocate(16).putLong(1).putLong(n).array()))
          .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putInt(n).putInt(i).array()))
          .setName("operation-with-a-reasonably-long-name-" + i));
    }
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
        .build();
  }

  /** Summed over the other tags (the receiver counts per transport). */
  private double counter(String name, ComponentId id) {
    return registry.find(name).tag("component_id", id.toString()).counters().stream().mapToDouble(Counter::count)
        .sum();
  }

  @Test
  void aFullPersistentQueueAnswers429AndResourceExhausted() throws Exception {
    int grpcPort = freePort();
    int httpPort = freePort();
    int downBackend = freePort();
    String config = """
        otelcol.receiver.otlp "in" {
          grpc {
            endpoint = "127.0.0.1:%d"
          }
          http {
            endpoint = "127.0.0.1:%d"
          }
          output {
            traces = [otelcol.exporter.otlp.tempo.input]
          }
        }

        otelcol.storage.file "queue" {}

        otelcol.exporter.otlp "tempo" {
          client {
            endpoint = "127.0.0.1:%d"
            tls {
              insecure = true
            }
          }
          sending_queue {
            storage    = otelcol.storage.file.queue.handler
            sizer      = "bytes"
            queue_size = 16384
          }
        }
        """.formatted(grpcPort, httpPort, downBackend);
    pipeline = new PipelineBuilder(new PipelineBuilder.Settings(ComponentRegistry.fromClassPath(), Map.of(),
        tmp.resolve("data"), registry)).build(List.of(Parser.parse("test.alloy", config)), null);
    for (Node n : pipeline.nodes()) n.component().start();

    HttpClient http = HttpClient.newHttpClient();
    byte[] body = request(0, 20).toByteArray();
    assertThat(body.length).isBetween(1_000, 4_000);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 40 && !statuses.contains(429); i++) {
      HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort
          + "/v1/traces")).header("Content-Type", "application/x-protobuf")
          .POST(HttpRequest.BodyPublishers.ofByteArray(request(i, 20).toByteArray())).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      statuses.add(r.statusCode());
    }
    assertThat(statuses).contains(200).endsWith(429).allMatch(s -> s == 200 || s == 429);
    int accepted = (int) statuses.stream().filter(s -> s == 200).count();
    assertThat(accepted).as("the 16 KiB disk bound holds a few requests").isBetween(2, 15);

    channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
    StatusRuntimeException refused = null;
    try {
      TraceServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).export(request(100, 20));
    } catch (StatusRuntimeException e) {
      refused = e;
    }
    assertThat(refused).as("gRPC is refused too").isNotNull();
    assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

    assertThat(counter("otelcol.exporter.enqueue.failed.spans", EXPORTER)).isEqualTo(40);
    assertThat(counter("otelcol.receiver.refused.spans", RECEIVER)).isEqualTo(40);
    assertThat(counter("otelcol.receiver.accepted.spans", RECEIVER)).isEqualTo(accepted * 20);
  }
}
