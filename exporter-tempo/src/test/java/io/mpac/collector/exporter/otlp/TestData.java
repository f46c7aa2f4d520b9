package io.mpac.collector.exporter.otlp;

import com.google.protobuf.ByteString;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Builds encoded OTLP requests whose items carry unique, checkable ids. */
final class TestData {

  private TestData() {}

  /** 16-byte trace id for request {@code req}. */
  static byte[] traceId(int req) {
    return ByteBuffer.allocate(16).putLong(0x0102030405060708L).putLong(req + 1L).array();
  }

  /** 8-byte span id, unique per (request, index). */
  static byte[] spanId(int req, int index) {
    return ByteBuffer.allocate(8).putInt(req + 1).putInt(index + 1).array();
  }

  static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  static ExportTraceServiceRequest traces(int req, int spans) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < spans; i++) {
      scope.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(traceId(req)))
          .setSpanId(ByteString.copyFrom(spanId(req, i))).setName("op-" + i).setKind(Span.SpanKind.SPAN_KIND_SERVER)
          .setStartTimeUnixNano(1_700_000_000_000_000_000L).setEndTimeUnixNano(1_700_000_000_500_000_000L));
    }
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue("checkout"))))
        .addScopeSpans(scope)).build();
  }

  static OtlpRequest tracesRequest(int req, int spans) {
    return new OtlpRequest(Signal.TRACES, traces(req, spans).toByteArray(), spans);
  }

  static OtlpRequest metricsRequest(int points) {
    Gauge.Builder g = Gauge.newBuilder();
    for (int i = 0; i < points; i++) g.addDataPoints(NumberDataPoint.newBuilder().setAsDouble(i).setTimeUnixNano(i + 1));
    ExportMetricsServiceRequest r = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(
        ResourceMetrics.newBuilder().addScopeMetrics(ScopeMetrics.newBuilder()
            .addMetrics(Metric.newBuilder().setName("queue_depth").setGauge(g)))).build();
    return new OtlpRequest(Signal.METRICS, r.toByteArray(), points);
  }

  static OtlpRequest logsRequest(int records) {
    ScopeLogs.Builder s = ScopeLogs.newBuilder();
    for (int i = 0; i < records; i++) {
      s.addLogRecords(LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue("line " + i))
          .setTraceId(ByteString.copyFrom(traceId(i))).setSpanId(ByteString.copyFrom(spanId(i, 0))));
    }
    ExportLogsServiceRequest r = ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(s)).build();
    return new OtlpRequest(Signal.LOGS, r.toByteArray(), records);
  }
}
