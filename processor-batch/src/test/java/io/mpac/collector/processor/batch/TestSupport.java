package io.mpac.collector.processor.batch;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.ClientMetadata;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/** Builders for tagged test data, a recording sink and a polling await. */
final class TestSupport {

  private TestSupport() {}

  static ComponentContext context(MeterRegistry registry) {
    return new ComponentContext(new ComponentId("otelcol.processor.batch", "test"), Path.of("target", "storage"),
        registry, Logger.getLogger("component.otelcol.processor.batch.test"));
  }

  static ComponentContext context() {
    return context(new SimpleMeterRegistry());
  }

  static BatchProcessorConfig config(Duration timeout, int size, int max, OtlpConsumer sink) {
    return new BatchProcessorConfig(timeout, size, max, List.of(), 1000, List.of(sink), List.of(sink), List.of(sink));
  }

  private static ByteString tag(int producer, int seq) {
    byte[] b = new byte[8];
    b[0] = (byte) (producer >>> 24);
    b[1] = (byte) (producer >>> 16);
    b[2] = (byte) (producer >>> 8);
    b[3] = (byte) producer;
    b[4] = (byte) (seq >>> 24);
    b[5] = (byte) (seq >>> 16);
    b[6] = (byte) (seq >>> 8);
    b[7] = (byte) seq;
    return ByteString.copyFrom(b);
  }

  static KeyValue attr(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  /** A traces request of {@code n} spans from {@code producer}, seq numbers from {@code firstSeq}, in span_id. */
  static OtlpRequest traces(int producer, int firstSeq, int n, ClientMetadata md) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder().setScope(InstrumentationScope.newBuilder().setName("scope-" + producer));
    for (int i = 0; i < n; i++) ss.addSpans(Span.newBuilder().setSpanId(tag(producer, firstSeq + i)).setName("s"));
    byte[] bytes = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(attr("service.name", "p" + producer))).addScopeSpans(ss))
        .build().toByteArray();
    return new OtlpRequest(Signal.TRACES, bytes, n, md);
  }

  static OtlpRequest traces(int producer, int firstSeq, int n) {
    return traces(producer, firstSeq, n, ClientMetadata.EMPTY);
  }

  /** A logs request of {@code n} records, producer and seq in each record's span_id. */
  static OtlpRequest logs(int producer, int firstSeq, int n) {
    ScopeLogs.Builder sl = ScopeLogs.newBuilder();
    for (int i = 0; i < n; i++) {
      sl.addLogRecords(LogRecord.newBuilder().setSpanId(tag(producer, firstSeq + i))
          .setBody(AnyValue.newBuilder().setStringValue("line")));
    }
    byte[] bytes = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(attr("service.name", "p" + producer))).addScopeLogs(sl))
        .build().toByteArray();
    return new OtlpRequest(Signal.LOGS, bytes, n);
  }

  /** (producer, seq, service.name of its resource) of every item in a traces or logs request, in order. */
  record Tagged(int producer, int seq, String service) {}

  static List<Tagged> decode(OtlpRequest r) {
    List<Tagged> out = new ArrayList<>();
    try {
      if (r.signal() == Signal.TRACES) {
        for (ResourceSpans rs : ExportTraceServiceRequest.parseFrom(r.bytes()).getResourceSpansList()) {
          String svc = rs.getResource().getAttributes(0).getValue().getStringValue();
          for (ScopeSpans ss : rs.getScopeSpansList()) {
            for (Span s : ss.getSpansList()) out.add(tagged(s.getSpanId(), svc));
          }
        }
      } else {
        for (ResourceLogs rl : ExportLogsServiceRequest.parseFrom(r.bytes()).getResourceLogsList()) {
          String svc = rl.getResource().getAttributes(0).getValue().getStringValue();
          for (ScopeLogs sl : rl.getScopeLogsList()) {
            for (LogRecord l : sl.getLogRecordsList()) out.add(tagged(l.getSpanId(), svc));
          }
        }
      }
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("batch does not decode", e);
    }
    return out;
  }

  private static Tagged tagged(ByteString id, String svc) {
    java.nio.ByteBuffer b = id.asReadOnlyByteBuffer();
    return new Tagged(b.getInt(0), b.getInt(4), svc);
  }

  /** Records every batch; optionally refuses the first {@code refusals} attempts or rejects everything. */
  static final class Sink implements OtlpConsumer {
    final ConcurrentLinkedQueue<OtlpRequest> batches = new ConcurrentLinkedQueue<>();
    volatile int refusals;
    volatile boolean reject;
    volatile int attempts;

    @Override
    public Set<Signal> signals() {
      return Set.copyOf(EnumSet.allOf(Signal.class));
    }

    @Override
    public void consume(OtlpRequest request) throws ConsumeException {
      attempts++;
      if (reject) throw new ConsumeException.Rejected("no");
      if (refusals > 0) {
        refusals--;
        throw new ConsumeException.Refused("busy", Duration.ofMillis(1));
      }
      batches.add(request);
    }

    long items() {
      return batches.stream().mapToLong(OtlpRequest::itemCount).sum();
    }
  }

  /** Polls {@code condition} until it holds or {@code timeout} passes. */
  static void await(Duration timeout, BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out waiting for " + what);
      try {
        TimeUnit.MILLISECONDS.sleep(2);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted");
      }
    }
  }
}
