package io.mpac.collector.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.PipelineBuilder;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Arguments read from Alloy text by the real pipeline builder, then run: CORS (allowed and exposed
 * headers), a custom URL path, the gRPC keepalive blocks, the only transport.
 */
class ReceiverArgumentsTest {

  private static ReceiverOtlpConfig config(String body) throws ConfigException {
    var p = new PipelineBuilder(new PipelineBuilder.Settings(ComponentRegistry.fromClassPath(), Map.of(),
        Path.of("target", "arguments-test"), new SimpleMeterRegistry()))
        .build(List.of(Parser.parse("args.alloy", "otelcol.receiver.otlp \"in\" {\n" + body + "\n  output {}\n}\n")),
            null);
    return ((OtlpReceiver) p.node(new ComponentId("otelcol.receiver.otlp", "in")).component()).config();
  }

  private static List<String> errors(String body) {
    try {
      config(body);
    } catch (ConfigException e) {
      return e.diagnostics().stream().map(Object::toString).toList();
    }
    throw new AssertionError("accepted");
  }

  @Test
  void corsAllowedAndExposedHeadersReachTheBrowser() throws Exception {
    ReceiverOtlpConfig c = config("""
          http {
            endpoint = "127.0.0.1:0"
            cors {
              allowed_origins = ["https://app.example"]
              allowed_headers = ["X-Tenant"]
              exposed_headers = ["X-Request-Id", "Retry-After"]
              max_age         = 60
            }
          }""");
    try (TestReceiver rx = new TestReceiver(null, h -> c.http())) {
      HttpResponse<byte[]> pre = rx.send(HttpRequest.newBuilder(URI.create(rx.httpUrl("/v1/traces")))
          .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://app.example")
          .header("Access-Control-Request-Method", "POST")
          .header("Access-Control-Request-Headers", "content-type, x-tenant, x-unlisted"));
      assertThat(pre.headers().firstValue("access-control-allow-headers")).hasValue("content-type, x-tenant");
      assertThat(pre.headers().firstValue("access-control-max-age")).hasValue("60");

      HttpResponse<byte[]> post = rx.send(HttpRequest.newBuilder(URI.create(rx.httpUrl("/v1/traces")))
          .header("Content-Type", "application/x-protobuf").header("Origin", "https://app.example")
          .POST(HttpRequest.BodyPublishers.ofByteArray(Requests.valid(Signal.TRACES, new Random(1), 1))));
      assertThat(post.statusCode()).isEqualTo(200);
      assertThat(post.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example");
      assertThat(post.headers().firstValue("access-control-expose-headers")).hasValue("X-Request-Id, Retry-After");

      HttpResponse<byte[]> stranger = rx.send(HttpRequest.newBuilder(URI.create(rx.httpUrl("/v1/traces")))
          .header("Content-Type", "application/x-protobuf").header("Origin", "https://other.example")
          .POST(HttpRequest.BodyPublishers.ofByteArray(Requests.valid(Signal.TRACES, new Random(2), 1))));
      assertThat(stranger.headers().firstValue("access-control-expose-headers")).isEmpty();
    }
  }

  @Test
  void urlPathsMoveEachSignal() throws Exception {
    ReceiverOtlpConfig c = config("""
          http {
            endpoint         = "127.0.0.1:0"
            traces_url_path  = "/t"
            metrics_url_path = "/custom/metrics"
            logs_url_path    = "/l"
          }""");
    try (TestReceiver rx = new TestReceiver(null, h -> c.http())) {
      byte[] body = Requests.valid(Signal.METRICS, new Random(3), 2);
      assertThat(rx.post("/custom/metrics", "application/x-protobuf", null, body).statusCode()).isEqualTo(200);
      assertThat(rx.capture.take().signal()).isEqualTo(Signal.METRICS);
      assertThat(rx.post("/v1/metrics", "application/x-protobuf", null, body).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void maxConnectionIdleClosesAnIdleGrpcConnection() throws Exception {
    ReceiverOtlpConfig c = config("""
          grpc {
            endpoint  = "127.0.0.1:0"
            transport = "tcp"
            keepalive {
              server_parameters {
                max_connection_idle = "300ms"
                time                = "1h"
                timeout             = "20s"
              }
              enforcement_policy {
                min_time              = "10s"
                permit_without_stream = true
              }
            }
          }""");
    ReceiverOtlpConfig.Keepalive k = c.grpc().keepalive();
    assertThat(k.maxConnectionIdle()).isEqualTo(Duration.ofMillis(300));
    assertThat(k.time()).isEqualTo(Duration.ofHours(1));
    assertThat(k.timeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(k.minTime()).isEqualTo(Duration.ofSeconds(10));
    assertThat(k.permitWithoutStream()).isTrue();
    try (TestReceiver rx = new TestReceiver(g -> c.grpc(), null)) {
      rx.grpcExport(Signal.TRACES, Requests.valid(Signal.TRACES, new Random(4), 1), null);
      ManagedChannel ch = rx.channel();
      assertThat(ch.getState(false)).isEqualTo(ConnectivityState.READY);
      // the server's GOAWAY after 300 ms without calls sends the channel back to IDLE
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (ch.getState(false) == ConnectivityState.READY && System.nanoTime() < end) Thread.sleep(20);
      assertThat(ch.getState(false)).isEqualTo(ConnectivityState.IDLE);
    }
  }

  @Test
  void transportIsTcpOnly() {
    assertThat(errors("  grpc {\n    transport = \"unix\"\n  }"))
        .anySatisfy(e -> assertThat(e).startsWith("args.alloy:3:").contains("transport"));
  }
}
