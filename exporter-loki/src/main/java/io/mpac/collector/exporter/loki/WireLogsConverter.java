package io.mpac.collector.exporter.loki;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LokiEntry;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.resource.v1.Resource;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The streaming form of {@link LogsConverter}: converts an encoded {@code ExportLogsServiceRequest}
 * by walking its protobuf bytes, writing each JSON line straight from the request's bytes into a
 * reused UTF-8 buffer. No protobuf object is built for a log record, its body or its attributes;
 * the resource and the scope (once per resource/scope) are still decoded with protobuf-java, and
 * the labels come from the same per-resource plans as in the tree path.
 *
 * <p>It handles the common case and hands everything else to the tree path, so the entries are
 * always those {@link LogsConverter#convertTree} makes:
 * <ul>
 *   <li>record by record (the record decoded with protobuf-java alone): a record with a
 *       {@code loki.*} hint or a {@code level} attribute, one with a field or value this walker does
 *       not take (unknown fields, a value set twice, a NaN, nesting deeper than {@value
 *       #MAX_VALUE_DEPTH}), and every record of a resource with a tenant hint, a format other than
 *       JSON, or when structured metadata lists attributes;
 *   <li>the whole request: anything unexpected outside the records (unknown fields, a resource or
 *       scope given twice) or malformed anywhere, including strings that are not valid UTF-8. Then
 *       protobuf-java parses the request and either converts it or throws its own error.
 * </ul>
 *
 * <p>Record-level hand-overs keep protobuf-java's nesting limit where the record sits in the
 * request, so a record is refused or taken exactly as a whole-request parse would.
 *
 * <p>Not thread-safe: one per {@link LogsConverter}, which is one per thread.
 */
final class WireLogsConverter {

  /** Nesting of body/attribute values (arrays and maps) this walker follows before handing over. */
  static final int MAX_VALUE_DEPTH = 24;

  /** protobuf-java's default recursion limit, and the depth of each message kind in a request. */
  private static final int RECURSION_LIMIT = 100;
  private static final int RESOURCE_DEPTH = 2;
  private static final int SCOPE_DEPTH = 3;
  private static final int RECORD_DEPTH = 3;

  /** Slots of the resource cache, direct-mapped by the hash of the resource bytes. */
  private static final int RESOURCE_CACHE = 256;

  // AnyValue oneof members, as read from the wire.
  private static final int NONE = 0;
  private static final int STRING = 1;
  private static final int BOOL = 2;
  private static final int INT = 3;
  private static final int DOUBLE = 4;
  private static final int ARRAY = 5;
  private static final int KVLIST = 6;
  private static final int BYTES = 7;
  private static final int STRINDEX = 8;

  private static final byte[] BODY = "\"body\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRACE_ID = "\"traceid\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SPAN_ID = "\"spanid\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SEVERITY = "\"severity\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FLAGS = "\"flags\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] ATTRIBUTES = "\"attributes\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] RESOURCES = "\"resources\":".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TRUE = "true".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] FALSE = "false".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

  private final LogsConverter tree;
  private final Utf8Out line = new Utf8Out();
  private final KeyTable keys = new KeyTable();
  private WireReader[] readers = new WireReader[8];
  private final CachedResource[] resources = new CachedResource[RESOURCE_CACHE];

  // The current request and what has been converted of it.
  private byte[] req;
  private List<LokiEntry> out;
  private int converted;
  private int failed;
  private String firstError;

  // The current record's attributes (reused).
  private KeyTable.Key[] attrKeys = new KeyTable.Key[16];
  private int[] attrFrom = new int[16];
  private int[] attrTo = new int[16];
  private int[] order = new int[16];

  // How records were converted so far (tests and diagnostics).
  private long fastRecords;
  private long handedOver;
  private long wholeRequests;

  // The AnyValue last read by readValue.
  private int valueKind;
  private long valueBits;
  private int valueFrom;
  private int valueTo;

  // The KeyValue last read by keyValue: its key and the bounds of its value (-1: no value).
  private KeyTable.Key attrKey;
  private int kvValueFrom;
  private int kvValueTo;

  WireLogsConverter(LogsConverter tree) {
    this.tree = tree;
  }

  /** See {@link LogsConverter#convert(byte[], List)}. */
  LogsConverter.Result convert(byte[] request, List<LokiEntry> entries) throws InvalidProtocolBufferException {
    int mark = entries.size();
    try {
      req = request;
      out = entries;
      converted = 0;
      failed = 0;
      firstError = null;
      WireReader r = reader(0).reset(request, 0, request.length);
      while (r.next()) {
        if (r.field != ExportLogsServiceRequest.RESOURCE_LOGS_FIELD_NUMBER) throw WireReader.GIVE_UP;
        r.expect(WireReader.LEN);
        resourceLogs(r.start, r.limit);
      }
      return new LogsConverter.Result(converted, failed, firstError);
    } catch (WireReader.GiveUp e) {
      entries.subList(mark, entries.size()).clear();
      wholeRequests++;
      return tree.convertTree(ExportLogsServiceRequest.parseFrom(request), entries);
    } finally {
      req = null;
      out = null;
    }
  }

  /** How records were converted so far. */
  Stats stats() {
    return new Stats(fastRecords, handedOver, wholeRequests);
  }

  private WireReader reader(int level) {
    if (level >= readers.length) readers = Arrays.copyOf(readers, level * 2);
    WireReader r = readers[level];
    if (r == null) r = readers[level] = new WireReader();
    return r;
  }

  private void resourceLogs(int from, int to) {
    WireReader r = reader(1).reset(req, from, to);
    int resFrom = -1;
    int resTo = -1;
    while (r.next()) {
      switch (r.field) {
        case ResourceLogs.RESOURCE_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          if (resFrom >= 0) throw WireReader.GIVE_UP; // protobuf merges repeated messages
          resFrom = r.start;
          resTo = r.limit;
        }
        case ResourceLogs.SCOPE_LOGS_FIELD_NUMBER -> r.expect(WireReader.LEN);
        case ResourceLogs.SCHEMA_URL_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          Utf8Out.checkUtf8(req, r.start, r.limit);
        }
        default -> throw WireReader.GIVE_UP;
      }
    }
    CachedResource res = resource(resFrom, resTo);
    r.reset(req, from, to);
    while (r.next()) {
      if (r.field == ResourceLogs.SCOPE_LOGS_FIELD_NUMBER) scopeLogs(r.start, r.limit, res.rc, res.fast);
    }
  }

  /**
   * The context of the resource {@code req[from, to)} (none when {@code from < 0}). A service sends
   * the same resource in every request, so its context (labels, plans, the resource part of the
   * line) is looked up by the resource's bytes instead of being built again.
   */
  private CachedResource resource(int from, int to) {
    int hash = 1;
    if (from >= 0) {
      for (int i = from; i < to; i++) hash = 31 * hash + req[i];
    } else {
      from = to = 0;
    }
    int slot = (hash ^ (hash >>> 16)) & (RESOURCE_CACHE - 1);
    CachedResource c = resources[slot];
    if (c != null && c.hash == hash && Arrays.equals(c.bytes, 0, c.bytes.length, req, from, to)) return c;
    Resource resource = to == from ? Resource.getDefaultInstance()
        : parse(Resource.parser(), from, to, RESOURCE_DEPTH);
    LogsConverter.ResourceContext rc = tree.new ResourceContext(resource.getAttributesList());
    boolean fast = rc.tenantHint == null
        && (rc.formatHint == null || "json".equals(OtlpValues.asString(rc.formatHint)))
        && (!tree.metadata().enabled() || tree.metadata().attributes().isEmpty());
    c = new CachedResource(Arrays.copyOfRange(req, from, to), hash, rc, fast);
    resources[slot] = c;
    return c;
  }

  private void scopeLogs(int from, int to, LogsConverter.ResourceContext rc, boolean fast) {
    WireReader r = reader(2).reset(req, from, to);
    int scopeFrom = -1;
    int scopeTo = -1;
    while (r.next()) {
      switch (r.field) {
        case ScopeLogs.SCOPE_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          if (scopeFrom >= 0) throw WireReader.GIVE_UP;
          scopeFrom = r.start;
          scopeTo = r.limit;
        }
        case ScopeLogs.LOG_RECORDS_FIELD_NUMBER -> r.expect(WireReader.LEN);
        case ScopeLogs.SCHEMA_URL_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          Utf8Out.checkUtf8(req, r.start, r.limit);
        }
        default -> throw WireReader.GIVE_UP;
      }
    }
    InstrumentationScope scope = scopeFrom < 0 ? InstrumentationScope.getDefaultInstance()
        : parse(InstrumentationScope.parser(), scopeFrom, scopeTo, SCOPE_DEPTH);
    byte[] scopeJson = scopeJson(scope);
    r.reset(req, from, to);
    while (r.next()) {
      if (r.field != ScopeLogs.LOG_RECORDS_FIELD_NUMBER) continue;
      int recFrom = r.start;
      int recTo = r.limit;
      if (fast) {
        try {
          out.add(record(recFrom, recTo, rc, scopeJson));
          converted++;
          fastRecords++;
          continue;
        } catch (WireReader.GiveUp e) {
          // this record goes through the tree path
        }
      }
      fallback(recFrom, recTo, rc, scope);
    }
  }

  /** Decodes a message that sits {@code depth} messages deep in the request, as protobuf-java would there. */
  private <T> T parse(com.google.protobuf.Parser<T> parser, int from, int to, int depth) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(req, from, to - from);
      in.setRecursionLimit(RECURSION_LIMIT - depth);
      return parser.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw WireReader.GIVE_UP;
    }
  }

  private void fallback(int from, int to, LogsConverter.ResourceContext rc, InstrumentationScope scope) {
    LogRecord lr = parse(LogRecord.parser(), from, to, RECORD_DEPTH);
    handedOver++;
    try {
      out.add(tree.convertRecord(lr, rc, scope));
      converted++;
    } catch (LogsConverter.ConversionException e) {
      failed++;
      if (firstError == null) firstError = e.getMessage();
    }
  }

  /** {@code "instrumentation_scope":{...}} as UTF-8, or null when the scope has no name. */
  private static byte[] scopeJson(InstrumentationScope scope) {
    if (scope.getName().isEmpty()) return null;
    StringBuilder b = new StringBuilder(64).append("\"instrumentation_scope\":{\"name\":");
    GoText.jsonString(b, scope.getName());
    if (!scope.getVersion().isEmpty()) {
      b.append(",\"version\":");
      GoText.jsonString(b, scope.getVersion());
    }
    return b.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  /** One record without hints, as {@link LogsConverter#convertRecord} makes it; gives up on anything else. */
  private LokiEntry record(int from, int to, LogsConverter.ResourceContext rc, byte[] scopeJson) {
    long time = 0;
    long observed = 0;
    int severity = 0;
    int sevFrom = 0;
    int sevTo = 0;
    int bodyFrom = -1;
    int bodyTo = -1;
    int flags = 0;
    int traceFrom = -1;
    int traceTo = -1;
    int spanFrom = -1;
    int spanTo = -1;
    int attrs = 0;
    WireReader r = reader(3).reset(req, from, to);
    while (r.next()) {
      switch (r.field) {
        case LogRecord.TIME_UNIX_NANO_FIELD_NUMBER -> {
          r.expect(WireReader.FIXED64);
          time = r.value;
        }
        case LogRecord.OBSERVED_TIME_UNIX_NANO_FIELD_NUMBER -> {
          r.expect(WireReader.FIXED64);
          observed = r.value;
        }
        case LogRecord.SEVERITY_NUMBER_FIELD_NUMBER -> {
          r.expect(WireReader.VARINT);
          severity = (int) r.value;
        }
        case LogRecord.SEVERITY_TEXT_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          Utf8Out.checkUtf8(req, r.start, r.limit);
          sevFrom = r.start;
          sevTo = r.limit;
        }
        case LogRecord.BODY_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          if (bodyFrom >= 0) throw WireReader.GIVE_UP;
          bodyFrom = r.start;
          bodyTo = r.limit;
        }
        case LogRecord.ATTRIBUTES_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          if (attrs == attrKeys.length) growAttributes();
          keyValue(r.start, r.limit, 4);
          if (attrKey.special) throw WireReader.GIVE_UP; // a hint or level: labels need the tree path
          attrKeys[attrs] = attrKey;
          attrFrom[attrs] = kvValueFrom;
          attrTo[attrs] = kvValueTo;
          attrs++;
        }
        case LogRecord.DROPPED_ATTRIBUTES_COUNT_FIELD_NUMBER -> r.expect(WireReader.VARINT);
        case LogRecord.FLAGS_FIELD_NUMBER -> {
          r.expect(WireReader.FIXED32);
          flags = (int) r.value;
        }
        case LogRecord.TRACE_ID_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          traceFrom = r.start;
          traceTo = r.limit;
        }
        case LogRecord.SPAN_ID_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          spanFrom = r.start;
          spanTo = r.limit;
        }
        case LogRecord.EVENT_NAME_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          Utf8Out.checkUtf8(req, r.start, r.limit);
        }
        default -> throw WireReader.GIVE_UP;
      }
    }

    LogsConverter.Plan plan = tree.simplePlan(rc, severity == 0 ? null : Severity.level(severity));
    Utf8Out o = line;
    o.clear();
    o.put((byte) '{');
    if (bodyFrom >= 0) {
      readValue(bodyFrom, bodyTo, 5);
      if (valueKind != NONE && valueKind != STRINDEX) {
        o.put(BODY);
        writeCurrentValue(o, 5, 1);
      }
    }
    boolean hasTrace = isId(traceFrom, traceTo, 16);
    if (hasTrace) comma(o).put(TRACE_ID).hex(req, traceFrom, 16).put((byte) '"');
    boolean hasSpan = isId(spanFrom, spanTo, 8);
    if (hasSpan) comma(o).put(SPAN_ID).hex(req, spanFrom, 8).put((byte) '"');
    if (sevTo > sevFrom) comma(o).put(SEVERITY).jsonString(req, sevFrom, sevTo);
    if (flags != 0) comma(o).put(FLAGS).ascii(Integer.toUnsignedString(flags));
    if (attrs > 0) {
      int mark = o.len;
      comma(o).put(ATTRIBUTES);
      if (writeObject(o, attrKeys, attrFrom, attrTo, attrs, rc, 5, 1) == 0) o.len = mark;
    }
    byte[] res = plan.resourcesJsonUtf8;
    if (res == null) {
      try {
        res = plan.resourcesJsonUtf8 = LogsConverter.resourcesJson(plan, rc).getBytes(StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw WireReader.GIVE_UP; // a NaN among the resource attributes fails the record in the tree path
      }
    }
    if (res.length > 0) comma(o).put(RESOURCES).put(res);
    if (scopeJson != null) comma(o).put(scopeJson);
    o.put((byte) '}');

    long ts = time != 0 ? time : observed != 0 ? observed : tree.nowNanos();
    Labels labels = plan.labels;
    Map<String, String> md = Map.of();
    if (tree.metadata().enabled()) {
      if (hasTrace || hasSpan) {
        md = new LinkedHashMap<>(4);
        if (hasTrace) md.put("trace_id", GoText.hex(Arrays.copyOfRange(req, traceFrom, traceTo)));
        if (hasSpan) md.put("span_id", GoText.hex(Arrays.copyOfRange(req, spanFrom, spanTo)));
      }
      if (rc.serviceName != null) {
        Labels l = plan.serviceLabels;
        if (l == null) l = plan.serviceLabels = plan.labels.with("service_name", rc.serviceName);
        labels = l;
      }
    }
    return new LokiEntry(labels, ts, o.string(), md);
  }

  private static Utf8Out comma(Utf8Out o) {
    if (o.buf[o.len - 1] != '{') o.put((byte) ',');
    return o;
  }

  /** As {@link LogsConverter#id}: present, of the right length and not all zero. */
  private boolean isId(int from, int to, int length) {
    if (from < 0 || to - from != length) return false;
    for (int i = from; i < to; i++) {
      if (req[i] != 0) return true;
    }
    return false;
  }

  private void growAttributes() {
    int n = attrKeys.length * 2;
    attrKeys = Arrays.copyOf(attrKeys, n);
    attrFrom = Arrays.copyOf(attrFrom, n);
    attrTo = Arrays.copyOf(attrTo, n);
  }

  private void keyValue(int from, int to, int level) {
    WireReader r = reader(level).reset(req, from, to);
    int keyFrom = from;
    int keyTo = from;
    int valueFrom = -1;
    int valueTo = -1;
    boolean keySeen = false;
    while (r.next()) {
      switch (r.field) {
        case KeyValue.KEY_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          if (keySeen) Utf8Out.checkUtf8(req, keyFrom, keyTo); // an overridden key must still be UTF-8
          keySeen = true;
          keyFrom = r.start;
          keyTo = r.limit;
        }
        case KeyValue.VALUE_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          if (valueFrom >= 0) throw WireReader.GIVE_UP; // protobuf merges repeated messages
          valueFrom = r.start;
          valueTo = r.limit;
        }
        case KeyValue.KEY_STRINDEX_FIELD_NUMBER -> r.expect(WireReader.VARINT);
        default -> throw WireReader.GIVE_UP;
      }
    }
    attrKey = keys.intern(req, keyFrom, keyTo);
    kvValueFrom = valueFrom;
    kvValueTo = valueTo;
  }

  /** Reads the AnyValue {@code req[from, to)} into {@link #valueKind} and its value fields. */
  private void readValue(int from, int to, int level) {
    WireReader r = reader(level).reset(req, from, to);
    int kind = NONE;
    while (r.next()) {
      if (kind != NONE) throw WireReader.GIVE_UP; // a second oneof member: the tree path decides
      switch (r.field) {
        case AnyValue.STRING_VALUE_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          kind = STRING;
        }
        case AnyValue.BOOL_VALUE_FIELD_NUMBER -> {
          r.expect(WireReader.VARINT);
          kind = BOOL;
        }
        case AnyValue.INT_VALUE_FIELD_NUMBER -> {
          r.expect(WireReader.VARINT);
          kind = INT;
        }
        case AnyValue.DOUBLE_VALUE_FIELD_NUMBER -> {
          r.expect(WireReader.FIXED64);
          kind = DOUBLE;
        }
        case AnyValue.ARRAY_VALUE_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          kind = ARRAY;
        }
        case AnyValue.KVLIST_VALUE_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          kind = KVLIST;
        }
        case AnyValue.BYTES_VALUE_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          kind = BYTES;
        }
        case AnyValue.STRING_VALUE_STRINDEX_FIELD_NUMBER -> {
          r.expect(WireReader.VARINT);
          kind = STRINDEX;
        }
        default -> throw WireReader.GIVE_UP;
      }
      valueBits = r.value;
      valueFrom = r.start;
      valueTo = r.limit;
    }
    valueKind = kind;
  }

  /** Writes the value {@link #readValue} read, as {@link OtlpValues#writeJson}. */
  private void writeCurrentValue(Utf8Out o, int level, int depth) {
    switch (valueKind) {
      case STRING -> o.jsonString(req, valueFrom, valueTo);
      case BOOL -> o.put(valueBits != 0 ? TRUE : FALSE);
      case INT -> o.decimal(valueBits);
      case DOUBLE -> {
        double d = Double.longBitsToDouble(valueBits);
        if (Double.isNaN(d) || Double.isInfinite(d)) throw WireReader.GIVE_UP; // fails the record: tree path
        o.ascii(GoText.jsonNumber(d));
      }
      case BYTES -> o.put((byte) '"')
          .put(Base64.getEncoder().encode(Arrays.copyOfRange(req, valueFrom, valueTo))).put((byte) '"');
      case ARRAY -> writeArray(o, valueFrom, valueTo, level + 1, depth + 1);
      case KVLIST -> writeMap(o, valueFrom, valueTo, level + 1, depth + 1);
      default -> o.put(NULL);
    }
  }

  private void writeValue(Utf8Out o, int from, int to, int level, int depth) {
    if (from < 0) {
      o.put(NULL); // a KeyValue without a value: the default AnyValue
      return;
    }
    readValue(from, to, level);
    writeCurrentValue(o, level, depth);
  }

  private void writeArray(Utf8Out o, int from, int to, int level, int depth) {
    if (depth > MAX_VALUE_DEPTH) throw WireReader.GIVE_UP;
    WireReader r = reader(level).reset(req, from, to);
    o.put((byte) '[');
    boolean first = true;
    while (r.next()) {
      if (r.field != 1) throw WireReader.GIVE_UP; // ArrayValue.values
      r.expect(WireReader.LEN);
      if (!first) o.put((byte) ',');
      first = false;
      writeValue(o, r.start, r.limit, level + 1, depth);
    }
    o.put((byte) ']');
  }

  private void writeMap(Utf8Out o, int from, int to, int level, int depth) {
    if (depth > MAX_VALUE_DEPTH) throw WireReader.GIVE_UP;
    WireReader r = reader(level).reset(req, from, to);
    int n = 0;
    KeyTable.Key[] k = new KeyTable.Key[4];
    int[] vf = new int[4];
    int[] vt = new int[4];
    while (r.next()) {
      if (r.field != 1) throw WireReader.GIVE_UP; // KeyValueList.values
      r.expect(WireReader.LEN);
      if (n == k.length) {
        k = Arrays.copyOf(k, n * 2);
        vf = Arrays.copyOf(vf, n * 2);
        vt = Arrays.copyOf(vt, n * 2);
      }
      keyValue(r.start, r.limit, level + 1);
      k[n] = attrKey;
      vf[n] = kvValueFrom;
      vt[n] = kvValueTo;
      n++;
    }
    writeObject(o, k, vf, vt, n, null, level + 1, depth);
  }

  /**
   * Writes {@code count} key/values as a JSON object the way {@link OtlpValues#writeJsonObject}
   * does: keys sorted, the last of equal keys wins, keys the plans of {@code rc} remove left out
   * (null: none).
   * Values left out are still checked as protobuf-java would check them.
   *
   * @return the number of members written
   */
  private int writeObject(Utf8Out o, KeyTable.Key[] k, int[] vf, int[] vt, int count,
      LogsConverter.ResourceContext rc, int level, int depth) {
    int[] ord;
    if (rc != null) {
      if (order.length < count) order = new int[Math.max(count, order.length * 2)];
      ord = order;
    } else {
      ord = new int[count];
    }
    int m = 0;
    for (int i = 0; i < count; i++) {
      if (rc != null && k[i].removedIn(rc)) {
        checkValue(vf[i], vt[i], level, depth);
        continue;
      }
      ord[m++] = i;
    }
    for (int i = 1; i < m; i++) {
      int x = ord[i];
      String kx = k[x].name;
      int j = i - 1;
      while (j >= 0 && k[ord[j]].name.compareTo(kx) > 0) {
        ord[j + 1] = ord[j];
        j--;
      }
      ord[j + 1] = x;
    }
    o.put((byte) '{');
    int written = 0;
    for (int i = 0; i < m; i++) {
      int x = ord[i];
      if (i + 1 < m && k[ord[i + 1]].name.equals(k[x].name)) {
        checkValue(vf[x], vt[x], level, depth);
        continue;
      }
      if (written > 0) o.put((byte) ',');
      o.put(k[x].json);
      writeValue(o, vf[x], vt[x], level, depth);
      written++;
    }
    o.put((byte) '}');
    return written;
  }

  /**
   * Checks a value that is not written (structure and UTF-8 only, as protobuf-java checks it while
   * parsing); gives up on anything else.
   */
  private void checkValue(int from, int to, int level, int depth) {
    if (from < 0) return;
    if (depth > MAX_VALUE_DEPTH) throw WireReader.GIVE_UP;
    WireReader r = reader(level).reset(req, from, to);
    while (r.next()) {
      switch (r.field) {
        case AnyValue.STRING_VALUE_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          Utf8Out.checkUtf8(req, r.start, r.limit);
        }
        case AnyValue.BOOL_VALUE_FIELD_NUMBER, AnyValue.INT_VALUE_FIELD_NUMBER,
            AnyValue.STRING_VALUE_STRINDEX_FIELD_NUMBER -> r.expect(WireReader.VARINT);
        case AnyValue.DOUBLE_VALUE_FIELD_NUMBER -> r.expect(WireReader.FIXED64);
        case AnyValue.BYTES_VALUE_FIELD_NUMBER -> r.expect(WireReader.LEN);
        case AnyValue.ARRAY_VALUE_FIELD_NUMBER, AnyValue.KVLIST_VALUE_FIELD_NUMBER -> {
          r.expect(WireReader.LEN);
          boolean map = r.field == AnyValue.KVLIST_VALUE_FIELD_NUMBER;
          WireReader c = reader(level + 1).reset(req, r.start, r.limit);
          while (c.next()) {
            if (c.field != 1) throw WireReader.GIVE_UP;
            c.expect(WireReader.LEN);
            if (map) {
              keyValue(c.start, c.limit, level + 2);
              checkValue(kvValueFrom, kvValueTo, level + 2, depth + 1);
            } else {
              checkValue(c.start, c.limit, level + 2, depth + 1);
            }
          }
        }
        default -> throw WireReader.GIVE_UP;
      }
    }
  }

  /** Records converted by the walker, records handed to the tree path, requests handed over whole. */
  record Stats(long fast, long handedOver, long wholeRequests) {}

  /** A decoded resource with its labels and plans, kept for the next requests with the same resource bytes. */
  private record CachedResource(byte[] bytes, int hash, LogsConverter.ResourceContext rc, boolean fast) {}

  /** Attribute keys by their UTF-8 bytes, so a key seen before costs no decoding and no allocation. */
  static final class KeyTable {

    /** A key: its string, its JSON member prefix ({@code "key":}) and whether the fast path must hand over. */
    static final class Key {
      final byte[] utf8;
      final int hash;
      final String name;
      final byte[] json;
      final boolean special;

      Key(byte[] utf8, int hash, String name) {
        this.utf8 = utf8;
        this.hash = hash;
        this.name = name;
        StringBuilder b = new StringBuilder(name.length() + 3);
        GoText.jsonString(b, name);
        this.json = b.append(':').toString().getBytes(StandardCharsets.UTF_8);
        this.special = LogsConverter.isHint(name) || name.equals(LogsConverter.LEVEL);
      }

      // the answer for the last resource asked about
      private LogsConverter.ResourceContext lastContext;
      private boolean lastRemoved;

      /**
       * Whether the line leaves this attribute out under the plans of {@code rc}: for a key that is
       * neither a hint nor {@code level} (those are never {@link #special} on this path),
       * {@link LogsConverter.Plan#removes} is "a label of the resource has this name", the same for
       * every plan of the resource. Remembered for the last resource.
       */
      boolean removedIn(LogsConverter.ResourceContext rc) {
        if (rc != lastContext) {
          lastRemoved = rc.base.containsKey(name);
          lastContext = rc;
        }
        return lastRemoved;
      }
    }

    private static final int CAPACITY = 1024;
    private final Key[] slots = new Key[CAPACITY];
    private int size;

    Key intern(byte[] src, int from, int to) {
      int h = 1;
      for (int i = from; i < to; i++) h = 31 * h + src[i];
      int mask = CAPACITY - 1;
      int i = (h ^ (h >>> 16)) & mask;
      while (true) {
        Key k = slots[i];
        if (k == null) break;
        if (k.hash == h && Arrays.equals(k.utf8, 0, k.utf8.length, src, from, to)) return k;
        i = (i + 1) & mask;
      }
      Utf8Out.checkUtf8(src, from, to);
      byte[] utf8 = Arrays.copyOfRange(src, from, to);
      Key k = new Key(utf8, h, new String(utf8, StandardCharsets.UTF_8));
      if (size >= CAPACITY / 2) {
        // many distinct keys (ids used as keys?): start over rather than grow without bound
        Arrays.fill(slots, null);
        size = 0;
        i = (h ^ (h >>> 16)) & mask;
      }
      slots[i] = k;
      size++;
      return k;
    }
  }
}
