package io.mpac.collector.pdata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Descriptors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import io.mpac.collector.pdata.OtlpValidator.InvalidOtlpException;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The validator against protobuf-java (the {@code io.opentelemetry.proto} classes): every request
 * it accepts must parse there with the same item count and valid ids; every request protobuf-java
 * refuses it must refuse too; when it refuses what protobuf-java parses, the parsed object must
 * show why (a bad id, or a known field sent with the wrong wire type, which protobuf-java keeps as
 * an unknown field).
 */
class OtlpValidatorTest {

  // ---- generators ----

  static byte[] bytes(Random r, int n) {
    byte[] b = new byte[n];
    r.nextBytes(b);
    return b;
  }

  static KeyValue attr(Random r, int i) {
    AnyValue.Builder v = AnyValue.newBuilder();
    switch (r.nextInt(7)) {
      case 0 -> v.setStringValue("v" + r.nextInt(1000) + "é✓");
      case 1 -> v.setBoolValue(r.nextBoolean());
      case 2 -> v.setIntValue(r.nextLong());
      case 3 -> v.setDoubleValue(r.nextDouble());
      case 4 -> v.setArrayValue(ArrayValue.newBuilder().addValues(AnyValue.newBuilder().setIntValue(-1))
          .addValues(AnyValue.newBuilder().setStringValue("x")));
      case 5 -> v.setKvlistValue(KeyValueList.newBuilder().addValues(KeyValue.newBuilder().setKey("k")
          .setValue(AnyValue.newBuilder().setBoolValue(true))));
      default -> v.setBytesValue(ByteString.copyFrom(bytes(r, r.nextInt(5))));
    }
    return KeyValue.newBuilder().setKey("key" + i).setValue(v).build();
  }

