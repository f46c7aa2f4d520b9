package io.mpac.collector.receiver.otlp;

import com.google.protobuf.ByteString;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Builds valid (and deliberately broken) export requests with protobuf-java. */
final class Requests {

  private Requests() {}

  static Resource resource() {
    return Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
        .setValue(AnyValue.newBuilder().setStringValue("svc"))).build();
  }

  static Span span(Random r, int traceIdLength) {
    byte[] trace = new byte[traceIdLength];
    byte[] id = new byte[8];
    r.nextBytes(trace);
    r.nextBytes(id);
    return Span.newBuilder().setTraceId(ByteString.copyFrom(trace)).setSpanId(ByteString.copyFrom(id))
        .setName("op-" + r.nextInt(100)).setKind(Span.SpanKind.SPAN_KIND_SERVER).setStartTimeUnixNano(1)
        .setEndTimeUnixNano(2).addAttributes(KeyValue.newBuilder().setKey("http.route")
            .setValue(AnyValue.newBuilder().setStringValue("/api/v1/orders/{id}"))).build();
  }

  static ExportTraceServiceRequest traces(Random r, int spans) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    for (int i = 0; i < spans; i++) ss.addSpans(span(r, 16));
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(resource()).addScopeSpans(ss)).build();
  }

  static ExportMetricsServiceRequest metrics(Random r, int points) {
    Gauge.Builder g = Gauge.newBuilder();
    for (int i = 0; i < points; i++) g.addDataPoints(NumberDataPoint.newBuilder().setAsDouble(r.nextDouble()).setTimeUnixNano(5));
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder().setResource(resource())
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("g").setGauge(g)))).build();
  }

  static ExportLogsServiceRequest logs(Random r, int records) {
    ScopeLogs.Builder sl = ScopeLogs.newBuilder();
    for (int i = 0; i < records; i++) {
      sl.addLogRecords(LogRecord.newBuilder().setBody(AnyValue.newBuilder().setStringValue("line " + r.nextInt())));
    }
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().setResource(resource())
        .addScopeLogs(sl)).build();
  }

  static byte[] valid(Signal s, Random r, int items) {
    return switch (s) {
      case TRACES -> traces(r, items).toByteArray();
      case METRICS -> metrics(r, items).toByteArray();
      case LOGS -> logs(r, items).toByteArray();
    };
  }

  /** A trace request whose only span has a trace id of {@code length} bytes. */
  static byte[] badTraceId(int length) {
    Random r = new Random(1);
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span(r, length)))).build().toByteArray();
  }

  static byte[] gzip(byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(b);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out.toByteArray();
  }

  /** {@code size} zero bytes, gzipped: a few KiB that inflate to {@code size}. */
  static byte[] gzipBomb(int size) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      byte[] zeros = new byte[65536];
      for (int n = 0; n < size; n += zeros.length) gz.write(zeros, 0, Math.min(zeros.length, size - n));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return out.toByteArray();
  }
}
