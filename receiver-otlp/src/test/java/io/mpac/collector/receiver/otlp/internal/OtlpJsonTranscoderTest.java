package io.mpac.collector.receiver.otlp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.mpac.collector.pdata.OtlpValidator;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The JSON transcoder against protobuf-java-util's JsonFormat (ids pre-translated hex → base64). */
class OtlpJsonTranscoderTest {

  static final ObjectMapper MAPPER = new ObjectMapper();
  static final Set<String> IDS = Set.of("traceId", "trace_id", "spanId", "span_id", "parentSpanId", "parent_span_id");

  static byte[] resource(String name) throws Exception {
    try (InputStream in = OtlpJsonTranscoderTest.class.getResourceAsStream("/otlp-json/" + name)) {
      return in.readAllBytes();
    }
  }

  /** The reference: JsonFormat after rewriting the hex ids as base64. */
  static Message oracle(Signal s, byte[] json) throws Exception {
    JsonNode tree = MAPPER.readTree(json);
    hexToBase64(tree);
    Message.Builder b = switch (s) {
      case TRACES -> ExportTraceServiceRequest.newBuilder();
      case METRICS -> ExportMetricsServiceRequest.newBuilder();
      case LOGS -> ExportLogsServiceRequest.newBuilder();
    };
    JsonFormat.parser().ignoringUnknownFields().merge(MAPPER.writeValueAsString(tree), b);
    return b.build();
  }

