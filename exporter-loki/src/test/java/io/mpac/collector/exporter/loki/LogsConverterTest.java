package io.mpac.collector.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LokiEntry;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Conversion rules, checked against the examples in the Collector-contrib translator's tests. */
class LogsConverterTest {

  static final long NOW = 1_700_000_000_123_456_789L;

  static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  static KeyValue kv(String k, AnyValue v) {
    return KeyValue.newBuilder().setKey(k).setValue(v).build();
  }

  static KeyValue kv(String k, String v) {
    return kv(k, str(v));
  }

  static AnyValue list(AnyValue... values) {
    return AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addAllValues(List.of(values))).build();
  }

  static AnyValue map(KeyValue... kvs) {
    return AnyValue.newBuilder().setKvlistValue(KeyValueList.newBuilder().addAllValues(List.of(kvs))).build();
  }

  /** The translator tests' example record: body, severity text, two attributes, trace and span ids. */
  static LogRecord.Builder exampleLog() {
    byte[] trace = new byte[16];
    trace[0] = 1; trace[1] = 2; trace[2] = 3; trace[3] = 4;
    return LogRecord.newBuilder()
        .setBody(str("Example log"))
        .setSeverityText("error")
        .addAttributes(kv("attr1", "1"))
        .addAttributes(kv("attr2", "2"))
        .setTraceId(ByteString.copyFrom(trace))
        .setSpanId(ByteString.copyFrom(new byte[] {5, 6, 7, 8, 0, 0, 0, 0}));
  }

  static final InstrumentationScope SCOPE = InstrumentationScope.newBuilder().setName("example-logger-name")
      .setVersion("v1").build();

  private static List<LokiEntry> convert(InstrumentationScope scope, List<KeyValue> resource, LogRecord... records) {
    return convert(StructuredMetadataConfig.DISABLED, scope, resource, records);
  }

  private static List<LokiEntry> convert(StructuredMetadataConfig md, InstrumentationScope scope,
      List<KeyValue> resource, LogRecord... records) {
    ExportLogsServiceRequest req = ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(ResourceLogs.newBuilder()
            .setResource(Resource.newBuilder().addAllAttributes(resource))
            .addScopeLogs(ScopeLogs.newBuilder().setScope(scope).addAllLogRecords(List.of(records))))
        .build();
    List<LokiEntry> out = new ArrayList<>();
    LogsConverter.Result r = new LogsConverter(md, () -> NOW).convert(req, out);
    assertThat(r.converted()).isEqualTo(out.size());
    return out;
  }

  /** One record in the translator tests' example scope. */
  private static LokiEntry ex(List<KeyValue> resource, LogRecord record) {
    List<LokiEntry> out = convert(SCOPE, resource, record);
    assertThat(out).hasSize(1);
    return out.get(0);
  }

  /** One record without a scope. */
  private static LokiEntry one(List<KeyValue> resource, LogRecord record) {
    List<LokiEntry> out = convert(InstrumentationScope.getDefaultInstance(), resource, record);
    assertThat(out).hasSize(1);
    return out.get(0);
  }

  @Test
  void jsonLineWithStringBodyMatchesTheTranslator() {
    LokiEntry e = ex(List.of(kv("host.name", "something")), exampleLog().build());
    assertThat(e.line()).isEqualTo("{\"body\":\"Example log\",\"traceid\":\"01020304000000000000000000000000\","
        + "\"spanid\":\"0506070800000000\",\"severity\":\"error\",\"attributes\":{\"attr1\":\"1\",\"attr2\":\"2\"},"
        + "\"resources\":{\"host.name\":\"something\"},"
        + "\"instrumentation_scope\":{\"name\":\"example-logger-name\",\"version\":\"v1\"}}");
    assertThat(e.labels()).isEqualTo(Labels.of("exporter", "OTLP"));
    assertThat(e.structuredMetadata()).isEmpty();
  }

  @Test
  void jsonLineWithMapBodyAndFlags() {
    LokiEntry e = ex(List.of(kv("host.name", "something")), exampleLog()
        .setBody(map(kv("key1", "value"), kv("key2", "value"))).setFlags(1).build());
    assertThat(e.line()).isEqualTo("{\"body\":{\"key1\":\"value\",\"key2\":\"value\"},"
        + "\"traceid\":\"01020304000000000000000000000000\",\"spanid\":\"0506070800000000\",\"severity\":\"error\","
        + "\"flags\":1,\"attributes\":{\"attr1\":\"1\",\"attr2\":\"2\"},\"resources\":{\"host.name\":\"something\"},"
        + "\"instrumentation_scope\":{\"name\":\"example-logger-name\",\"version\":\"v1\"}}");
  }

  @Test
  void jsonBodyOfEveryValueType() {
    AnyValue complex = map(kv("keystr", "val"), kv("keyint", AnyValue.newBuilder().setDoubleValue(1).build()),
        kv("keybool", AnyValue.newBuilder().setBoolValue(true).build()), kv("keynull", AnyValue.getDefaultInstance()),
        kv("keyarr", list(str("a"), str("b"))), kv("keymap", map(kv("key", "val"))),
        kv("keyempty", AnyValue.getDefaultInstance()));
    assertThat(body(complex)).isEqualTo("{\"keyarr\":[\"a\",\"b\"],\"keybool\":true,\"keyempty\":null,\"keyint\":1,"
        + "\"keymap\":{\"key\":\"val\"},\"keynull\":null,\"keystr\":\"val\"}");
    assertThat(body(AnyValue.newBuilder().setIntValue(1).build())).isEqualTo("1");
    assertThat(body(AnyValue.newBuilder().setDoubleValue(1.1).build())).isEqualTo("1.1");
    assertThat(body(AnyValue.newBuilder().setDoubleValue(1e21).build())).isEqualTo("1e+21");
    assertThat(body(AnyValue.newBuilder().setDoubleValue(1e-7).build())).isEqualTo("1e-7");
    assertThat(body(AnyValue.newBuilder().setDoubleValue(123456789).build())).isEqualTo("123456789");
    assertThat(body(AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("abc")).build())).isEqualTo("\"YWJj\"");
    assertThat(body(str("<a & b>\u2028\n\u0001\"\\"))).isEqualTo("\"\\u003ca \\u0026 b\\u003e\\u2028\\n\\u0001\\\"\\\\\"");
  }

  private static String body(AnyValue v) {
    LokiEntry e = one(List.of(), LogRecord.newBuilder().setBody(v).build());
    String line = e.line();
    assertThat(line).startsWith("{\"body\":").endsWith("}");
    return line.substring("{\"body\":".length(), line.length() - 1);
  }

  @Test
  void emptyRecordGivesEmptyJsonObjectAndObservedOrCurrentTime() {
    LokiEntry none = one(List.of(), LogRecord.newBuilder().build());
    assertThat(none.line()).isEqualTo("{}");
    assertThat(none.timestampNanos()).isEqualTo(NOW);
    assertThat(one(List.of(), LogRecord.newBuilder().setObservedTimeUnixNano(42).build()).timestampNanos())
        .isEqualTo(42);
    assertThat(one(List.of(), LogRecord.newBuilder().setObservedTimeUnixNano(42).setTimeUnixNano(7).build())
        .timestampNanos()).isEqualTo(7);
  }

  @Test
  void defaultLabelsJobInstanceAndLevelFromSeverity() {
    LokiEntry e = one(List.of(kv("service.name", "api"), kv("service.namespace", "shop"),
        kv("service.instance.id", "i-1"), kv("job", "removed-from-line"), kv("host", "h1")),
        exampleLog().setSeverityNumberValue(17).build());
    assertThat(e.labels().toString())
        .isEqualTo("{exporter=\"OTLP\", instance=\"i-1\", job=\"shop/api\", level=\"ERROR\"}");
    // attributes named like a label leave the line; level never shows up there
    assertThat(e.line()).contains("\"resources\":{\"host\":\"h1\",\"service.instance.id\":\"i-1\","
        + "\"service.name\":\"api\",\"service.namespace\":\"shop\"}");
    assertThat(e.line()).contains("\"attributes\":{\"attr1\":\"1\",\"attr2\":\"2\"}").doesNotContain("level");

    assertThat(one(List.of(kv("service.name", "api")), LogRecord.newBuilder().build()).labels().toString())
        .isEqualTo("{exporter=\"OTLP\", job=\"api\"}");
  }

  @Test
  void severityTable() {
    String[] expected = {null, "TRACE", "TRACE2", "TRACE3", "TRACE4", "DEBUG", "DEBUG2", "DEBUG3", "DEBUG4", "INFO",
        "INFO2", "INFO3", "INFO4", "WARN", "WARN2", "WARN3", "WARN4", "ERROR", "ERROR2", "ERROR3", "ERROR4", "FATAL",
        "FATAL2", "FATAL3", "FATAL4"};
    for (int sev = 0; sev < expected.length; sev++) {
      LokiEntry e = one(List.of(), LogRecord.newBuilder().setSeverityNumberValue(sev).build());
      assertThat(e.labels().get("level")).as("severity %d", sev).isEqualTo(expected[sev]);
    }
    // out of the table: an empty level (the Go map lookup misses), which loki.write drops as a label
    assertThat(one(List.of(), LogRecord.newBuilder().setSeverityNumberValue(30).build()).labels().get("level"))
        .isEmpty();
  }

  @Test
  void existingLevelAttributeWinsOverSeverity() {
    LokiEntry e = one(List.of(), LogRecord.newBuilder().setSeverityNumberValue(9)
        .addAttributes(kv("level", "notice")).addAttributes(kv("x", "y")).build());
    assertThat(e.labels().get("level")).isEqualTo("notice");
    assertThat(e.line()).isEqualTo("{\"attributes\":{\"x\":\"y\"}}");
  }

  @Test
  void attributeAndResourceHintsPromoteAndSanitise() {
    LokiEntry e = ex(List.of(kv("service.name", "api"), kv("k8s.pod.name", "pod-1"), kv("region", "eu"),
            kv(LogsConverter.HINT_RESOURCES, "k8s.pod.name, region")),
        LogRecord.newBuilder().setSeverityNumberValue(13)
            .addAttributes(kv("http.method", "GET"))
            .addAttributes(kv("1st", "a"))
            .addAttributes(kv("_private", "b"))
            .addAttributes(kv("req", map(kv("id", "r-9"))))
            .addAttributes(kv("kept", "yes"))
            .addAttributes(kv(LogsConverter.HINT_ATTRIBUTES, list(str("http.method"), str("1st"), str("_private"),
                str("req.id"), str("missing"))))
            .build());
    assertThat(e.labels().toMap()).containsExactly(
        Map.entry("exporter", "OTLP"),
        Map.entry("http_method", "GET"),
        Map.entry("job", "api"),
        Map.entry("k8s_pod_name", "pod-1"),
        Map.entry("key_1st", "a"),
        Map.entry("key_private", "b"),
        Map.entry("level", "WARN"),
        Map.entry("region", "eu"),
        Map.entry("req_id", "r-9"));
    // promoted attributes and hints leave the line; the nested map stays (only "req.id" was a label)
    assertThat(e.line()).isEqualTo("{\"attributes\":{\"kept\":\"yes\",\"req\":{\"id\":\"r-9\"}},"
        + "\"resources\":{\"service.name\":\"api\"},"
        + "\"instrumentation_scope\":{\"name\":\"example-logger-name\",\"version\":\"v1\"}}");
  }

  @Test
  void resourceHintOnTheRecordReadsResourceAttributes() {
    LokiEntry e = one(List.of(kv("env", "prod")), LogRecord.newBuilder()
        .addAttributes(kv(LogsConverter.HINT_RESOURCES, "env")).addAttributes(kv("env", "record-env")).build());
    assertThat(e.labels().get("env")).isEqualTo("prod");
    assertThat(e.line()).isEqualTo("{}");
  }

  @Test
  void labelNameNormalisation() {
    assertThat(LabelNames.normalize("service.name")).isEqualTo("service_name");
    assertThat(LabelNames.normalize("0abc")).isEqualTo("key_0abc");
    assertThat(LabelNames.normalize("_name")).isEqualTo("key_name");
    assertThat(LabelNames.normalize("__name__")).isEqualTo("__name__");
    assertThat(LabelNames.normalize("a-b/c d")).isEqualTo("a_b_c_d");
    assertThat(LabelNames.normalize("ünï")).isEqualTo("ünï");
  }

  @Test
  void logfmtFormatMatchesTheTranslator() {
    List<KeyValue> res = List.of(kv("host.name", "something"), kv(LogsConverter.HINT_FORMAT, "logfmt"));
    assertThat(ex(res, exampleLog().setBody(str("msg=\"hello world\"")).build()).line()).isEqualTo(
        "msg=\"hello world\" traceID=01020304000000000000000000000000 spanID=0506070800000000 severity=error "
            + "attribute_attr1=1 attribute_attr2=2 resource_host.name=something "
            + "instrumentation_scope_name=example-logger-name instrumentation_scope_version=v1");
    assertThat(ex(res, exampleLog().setBody(map(kv("key1", "value"), kv("key2", "value"))).build()).line())
        .startsWith("key1=value key2=value traceID=");
    assertThat(ex(res, exampleLog().setBody(list(str("value"), AnyValue.newBuilder().setBoolValue(true).build(),
        AnyValue.newBuilder().setIntValue(123).build())).build()).line()).startsWith("body_0=value body_1=true body_2=123 traceID=");
    assertThat(ex(res, exampleLog().setFlags(1).setBody(str("msg=\"hello world\"")).build()).line())
        .contains("severity=error flags=1 attribute_attr1=1");

    AnyValue slice = list(str("fooo"), map(kv("slice", list(AnyValue.newBuilder().setBoolValue(true).build())),
        kv("foo", "bar")), map(kv("nested", "deeply nested"), kv("uint", AnyValue.newBuilder().setIntValue(123).build())));
    LokiEntry complex = ex(List.of(kv("host.name", "something"), kv("bslice", slice),
        kv(LogsConverter.HINT_FORMAT, "logfmt")), exampleLog().addAttributes(kv("aslice", slice)).build());
    assertThat(complex.line()).isEqualTo("Example= log= traceID=01020304000000000000000000000000 "
        + "spanID=0506070800000000 severity=error attribute_attr1=1 attribute_attr2=2 attribute_aslice_0=fooo "
        + "attribute_aslice_1_slice_0=true attribute_aslice_1_foo=bar attribute_aslice_2_nested=\"deeply nested\" "
        + "attribute_aslice_2_uint=123 resource_host.name=something resource_bslice_0=fooo "
        + "resource_bslice_1_slice_0=true resource_bslice_1_foo=bar resource_bslice_2_nested=\"deeply nested\" "
        + "resource_bslice_2_uint=123 instrumentation_scope_name=example-logger-name instrumentation_scope_version=v1");
  }

  @Test
  void logfmtBodiesOfEveryType() {
    assertThat(logfmtBody(str("a"))).isEqualTo("a=");
    assertThat(logfmtBody(AnyValue.newBuilder().setIntValue(1).build())).isEqualTo("msg=1");
    assertThat(logfmtBody(AnyValue.newBuilder().setDoubleValue(1.1).build())).isEqualTo("msg=1.1");
    assertThat(logfmtBody(AnyValue.newBuilder().setDoubleValue(1e6).build())).isEqualTo("msg=1e+06");
    assertThat(logfmtBody(AnyValue.newBuilder().setBoolValue(true).build())).isEqualTo("msg=true");
    assertThat(logfmtBody(map(kv("key", "val")))).isEqualTo("key=val");
    assertThat(logfmtBody(AnyValue.newBuilder().setBytesValue(ByteString.copyFromUtf8("abc")).build())).isEqualTo("msg=abc");
    // not logfmt: a stray quote, so the body becomes msg=
    assertThat(logfmtBody(str("say \"hi\" now"))).isEqualTo("msg=\"say \\\"hi\\\" now\"");
    // only the first line is parsed
    assertThat(logfmtBody(str("a=1 b=\"x y\"\nc=3"))).isEqualTo("a=1 b=\"x y\"");
    assertThat(logfmtBody(str("v=null"))).isEqualTo("v=null");
  }

  private static String logfmtBody(AnyValue body) {
    return one(List.of(kv(LogsConverter.HINT_FORMAT, "logfmt")), LogRecord.newBuilder().setBody(body).build()).line();
  }

  @Test
  void rawFormatAndInvalidFormat() {
    LokiEntry raw = one(List.of(), exampleLog().addAttributes(kv(LogsConverter.HINT_FORMAT, "raw")).build());
    assertThat(raw.line()).isEqualTo("Example log");
    assertThat(one(List.of(kv(LogsConverter.HINT_FORMAT, "raw")), LogRecord.newBuilder()
        .setBody(map(kv("b", "2"), kv("a", "1"))).build()).line()).isEqualTo("{\"a\":\"1\",\"b\":\"2\"}");

    List<LokiEntry> out = new ArrayList<>();
    ExportLogsServiceRequest req = ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder()
        .addScopeLogs(ScopeLogs.newBuilder()
            .addLogRecords(LogRecord.newBuilder().addAttributes(kv(LogsConverter.HINT_FORMAT, "xml")))
            .addLogRecords(LogRecord.newBuilder().setBody(AnyValue.newBuilder().setDoubleValue(Double.NaN)))
            .addLogRecords(LogRecord.newBuilder().setBody(str("ok"))))).build();
    LogsConverter.Result r = new LogsConverter(StructuredMetadataConfig.DISABLED, () -> NOW).convert(req, out);
    assertThat(r.converted()).isEqualTo(1);
    assertThat(r.failed()).isEqualTo(2);
    assertThat(r.firstError()).contains("invalid format xml");
    assertThat(out.get(0).line()).isEqualTo("{\"body\":\"ok\"}");
  }

  @Test
  void tenantHintSetsTheReservedLabel() {
    LokiEntry e = one(List.of(kv("tenant.id", "team-a"), kv(LogsConverter.HINT_TENANT, "tenant.id")),
        LogRecord.newBuilder().setBody(str("x")).build());
    assertThat(e.labels().get(Labels.TENANT_ID)).isEqualTo("team-a");
    assertThat(e.line()).isEqualTo("{\"body\":\"x\",\"resources\":{\"tenant.id\":\"team-a\"}}");
  }

  @Test
  void structuredMetadataExtension() {
    StructuredMetadataConfig md = new StructuredMetadataConfig(true, List.of("user.id", "deployment.environment"));
    List<LokiEntry> out = convert(md, InstrumentationScope.getDefaultInstance(), List.of(kv("service.name", "api"), kv("deployment.environment", "prod")),
        exampleLog().addAttributes(kv("user.id", "u-7")).build(), LogRecord.newBuilder().build());
    assertThat(out.get(0).structuredMetadata()).containsExactly(
        Map.entry("trace_id", "01020304000000000000000000000000"), Map.entry("span_id", "0506070800000000"),
        Map.entry("user_id", "u-7"), Map.entry("deployment_environment", "prod"));
    assertThat(out.get(0).labels().get("service_name")).isEqualTo("api");
    // the line is unchanged by the extension
    assertThat(out.get(0).line()).contains("\"traceid\":\"01020304000000000000000000000000\"");
    assertThat(out.get(1).structuredMetadata()).containsExactly(Map.entry("deployment_environment", "prod"));
  }
}
