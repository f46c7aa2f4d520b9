package io.mpac.collector.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.InvalidProtocolBufferException;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming converter against the tree converter ({@link LogsConverter#convertTree}, over
 * protobuf-java's objects): randomized requests with fixed seeds must give the same entries and
 * counts, or both must fail to parse. Hand-made wire cases cover what builders cannot produce
 * (fields repeated, unknown fields, wrong wire types, invalid UTF-8, truncation, deep nesting).
 */
class WireLogsConverterTest {

  private static final long NOW = 1_700_000_000_123_456_789L;

  private static final String[] KEYS = {"http.route", "http.status_code", "thread.name", "user.id", "a", "b", "z",
      "job", "instance", "exporter", "service.name", "k8s.pod.name", "region", "req", "", "ключ", "emoji😀",
      "<tag>", "quote\"d", "ctrl\u0001", "\uE000pua", "level", LogsConverter.HINT_ATTRIBUTES,
      LogsConverter.HINT_RESOURCES, LogsConverter.HINT_TENANT, LogsConverter.HINT_FORMAT};
  private static final String[] STRINGS = {"", "plain", "order 123 processed", "<a & b>", "line\nbreak\ttab\r",
      "quote \" backslash \\", "\u2028\u2029", "ctrl \u0001\u001f\u007f", "ünïcödé", "日本語", "emoji 😀 pair",
      "\uE000\uFFFF", "null", "a=1 b=\"x y\"", "json,logfmt"};

  private static LogsConverter converter(StructuredMetadataConfig md) {
    return new LogsConverter(md, () -> NOW);
  }

  /** Both paths over the same bytes: same entries and counts, or both refuse the bytes. */
  private static WireStats compare(StructuredMetadataConfig md, byte[] bytes) {
    return compare(converter(md), md, bytes);
  }

  /** As above, with a given streaming converter (which keeps resource contexts from earlier requests). */
  private static WireStats compare(LogsConverter wire, StructuredMetadataConfig md, byte[] bytes) {
    WireLogsConverter.Stats before = wire.wireStats();
    LogsConverter tree = converter(md);
    ExportLogsServiceRequest parsed;
    try {
      parsed = ExportLogsServiceRequest.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      assertThatThrownBy(() -> wire.convert(bytes, new ArrayList<>()))
          .isInstanceOf(InvalidProtocolBufferException.class).hasMessage(e.getMessage());
      return new WireStats(0, 0, true);
    }
    List<LokiEntry> expected = new ArrayList<>();
    LogsConverter.Result te = tree.convertTree(parsed, expected);
    List<LokiEntry> actual = new ArrayList<>(List.of(new LokiEntry(io.mpac.collector.loki.Labels.EMPTY, 0, "pre")));
    LogsConverter.Result we;
    try {
      we = wire.convert(bytes, actual);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError("the streaming path refused what protobuf-java parses", e);
    }
    assertThat(actual.get(0).line()).as("entries already in the list are kept").isEqualTo("pre");
    actual.remove(0);
    assertThat(we).isEqualTo(te);
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.size(); i++) {
      LokiEntry x = expected.get(i);
      LokiEntry a = actual.get(i);
      assertThat(a.line()).as("line %d", i).isEqualTo(x.line());
      assertThat(a.labels()).as("labels %d", i).isEqualTo(x.labels());
      assertThat(a.timestampNanos()).as("timestamp %d", i).isEqualTo(x.timestampNanos());
      assertThat(a.structuredMetadata()).as("metadata %d", i).containsExactlyEntriesOf(x.structuredMetadata());
    }
    WireLogsConverter.Stats after = wire.wireStats();
    return new WireStats(after.fast() - before.fast(), after.handedOver() - before.handedOver(),
        after.wholeRequests() > before.wholeRequests());
  }

  record WireStats(long fast, long handedOver, boolean wholeRequest) {}

  // ---- randomized requests ----

  private static AnyValue randomValue(Random rnd, int depth) {
    int kind = rnd.nextInt(depth > 3 ? 7 : 10);
    AnyValue.Builder b = AnyValue.newBuilder();
    switch (kind) {
      case 0, 1, 2 -> b.setStringValue(STRINGS[rnd.nextInt(STRINGS.length)]);
      case 3 -> b.setIntValue(rnd.nextInt(5) == 0 ? rnd.nextLong() : rnd.nextInt(1000) - 100);
      case 4 -> {
        double[] ds = {0.0, -0.0, 1.5, 1e21, 1e-7, 123456789, -2.5e-300, 0.1, Double.MAX_VALUE,
            rnd.nextDouble() * 1e6, Double.NaN, Double.POSITIVE_INFINITY};
        b.setDoubleValue(ds[rnd.nextInt(rnd.nextInt(10) == 0 ? ds.length : ds.length - 2)]);
      }
      case 5 -> b.setBoolValue(rnd.nextBoolean());
      case 6 -> {
        if (rnd.nextBoolean()) {
          byte[] bytes = new byte[rnd.nextInt(6)];
          rnd.nextBytes(bytes);
          b.setBytesValue(ByteString.copyFrom(bytes));
        } else if (rnd.nextBoolean()) {
          b.setStringValueStrindex(rnd.nextInt(5));
        } // else: no value at all
      }
      case 7, 8 -> {
        ArrayValue.Builder a = ArrayValue.newBuilder();
        for (int i = rnd.nextInt(4); i > 0; i--) a.addValues(randomValue(rnd, depth + 1));
        b.setArrayValue(a);
      }
      default -> {
        KeyValueList.Builder m = KeyValueList.newBuilder();
        for (int i = rnd.nextInt(4); i > 0; i--) m.addValues(randomKv(rnd, depth + 1, 0));
        b.setKvlistValue(m);
      }
    }
    return b.build();
  }

  /** A key/value; {@code specialChance} in 100 of a hint or level key. */
  private static KeyValue randomKv(Random rnd, int depth, int specialChance) {
    String key = KEYS[rnd.nextInt(KEYS.length - 5)];
    if (rnd.nextInt(100) < specialChance) key = KEYS[KEYS.length - 1 - rnd.nextInt(5)];
    KeyValue.Builder kv = KeyValue.newBuilder().setKey(key);
    if (key.startsWith("loki.")) {
      kv.setValue(hintValue(rnd, key));
    } else if (rnd.nextInt(20) != 0) {
      kv.setValue(randomValue(rnd, depth));
    }
    return kv.build();
  }

  private static AnyValue hintValue(Random rnd, String key) {
    if (key.equals(LogsConverter.HINT_FORMAT)) {
      String[] formats = {"json", "json", "logfmt", "raw", "xml"};
      return AnyValue.newBuilder().setStringValue(formats[rnd.nextInt(formats.length)]).build();
    }
    if (key.equals(LogsConverter.HINT_TENANT)) {
      return AnyValue.newBuilder().setStringValue(rnd.nextBoolean() ? "tenant.id" : "user.id").build();
    }
    if (rnd.nextBoolean()) {
      return AnyValue.newBuilder().setStringValue(KEYS[rnd.nextInt(14)] + ", " + KEYS[rnd.nextInt(14)]).build();
    }
    return AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder()
        .addValues(AnyValue.newBuilder().setStringValue(KEYS[rnd.nextInt(14)]))
        .addValues(AnyValue.newBuilder().setStringValue("req.id"))).build();
  }

  private static LogRecord randomRecord(Random rnd, int specialChance) {
    LogRecord.Builder r = LogRecord.newBuilder();
    if (rnd.nextInt(4) != 0) r.setTimeUnixNano(1_767_225_600_000_000_000L + rnd.nextInt(1_000_000));
    if (rnd.nextBoolean()) r.setObservedTimeUnixNano(1_767_225_601_000_000_000L + rnd.nextInt(1000));
    if (rnd.nextInt(3) != 0) r.setSeverityNumberValue(rnd.nextInt(10) == 0 ? rnd.nextInt(40) - 5 : rnd.nextInt(25));
    if (rnd.nextBoolean()) r.setSeverityText(STRINGS[rnd.nextInt(STRINGS.length)]);
    if (rnd.nextInt(6) != 0) r.setBody(rnd.nextBoolean() ? AnyValue.newBuilder()
        .setStringValue(STRINGS[rnd.nextInt(STRINGS.length)] + " " + rnd.nextInt()).build() : randomValue(rnd, 0));
    for (int i = rnd.nextInt(6); i > 0; i--) r.addAttributes(randomKv(rnd, 0, specialChance));
    if (rnd.nextInt(4) != 0) r.setTraceId(id(rnd, rnd.nextInt(8) == 0 ? 5 : 16));
    if (rnd.nextInt(4) != 0) r.setSpanId(id(rnd, rnd.nextInt(8) == 0 ? 16 : 8));
    if (rnd.nextBoolean()) r.setFlags(rnd.nextInt(5) == 0 ? -1 : rnd.nextInt(3));
    if (rnd.nextInt(10) == 0) r.setEventName("event." + rnd.nextInt(3));
    if (rnd.nextInt(10) == 0) r.setDroppedAttributesCount(rnd.nextInt(3));
    return r.build();
  }

  private static ByteString id(Random rnd, int length) {
    byte[] b = new byte[length];
    if (rnd.nextInt(10) != 0) rnd.nextBytes(b); // else all zero: no id
    return ByteString.copyFrom(b);
  }

  private static Resource randomResource(Random rnd, int specialChance) {
    Resource.Builder r = Resource.newBuilder();
    if (rnd.nextInt(5) != 0) r.addAttributes(kv("service.name", "svc-" + rnd.nextInt(3)));
    if (rnd.nextBoolean()) r.addAttributes(kv("service.namespace", "shop"));
    if (rnd.nextBoolean()) r.addAttributes(kv("service.instance.id", "i-" + rnd.nextInt(3)));
    if (rnd.nextBoolean()) r.addAttributes(kv("tenant.id", "team-" + rnd.nextInt(2)));
    for (int i = rnd.nextInt(4); i > 0; i--) r.addAttributes(randomKv(rnd, 0, specialChance));
    return r.build();
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  private static ExportLogsServiceRequest randomRequest(Random rnd, int specialChance) {
    ExportLogsServiceRequest.Builder req = ExportLogsServiceRequest.newBuilder();
    for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
      ResourceLogs.Builder rl = ResourceLogs.newBuilder();
      if (rnd.nextInt(8) != 0) rl.setResource(randomResource(rnd, specialChance / 3));
      if (rnd.nextInt(4) == 0) rl.setSchemaUrl("https://opentelemetry.io/schemas/1.21.0");
      for (int j = 1 + rnd.nextInt(3); j > 0; j--) {
        ScopeLogs.Builder sl = ScopeLogs.newBuilder();
        if (rnd.nextInt(4) != 0) {
          InstrumentationScope.Builder s = InstrumentationScope.newBuilder().setName(STRINGS[rnd.nextInt(STRINGS.length)]);
          if (rnd.nextBoolean()) s.setVersion("1." + rnd.nextInt(9));
          sl.setScope(s);
        }
        for (int k = rnd.nextInt(8); k > 0; k--) sl.addLogRecords(randomRecord(rnd, specialChance));
        rl.addScopeLogs(sl);
      }
      req.addResourceLogs(rl);
    }
    return req.build();
  }

  @Test
  void randomRequestsGiveTheTreeConvertersEntries() {
    StructuredMetadataConfig[] configs = {StructuredMetadataConfig.DISABLED,
        new StructuredMetadataConfig(true, List.of()), new StructuredMetadataConfig(true, List.of("user.id"))};
    long fast = 0;
    long handedOver = 0;
    for (int seed = 0; seed < 600; seed++) {
      Random rnd = new Random(seed);
      ExportLogsServiceRequest req = randomRequest(rnd, seed % 3 == 0 ? 0 : 15);
      WireStats s = compare(configs[seed % configs.length], req.toByteArray());
      fast += s.fast();
      handedOver += s.handedOver();
    }
    // both paths were exercised: most records by the walker, some handed over
    assertThat(fast).isGreaterThan(handedOver);
    assertThat(handedOver).isPositive();
  }

  @Test
  void oneConverterForManyRequestsReusesResourceContextsCorrectly() {
    StructuredMetadataConfig[] configs = {StructuredMetadataConfig.DISABLED, new StructuredMetadataConfig(true, List.of())};
    for (StructuredMetadataConfig md : configs) {
      LogsConverter wire = converter(md);
      Random pool = new Random(7);
      List<Resource> resources = new ArrayList<>();
      for (int i = 0; i < 24; i++) resources.add(randomResource(pool, i % 2 == 0 ? 0 : 30));
      for (int seed = 0; seed < 200; seed++) {
        Random rnd = new Random(5000 + seed);
        ExportLogsServiceRequest.Builder req = ExportLogsServiceRequest.newBuilder();
        for (int i = 1 + rnd.nextInt(3); i > 0; i--) {
          ScopeLogs.Builder sl = ScopeLogs.newBuilder().setScope(InstrumentationScope.newBuilder().setName("s"));
          for (int k = rnd.nextInt(6); k > 0; k--) {
            // now and then a level attribute: the tree path adds a plan to the shared context
            LogRecord r = randomRecord(rnd, 5);
            if (rnd.nextInt(5) == 0) r = r.toBuilder().setSeverityNumberValue(9).addAttributes(kv("level", "lvl" + rnd.nextInt(100))).build();
            sl.addLogRecords(r);
          }
          req.addResourceLogs(ResourceLogs.newBuilder().setResource(resources.get(rnd.nextInt(resources.size())))
              .addScopeLogs(sl));
        }
        compare(wire, md, req.build().toByteArray());
      }
    }
  }

  @Test
  void typicalRecordsNeverLeaveTheStreamingPath() {
    for (int seed = 0; seed < 50; seed++) {
      Random rnd = new Random(1000 + seed);
      ExportLogsServiceRequest.Builder req = ExportLogsServiceRequest.newBuilder();
      ScopeLogs.Builder sl = ScopeLogs.newBuilder().setScope(InstrumentationScope.newBuilder().setName("lib"));
      for (int i = 0; i < 20; i++) {
        LogRecord.Builder r = LogRecord.newBuilder().setTimeUnixNano(1 + i).setSeverityNumberValue(9)
            .setSeverityText("INFO").setBody(AnyValue.newBuilder().setStringValue(STRINGS[rnd.nextInt(STRINGS.length)]))
            .setTraceId(id(rnd, 16)).setSpanId(id(rnd, 8)).setFlags(1);
        for (int k = rnd.nextInt(5); k > 0; k--) {
          r.addAttributes(KeyValue.newBuilder().setKey(KEYS[rnd.nextInt(14)]).setValue(randomValue(rnd, 1)));
        }
        sl.addLogRecords(r.setBody(r.getBody().getStringValue().isEmpty() ? AnyValue.getDefaultInstance() : r.getBody()));
      }
      req.addResourceLogs(ResourceLogs.newBuilder().setResource(Resource.newBuilder()
          .addAttributes(kv("service.name", "api")).addAttributes(kv("host.name", "h"))).addScopeLogs(sl));
      byte[] bytes = req.build().toByteArray();
      boolean nan = req.build().toString().contains("nan") || req.build().toString().contains("inf");
      WireStats s = compare(StructuredMetadataConfig.DISABLED, bytes);
      if (!nan) assertThat(s.handedOver()).as("seed %d", seed).isZero();
      assertThat(s.wholeRequest()).isFalse();
    }
  }

  // ---- hand-made wire cases ----

  /** Request bytes: one resource (given as encoded Resource or null), one scope, the given record bytes. */
  private static byte[] request(byte[] resource, byte[] scope, byte[]... records) throws IOException {
    ByteArrayOutputStream sl = new ByteArrayOutputStream();
    CodedOutputStream s = CodedOutputStream.newInstance(sl);
    if (scope != null) s.writeByteArray(1, scope);
    for (byte[] r : records) s.writeByteArray(2, r);
    s.flush();
    ByteArrayOutputStream rl = new ByteArrayOutputStream();
    CodedOutputStream r = CodedOutputStream.newInstance(rl);
    if (resource != null) r.writeByteArray(1, resource);
    r.writeByteArray(2, sl.toByteArray());
    r.flush();
    ByteArrayOutputStream req = new ByteArrayOutputStream();
    CodedOutputStream q = CodedOutputStream.newInstance(req);
    q.writeByteArray(1, rl.toByteArray());
    q.flush();
    return req.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (byte[] p : parts) b.writeBytes(p);
    return b.toByteArray();
  }

  private static byte[] field(int number, int wireType, byte[] payload) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    CodedOutputStream c = CodedOutputStream.newInstance(b);
    c.writeTag(number, wireType);
    if (wireType == 2) c.writeUInt32NoTag(payload.length);
    c.flush();
    b.writeBytes(payload);
    return b.toByteArray();
  }

  private static final byte[] RESOURCE = Resource.newBuilder().addAttributes(kv("service.name", "api"))
      .addAttributes(kv("host.name", "h1")).build().toByteArray();
  private static final byte[] SCOPE = InstrumentationScope.newBuilder().setName("lib").setVersion("2").build()
      .toByteArray();

  private static LogRecord.Builder plainRecord() {
    return LogRecord.newBuilder().setTimeUnixNano(5).setSeverityNumberValue(13).setSeverityText("WARN")
        .setBody(AnyValue.newBuilder().setStringValue("hello <world>"))
        .addAttributes(kv("b", "2")).addAttributes(kv("a", "1")).addAttributes(kv("b", "3"))
        .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
        .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}));
  }

  @Test
  void fieldsGivenTwiceFollowProtobufMergeRules() throws IOException {
    byte[] a = plainRecord().build().toByteArray();
    byte[] b = LogRecord.newBuilder().setTimeUnixNano(9).setSeverityText("ERROR")
        .setBody(AnyValue.newBuilder().setIntValue(7)).addAttributes(kv("c", "4")).build().toByteArray();
    // a record sent as two halves: scalars take the last value, the body merges, attributes append
    WireStats s = compare(StructuredMetadataConfig.DISABLED, request(RESOURCE, SCOPE, concat(a, b)));
    assertThat(s.handedOver()).isEqualTo(1);
    // only scalars repeated: the walker keeps the last value itself
    byte[] scalars = LogRecord.newBuilder().setTimeUnixNano(11).setFlags(3).setSeverityText("E2").build().toByteArray();
    byte[] noBody = plainRecord().clearBody().build().toByteArray();
    s = compare(StructuredMetadataConfig.DISABLED, request(RESOURCE, SCOPE, concat(noBody, scalars)));
    assertThat(s.fast()).isEqualTo(1);
    // a resource or scope given twice: merged by protobuf, so the whole request takes the tree path
    byte[] scope2 = InstrumentationScope.newBuilder().setVersion("3").build().toByteArray();
    byte[] sl = concat(field(1, 2, SCOPE), field(2, 2, plainRecord().build().toByteArray()), field(1, 2, scope2));
    byte[] twoScopes = field(1, 2, concat(field(1, 2, RESOURCE), field(2, 2, sl)));
    assertThat(compare(StructuredMetadataConfig.DISABLED, twoScopes).wholeRequest()).isTrue();
    byte[] twoResources = field(1, 2, concat(field(1, 2, RESOURCE), field(2, 2, sl),
        field(1, 2, Resource.newBuilder().addAttributes(kv("service.namespace", "ns")).build().toByteArray())));
    assertThat(compare(StructuredMetadataConfig.DISABLED, twoResources).wholeRequest()).isTrue();
    // the scope after the records it belongs to
    byte[] scopeLast = field(1, 2, field(2, 2, concat(field(2, 2, plainRecord().build().toByteArray()),
        field(1, 2, SCOPE))));
    assertThat(compare(StructuredMetadataConfig.DISABLED, scopeLast).fast()).isEqualTo(1);
    // a body value with two oneof members: the last wins in protobuf
    byte[] twoMembers = concat(field(1, 2, "text".getBytes(StandardCharsets.UTF_8)), new byte[] {0x18, 0x05});
    compare(StructuredMetadataConfig.DISABLED, request(RESOURCE, SCOPE, field(5, 2, twoMembers)));
  }

  @Test
  void unknownFieldsAndWrongWireTypes() throws IOException {
    byte[] rec = plainRecord().build().toByteArray();
    byte[] unknownVarint = new byte[] {(byte) 0xF8, 0x07, 0x01}; // field 127, varint
    byte[] unknownGroup = new byte[] {(byte) 0xFB, 0x07, (byte) 0xFC, 0x07}; // field 127, empty group
    byte[] timeAsVarint = new byte[] {0x08, 0x05}; // field 1 (fixed64) sent as varint: an unknown field
    for (byte[] extra : new byte[][] {unknownVarint, unknownGroup, timeAsVarint}) {
      WireStats s = compare(StructuredMetadataConfig.DISABLED, request(RESOURCE, SCOPE, concat(rec, extra)));
      assertThat(s.handedOver()).isEqualTo(1);
      assertThat(s.wholeRequest()).isFalse();
      // unknown fields at request level are kept by protobuf-java and ignored by the converter
      assertThat(compare(StructuredMetadataConfig.DISABLED, concat(request(RESOURCE, SCOPE, rec), extra)).wholeRequest())
          .isTrue();
    }
    // inside an attribute value
    byte[] value = concat(field(1, 2, "v".getBytes(StandardCharsets.UTF_8)), unknownVarint);
    byte[] attr = concat(field(1, 2, "k".getBytes(StandardCharsets.UTF_8)), field(2, 2, value));
    compare(StructuredMetadataConfig.DISABLED, request(RESOURCE, SCOPE, concat(rec, field(6, 2, attr))));
  }

  @Test
  void invalidUtf8AnywhereRefusesTheRequestLikeProtobuf() throws IOException {
    byte[][] bad = {{(byte) 0xC0, (byte) 0x80}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xFF},
        {(byte) 0x80}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82}};
    for (byte[] b : bad) {
      byte[] s = concat("x".getBytes(StandardCharsets.UTF_8), b);
      byte[] strValue = field(1, 2, s);
      List<byte[]> records = List.of(
          field(5, 2, strValue), // body
          field(3, 2, s), // severity text
          field(12, 2, s), // event name
          field(6, 2, concat(field(1, 2, s), field(2, 2, strValue))), // key and value
          concat(field(6, 2, concat(field(1, 2, "job".getBytes(StandardCharsets.UTF_8)), field(2, 2, strValue))),
              field(6, 2, concat(field(1, 2, "k".getBytes(StandardCharsets.UTF_8)), field(2, 2, strValue)))),
          // a value that is overridden by a later key of the same name
          concat(field(6, 2, concat(field(1, 2, "k".getBytes(StandardCharsets.UTF_8)), field(2, 2, strValue))),
              field(6, 2, concat(field(1, 2, "k".getBytes(StandardCharsets.UTF_8)),
                  field(2, 2, field(1, 2, "ok".getBytes(StandardCharsets.UTF_8)))))));
      for (byte[] rec : records) {
        WireStats st = compare(StructuredMetadataConfig.DISABLED, request(RESOURCE, SCOPE, rec));
        assertThat(st.wholeRequest()).isTrue();
      }
    }
  }

  @Test
  void truncatedAndMalformedInputIsRefusedWithProtobufsMessage() throws IOException {
    byte[] good = request(RESOURCE, SCOPE, plainRecord().build().toByteArray());
    for (int cut = 1; cut < good.length; cut += 3) {
      compare(StructuredMetadataConfig.DISABLED, java.util.Arrays.copyOf(good, cut));
    }
    compare(StructuredMetadataConfig.DISABLED, new byte[] {0x00});
    compare(StructuredMetadataConfig.DISABLED, new byte[] {(byte) 0x80});
    compare(StructuredMetadataConfig.DISABLED, new byte[0]);
  }

  @Test
  void deepValuesAreHandedOverAndTheRecursionLimitIsProtobufs() throws IOException {
    for (int depth : new int[] {10, WireLogsConverter.MAX_VALUE_DEPTH + 2, 40, 49, 50, 60}) {
      AnyValue v = AnyValue.newBuilder().setStringValue("leaf").build();
      for (int i = 0; i < depth; i++) v = AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(v)).build();
      byte[] rec = LogRecord.newBuilder().setBody(v).build().toByteArray();
      // built by hand: protobuf-java would refuse to parse what it is asked to nest too deeply
      compare(StructuredMetadataConfig.DISABLED, request(RESOURCE, SCOPE, rec));
    }
  }

  @Test
  void severityNumberAsTenByteVarintAndLevelTable() throws IOException {
    byte[] negative = new byte[] {0x10, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
        (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01};
    assertThat(compare(StructuredMetadataConfig.DISABLED, request(RESOURCE, SCOPE, negative)).fast()).isEqualTo(1);
    for (int sev = 0; sev < 30; sev++) {
      byte[] rec = LogRecord.newBuilder().setSeverityNumberValue(sev).build().toByteArray();
      compare(StructuredMetadataConfig.DISABLED, request(null, null, rec));
    }
  }
}
