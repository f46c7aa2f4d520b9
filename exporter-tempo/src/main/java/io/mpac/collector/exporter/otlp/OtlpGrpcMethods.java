package io.mpac.collector.exporter.otlp;

import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.mpac.collector.pdata.Signal;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The three OTLP {@code Export} methods with a pass-through marshaller: the request is the already
 * encoded {@code Export*ServiceRequest} and goes on the wire as it is (no decode, no re-encode);
 * the response comes back as bytes and is parsed only for {@code partial_success}.
 */
final class OtlpGrpcMethods {

  static final String TRACES = "opentelemetry.proto.collector.trace.v1.TraceService/Export";
  static final String METRICS = "opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
  static final String LOGS = "opentelemetry.proto.collector.logs.v1.LogsService/Export";

  private static final MethodDescriptor<byte[], byte[]>[] BY_SIGNAL = build();

  private OtlpGrpcMethods() {}

  static MethodDescriptor<byte[], byte[]> forSignal(Signal signal) {
    return BY_SIGNAL[signal.ordinal()];
  }

  @SuppressWarnings("unchecked")
  private static MethodDescriptor<byte[], byte[]>[] build() {
    MethodDescriptor<byte[], byte[]>[] out = new MethodDescriptor[Signal.values().length];
    for (Signal s : Signal.values()) {
      String name = switch (s) {
        case TRACES -> TRACES;
        case METRICS -> METRICS;
        case LOGS -> LOGS;
      };
      out[s.ordinal()] = MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(name)
          .setRequestMarshaller(BytesMarshaller.INSTANCE)
          .setResponseMarshaller(BytesMarshaller.INSTANCE)
          .build();
    }
    return out;
  }

  /** byte[] as the message: written straight into gRPC's framer, read fully on the way back. */
  static final class BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    static final BytesMarshaller INSTANCE = new BytesMarshaller();

    @Override
    public InputStream stream(byte[] value) {
      return new BytesStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new IllegalStateException("reading gRPC response", e);
      }
    }
  }

  /**
   * A stream over the encoded request that gRPC can size ({@link KnownLength}) and copy in one
   * write ({@link Drainable}) instead of reading it through a buffer.
   */
  static final class BytesStream extends ByteArrayInputStream implements KnownLength, Drainable {
    BytesStream(byte[] bytes) {
      super(bytes);
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int n = count - pos;
      target.write(buf, pos, n);
      pos = count;
      return n;
    }
  }
}
