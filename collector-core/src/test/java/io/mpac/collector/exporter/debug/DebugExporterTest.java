package io.mpac.collector.exporter.debug;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class DebugExporterTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new DebugExporterFactory();
  }

  @Override
  protected String minimalConfig() {
    return "";
  }

  private static final byte[] TRACE_ID = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  private static final byte[] SPAN_ID = {(byte) 0xaa, 2, 3, 4, 5, 6, 7, 8};

  private static OtlpRequest traces() {
    ExportTraceServiceRequest req = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
                .setValue(AnyValue.newBuilder().setStringValue("checkout"))))
            .addScopeSpans(ScopeSpans.newBuilder()
                .addSpans(Span.newBuilder().setName("GET /pay").setTraceId(ByteString.copyFrom(TRACE_ID))
                    .setSpanId(ByteString.copyFrom(SPAN_ID)))
                .addSpans(Span.newBuilder().setName("db").setTraceId(ByteString.copyFrom(TRACE_ID))
                    .setSpanId(ByteString.copyFrom(SPAN_ID)))))
        .build();
    return new OtlpRequest(Signal.TRACES, req.toByteArray(), 2);
  }

  private String print(String config, OtlpRequest request) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DebugExporterConfig c = DebugExporterConfig.from(decode(config));
    DebugExporter exporter = new DebugExporter(context(), c, new PrintStream(out, true, StandardCharsets.UTF_8));
    exporter.consume(request);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void basicPrintsCounts() throws Exception {
    assertThat(print("use_internal_logger = false", traces())).isEqualTo("Traces resource_spans=1 spans=2\n");
  }

  @Test
  void normalPrintsOneLinePerItemWithHexIds() throws Exception {
    assertThat(print("verbosity = \"normal\"\nuse_internal_logger = false", traces())).isEqualTo("""
        Traces resource_spans=1 spans=2
          resource attributes={service.name="checkout"}
           scope name=""
            span name="GET /pay" trace_id=0102030405060708090a0b0c0d0e0f10 span_id=aa02030405060708
            span name="db" trace_id=0102030405060708090a0b0c0d0e0f10 span_id=aa02030405060708
        """);
  }

  @Test
  void logsShowBodySeverityAndIds() throws Exception {
    ExportLogsServiceRequest req = ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder()
            .addLogRecords(LogRecord.newBuilder().setSeverityText("WARN")
                .setBody(AnyValue.newBuilder().setStringValue("card declined"))
                .setTraceId(ByteString.copyFrom(TRACE_ID)).setSpanId(ByteString.copyFrom(SPAN_ID)))))
        .build();
    assertThat(print("verbosity = \"normal\"\nuse_internal_logger = false", new OtlpRequest(Signal.LOGS, req.toByteArray(), 1)))
        .contains("log severity=WARN body=\"card declined\" trace_id=0102030405060708090a0b0c0d0e0f10 span_id=aa02030405060708");
  }

  @Test
  void samplingLimitsOutputPerSecond() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    DebugExporter exporter = new DebugExporter(context(),
        DebugExporterConfig.from(decode("use_internal_logger = false\nsampling_initial = 1\nsampling_thereafter = 1000")),
        new PrintStream(out, true, StandardCharsets.UTF_8));
    for (int i = 0; i < 50; i++) exporter.consume(traces());
    // 50 calls within (at most) two seconds print at most one line per second.
    assertThat(out.toString(StandardCharsets.UTF_8).lines().count()).isBetween(1L, 2L);
  }

  @Test
  void countsSentItems() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ComponentContext ctx = new ComponentContext(new ComponentId("otelcol.exporter.debug", "x"), storage, registry,
        Logger.getLogger("component.otelcol.exporter.debug.x"));
    DebugExporter exporter = new DebugExporter(ctx, DebugExporterConfig.DEFAULT, new PrintStream(new ByteArrayOutputStream()));
    exporter.consume(traces());
    assertThat(registry.get("otelcol.exporter.sent.spans").tag("component_id", "otelcol.exporter.debug.x").counter().count())
        .isEqualTo(2.0);
  }

  @Test
  void undecodableDataIsRejectedNotThrownAsACrash() throws Exception {
    DebugExporter exporter = new DebugExporter(context(), DebugExporterConfig.from(decode("verbosity = \"detailed\"")),
        new PrintStream(new ByteArrayOutputStream()));
    assertThatThrownBy(() -> exporter.consume(new OtlpRequest(Signal.TRACES, new byte[] {0x0a, 0x7f}, 1)))
        .isInstanceOf(ConsumeException.Rejected.class).hasMessageStartingWith("cannot decode traces");
  }

  @Test
  void badSamplingIsAConfigError() {
    assertThatThrownBy(() -> DebugExporterConfig.from(decode("sampling_thereafter = 0")))
        .isInstanceOf(ConfigException.class).hasMessage("contract.alloy:2:1: sampling_thereafter must be at least 1");
  }
}
