package io.mpac.collector.receiver.otlp.fuzz;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.internal.marshal.Marshaler;
import io.opentelemetry.exporter.internal.otlp.logs.LogsRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.metrics.MetricsRequestMarshaler;
import io.opentelemetry.exporter.internal.otlp.traces.TraceRequestMarshaler;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.ReadWriteLogRecord;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.mpac.collector.pdata.Signal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Seed inputs for the fuzzers: export requests encoded by the real OpenTelemetry SDK's own OTLP
 * marshalers (what its exporters put on the wire), in protobuf and in JSON, for each signal: spans
 * with attributes of every type, events, links, status and parents; logs with severities and
 * bodies; counters, gauges and histograms.
 */
public final class SdkSeeds {

  private static final Map<Signal, List<byte[]>> PROTOBUF = new EnumMap<>(Signal.class);
  private static final Map<Signal, List<byte[]>> JSON = new EnumMap<>(Signal.class);

  static {
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("service.name"), "fuzz-seed", AttributeKey.longKey("pid"), 4242L)));
    List<Marshaler> traces = new ArrayList<>();
    List<Marshaler> logs = new ArrayList<>();
    List<Marshaler> metrics = new ArrayList<>();
    for (int n : new int[] {1, 3, 12}) {
      traces.add(TraceRequestMarshaler.create(spans(resource, n)));
      logs.add(LogsRequestMarshaler.create(logs(resource, n)));
    }
    metrics.add(MetricsRequestMarshaler.create(metrics(resource)));
    put(Signal.TRACES, traces);
    put(Signal.LOGS, logs);
    put(Signal.METRICS, metrics);
  }

  private SdkSeeds() {}

  public static List<byte[]> protobuf(Signal s) {
    return PROTOBUF.get(s);
  }

  public static List<byte[]> json(Signal s) {
    return JSON.get(s);
  }

  /** Every protobuf seed of every signal. */
  public static List<byte[]> allProtobuf() {
    List<byte[]> all = new ArrayList<>();
    PROTOBUF.values().forEach(all::addAll);
    return all;
  }

  private static void put(Signal s, List<Marshaler> marshalers) {
    List<byte[]> pb = new ArrayList<>();
    List<byte[]> js = new ArrayList<>();
    for (Marshaler m : marshalers) {
      try {
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        m.writeBinaryTo(a);
        pb.add(a.toByteArray());
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        m.writeJsonTo(b);
        js.add(b.toByteArray());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    PROTOBUF.put(s, List.copyOf(pb));
    JSON.put(s, List.copyOf(js));
  }

  private static List<SpanData> spans(Resource resource, int n) {
    List<SpanData> out = new ArrayList<>();
    SdkTracerProvider p = SdkTracerProvider.builder().setResource(resource).addSpanProcessor(new SpanProcessor() {
      @Override
      public void onStart(Context parentContext, ReadWriteSpan span) {}

      @Override
      public boolean isStartRequired() {
        return false;
      }

      @Override
      public void onEnd(ReadableSpan span) {
        out.add(span.toSpanData());
      }

      @Override
      public boolean isEndRequired() {
        return true;
      }
    }).build();
    var tracer = p.get("fuzz.seeds", "1.0");
    Span parent = tracer.spanBuilder("parent").setSpanKind(SpanKind.SERVER).startSpan();
    for (int i = 0; i < n; i++) {
      Span s = tracer.spanBuilder("child-" + i + "-ü€").setParent(Context.root().with(parent))
          .setSpanKind(SpanKind.values()[i % SpanKind.values().length])
          .setAttribute("str", "value " + i).setAttribute("long", i * 1_000_000_007L)
          .setAttribute("double", i / 3.0).setAttribute("bool", i % 2 == 0)
          .setAttribute(AttributeKey.stringArrayKey("list"), List.of("a", "b" + i))
          .addLink(parent.getSpanContext(), Attributes.of(AttributeKey.stringKey("link"), "x"))
          .startSpan();
      s.addEvent("event-" + i, Attributes.of(AttributeKey.longKey("n"), (long) i));
      s.setStatus(i % 3 == 0 ? StatusCode.ERROR : StatusCode.OK, i % 3 == 0 ? "failed " + i : "");
      s.end();
    }
    parent.end();
    p.shutdown();
    return out;
  }

  private static List<LogRecordData> logs(Resource resource, int n) {
    List<LogRecordData> out = new ArrayList<>();
    SdkLoggerProvider p = SdkLoggerProvider.builder().setResource(resource).addLogRecordProcessor(
        new LogRecordProcessor() {
          @Override
          public void onEmit(Context context, ReadWriteLogRecord logRecord) {
            out.add(logRecord.toLogRecordData());
          }
        }).build();
    var logger = p.get("fuzz.seeds");
    for (int i = 0; i < n; i++) {
      logger.logRecordBuilder().setSeverity(Severity.values()[i % Severity.values().length])
          .setSeverityText("SEV" + i).setBody("log line " + i + " \"quoted\" \\ tab\t")
          .setAttribute(AttributeKey.stringKey("k"), "v" + i).setAttribute(AttributeKey.longKey("i"), (long) i)
          .setTimestamp(1_700_000_000_000L + i, java.util.concurrent.TimeUnit.MILLISECONDS).emit();
    }
    p.shutdown();
    return out;
  }

  private static List<io.opentelemetry.sdk.metrics.data.MetricData> metrics(Resource resource) {
    final CollectionRegistration[] registration = new CollectionRegistration[1];
    MetricReader reader = new MetricReader() {
      @Override
      public void register(CollectionRegistration r) {
        registration[0] = r;
      }

      @Override
      public CompletableResultCode forceFlush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return AggregationTemporality.CUMULATIVE;
      }

      @Override
      public MemoryMode getMemoryMode() {
        return MemoryMode.IMMUTABLE_DATA;
      }
    };
    SdkMeterProvider p = SdkMeterProvider.builder().setResource(resource).registerMetricReader(reader).build();
    var meter = p.get("fuzz.seeds");
    var counter = meter.counterBuilder("requests").build();
    var histogram = meter.histogramBuilder("latency").setUnit("ms").build();
    var updown = meter.upDownCounterBuilder("queue").build();
    meter.gaugeBuilder("temperature").buildWithCallback(m -> m.record(21.5, Attributes.of(
        AttributeKey.stringKey("room"), "a")));
    for (int i = 0; i < 20; i++) {
      Attributes a = Attributes.of(AttributeKey.stringKey("route"), "/r" + (i % 3));
      counter.add(i, a);
      histogram.record(i * 1.7, a);
      updown.add(i % 2 == 0 ? 1 : -1, a);
    }
    List<io.opentelemetry.sdk.metrics.data.MetricData> data = new ArrayList<>(registration[0].collectAllMetrics());
    p.shutdown();
    return data;
  }
}
