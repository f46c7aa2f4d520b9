package io.mpac.collector.bench;

import com.google.protobuf.ByteString;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Benchmark payloads shaped like the OpenTelemetry Collector testbed's: span "load-generator-span",
 * kind CLIENT, 16-byte trace id, 8-byte span id, start and end time, two int attributes (about 150
 * encoded bytes per span), one resource and one scope per request.
 */
public final class Spans {

  private Spans() {}

  private static KeyValue intAttr(String k, long v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setIntValue(v)).build();
  }

  public static ExportTraceServiceRequest request(Random rnd, int spans, long firstSeq) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder()
        .setName("load-generator").setVersion("1.0.0"));
    for (int i = 0; i < spans; i++) {
      byte[] trace = new byte[16];
      byte[] id = new byte[8];
      rnd.nextBytes(trace);
      rnd.nextBytes(id);
      long seq = firstSeq + i;
      long start = 1_700_000_000_000_000_000L + seq * 1_000_000;
      ss.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(trace)).setSpanId(ByteString.copyFrom(id))
          .setName("load-generator-span").setKind(Span.SpanKind.SPAN_KIND_CLIENT)
          .setStartTimeUnixNano(start).setEndTimeUnixNano(start + 1_000_000)
          .addAttributes(intAttr("load_generator.span_seq_num", seq))
          .addAttributes(intAttr("load_generator.trace_seq_num", seq / 10)));
    }
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue("load-generator")))).addScopeSpans(ss)).build();
  }

  /** {@code count} encoded requests of {@code spansEach} spans. */
  public static List<OtlpRequest> encoded(int count, int spansEach, long seed) {
    Random rnd = new Random(seed);
    List<OtlpRequest> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(new OtlpRequest(Signal.TRACES, request(rnd, spansEach, (long) i * spansEach).toByteArray(), spansEach));
    }
    return out;
  }
}