  static Resource resource(Random r) {
    return Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
        .setValue(AnyValue.newBuilder().setStringValue("svc"))).addAttributes(attr(r, 1)).build();
  }

  static InstrumentationScope scope(Random r) {
    return InstrumentationScope.newBuilder().setName("lib").setVersion("1.0").addAttributes(attr(r, 0)).build();
  }

  static Span span(Random r) {
    Span.Builder s = Span.newBuilder().setTraceId(ByteString.copyFrom(bytes(r, 16)))
        .setSpanId(ByteString.copyFrom(bytes(r, 8))).setName("op" + r.nextInt(10))
        .setKind(Span.SpanKind.forNumber(r.nextInt(6))).setStartTimeUnixNano(r.nextLong())
        .setEndTimeUnixNano(r.nextLong()).setFlags(r.nextInt(512));
    if (r.nextBoolean()) s.setParentSpanId(ByteString.copyFrom(bytes(r, 8)));
    for (int i = r.nextInt(4); i > 0; i--) s.addAttributes(attr(r, i));
    if (r.nextBoolean()) {
      s.addEvents(Span.Event.newBuilder().setName("ev").setTimeUnixNano(5).addAttributes(attr(r, 9)));
    }
    if (r.nextBoolean()) {
      s.addLinks(Span.Link.newBuilder().setTraceId(ByteString.copyFrom(bytes(r, 16)))
          .setSpanId(ByteString.copyFrom(bytes(r, 8))).setTraceState("a=b").addAttributes(attr(r, 3)));
    }
    s.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR).setMessage("boom"));
    return s.build();
  }

  static ExportTraceServiceRequest traces(Random r) {
    ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
    for (int i = 1 + r.nextInt(2); i > 0; i--) {
      ResourceSpans.Builder rs = ResourceSpans.newBuilder().setResource(resource(r)).setSchemaUrl("https://s");
      for (int j = 1 + r.nextInt(2); j > 0; j--) {
        ScopeSpans.Builder ss = ScopeSpans.newBuilder().setScope(scope(r));
        for (int k = r.nextInt(4); k > 0; k--) ss.addSpans(span(r));
        rs.addScopeSpans(ss);
      }
      req.addResourceSpans(rs);
    }
    return req.build();
  }

  static Exemplar exemplar(Random r) {
    Exemplar.Builder e = Exemplar.newBuilder().setTimeUnixNano(1).setAsDouble(2.5).addFilteredAttributes(attr(r, 1));
    if (r.nextBoolean()) {
      e.setTraceId(ByteString.copyFrom(bytes(r, 16))).setSpanId(ByteString.copyFrom(bytes(r, 8)));
    }
    return e.build();
  }

  static NumberDataPoint number(Random r) {
    NumberDataPoint.Builder p = NumberDataPoint.newBuilder().setTimeUnixNano(r.nextLong()).addAttributes(attr(r, 2));
    if (r.nextBoolean()) p.setAsInt(r.nextLong()); else p.setAsDouble(r.nextDouble());
    if (r.nextInt(3) == 0) p.addExemplars(exemplar(r));
    return p.build();
  }

  static Metric metric(Random r) {
    Metric.Builder m = Metric.newBuilder().setName("m" + r.nextInt(5)).setUnit("ms").setDescription("d");
    int n = r.nextInt(4);
    switch (r.nextInt(5)) {
      case 0 -> {
        Gauge.Builder g = Gauge.newBuilder();
        for (int i = 0; i < n; i++) g.addDataPoints(number(r));
        m.setGauge(g);
      }
      case 1 -> {
        Sum.Builder s = Sum.newBuilder().setIsMonotonic(true).setAggregationTemporalityValue(2);
        for (int i = 0; i < n; i++) s.addDataPoints(number(r));
        m.setSum(s);
      }
      case 2 -> {
        Histogram.Builder h = Histogram.newBuilder().setAggregationTemporalityValue(1);
        for (int i = 0; i < n; i++) {
          h.addDataPoints(HistogramDataPoint.newBuilder().setCount(3).setSum(1.5).setMin(0).setMax(9)
              .addAllBucketCounts(Arrays.asList(1L, 2L, 0L)).addAllExplicitBounds(Arrays.asList(1.0, 5.0))
              .addAttributes(attr(r, 1)).addExemplars(exemplar(r)));
        }
        m.setHistogram(h);
      }
      case 3 -> {
        ExponentialHistogram.Builder h = ExponentialHistogram.newBuilder().setAggregationTemporalityValue(2);
        for (int i = 0; i < n; i++) {
          h.addDataPoints(ExponentialHistogramDataPoint.newBuilder().setCount(4).setScale(-3).setZeroCount(1)
              .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(-2)
                  .addAllBucketCounts(Arrays.asList(1L, 300L, 70000L)))
              .setNegative(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(1).addBucketCounts(5))
              .setZeroThreshold(0.001));
        }
        m.setExponentialHistogram(h);
      }
      default -> {
        Summary.Builder s = Summary.newBuilder();
        for (int i = 0; i < n; i++) {
          s.addDataPoints(SummaryDataPoint.newBuilder().setCount(2).setSum(3)
              .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5).setValue(1)));
        }
        m.setSummary(s);
      }
    }
    return m.build();
  }

  static ExportMetricsServiceRequest metrics(Random r) {
    ExportMetricsServiceRequest.Builder req = ExportMetricsServiceRequest.newBuilder();
    for (int i = 1 + r.nextInt(2); i > 0; i--) {
      ResourceMetrics.Builder rm = ResourceMetrics.newBuilder().setResource(resource(r));
      for (int j = 1 + r.nextInt(2); j > 0; j--) {
        ScopeMetrics.Builder sm = ScopeMetrics.newBuilder().setScope(scope(r));
        for (int k = r.nextInt(4); k > 0; k--) sm.addMetrics(metric(r));
        rm.addScopeMetrics(sm);
      }
      req.addResourceMetrics(rm);
    }
    return req.build();
  }

  static LogRecord log(Random r) {
    LogRecord.Builder l = LogRecord.newBuilder().setTimeUnixNano(r.nextLong()).setObservedTimeUnixNano(7)
        .setSeverityNumberValue(r.nextInt(25)).setSeverityText("INFO").setBody(attr(r, 0).getValue())
        .addAttributes(attr(r, 1)).setFlags(1).setEventName("e");
    if (r.nextBoolean()) {
      l.setTraceId(ByteString.copyFrom(bytes(r, 16))).setSpanId(ByteString.copyFrom(bytes(r, 8)));
    }
    return l.build();
  }

  static ExportLogsServiceRequest logs(Random r) {
    ExportLogsServiceRequest.Builder req = ExportLogsServiceRequest.newBuilder();
    for (int i = 1 + r.nextInt(2); i > 0; i--) {
      ResourceLogs.Builder rl = ResourceLogs.newBuilder().setResource(resource(r));
      for (int j = 1 + r.nextInt(2); j > 0; j--) {
        ScopeLogs.Builder sl = ScopeLogs.newBuilder().setScope(scope(r));
        for (int k = r.nextInt(4); k > 0; k--) sl.addLogRecords(log(r));
        rl.addScopeLogs(sl);
      }
      req.addResourceLogs(rl);
    }
    return req.build();
  }

  static Message generate(Signal s, Random r) {
    return switch (s) {
      case TRACES -> traces(r);
      case METRICS -> metrics(r);
      case LOGS -> logs(r);
    };
  }

  // ---- the independent reference ----

  static Message parse(Signal s, byte[] b) throws InvalidProtocolBufferException {
    return switch (s) {
      case TRACES -> ExportTraceServiceRequest.parseFrom(b);
      case METRICS -> ExportMetricsServiceRequest.parseFrom(b);
      case LOGS -> ExportLogsServiceRequest.parseFrom(b);
    };
  }

  static int count(Message m) {
    if (m instanceof ExportTraceServiceRequest t) {
      return t.getResourceSpansList().stream().flatMap(rs -> rs.getScopeSpansList().stream())
          .mapToInt(ScopeSpans::getSpansCount).sum();
    }
    if (m instanceof ExportLogsServiceRequest l) {
      return l.getResourceLogsList().stream().flatMap(rl -> rl.getScopeLogsList().stream())
          .mapToInt(ScopeLogs::getLogRecordsCount).sum();
    }
    ExportMetricsServiceRequest req = (ExportMetricsServiceRequest) m;
    int n = 0;
    for (ResourceMetrics rm : req.getResourceMetricsList()) {
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric metric : sm.getMetricsList()) {
          n += switch (metric.getDataCase()) {
            case GAUGE -> metric.getGauge().getDataPointsCount();
            case SUM -> metric.getSum().getDataPointsCount();
            case HISTOGRAM -> metric.getHistogram().getDataPointsCount();
            case EXPONENTIAL_HISTOGRAM -> metric.getExponentialHistogram().getDataPointsCount();
            case SUMMARY -> metric.getSummary().getDataPointsCount();
            case DATA_NOT_SET -> 0;
          };
        }
      }
    }
    return n;
  }

  /** A reason, visible in the parsed object, for the validator to refuse it; null if none. */
  static String refusalReason(Message m) {
    if (m instanceof Span s) {
      if (s.getTraceId().size() != 16 || s.getSpanId().size() != 8) return "span ids";
      if (!s.getParentSpanId().isEmpty() && s.getParentSpanId().size() != 8) return "parent id";
    } else if (m instanceof Span.Link l) {
      if (l.getTraceId().size() != 16 || l.getSpanId().size() != 8) return "link ids";
    } else if (m instanceof LogRecord l) {
      if (!l.getTraceId().isEmpty() && l.getTraceId().size() != 16) return "log trace id";
      if (!l.getSpanId().isEmpty() && l.getSpanId().size() != 8) return "log span id";
    } else if (m instanceof Exemplar e) {
      if (!e.getTraceId().isEmpty() && e.getTraceId().size() != 16) return "exemplar trace id";
      if (!e.getSpanId().isEmpty() && e.getSpanId().size() != 8) return "exemplar span id";
    }
    Descriptors.Descriptor d = m.getDescriptorForType();
    for (Map.Entry<Integer, UnknownFieldSet.Field> u : m.getUnknownFields().asMap().entrySet()) {
      if (d.findFieldByNumber(u.getKey()) != null) return "known field " + u.getKey() + " with wrong wire type";
    }
    for (Map.Entry<Descriptors.FieldDescriptor, Object> f : m.getAllFields().entrySet()) {
      if (f.getKey().getJavaType() != Descriptors.FieldDescriptor.JavaType.MESSAGE) continue;
      if (f.getKey().isRepeated()) {
        for (Object o : (java.util.List<?>) f.getValue()) {
          String why = refusalReason((Message) o);
          if (why != null) return why;
        }
      } else {
        String why = refusalReason((Message) f.getValue());
        if (why != null) return why;
      }
    }
    return null;
  }

  /** Runs both and checks they agree; returns true when the validator accepted. */
  static boolean differential(Signal s, byte[] b) {
    Message parsed;
    try {
      parsed = parse(s, b);
    } catch (InvalidProtocolBufferException e) {
      parsed = null;
    }
    int count;
    try {
      count = OtlpValidator.validateAndCount(s, b);
    } catch (InvalidOtlpException e) {
      assertThat(e.getMessage()).isNotBlank();
      // protobuf-java's fast varint path accepts a 10th byte that still has its continuation bit
      // when its lowest bit is set (e.g. ff x9 then 81); we refuse such malformed varints.
      if (parsed != null && !e.problem().equals("varint longer than 10 bytes")) {
        assertThat(refusalReason(parsed))
            .as("validator refused what protobuf-java parsed (%s): %s", e.getMessage(), hex(b))
            .isNotNull();
      }
      return false;
    } catch (RuntimeException e) {
      fail("validator threw " + e + " on " + hex(b), e);
      return false;
    }
    if (parsed == null) fail("validator accepted what protobuf-java refuses: " + hex(b));
    assertThat(count).as("item count").isEqualTo(count(parsed));
    assertThat(refusalReason(parsed)).isNull();
    return true;
  }

  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(b.length, 400); i++) sb.append(String.format("%02x", b[i]));
    return sb.toString();
  }

  // ---- tests ----

  @Test
  void validRequestsOfEverySignalAreAcceptedAndCounted() throws Exception {
    Random r = new Random(1);
    for (Signal s : Signal.values()) {
      for (int i = 0; i < 200; i++) {
        Message m = generate(s, r);
        assertThat(OtlpValidator.validateAndCount(s, m.toByteArray())).isEqualTo(count(m));
      }
    }
  }

  @Test
  void emptyRequestIsValidWithNoItems() throws Exception {
    for (Signal s : Signal.values()) assertThat(OtlpValidator.validateAndCount(s, new byte[0])).isZero();
  }

  @Test
  void corruptedRequestsAgreeWithProtobufJava() {
    Random r = new Random(42);
    int accepted = 0;
    int refused = 0;
    for (Signal s : Signal.values()) {
      for (int i = 0; i < 3000; i++) {
        byte[] b = generate(s, r).toByteArray();
        byte[] c = corrupt(r, b);
        if (differential(s, c)) accepted++; else refused++;
      }
    }
    // Both outcomes must occur, or the corruption is not exercising anything.
    assertThat(accepted).isGreaterThan(100);
    assertThat(refused).isGreaterThan(1000);
  }

  static byte[] corrupt(Random r, byte[] b) {
    if (b.length == 0) return bytes(r, 1 + r.nextInt(20));
    byte[] c = b.clone();
    switch (r.nextInt(6)) {
      case 0 -> c = Arrays.copyOf(b, r.nextInt(b.length)); // truncate
      case 1 -> { // flip 1-3 bits
        for (int k = 1 + r.nextInt(3); k > 0; k--) c[r.nextInt(c.length)] ^= (byte) (1 << r.nextInt(8));
      }
      case 2 -> c[r.nextInt(c.length)] = (byte) r.nextInt(256); // replace a byte
      case 3 -> { // insert a byte
        int at = r.nextInt(b.length + 1);
        c = new byte[b.length + 1];
        System.arraycopy(b, 0, c, 0, at);
        c[at] = (byte) r.nextInt(256);
        System.arraycopy(b, at, c, at + 1, b.length - at);
      }
      case 4 -> { // delete a byte
        int at = r.nextInt(b.length);
        c = new byte[b.length - 1];
        System.arraycopy(b, 0, c, 0, at);
        System.arraycopy(b, at + 1, c, at, b.length - at - 1);
      }
      default -> c = bytes(r, r.nextInt(64)); // garbage
    }
    return c;
  }

  @Test
  void randomGarbageNeverThrowsAnythingElse() {
    Random r = new Random(7);
    for (int i = 0; i < 20000; i++) {
      Signal s = Signal.values()[i % 3];
      differential(s, bytes(r, r.nextInt(48)));
    }
  }

  @Test
  void badTraceIdLengthIsNamedWithItsPath() {
    Random r = new Random(3);
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    for (int i = 0; i < 3; i++) ss.addSpans(span(r));
    ss.addSpans(span(r).toBuilder().setTraceId(ByteString.copyFrom(bytes(r, 5))));
    ExportTraceServiceRequest req = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span(r))).addScopeSpans(ss)).build();
    assertThatThrownBy(() -> OtlpValidator.validateAndCount(Signal.TRACES, req.toByteArray()))
        .isInstanceOf(InvalidOtlpException.class)
        .hasMessage("resource_spans[0].scope_spans[1].spans[3].trace_id: expected 16 bytes, got 5");
  }

  @Test
  void missingSpanIdIsRefused() {
    Span s = span(new Random(4)).toBuilder().clearSpanId().build();
    byte[] b = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(s))).build().toByteArray();
    assertThatThrownBy(() -> OtlpValidator.validateAndCount(Signal.TRACES, b))
        .hasMessage("resource_spans[0].scope_spans[0].spans[0].span_id: missing (expected 8 bytes)");
  }

  @Test
  void badParentAndLinkIdsAreRefusedEmptyParentAccepted() throws Exception {
    Random r = new Random(5);
    Span ok = span(r).toBuilder().clearParentSpanId().build();
    assertThat(OtlpValidator.validateAndCount(Signal.TRACES, tracesOf(ok))).isEqualTo(1);
    Span badParent = ok.toBuilder().setParentSpanId(ByteString.copyFrom(bytes(r, 7))).build();
    assertThatThrownBy(() -> OtlpValidator.validateAndCount(Signal.TRACES, tracesOf(badParent)))
        .hasMessageEndingWith("spans[0].parent_span_id: expected 8 bytes, got 7");
    Span badLink = ok.toBuilder().clearLinks().addLinks(Span.Link.newBuilder()
        .setTraceId(ByteString.copyFrom(bytes(r, 16))).setSpanId(ByteString.copyFrom(bytes(r, 9)))).build();
    assertThatThrownBy(() -> OtlpValidator.validateAndCount(Signal.TRACES, tracesOf(badLink)))
        .hasMessageEndingWith("spans[0].links[0].span_id: expected 8 bytes, got 9");
  }

  static byte[] tracesOf(Span s) {
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(s))).build().toByteArray();
  }

  @Test
  void logAndExemplarIdsMayBeEmptyButNotShort() throws Exception {
    Random r = new Random(6);
    LogRecord noIds = log(r).toBuilder().clearTraceId().clearSpanId().build();
    assertThat(OtlpValidator.validateAndCount(Signal.LOGS, logsOf(noIds))).isEqualTo(1);
    LogRecord shortTrace = noIds.toBuilder().setTraceId(ByteString.copyFrom(bytes(r, 15))).build();
    assertThatThrownBy(() -> OtlpValidator.validateAndCount(Signal.LOGS, logsOf(shortTrace)))
        .hasMessage("resource_logs[0].scope_logs[0].log_records[0].trace_id: expected 16 bytes, got 15");

    Metric m = Metric.newBuilder().setName("g").setGauge(Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder()
        .setAsInt(1).addExemplars(Exemplar.newBuilder().setSpanId(ByteString.copyFrom(bytes(r, 4)))))).build();
    byte[] b = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(m))).build().toByteArray();
    assertThatThrownBy(() -> OtlpValidator.validateAndCount(Signal.METRICS, b)).hasMessage(
        "resource_metrics[0].scope_metrics[0].metrics[0].gauge.data_points[0].exemplars[0].span_id: "
            + "expected 8 bytes, got 4");
  }

  static byte[] logsOf(LogRecord l) {
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .addScopeLogs(ScopeLogs.newBuilder().addLogRecords(l))).build().toByteArray();
  }

  @Test
  void truncationAndBadTagsAreNamed() {
    byte[] b = traces(new Random(8)).toByteArray();
    assertThatThrownBy(() -> OtlpValidator.validateAndCount(Signal.TRACES, Arrays.copyOf(b, b.length - 1)))
        .hasMessageContaining("truncated");
    assertThatThrownBy(() -> OtlpValidator.validateAndCount(Signal.TRACES, new byte[] {0x00}))
        .hasMessage("invalid tag (field number 0)");
    assertThatThrownBy(() -> OtlpValidator.validateAndCount(Signal.TRACES, new byte[] {0x0F}))
        .hasMessage("resource_spans[0]: wire type 7 where 2 is declared");
    assertThatThrownBy(() -> OtlpValidator.validateAndCount(Signal.TRACES, new byte[] {0x17}))
        .hasMessage("field 2: invalid wire type 7");
    assertThatThrownBy(() -> OtlpValidator.validateAndCount(Signal.TRACES,
        new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
            (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x01}))
        .hasMessage("varint longer than 10 bytes");
  }

  @Test
  void unknownFieldsAreSkippedIncludingGroups() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(out);
    o.writeUInt64(90, 12345);
    o.writeString(91, "future");
    o.writeFixed32(92, 7);
    o.writeFixed64(93, 8);
    o.writeTag(94, 3); // start group
    o.writeUInt64(1, 1);
    o.writeTag(94, 4); // end group
    o.flush();
    byte[] unknown = out.toByteArray();
    byte[] known = traces(new Random(9)).toByteArray();
    byte[] both = concat(unknown, known);
    assertThat(differential(Signal.TRACES, both)).isTrue();
  }

  @Test
  void invalidUtf8InAStringIsRefusedLikeProtobufJava() throws IOException {
    byte[] name = "op".getBytes(StandardCharsets.UTF_8);
    for (byte[] bad : new byte[][] {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
        {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xFF}}) {
      byte[] span = span(new Random(10)).toBuilder().clearName().build().toByteArray();
      byte[] spanWithName = concat(span, wrap(5, concat(name, bad)));
      byte[] b = wrap(1, wrap(2, wrap(2, spanWithName)));
      assertThat(differential(Signal.TRACES, b)).isFalse();
      assertThatThrownBy(() -> OtlpValidator.validateAndCount(Signal.TRACES, b))
          .hasMessageEndingWith("spans[0].name: invalid UTF-8");
    }
    Span ok = span(new Random(10)).toBuilder().setName("ü€𝄞").build();
    assertThat(differential(Signal.TRACES, tracesOf(ok))).isTrue();
  }

  @Test
  void nestingDepthMatchesProtobufJavaLimit() {
    // Request > ResourceLogs > ScopeLogs > LogRecord > body AnyValue is depth 4; each array level adds 2.
    boolean sawAccept = false;
    boolean sawRefuse = false;
    for (int levels = 44; levels <= 52; levels++) {
      AnyValue v = AnyValue.newBuilder().setIntValue(1).build();
      for (int i = 0; i < levels; i++) {
        v = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(v)).build();
      }
      byte[] b = logsOf(LogRecord.newBuilder().setBody(v).build());
      if (differential(Signal.LOGS, b)) sawAccept = true; else sawRefuse = true;
    }
    assertThat(sawAccept).isTrue();
    assertThat(sawRefuse).isTrue();
  }

  @Test
  void metricOneofFollowsProtobufMergeRules() throws Exception {
    Random r = new Random(11);
    byte[] gauge = Metric.newBuilder().setGauge(Gauge.newBuilder().addDataPoints(number(r)).addDataPoints(number(r)))
        .build().toByteArray();
    byte[] sum = Metric.newBuilder().setSum(Sum.newBuilder().addDataPoints(number(r))).build().toByteArray();
    // gauge(2) then sum(1): the sum wins; gauge twice: merged, 4.
    for (byte[] metric : new byte[][] {concat(gauge, sum), concat(gauge, gauge), concat(sum, gauge)}) {
      byte[] sm = wrap(2, metric); // ScopeMetrics.metrics
      byte[] rm = wrap(2, sm); // ResourceMetrics.scope_metrics
      byte[] req = wrap(1, rm);
      assertThat(differential(Signal.METRICS, req)).isTrue();
    }
    assertThat(OtlpValidator.validateAndCount(Signal.METRICS, wrap(1, wrap(2, wrap(2, concat(gauge, gauge))))))
        .isEqualTo(4);
  }

  @Test
  void packedAndUnpackedRepeatedScalarsBothAccepted() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(out);
    o.writeFixed64(6, 3); // bucket_counts unpacked
    o.writeFixed64(6, 4);
    o.writeDouble(7, 1.5); // explicit_bounds unpacked
    o.flush();
    byte[] point = out.toByteArray();
    byte[] req = wrap(1, wrap(2, wrap(2, concat(new byte[] {10, 1, 'h'}, wrap(9, wrap(1, point))))));
    assertThat(differential(Signal.METRICS, req)).isTrue();
    HistogramDataPoint parsed = ExportMetricsServiceRequest.parseFrom(req).getResourceMetrics(0).getScopeMetrics(0)
        .getMetrics(0).getHistogram().getDataPoints(0);
    assertThat(parsed.getBucketCountsList()).containsExactly(3L, 4L);
    // A packed array whose length is not a multiple of 8 is malformed.
    byte[] badPacked = {0x32, 0x03, 1, 2, 3};
    byte[] bad = wrap(1, wrap(2, wrap(2, concat(new byte[] {10, 1, 'h'}, wrap(9, wrap(1, badPacked))))));
    assertThat(differential(Signal.METRICS, bad)).isFalse();
  }

  static byte[] wrap(int field, byte[] body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream o = CodedOutputStream.newInstance(out);
    o.writeByteArray(field, body);
    o.flush();
    return out.toByteArray();
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @Test
  void concatenationOfTwoRequestsCountsBoth() throws Exception {
    Random r = new Random(12);
    ExportTraceServiceRequest a = traces(r);
    ExportTraceServiceRequest b = traces(r);
    assertThat(OtlpValidator.validateAndCount(Signal.TRACES, concat(a.toByteArray(), b.toByteArray())))
        .isEqualTo(count(a) + count(b));
  }

  @Test
  void offsetAndLengthSelectASlice() throws Exception {
    byte[] b = traces(new Random(13)).toByteArray();
    byte[] padded = concat(concat(new byte[] {(byte) 0xFF, 0x00}, b), new byte[] {0x00});
    assertThat(OtlpValidator.validateAndCount(Signal.TRACES, padded, 2, b.length))
        .isEqualTo(OtlpValidator.validateAndCount(Signal.TRACES, b));
    assertThatThrownBy(() -> OtlpValidator.validateAndCount(Signal.TRACES, b, 1, b.length))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }
}
