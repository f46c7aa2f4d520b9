package io.mpac.collector.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.RetryInfo;
import io.grpc.CallOptions;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OTLP/gRPC status codes and details with a raw byte-array client. max_recv_msg_size 1 MiB. */
class GrpcReceiverTest {

  static final int LIMIT = 1 << 20;
  static TestReceiver rx;

  @BeforeAll
  static void start() throws Exception {
    rx = new TestReceiver(g -> g.withMaxRecvMsgSize(LIMIT).withIncludeMetadata(true)
        .withKeepalive(new ReceiverOtlpConfig.Keepalive(Duration.ofMinutes(5), Duration.ofMinutes(10),
            Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofSeconds(20), Duration.ofSeconds(10), true)),
        null);
  }

  @AfterAll
  static void stop() throws Exception {
    rx.close();
  }

  @BeforeEach
  void reset() {
    rx.capture.received.clear();
    rx.capture.failWith = null;
    rx.capture.crashWith = null;
  }

  static StatusRuntimeException fail(Signal s, byte[] body, String compression) {
    return catchThrowableOfType(StatusRuntimeException.class, () -> rx.grpcExport(s, body, compression));
  }

  @Test
  void validRequestOfEachSignalIsAcceptedAsIs() throws Exception {
    for (Signal s : Signal.values()) {
      byte[] body = Requests.valid(s, new Random(s.ordinal()), 7);
      byte[] resp = rx.grpcExport(s, body, null);
      assertThat(resp).isEmpty();
      OtlpRequest got = rx.capture.take();
      assertThat(got.signal()).isEqualTo(s);
      assertThat(got.bytes()).isEqualTo(body);
      assertThat(got.itemCount()).isEqualTo(7);
    }
  }

  @Test
  void gzipRequestAndMetadataArePassedOn() throws Exception {
    byte[] body = Requests.valid(Signal.TRACES, new Random(1), 3);
    Metadata md = new Metadata();
    md.put(Metadata.Key.of("x-scope-orgid", Metadata.ASCII_STRING_MARSHALLER), "tenant-b");
    MethodDescriptor<byte[], byte[]> m = TestReceiver.method(Signal.TRACES);
    var channel = io.grpc.ClientInterceptors.intercept(rx.channel(), MetadataUtils.newAttachHeadersInterceptor(md));
    ClientCalls.blockingUnaryCall(channel.newCall(m, CallOptions.DEFAULT.withCompression("gzip")
        .withDeadlineAfter(10, TimeUnit.SECONDS)), body);
    OtlpRequest got = rx.capture.take();
    assertThat(got.bytes()).isEqualTo(body);
    assertThat(got.metadata().get("x-scope-orgid")).containsExactly("tenant-b");
  }

  @Test
  void emptyRequestIsOk() {
    assertThat(rx.grpcExport(Signal.LOGS, new byte[0], null)).isEmpty();
  }

  @Test
  void malformedIsInvalidArgument() {
    StatusRuntimeException e = fail(Signal.METRICS, new byte[] {0x0a, 0x05, 0x01}, null);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).startsWith("invalid metrics request: resource_metrics[0]: truncated");
    assertThat(rx.capture.received).isEmpty();
  }

  @Test
  void badIdLengthIsInvalidArgument() {
    StatusRuntimeException e = fail(Signal.TRACES, Requests.badTraceId(17), null);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).endsWith("spans[0].trace_id: expected 16 bytes, got 17");
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    assertThat(details.getCode()).isEqualTo(3);
  }

  @Test
  void truncatedIsInvalidArgument() {
    byte[] body = Requests.valid(Signal.LOGS, new Random(2), 3);
    StatusRuntimeException e = fail(Signal.LOGS, java.util.Arrays.copyOf(body, body.length - 1), null);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void oversizeIsResourceExhaustedWithoutRetryInfo() {
    StatusRuntimeException e = fail(Signal.TRACES, new byte[LIMIT + 10], null);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    assertThat(details == null ? 0 : details.getDetailsCount()).as("no RetryInfo: not retryable").isZero();
  }

  @Test
  void gzipBombIsResourceExhausted() {
    // The client compresses 16 MiB of zeros to a few KiB; the server's limit applies after inflation.
    StatusRuntimeException e = fail(Signal.TRACES, new byte[16 << 20], "gzip");
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void refusedIsResourceExhaustedWithRetryInfo() throws Exception {
    rx.capture.failWith = new ConsumeException.Refused("queue is full", Duration.ofMillis(2500));
    StatusRuntimeException e = fail(Signal.TRACES, Requests.valid(Signal.TRACES, new Random(3), 2), null);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getStatus().getDescription()).isEqualTo("queue is full");
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    RetryInfo retry = details.getDetails(0).unpack(RetryInfo.class);
    assertThat(retry.getRetryDelay().getSeconds()).isEqualTo(2);
    assertThat(retry.getRetryDelay().getNanos()).isEqualTo(500_000_000);
    assertThat(rx.registry.find("otelcol.receiver.refused.spans").tag("transport", "grpc").counter().count())
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void rejectedIsInvalidArgument() {
    rx.capture.failWith = new ConsumeException.Rejected("tenant unknown");
    StatusRuntimeException e = fail(Signal.LOGS, Requests.valid(Signal.LOGS, new Random(4), 1), null);
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription()).isEqualTo("tenant unknown");
  }

  @Test
  void unknownMethodIsUnimplemented() {
    MethodDescriptor<byte[], byte[]> m = TestReceiver.method(Signal.TRACES).toBuilder()
        .setFullMethodName("opentelemetry.proto.collector.profiles.v1development.ProfilesService/Export").build();
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
        rx.channel().newCall(m, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)), new byte[0]));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
  }
}
