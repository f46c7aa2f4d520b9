package io.mpac.collector.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.Counter;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.SeverityNumber;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real OpenTelemetry Java SDK exporters (OTLP/gRPC and OTLP/HTTP protobuf, plain and gzip)
 * send to the running receiver; what reaches the consumer is decoded with protobuf-java and
 * checked field by field.
 */
class SdkEndToEndTest {

  static TestReceiver rx;
  static final Resource RESOURCE = Resource.getDefault().merge(Resource.create(
      Attributes.of(AttributeKey.stringKey("service.name"), "checkout", AttributeKey.stringKey("env"), "test")));

  @BeforeAll
  static void start() throws Exception {
    rx = new TestReceiver();
  }

  @BeforeEach
  void clear() {
    rx.capture.received.clear(); // a provider's close() exports once more; drop what the last test left
  }

  @AfterAll
  static void stop() throws Exception {
    rx.close();
  }

  static String endpoint(String transport, Signal s) {
    return transport.equals("grpc") ? "http://127.0.0.1:" + rx.grpcPort() : rx.httpUrl(TestReceiver.path(s));
  }

  static String attr(List<KeyValue> attrs, String key) {
    return attrs.stream().filter(kv -> kv.getKey().equals(key)).findFirst()
        .map(kv -> kv.getValue().getStringValue()).orElse(null);
  }

  static double counter(String name, String transport) {
    Counter c = rx.registry.find(name).tag("transport", transport).counter();
    return c == null ? 0 : c.count();
  }

  @ParameterizedTest
  @CsvSource({"grpc,none", "grpc,gzip", "http,none", "http,gzip"})
  void spans(String transport, String compression) throws Exception {
    SpanExporter exporter = transport.equals("grpc")
        ? OtlpGrpcSpanExporter.builder().setEndpoint(endpoint(transport, Signal.TRACES)).setCompression(compression)
            .setTimeout(Duration.ofSeconds(10)).build()
        : OtlpHttpSpanExporter.builder().setEndpoint(endpoint(transport, Signal.TRACES)).setCompression(compression)
            .setTimeout(Duration.ofSeconds(10)).build();
    double before = counter("otelcol.receiver.accepted.spans", transport);
    try (SdkTracerProvider provider = SdkTracerProvider.builder().setResource(RESOURCE)
        .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()) {
      var tracer = provider.get("io.mpac.test", "1.2.3");
      var parent = tracer.spanBuilder("GET /cart").setSpanKind(SpanKind.SERVER)
          .setAttribute("http.request.method", "GET").setAttribute("http.response.status_code", 500L).startSpan();
      parent.addEvent("retry", Attributes.of(AttributeKey.longKey("attempt"), 2L));
      parent.setStatus(StatusCode.ERROR, "upstream failed");
      parent.end();
      CompletableResultCode flushed = provider.forceFlush().join(10, TimeUnit.SECONDS);
      assertThat(flushed.isSuccess()).isTrue();

      OtlpRequest req = rx.capture.take();
      assertThat(req.signal()).isEqualTo(Signal.TRACES);
      assertThat(req.itemCount()).isEqualTo(1);
      ExportTraceServiceRequest decoded = ExportTraceServiceRequest.parseFrom(req.bytes());
      var rs = decoded.getResourceSpans(0);
      assertThat(attr(rs.getResource().getAttributesList(), "service.name")).isEqualTo("checkout");
      assertThat(attr(rs.getResource().getAttributesList(), "env")).isEqualTo("test");
      assertThat(rs.getScopeSpans(0).getScope().getName()).isEqualTo("io.mpac.test");
      assertThat(rs.getScopeSpans(0).getScope().getVersion()).isEqualTo("1.2.3");
      Span span = rs.getScopeSpans(0).getSpans(0);
      assertThat(span.getName()).isEqualTo("GET /cart");
      assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
      assertThat(span.getTraceId()).isEqualTo(ByteString.fromHex(parent.getSpanContext().getTraceId()));
      assertThat(span.getSpanId()).isEqualTo(ByteString.fromHex(parent.getSpanContext().getSpanId()));
      assertThat(span.getParentSpanId()).isEmpty();
      assertThat(attr(span.getAttributesList(), "http.request.method")).isEqualTo("GET");
      assertThat(span.getAttributesList()).anySatisfy(kv -> {
        assertThat(kv.getKey()).isEqualTo("http.response.status_code");
        assertThat(kv.getValue().getIntValue()).isEqualTo(500);
      });
      assertThat(span.getEvents(0).getName()).isEqualTo("retry");
      assertThat(span.getEvents(0).getAttributes(0).getValue().getIntValue()).isEqualTo(2);
      assertThat(span.getStatus().getCode()).isEqualTo(Status.StatusCode.STATUS_CODE_ERROR);
      assertThat(span.getStatus().getMessage()).isEqualTo("upstream failed");
      assertThat(span.getEndTimeUnixNano()).isGreaterThanOrEqualTo(span.getStartTimeUnixNano()).isPositive();
    }
    assertThat(counter("otelcol.receiver.accepted.spans", transport)).isEqualTo(before + 1);
  }