  static void hexToBase64(JsonNode n) {
    if (n instanceof ObjectNode o) {
      Iterator<Map.Entry<String, JsonNode>> it = o.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (IDS.contains(e.getKey()) && e.getValue().isTextual()) {
          e.setValue(new TextNode(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(e.getValue().asText()))));
        } else {
          hexToBase64(e.getValue());
        }
      }
    } else if (n instanceof ArrayNode a) {
      a.forEach(OtlpJsonTranscoderTest::hexToBase64);
    }
  }

  static Message parse(Signal s, byte[] b) throws Exception {
    return switch (s) {
      case TRACES -> ExportTraceServiceRequest.parseFrom(b);
      case METRICS -> ExportMetricsServiceRequest.parseFrom(b);
      case LOGS -> ExportLogsServiceRequest.parseFrom(b);
    };
  }

  static Message convert(Signal s, String json) throws Exception {
    byte[] pb = OtlpJsonTranscoder.toProtobuf(s, json.getBytes(StandardCharsets.UTF_8));
    Message m = parse(s, pb);
    assertThat(m).isEqualTo(oracle(s, json.getBytes(StandardCharsets.UTF_8)));
    return m;
  }

  @Test
  void specTraceExample() throws Exception {
    byte[] json = resource("trace.json");
    byte[] pb = OtlpJsonTranscoder.toProtobuf(Signal.TRACES, json);
    ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(pb);
    assertThat(req).isEqualTo(oracle(Signal.TRACES, json));
    Span span = req.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(span.getTraceId()).isEqualTo(ByteString.fromHex("5b8efff798038103d269b633813fc60c"));
    assertThat(span.getSpanId()).isEqualTo(ByteString.fromHex("eee19b7ec3c1b174"));
    assertThat(span.getParentSpanId()).isEqualTo(ByteString.fromHex("eee19b7ec3c1b173"));
    assertThat(span.getKind()).isEqualTo(Span.SpanKind.SPAN_KIND_SERVER);
    assertThat(span.getStartTimeUnixNano()).isEqualTo(1544712660000000000L);
    assertThat(span.getAttributes(0).getValue().getStringValue()).isEqualTo("some value");
    assertThat(OtlpValidator.validateAndCount(Signal.TRACES, pb)).isEqualTo(1);
  }

  @Test
  void specMetricsExample() throws Exception {
    byte[] json = resource("metrics.json");
    byte[] pb = OtlpJsonTranscoder.toProtobuf(Signal.METRICS, json);
    ExportMetricsServiceRequest req = ExportMetricsServiceRequest.parseFrom(pb);
    assertThat(req).isEqualTo(oracle(Signal.METRICS, json));
    HistogramDataPoint h = req.getResourceMetrics(0).getScopeMetrics(0).getMetrics(2).getHistogram().getDataPoints(0);
    assertThat(h.getBucketCountsList()).containsExactly(1L, 1L, 1L);
    assertThat(h.getExplicitBoundsList()).containsExactly(1.0);
    assertThat(h.hasMin()).isTrue();
    assertThat(req.getResourceMetrics(0).getScopeMetrics(0).getMetrics(0).getSum().getIsMonotonic()).isTrue();
    assertThat(OtlpValidator.validateAndCount(Signal.METRICS, pb)).isEqualTo(3);
  }

  @Test
  void specLogsExample() throws Exception {
    byte[] json = resource("logs.json");
    byte[] pb = OtlpJsonTranscoder.toProtobuf(Signal.LOGS, json);
    ExportLogsServiceRequest req = ExportLogsServiceRequest.parseFrom(pb);
    assertThat(req).isEqualTo(oracle(Signal.LOGS, json));
    LogRecord l = req.getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
    assertThat(l.getTraceId()).isEqualTo(ByteString.fromHex("5b8efff798038103d269b633813fc60c"));
    assertThat(l.getAttributes(2).getValue().getIntValue()).isEqualTo(10);
    assertThat(l.getAttributes(5).getValue().getKvlistValue().getValues(0).getKey()).isEqualTo("some.map.key");
    assertThat(OtlpValidator.validateAndCount(Signal.LOGS, pb)).isEqualTo(1);
  }

  static final String SPAN_TEMPLATE = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[%s]}]}]}";

  static Span span(String spanJson) throws Exception {
    return ((ExportTraceServiceRequest) convert(Signal.TRACES, SPAN_TEMPLATE.formatted(spanJson)))
        .getResourceSpans(0).getScopeSpans(0).getSpans(0);
  }

  @Test
  void hexIdsAreCaseInsensitive() throws Exception {
    Span lower = span("{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\"}");
    Span upper = span("{\"traceId\":\"5B8EFFF798038103D269B633813FC60C\",\"spanId\":\"EEE19B7EC3C1B174\"}");
    assertThat(upper).isEqualTo(lower);
  }

  @Test
  void int64AsNumberOrStringAndEnumsAsNameOrNumber() throws Exception {
    Span a = span("{\"startTimeUnixNano\":1544712660000000000,\"kind\":2,\"status\":{\"code\":2}}");
    Span b = span("{\"startTimeUnixNano\":\"1544712660000000000\",\"kind\":\"SPAN_KIND_SERVER\","
        + "\"status\":{\"code\":\"STATUS_CODE_ERROR\"}}");
    assertThat(b).isEqualTo(a);
    assertThat(a.getStartTimeUnixNano()).isEqualTo(1544712660000000000L);
    assertThat(b.getStatus().getCodeValue()).isEqualTo(2);
    // fixed64 above 2^63 as a string
    Span big = span("{\"endTimeUnixNano\":\"18446744073709551615\"}");
    assertThat(big.getEndTimeUnixNano()).isEqualTo(-1L);
  }

  @Test
  void integersWrittenWithExponentsAreJudgedWithoutExpandingThem() throws Exception {
    assertThat(span("{\"startTimeUnixNano\":1.5e3}").getStartTimeUnixNano()).isEqualTo(1500);
    assertThat(span("{\"startTimeUnixNano\":\"2E+2\"}").getStartTimeUnixNano()).isEqualTo(200);
    assertThat(span("{\"startTimeUnixNano\":0e999999999}").getStartTimeUnixNano()).isZero();
    // found by fuzzing: 1.8e999999999 took seconds (a billion-digit BigInteger) and echoed it whole
    for (String huge : new String[] {"1.8e999999999", "\"1.8e999999999\"", "-1e21"}) {
      assertThatThrownBy(() -> span("{\"startTimeUnixNano\":" + huge + "}"))
          .isInstanceOf(OtlpJsonTranscoder.JsonException.class)
          .hasMessageContaining("out of range")
          .satisfies(e -> assertThat(e.getMessage().length()).isLessThan(300)); // never expanded
    }
    assertThatThrownBy(() -> span("{\"startTimeUnixNano\":1e-999999999}"))
        .isInstanceOf(OtlpJsonTranscoder.JsonException.class).hasMessageContaining("expected an integer");
  }

  @Test
  void snakeCaseKeysAndUnknownFieldsAreAccepted() throws Exception {
    String json = "{\"resource_spans\":[{\"future\":{\"x\":[1,{\"y\":null}]},\"scope_spans\":[{\"spans\":[{"
        + "\"trace_id\":\"5b8efff798038103d269b633813fc60c\",\"span_id\":\"eee19b7ec3c1b174\","
        + "\"parent_span_id\":\"\",\"start_time_unix_nano\":\"5\",\"unknownNumber\":1e400,"
        + "\"attributes\":[{\"key\":\"k\",\"value\":{\"int_value\":\"-7\",\"newKind\":true}}]}]}]}],\"extra\":\"x\"}";
    ExportTraceServiceRequest req = (ExportTraceServiceRequest) convert(Signal.TRACES, json);
    Span s = req.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertThat(s.getStartTimeUnixNano()).isEqualTo(5);
    assertThat(s.getParentSpanId()).isEmpty();
    assertThat(s.getAttributes(0).getValue().getIntValue()).isEqualTo(-7);
  }

  @Test
  void bytesValueIsBase64AndDoublesAcceptSpecialValues() throws Exception {
    String json = "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"bytesValue\":\"AQID/w==\"},"
        + "\"attributes\":[{\"key\":\"nan\",\"value\":{\"doubleValue\":\"NaN\"}},"
        + "{\"key\":\"inf\",\"value\":{\"doubleValue\":\"-Infinity\"}},{\"key\":\"zero\",\"value\":{\"intValue\":0}}]}]}]}]}";
    ExportLogsServiceRequest req = (ExportLogsServiceRequest) convert(Signal.LOGS, json);
    LogRecord l = req.getResourceLogs(0).getScopeLogs(0).getLogRecords(0);
    assertThat(l.getBody().getBytesValue().toByteArray()).containsExactly(1, 2, 3, 0xff);
    assertThat(l.getAttributes(0).getValue().getDoubleValue()).isNaN();
    assertThat(l.getAttributes(1).getValue().getDoubleValue()).isEqualTo(Double.NEGATIVE_INFINITY);
    // a oneof member holding its default is still set
    assertThat(l.getAttributes(2).getValue().hasIntValue()).isTrue();
  }

  @Test
  void longBodiesAndDeepNestingRoundTrip() throws Exception {
    StringBuilder attrs = new StringBuilder();
    for (int i = 0; i < 300; i++) {
      if (i > 0) attrs.append(',');
      attrs.append("{\"key\":\"k").append(i).append("\",\"value\":{\"stringValue\":\"").append("x".repeat(i)).append("\"}}");
    }
    Span s = span("{\"traceId\":\"5b8efff798038103d269b633813fc60c\",\"spanId\":\"eee19b7ec3c1b174\","
        + "\"attributes\":[" + attrs + "]}");
    assertThat(s.getAttributesCount()).isEqualTo(300);
    assertThat(s.getAttributes(299).getValue().getStringValue()).hasSize(299);
  }

  @Test
  void errorsNameThePlace() {
    assertThatThrownBy(() -> OtlpJsonTranscoder.toProtobuf(Signal.TRACES,
        SPAN_TEMPLATE.formatted("{},{\"traceId\":\"zz\"}").getBytes(StandardCharsets.UTF_8)))
        .hasMessage("resourceSpans[0].scopeSpans[0].spans[1].traceId: invalid hex id \"zz\"");
    assertThatThrownBy(() -> OtlpJsonTranscoder.toProtobuf(Signal.TRACES,
        SPAN_TEMPLATE.formatted("{\"traceId\":\"abc\"}").getBytes(StandardCharsets.UTF_8)))
        .hasMessageContaining("odd length");
    assertThatThrownBy(() -> OtlpJsonTranscoder.toProtobuf(Signal.TRACES,
        SPAN_TEMPLATE.formatted("{\"startTimeUnixNano\":\"soon\"}").getBytes(StandardCharsets.UTF_8)))
        .hasMessageEndingWith("startTimeUnixNano: expected an integer, got \"soon\"");
    assertThatThrownBy(() -> OtlpJsonTranscoder.toProtobuf(Signal.TRACES, "{\"resourceSpans\":[".getBytes()))
        .hasMessage("invalid JSON: Unexpected end-of-input: expected close marker for Array at line 1, column 19");
    assertThatThrownBy(() -> OtlpJsonTranscoder.toProtobuf(Signal.TRACES, new byte[0]))
        .hasMessage("empty JSON document");
    assertThatThrownBy(() -> OtlpJsonTranscoder.toProtobuf(Signal.TRACES, "[]".getBytes()))
        .hasMessage("expected a JSON object, got an array");
    assertThatThrownBy(() -> OtlpJsonTranscoder.toProtobuf(Signal.TRACES, "{} {}".getBytes()))
        .hasMessage("unexpected data after the JSON object");
    assertThatThrownBy(() -> OtlpJsonTranscoder.toProtobuf(Signal.TRACES, "{\"resourceSpans\":{}}".getBytes()))
        .hasMessage("resourceSpans: expected an array, got an object");
  }
}
