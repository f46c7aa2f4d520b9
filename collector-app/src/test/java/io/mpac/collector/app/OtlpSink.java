package io.mpac.collector.app;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An independent OTLP/gRPC trace backend for process tests: opentelemetry-proto's generated
 * service stub, every request decoded by protobuf-java, every span counted by its span id (so
 * duplicates show) with its trace id. Listens on loopback only (127.0.0.1 unless told another 127.x).
 */
final class OtlpSink implements AutoCloseable {

  /** Times each span id arrived. */
  final Map<String, AtomicInteger> spans = new ConcurrentHashMap<>();
  /** The trace id (hex) of each span id received. */
  final Map<String, String> traceOfSpan = new ConcurrentHashMap<>();
  final AtomicLong received = new AtomicLong();
  final AtomicLong requests = new AtomicLong();
  private final Server server;

  OtlpSink(int port) throws IOException {
    this("127.0.0.1", port);
  }

  /** A sink on another loopback address ({@code 127.0.0.2}...), for tests of name resolution. */
  OtlpSink(String loopbackAddress, int port) throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress(loopbackAddress, port))
        .addService(new TraceServiceGrpc.TraceServiceImplBase() {
          @Override
          public void export(ExportTraceServiceRequest req, StreamObserver<ExportTraceServiceResponse> out) {
            requests.incrementAndGet();
            for (ResourceSpans rs : req.getResourceSpansList()) {
              for (ScopeSpans ss : rs.getScopeSpansList()) {
                for (Span s : ss.getSpansList()) {
                  received.incrementAndGet();
                  String spanId = HexFormat.of().formatHex(s.getSpanId().toByteArray());
                  traceOfSpan.put(spanId, HexFormat.of().formatHex(s.getTraceId().toByteArray()));
                  spans.computeIfAbsent(spanId, k -> new AtomicInteger()).incrementAndGet();
                }
              }
            }
            out.onNext(ExportTraceServiceResponse.getDefaultInstance());
            out.onCompleted();
          }
        })
        .build()
        .start();
  }

  int port() {
    return server.getPort();
  }

  /** Spans received more than once, counting every extra copy. */
  long duplicates() {
    return received.get() - spans.size();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
