package io.mpac.collector.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.logging.Logger;

/** A receiver on 127.0.0.1 ephemeral ports feeding a capturing consumer, plus raw clients. */
final class TestReceiver implements AutoCloseable {

  /** Records every request; throws {@link #failWith} instead when set. */
  static final class Capture implements OtlpConsumer {
    final LinkedBlockingQueue<OtlpRequest> received = new LinkedBlockingQueue<>();
    volatile ConsumeException failWith;
    volatile RuntimeException crashWith;

    @Override
    public Set<Signal> signals() {
      return EnumSet.allOf(Signal.class);
    }

    @Override
    public void consume(OtlpRequest request) throws ConsumeException {
      if (crashWith != null) throw crashWith;
      if (failWith != null) throw failWith;
      received.add(request);
    }

    OtlpRequest take() throws InterruptedException {
      OtlpRequest r = received.poll(10, TimeUnit.SECONDS);
      assertThat(r).as("a request reached the consumer").isNotNull();
      return r;
    }
  }

  final Capture capture = new Capture();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final OtlpReceiver receiver;
  private ManagedChannel channel;
  private HttpClient http;

  TestReceiver(UnaryOperator<ReceiverOtlpConfig.Grpc> grpc, UnaryOperator<ReceiverOtlpConfig.Http> httpConfig)
      throws Exception {
    this(grpc, httpConfig, 0);
  }

  /**
   * {@code maxInFlightBytes} 0 = the process-wide budget. One client may hold all of it (these
   * tests are about the budget; {@code ClientFairnessTest} is about the per-client share).
   */
  TestReceiver(UnaryOperator<ReceiverOtlpConfig.Grpc> grpc, UnaryOperator<ReceiverOtlpConfig.Http> httpConfig,
      long maxInFlightBytes) throws Exception {
    this(grpc, httpConfig, maxInFlightBytes, maxInFlightBytes);
  }

  /** {@code maxInFlightBytesPerClient} 0 = half of the budget. */
  TestReceiver(UnaryOperator<ReceiverOtlpConfig.Grpc> grpc, UnaryOperator<ReceiverOtlpConfig.Http> httpConfig,
      long maxInFlightBytes, long maxInFlightBytesPerClient) throws Exception {
    ReceiverOtlpConfig config = new ReceiverOtlpConfig(
        grpc == null ? null : grpc.apply(ReceiverOtlpConfig.Grpc.of("127.0.0.1", 0)),
        httpConfig == null ? null : httpConfig.apply(ReceiverOtlpConfig.Http.of("127.0.0.1", 0)),
        capture, capture, capture, maxInFlightBytes, maxInFlightBytesPerClient);
    receiver = new OtlpReceiver(context(registry), config);
    receiver.start();
  }

  TestReceiver() throws Exception {
    this(UnaryOperator.identity(), UnaryOperator.identity());
  }

  static ComponentContext context(SimpleMeterRegistry registry) {
    return new ComponentContext(new ComponentId("otelcol.receiver.otlp", "default"), Path.of("target"), registry,
        Logger.getLogger("test.receiver"));
  }

  int grpcPort() {
    return receiver.grpcAddress().getPort();
  }

  int httpPort() {
    return receiver.httpAddress().getPort();
  }

  String httpUrl(String path) {
    return "http://127.0.0.1:" + httpPort() + path;
  }

  static String path(Signal s) {
    return "/v1/" + s.lowerName();
  }

  // ---- raw gRPC ----

  static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    }
  };

  static MethodDescriptor<byte[], byte[]> method(Signal s) {
    String service = switch (s) {
      case TRACES -> "opentelemetry.proto.collector.trace.v1.TraceService";
      case METRICS -> "opentelemetry.proto.collector.metrics.v1.MetricsService";
      case LOGS -> "opentelemetry.proto.collector.logs.v1.LogsService";
    };
    return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(service + "/Export").setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
  }

  synchronized ManagedChannel channel() {
    if (channel == null) {
      channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort()).usePlaintext()
          .maxInboundMessageSize(64 << 20).build();
    }
    return channel;
  }

  /** Sends raw bytes as an Export call; throws StatusRuntimeException on a non-OK status. */
  byte[] grpcExport(Signal s, byte[] body, String compression) {
    CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
    if (compression != null) options = options.withCompression(compression);
    ClientCall<byte[], byte[]> call = channel().newCall(method(s), options);
    return ClientCalls.blockingUnaryCall(call, body);
  }

  // ---- raw HTTP ----

  synchronized HttpClient http() {
    if (http == null) {
      http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }
    return http;
  }

  HttpResponse<byte[]> post(String path, String contentType, String encoding, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(httpUrl(path))).timeout(Duration.ofSeconds(10))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) b.header("Content-Type", contentType);
    if (encoding != null) b.header("Content-Encoding", encoding);
    return http().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<byte[]> send(HttpRequest.Builder b) throws Exception {
    return http().send(b.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Override
  public void close() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    receiver.shutdown(Duration.ofSeconds(5));
  }
}
