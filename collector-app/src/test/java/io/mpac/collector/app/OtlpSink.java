package io.mpac.collector.app;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.logs.v1.LogsServiceGrpc;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.MetricsServiceGrpc;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An independent OTLP/gRPC backend for process tests: opentelemetry-proto's generated service
 * stubs, every request decoded by protobuf-java, every span counted by its span id (so duplicates
 * show) with its trace id, every log record by its body and every metric data point by its metric
 * name, attributes and time. Listens on loopback only (127.0.0.1 unless told another 127.x).
 */
final class OtlpSink implements AutoCloseable {

  /** Times each span id arrived. */
  final Map<String, AtomicInteger> spans = new ConcurrentHashMap<>();
  /** The trace id (hex) of each span id received. */
  final Map<String, String> traceOfSpan = new ConcurrentHashMap<>();
  final AtomicLong received = new AtomicLong();
  final AtomicLong requests = new AtomicLong();
  /** Times each log record (by body) arrived. */
  final Map<String, AtomicInteger> logRecords = new ConcurrentHashMap<>();
  final AtomicLong logRecordsReceived = new AtomicLong();
  /** Times each data point (metric name, attributes, time) arrived. */
  final Map<String, AtomicInteger> points = new ConcurrentHashMap<>();
  final AtomicLong pointsReceived = new AtomicLong();
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
        .addService(new LogsServiceGrpc.LogsServiceImplBase() {
          @Override
          public void export(ExportLogsServiceRequest req, StreamObserver<ExportLogsServiceResponse> out) {
            requests.incrementAndGet();
            for (ResourceLogs rl : req.getResourceLogsList()) {
              for (ScopeLogs sl : rl.getScopeLogsList()) {
                for (LogRecord r : sl.getLogRecordsList()) {
                  logRecordsReceived.incrementAndGet();
                  logRecords.computeIfAbsent(r.getBody().getStringValue(), k -> new AtomicInteger()).incrementAndGet();
                }
              }
            }
            out.onNext(ExportLogsServiceResponse.getDefaultInstance());
            out.onCompleted();
          }
        })
        .addService(new MetricsServiceGrpc.MetricsServiceImplBase() {
          @Override
          public void export(ExportMetricsServiceRequest req, StreamObserver<ExportMetricsServiceResponse> out) {
            requests.incrementAndGet();
            for (ResourceMetrics rm : req.getResourceMetricsList()) {
              for (ScopeMetrics sm : rm.getScopeMetricsList()) {
                for (Metric m : sm.getMetricsList()) {
                  List<NumberDataPoint> dps = m.hasSum() ? m.getSum().getDataPointsList()
                      : m.hasGauge() ? m.getGauge().getDataPointsList() : List.of();
                  for (NumberDataPoint p : dps) {
                    pointsReceived.incrementAndGet();
                    points.computeIfAbsent(m.getName() + p.getAttributesList() + "@" + p.getTimeUnixNano(),
                        k -> new AtomicInteger()).incrementAndGet();
                  }
                }
              }
            }
            out.onNext(ExportMetricsServiceResponse.getDefaultInstance());
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

  /** Log records received more than once, counting every extra copy. */
  long logDuplicates() {
    return logRecordsReceived.get() - logRecords.size();
  }

  /** Data points received more than once, counting every extra copy. */
  long pointDuplicates() {
    return pointsReceived.get() - points.size();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(5, TimeUnit.SECONDS);
  }
}