  @ParameterizedTest
  @CsvSource({"grpc,none", "grpc,gzip", "http,none", "http,gzip"})
  void metrics(String transport, String compression) throws Exception {
    MetricExporter exporter = transport.equals("grpc")
        ? OtlpGrpcMetricExporter.builder().setEndpoint(endpoint(transport, Signal.METRICS))
            .setCompression(compression).build()
        : OtlpHttpMetricExporter.builder().setEndpoint(endpoint(transport, Signal.METRICS))
            .setCompression(compression).build();
    PeriodicMetricReader reader = PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build();
    try (SdkMeterProvider provider = SdkMeterProvider.builder().setResource(RESOURCE).registerMetricReader(reader)
        .build()) {
      var meter = provider.get("io.mpac.test");
      var counter = meter.counterBuilder("orders").setUnit("{order}").setDescription("orders placed").build();
      counter.add(5, Attributes.of(AttributeKey.stringKey("region"), "eu"));
      counter.add(2, Attributes.of(AttributeKey.stringKey("region"), "us"));
      var histogram = meter.histogramBuilder("latency").setUnit("ms").build();
      histogram.record(12.5);
      assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();

      OtlpRequest req = rx.capture.take();
      assertThat(req.signal()).isEqualTo(Signal.METRICS);
      assertThat(req.itemCount()).isEqualTo(3); // two counter points and one histogram point
      ExportMetricsServiceRequest decoded = ExportMetricsServiceRequest.parseFrom(req.bytes());
      List<Metric> metrics = decoded.getResourceMetrics(0).getScopeMetrics(0).getMetricsList();
      Metric orders = metrics.stream().filter(m -> m.getName().equals("orders")).findFirst().orElseThrow();
      assertThat(orders.getUnit()).isEqualTo("{order}");
      assertThat(orders.getDescription()).isEqualTo("orders placed");
      assertThat(orders.getSum().getIsMonotonic()).isTrue();
      assertThat(orders.getSum().getAggregationTemporality())
          .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
      assertThat(orders.getSum().getDataPointsList()).extracting(NumberDataPoint::getAsInt)
          .containsExactlyInAnyOrder(5L, 2L);
      assertThat(orders.getSum().getDataPointsList())
          .anySatisfy(p -> assertThat(attr(p.getAttributesList(), "region")).isEqualTo("eu"));
      Metric latency = metrics.stream().filter(m -> m.getName().equals("latency")).findFirst().orElseThrow();
      assertThat(latency.getHistogram().getDataPoints(0).getCount()).isEqualTo(1);
      assertThat(latency.getHistogram().getDataPoints(0).getSum()).isEqualTo(12.5);
      assertThat(attr(decoded.getResourceMetrics(0).getResource().getAttributesList(), "service.name"))
          .isEqualTo("checkout");
    }
  }

  @ParameterizedTest
  @CsvSource({"grpc,none", "grpc,gzip", "http,none", "http,gzip"})
  void logs(String transport, String compression) throws Exception {
    LogRecordExporter exporter = transport.equals("grpc")
        ? OtlpGrpcLogRecordExporter.builder().setEndpoint(endpoint(transport, Signal.LOGS))
            .setCompression(compression).build()
        : OtlpHttpLogRecordExporter.builder().setEndpoint(endpoint(transport, Signal.LOGS))
            .setCompression(compression).build();
    try (SdkLoggerProvider provider = SdkLoggerProvider.builder().setResource(RESOURCE)
        .addLogRecordProcessor(SimpleLogRecordProcessor.create(exporter)).build()) {
      provider.get("io.mpac.test").logRecordBuilder().setBody("payment declined").setSeverity(Severity.WARN)
          .setSeverityText("WARN").setAttribute(AttributeKey.stringKey("order.id"), "o-42")
          .setTimestamp(1_700_000_000_123L, TimeUnit.MILLISECONDS).emit();
      assertThat(provider.forceFlush().join(10, TimeUnit.SECONDS).isSuccess()).isTrue();

      OtlpRequest req = rx.capture.take();
      assertThat(req.signal()).isEqualTo(Signal.LOGS);
      assertThat(req.itemCount()).isEqualTo(1);
      LogRecord log = ExportLogsServiceRequest.parseFrom(req.bytes()).getResourceLogs(0).getScopeLogs(0)
          .getLogRecords(0);
      assertThat(log.getBody().getStringValue()).isEqualTo("payment declined");
      assertThat(log.getSeverityNumber()).isEqualTo(SeverityNumber.SEVERITY_NUMBER_WARN);
      assertThat(log.getSeverityText()).isEqualTo("WARN");
      assertThat(attr(log.getAttributesList(), "order.id")).isEqualTo("o-42");
      assertThat(log.getTimeUnixNano()).isEqualTo(1_700_000_000_123_000_000L);
      assertThat(log.getTraceId()).isEmpty();
    }
  }
}
