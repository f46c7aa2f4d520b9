package io.mpac.collector.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.consumer.NoopConsumer;
import io.mpac.collector.pdata.Signal;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  static OtlpReceiver receiver(ReceiverOtlpConfig.Grpc grpc, ReceiverOtlpConfig.Http http, SimpleMeterRegistry r) {
    return new OtlpReceiver(TestReceiver.context(r), new ReceiverOtlpConfig(grpc, http, NoopConsumer.INSTANCE,
        NoopConsumer.INSTANCE, NoopConsumer.INSTANCE));
  }

  @Test
  void grpcPortInUseFailsStartWithAClearMessage() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      OtlpReceiver rx = receiver(ReceiverOtlpConfig.Grpc.of("127.0.0.1", port), null, new SimpleMeterRegistry());
      assertThatThrownBy(rx::start).isInstanceOf(IOException.class).hasMessage(
          "otelcol.receiver.otlp.default: cannot listen on 127.0.0.1:" + port + " (gRPC): address already in use");
      assertThat(rx.health().isHealthy()).isFalse();
      rx.shutdown(Duration.ofSeconds(1));
    }
  }

  @Test
  void httpPortInUseFailsStartAndStopsTheGrpcServerAgain() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      OtlpReceiver rx = receiver(ReceiverOtlpConfig.Grpc.of("127.0.0.1", 0), ReceiverOtlpConfig.Http.of("127.0.0.1", port),
          new SimpleMeterRegistry());
      assertThatThrownBy(rx::start).isInstanceOf(IOException.class).hasMessage(
          "otelcol.receiver.otlp.default: cannot listen on 127.0.0.1:" + port + " (HTTP): address already in use");
      assertThat(rx.health().isHealthy()).isFalse();
      assertThat(rx.grpcAddress()).isNull();
    }
  }

  @Test
  void missingBlockMeansNoServerAndShutdownIsIdempotent() throws Exception {
    OtlpReceiver rx = receiver(null, ReceiverOtlpConfig.Http.of("127.0.0.1", 0), new SimpleMeterRegistry());
    rx.shutdown(Duration.ofSeconds(1)); // before start: fine
    rx.start();
    assertThat(rx.grpcAddress()).isNull();
    int port = rx.httpAddress().getPort();
    assertThat(rx.health().isHealthy()).isTrue();
    rx.shutdown(Duration.ofSeconds(2));
    rx.shutdown(Duration.ofSeconds(2));
    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class);
  }

  @Test
  void signalWithoutConsumerIsAcceptedDroppedAndCounted() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    OtlpReceiver rx = receiver(null, ReceiverOtlpConfig.Http.of("127.0.0.1", 0), registry);
    rx.start();
    try {
      var client = java.net.http.HttpClient.newHttpClient();
      var resp = client.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + rx.httpAddress().getPort() + "/v1/logs"))
          .header("Content-Type", "application/x-protobuf")
          .POST(java.net.http.HttpRequest.BodyPublishers.ofByteArray(Requests.valid(Signal.LOGS, new Random(1), 5)))
          .build(), java.net.http.HttpResponse.BodyHandlers.discarding());
      assertThat(resp.statusCode()).isEqualTo(200);
      assertThat(registry.find("otelcol.receiver.dropped.log_records").tag("transport", "http").counter().count()).isEqualTo(5);
      assertThat(registry.find("otelcol.receiver.accepted.log_records").tag("transport", "http").counter().count()).isEqualTo(5);
      assertThat(registry.find("otelcol.receiver.request.duration").tag("transport", "http").tag("signal", "logs").tag("outcome", "accepted")
          .timer().count()).isEqualTo(1);
      assertThat(registry.find("otelcol.receiver.request.size").tag("transport", "http").tag("signal", "logs").summary().totalAmount())
          .isPositive();
    } finally {
      rx.shutdown(Duration.ofSeconds(2));
    }
  }
}
