package io.mpac.collector.loadgen;

import io.grpc.MethodDescriptor;
import io.mpac.collector.pdata.Signal;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The three OTLP {@code Export} gRPC methods with requests and responses kept as bytes, so the load
 * tools never build protobuf objects on their hot paths.
 */
public final class RawOtlpGrpc {

  private RawOtlpGrpc() {}

  /** Passes bytes through unchanged. */
  public static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private static final MethodDescriptor<byte[], byte[]> TRACES = method("opentelemetry.proto.collector.trace.v1.TraceService");
  private static final MethodDescriptor<byte[], byte[]> METRICS = method("opentelemetry.proto.collector.metrics.v1.MetricsService");
  private static final MethodDescriptor<byte[], byte[]> LOGS = method("opentelemetry.proto.collector.logs.v1.LogsService");

  /** The {@code Export} method of the signal's OTLP service. */
  public static MethodDescriptor<byte[], byte[]> export(Signal signal) {
    return switch (signal) {
      case TRACES -> TRACES;
      case METRICS -> METRICS;
      case LOGS -> LOGS;
    };
  }

  /** The HTTP path OTLP/HTTP uses for the signal. */
  public static String httpPath(Signal signal) {
    return "/v1/" + signal.lowerName();
  }

  private static MethodDescriptor<byte[], byte[]> method(String service) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, "Export"))
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
  }
}
