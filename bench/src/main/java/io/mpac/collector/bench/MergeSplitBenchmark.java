package io.mpac.collector.bench;

import com.google.protobuf.InvalidProtocolBufferException;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.batching.OtlpMerger;
import io.mpac.collector.pdata.batching.OtlpSplitter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The data-model decision: merging 100-span requests into a batch, and splitting an oversized
 * batch, on encoded bytes versus through protobuf-java objects.
 *
 * <ul>
 *   <li>{@code merge*}: {@code batchSpans / 100} requests of 100 spans become one request.
 *       {@code mergeObjects} parses each request, {@code addAll}s the resource lists and
 *       serializes (what an object data model costs when requests arrive and leave as bytes);
 *       {@code mergeObjectsPreParsed} skips the parse (as if the receiver had already paid it).
 *   <li>{@code split*}: a batch of {@code 1.5 × batchSpans} spans (15 or 30 requests merged) is cut
 *       into parts of at most {@code batchSpans} spans; one resource straddles the cut.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx512m"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class MergeSplitBenchmark {

  @Param({"1000", "2000"})
  public int batchSpans;

  private List<OtlpRequest> requests;
  private List<byte[]> requestBytes;
  private List<ExportTraceServiceRequest> parsed;
  private OtlpRequest oversized;

  @Setup(Level.Trial)
  public void setUp() throws InvalidProtocolBufferException {
    requests = Spans.encoded(batchSpans / 100, 100, 42);
    requestBytes = new ArrayList<>();
    parsed = new ArrayList<>();
    for (OtlpRequest r : requests) {
      requestBytes.add(r.bytes());
      parsed.add(ExportTraceServiceRequest.parseFrom(r.bytes()));
    }
    oversized = OtlpMerger.merge(Spans.encoded(batchSpans * 3 / 200, 100, 7));
  }

  @Benchmark
  public OtlpRequest mergeEncoded() {
    return OtlpMerger.merge(requests);
  }

  @Benchmark
  public byte[] mergeObjects() throws InvalidProtocolBufferException {
    ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
    for (byte[] bytes : requestBytes) b.addAllResourceSpans(ExportTraceServiceRequest.parseFrom(bytes).getResourceSpansList());
    return b.build().toByteArray();
  }

  @Benchmark
  public byte[] mergeObjectsPreParsed() {
    ExportTraceServiceRequest.Builder b = ExportTraceServiceRequest.newBuilder();
    for (ExportTraceServiceRequest r : parsed) b.addAllResourceSpans(r.getResourceSpansList());
    return b.build().toByteArray();
  }

  @Benchmark
  public List<OtlpRequest> splitEncoded() {
    return OtlpSplitter.split(oversized, batchSpans);
  }

  @Benchmark
  public List<byte[]> splitObjects() throws InvalidProtocolBufferException {
    return splitWithObjects(ExportTraceServiceRequest.parseFrom(oversized.bytes()), batchSpans);
  }

  /** The object-model split: walk resources and scopes, copy headers, distribute spans, serialize. */
  static List<byte[]> splitWithObjects(ExportTraceServiceRequest in, int max) {
    List<byte[]> out = new ArrayList<>();
    ExportTraceServiceRequest.Builder part = ExportTraceServiceRequest.newBuilder();
    int n = 0;
    for (ResourceSpans rs : in.getResourceSpansList()) {
      ResourceSpans.Builder rb = null;
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        ScopeSpans.Builder sb = null;
        for (Span s : ss.getSpansList()) {
          if (n == max) {
            if (sb != null) rb.addScopeSpans(sb);
            if (rb != null) part.addResourceSpans(rb);
            out.add(part.build().toByteArray());
            part = ExportTraceServiceRequest.newBuilder();
            rb = null;
            sb = null;
            n = 0;
          }
          if (rb == null) rb = ResourceSpans.newBuilder().setResource(rs.getResource()).setSchemaUrl(rs.getSchemaUrl());
          if (sb == null) sb = ScopeSpans.newBuilder().setScope(ss.getScope()).setSchemaUrl(ss.getSchemaUrl());
          sb.addSpans(s);
          n++;
        }
        if (sb != null) rb.addScopeSpans(sb);
      }
      if (rb != null) part.addResourceSpans(rb);
    }
    if (n > 0) out.add(part.build().toByteArray());
    return out;
  }
}
