package io.mpac.collector.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.loki.LogsReceiver;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.exporter.internal.otlp.logs.LogsRequestMarshaler;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The real OpenTelemetry Java SDK emits log records inside spans; its own OTLP marshaler encodes
 * them; otelcol.exporter.loki converts and loki.write pushes them to a push endpoint in the test.
 */
class SdkEndToEndTest {

  /** Collects what the SDK exports (the SDK testing module's in-memory exporter, in five lines). */
  static final class Collecting implements LogRecordExporter {
    final List<LogRecordData> records = new CopyOnWriteArrayList<>();

    @Override
    public CompletableResultCode export(Collection<LogRecordData> logs) {
      records.addAll(logs);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  record Emitted(String body, String traceId, String spanId, String level, long timestamp) {}

  private static final Resource RESOURCE = Resource.getDefault().merge(Resource.create(Attributes.of(
      AttributeKey.stringKey("service.name"), "checkout",
      AttributeKey.stringKey("service.namespace"), "shop",
      AttributeKey.stringKey("service.instance.id"), "i-1")));

  @Test
  void sdkLogsReachLokiOnceWithTheirSpanIds() throws Exception {
    run(StructuredMetadataConfig.DISABLED);
  }

  @Test
  void structuredMetadataExtensionCarriesTheIds() throws Exception {
    run(new StructuredMetadataConfig(true, List.of("order.id")));
  }

  private void run(StructuredMetadataConfig md) throws Exception {
    Collecting sdkOut = new Collecting();
    List<Emitted> emitted = new ArrayList<>();
    try (SdkTracerProvider tracing = SdkTracerProvider.builder().setResource(RESOURCE)
            .addSpanProcessor(new SpanProcessor() {
              @Override
              public void onStart(io.opentelemetry.context.Context parent, ReadWriteSpan span) {}

              @Override
              public boolean isStartRequired() {
                return false;
              }

              @Override
              public void onEnd(ReadableSpan span) {}

              @Override
              public boolean isEndRequired() {
                return false;
              }
            }).build();
        SdkLoggerProvider logging = SdkLoggerProvider.builder().setResource(RESOURCE)
            .addLogRecordProcessor(SimpleLogRecordProcessor.create(sdkOut)).build()) {
      Tracer tracer = tracing.get("checkout-service");
      Logger logger = logging.get("com.shop.checkout");
      Severity[] severities = {Severity.INFO, Severity.WARN, Severity.ERROR};
      Instant base = Instant.parse("2026-01-02T03:04:05Z");
      for (int s = 0; s < 5; s++) {
        Span span = tracer.spanBuilder("order-" + s).startSpan();
        assertThat(span.getSpanContext().isValid()).isTrue();
        try (Scope ignored = span.makeCurrent()) {
          for (int i = 0; i < 12; i++) {
            Severity sev = severities[(s + i) % 3];
            // times go backwards inside each span, so loki.write must sort
            Instant at = base.plusSeconds(s * 100L).minusMillis(i);
            String body = "order " + s + " step " + i;
            logger.logRecordBuilder().setSeverity(sev).setSeverityText(sev.name()).setBody(body)
                .setContext(Context.current()).setTimestamp(at)
                .setAttribute(AttributeKey.stringKey("order.id"), "o-" + s).emit();
            emitted.add(new Emitted(body, span.getSpanContext().getTraceId(), span.getSpanContext().getSpanId(),
                sev.name(), at.getEpochSecond() * 1_000_000_000L + at.getNano()));
          }
        } finally {
          span.end();
        }
      }
    }
    assertThat(sdkOut.records).hasSize(60);
    assertThat(sdkOut.records).allSatisfy(r -> assertThat(r.getSpanContext().isValid()).isTrue());

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    LogsRequestMarshaler.create(sdkOut.records).writeBinaryTo(bytes);
    OtlpRequest request = new OtlpRequest(Signal.LOGS, bytes.toByteArray(), sdkOut.records.size());

    try (FakeLoki loki = new FakeLoki()) {
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      ComponentContext writeCtx = new ComponentContext(new ComponentId("loki.write", "default"), Path.of("x"), registry,
          java.util.logging.Logger.getLogger("test.write"));
      LokiWrite write = new LokiWrite(writeCtx, new LokiWriteConfig(Map.of(), 0, List.of(
          EndpointConfig.defaults(loki.url()).withBatching(Duration.ofMillis(50), 1 << 20))), null);
      write.start();
      ComponentContext expCtx = new ComponentContext(new ComponentId("otelcol.exporter.loki", "default"), Path.of("x"),
          registry, java.util.logging.Logger.getLogger("test.exporter"));
      LokiExporter exporter = new LokiExporter(expCtx,
          new LokiExporterConfig(List.of((LogsReceiver) write.exports().get("receiver")), md));
      exporter.consume(request);
      write.shutdown(Duration.ofSeconds(5));

      assertThat(loki.errors()).isEmpty();
      ObjectMapper json = new ObjectMapper();
      Map<String, Integer> seen = new HashMap<>();
      for (PushDecoder.Stream stream : loki.acceptedStreams()) {
        Map<String, String> labels = stream.labelMap();
        String level = labels.get("level");
        Map<String, String> expectedLabels = new HashMap<>(Map.of("exporter", "OTLP", "job", "shop/checkout",
            "instance", "i-1", "level", level));
        if (md.enabled()) expectedLabels.put("service_name", "checkout");
        assertThat(labels).isEqualTo(expectedLabels);
        long previous = Long.MIN_VALUE;
        for (PushDecoder.Entry e : stream.entries()) {
          assertThat(e.timestampNanos()).isGreaterThanOrEqualTo(previous);
          previous = e.timestampNanos();
          JsonNode line = json.readTree(e.line());
          String body = line.get("body").asText();
          Emitted want = emitted.stream().filter(x -> x.body().equals(body)).findFirst().orElseThrow();
          assertThat(line.get("traceid").asText()).isEqualTo(want.traceId());
          assertThat(line.get("spanid").asText()).isEqualTo(want.spanId());
          assertThat(line.get("severity").asText()).isEqualTo(want.level());
          assertThat(line.get("attributes").get("order.id").asText()).isEqualTo("o-" + body.split(" ")[1]);
          assertThat(line.get("resources").get("service.name").asText()).isEqualTo("checkout");
          assertThat(line.get("instrumentation_scope").get("name").asText()).isEqualTo("com.shop.checkout");
          assertThat(level).isEqualTo(want.level());
          assertThat(e.timestampNanos()).isEqualTo(want.timestamp());
          if (md.enabled()) {
            assertThat(e.metadata()).containsExactly(Map.entry("trace_id", want.traceId()),
                Map.entry("span_id", want.spanId()), Map.entry("order_id", "o-" + body.split(" ")[1]));
          } else {
            assertThat(e.metadata()).isEmpty();
          }
          seen.merge(body, 1, Integer::sum);
        }
      }
      assertThat(seen).hasSize(60).allSatisfy((body, count) -> assertThat(count).as(body).isEqualTo(1));
      assertThat(registry.find("loki.write.sent.entries").counter().count()).isEqualTo(60);
      assertThat(registry.find("otelcol.exporter.loki.entries.processed").counter().count()).isEqualTo(60);
    }
  }
}
