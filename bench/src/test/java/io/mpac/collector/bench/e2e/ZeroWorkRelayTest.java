package io.mpac.collector.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.mpac.collector.loadgen.Generator;
import io.mpac.collector.loadgen.NullSink;
import io.mpac.collector.loadgen.Payloads;
import io.mpac.collector.loadgen.RawOtlpGrpc;
import io.mpac.collector.pdata.Signal;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every relay variant delivers what it accepts, byte for byte, and answers with the upstream's status. */
class ZeroWorkRelayTest {

  @ParameterizedTest
  @EnumSource(ZeroWorkRelay.Variant.class)
  void forwardsRequestsUnchangedAndRelaysTheUpstreamsAnswer(ZeroWorkRelay.Variant variant) throws Exception {
    try (NullSink sink = new NullSink(new InetSocketAddress("127.0.0.1", 0));
        ZeroWorkRelay relay = new ZeroWorkRelay(new InetSocketAddress("127.0.0.1", 0), "127.0.0.1:" + sink.port(),
            variant)) {
      String endpoint = "127.0.0.1:" + relay.port();
      for (Signal s : Signal.values()) {
        Generator.Result r = new Generator(new Generator.Options(endpoint, Generator.Protocol.GRPC, s, 200,
            Duration.ofMillis(500), 10, 2, 2, 16)).run();
        assertThat(r.okItems()).as(s.lowerName()).isPositive().isEqualTo(r.items());
      }
      // The sink counts items by walking the bytes it got; a changed byte would show as malformed or a wrong count.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (sink.requests() == 0 && System.nanoTime() < deadline) Thread.sleep(10);
      assertThat(sink.malformed()).isZero();

      byte[] request = Payloads.protobuf(new Payloads.Shape(Signal.TRACES, 3, 1, 0), 1, 1)[0];
      ManagedChannel ch = NettyChannelBuilder.forTarget(endpoint).usePlaintext().build();
      try {
        sink.reset();
        ClientCalls.blockingUnaryCall(ch, RawOtlpGrpc.export(Signal.TRACES), CallOptions.DEFAULT, request);
        assertThat(sink.items()).isEqualTo(3);
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff};
        assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(ch, RawOtlpGrpc.export(Signal.TRACES),
            CallOptions.DEFAULT, garbage))
            .isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThat(sink.malformed()).isEqualTo(1);
      } finally {
        ch.shutdownNow();
      }
    }
  }
}
