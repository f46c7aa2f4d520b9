package io.mpac.collector.receiver.kafka;

import com.google.protobuf.ByteString;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/** Test data: trace requests with known span and trace ids, and a reader for them. */
final class Spans {

  private Spans() {}

  /** A request of {@code traces} traces × {@code spansPerTrace} spans; ids from {@code seed}. */
  static OtlpRequest request(long seed, int traces, int spansPerTrace, int attributeBytes) {
    Random rnd = new Random(seed);
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    byte[] pad = new byte[attributeBytes];
    for (int t = 0; t < traces; t++) {
      byte[] traceId = new byte[16];
      rnd.nextBytes(traceId);
      for (int s = 0; s < spansPerTrace; s++) {
        byte[] spanId = new byte[8];
        rnd.nextBytes(spanId);
        scope.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(traceId)).setSpanId(ByteString.copyFrom(spanId))
            .setName("op-" + t + "-" + s).setStartTimeUnixNano(1).setEndTimeUnixNano(2)
            .addAttributes(KeyValue.newBuilder().setKey("pad").setValue(AnyValue.newBuilder()
                .setStringValue(new String(pad).replace('\0', 'x')))));
      }
    }
    ExportTraceServiceRequest req = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue("svc-" + seed)))).addScopeSpans(scope)).build();
    return new OtlpRequest(Signal.TRACES, req.toByteArray(), traces * spansPerTrace);
  }

  /** Span ids (hex) of an encoded trace request, decoded with protobuf-java. */
  static List<String> spanIds(byte[] bytes) {
    List<String> out = new ArrayList<>();
    for (Span s : spans(bytes)) out.add(HexFormat.of().formatHex(s.getSpanId().toByteArray()));
    return out;
  }

  static List<Span> spans(byte[] bytes) {
    try {
      List<Span> out = new ArrayList<>();
      for (ResourceSpans rs : ExportTraceServiceRequest.parseFrom(bytes).getResourceSpansList()) {
        for (ScopeSpans ss : rs.getScopeSpansList()) out.addAll(ss.getSpansList());
      }
      return out;
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  static String hex(ByteBuffer b) {
    byte[] a = new byte[b.remaining()];
    b.duplicate().get(a);
    return HexFormat.of().formatHex(a);
  }
}
