package io.mpac.collector.exporter.loki;

import com.google.protobuf.ByteString;
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
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * OTLP log records → Loki entries, as Alloy's {@code otelcol.exporter.loki} makes them (the
 * Collector-contrib {@code pkg/translator/loki} rules with all default labels on).
 *
 * <p><b>Labels</b>, later ones replacing earlier ones of the same name:
 * <ol>
 *   <li>{@code exporter="OTLP"}; {@code job} = {@code service.namespace/service.name} (or
 *       {@code service.name}); {@code instance} = {@code service.instance.id};
 *   <li>the resource attributes named by a {@code loki.resource.labels} hint on the resource;
 *   <li>the resource attributes named by a {@code loki.resource.labels} hint on the record;
 *   <li>the record attributes named by its {@code loki.attribute.labels} hint. When the record has
 *       a severity number, {@code level} is added to that hint and, unless the record already has
 *       a {@code level} attribute, one is made from the severity table.
 * </ol>
 * A hint is a comma-separated string or a list; names are trimmed; a dotted name that is not an
 * attribute reaches into map-valued attributes. Label names are then sanitised ({@link LabelNames}).
 *
 * <p><b>Line</b>: the hints, and every attribute whose name equals a label name (before
 * sanitisation), are left out of the line. The {@code loki.format} hint (resource first, then
 * record) picks {@code json} (default), {@code logfmt} or {@code raw}; another value fails the
 * record, which is dropped and counted.
 *
 * <p><b>Timestamp</b>: the record's time, else its observed time, else now.
 *
 * <p><b>Tenant</b> (beyond Alloy, which ignores it): a {@code loki.tenant} hint names an attribute
 * whose string value becomes the entry's {@link Labels#TENANT_ID} label, which {@code loki.write}
 * turns into {@code X-Scope-OrgID}.
 *
 * <p>Not thread-safe (it reuses a buffer): one converter per thread.
 */
final class LogsConverter {

  static final String HINT_ATTRIBUTES = "loki.attribute.labels";
  static final String HINT_RESOURCES = "loki.resource.labels";
  static final String HINT_TENANT = "loki.tenant";
  static final String HINT_FORMAT = "loki.format";
  static final String LEVEL = "level";

  private static final int MAX_SIMPLE_PLANS = 64;
  private static final String SERVICE_NAME = "service.name";
  private static final String SERVICE_NAMESPACE = "service.namespace";
  private static final String SERVICE_INSTANCE_ID = "service.instance.id";

  private enum Format { JSON, LOGFMT, RAW }

  /** What a conversion call produced besides the entries. */
  record Result(int converted, int failed, String firstError) {}

  private final StructuredMetadataConfig metadata;
  private final LongSupplier nowNanos;
  private final StringBuilder buf = new StringBuilder(1024);
  private final WireLogsConverter wire;

  LogsConverter(StructuredMetadataConfig metadata, LongSupplier nowNanos) {
    this.metadata = metadata;
    this.nowNanos = nowNanos;
    this.wire = new WireLogsConverter(this);
  }

  StructuredMetadataConfig metadata() {
    return metadata;
  }

  long nowNanos() {
    return nowNanos.getAsLong();
  }

  /**
   * Converts an encoded {@code ExportLogsServiceRequest}, appending the entries to {@code out} in
   * request order. Walks the protobuf bytes without building the object tree ({@link
   * WireLogsConverter}); what that path does not handle goes through {@link #convertTree}, record by
   * record or for the whole request, so the result is the same either way.
   *
   * @throws InvalidProtocolBufferException when protobuf-java cannot parse the request
   */
  Result convert(byte[] request, List<LokiEntry> out) throws InvalidProtocolBufferException {
    return wire.convert(request, out);
  }

  /** How the streaming path has fared so far (tests and diagnostics). */
  WireLogsConverter.Stats wireStats() {
    return wire.stats();
  }

  /** Converts {@code request} (encoded, then as {@link #convert(byte[], List)}). */
  Result convert(ExportLogsServiceRequest request, List<LokiEntry> out) {
    try {
      return convert(request.toByteArray(), out);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a built request did not parse again", e);
    }
  }

  /**
   * Converts every record of the decoded {@code request}, appending the entries to {@code out} in
   * request order: the reference conversion, over protobuf-java's object tree.
   */
  Result convertTree(ExportLogsServiceRequest request, List<LokiEntry> out) {
    int converted = 0;
    int failed = 0;
    String firstError = null;
    for (ResourceLogs rl : request.getResourceLogsList()) {
      ResourceContext rc = new ResourceContext(rl.getResource().getAttributesList());
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        InstrumentationScope scope = sl.getScope();
        for (LogRecord lr : sl.getLogRecordsList()) {
          try {
            out.add(convertRecord(lr, rc, scope));
            converted++;
          } catch (ConversionException e) {
            failed++;
            if (firstError == null) firstError = e.getMessage();
          }
        }
      }
    }
    return new Result(converted, failed, firstError);
  }

  /** A record that cannot be converted (unknown format, NaN in a JSON value, an empty logfmt key). */
  static final class ConversionException extends Exception {
    ConversionException(String message) {
      super(message, null, false, false);
    }
  }

  /** What is the same for every record of one resource. */
  final class ResourceContext {
    final List<KeyValue> attrs;
    final AnyValue formatHint;
    final AnyValue resourceHint;
    final AnyValue tenantHint;
    final Map<String, String> base = new LinkedHashMap<>();
    final String serviceName;
    /** Labels and line parts for records without their own hints, by level value ("" for none). */
    final Map<String, Plan> simplePlans = new HashMap<>(4);

    ResourceContext(List<KeyValue> attrs) {
      this.attrs = attrs;
      this.formatHint = OtlpValues.find(attrs, HINT_FORMAT);
      this.resourceHint = OtlpValues.find(attrs, HINT_RESOURCES);
      this.tenantHint = OtlpValues.find(attrs, HINT_TENANT);
      base.put("exporter", "OTLP");
      AnyValue name = OtlpValues.find(attrs, SERVICE_NAME);
      serviceName = name == null ? null : OtlpValues.asString(name);
      if (name != null) {
        AnyValue ns = OtlpValues.find(attrs, SERVICE_NAMESPACE);
        base.put("job", ns == null ? serviceName : OtlpValues.asString(ns) + "/" + serviceName);
      }
      AnyValue instance = OtlpValues.find(attrs, SERVICE_INSTANCE_ID);
      if (instance != null) base.put("instance", OtlpValues.asString(instance));
      if (resourceHint != null) promote(attrs, null, null, attributeNames(resourceHint), base);
    }
  }

  /** The labels of a record and which attributes they take out of its line. */
  static final class Plan {
    final Labels labels;
    final Collection<String> rawNames;
    String resourcesJson;
    /** For the streaming path: {@link #resourcesJson} as UTF-8, and the labels with {@code service_name}. */
    byte[] resourcesJsonUtf8;
    Labels serviceLabels;

    Plan(Labels labels, Collection<String> rawNames) {
      this.labels = labels;
      this.rawNames = rawNames;
    }

    boolean removes(String key) {
      return isHint(key) || rawNames.contains(key);
    }
  }

  static boolean isHint(String key) {
    return key.length() > 5 && key.startsWith("loki.")
        && (key.equals(HINT_ATTRIBUTES) || key.equals(HINT_RESOURCES) || key.equals(HINT_TENANT)
            || key.equals(HINT_FORMAT));
  }

  /** The plan of a record without hints of its own: the resource's labels plus {@code level} (null: none). */
  Plan simplePlan(ResourceContext rc, String levelValue) {
    String key = levelValue == null ? "\u0000none" : levelValue;
    Plan plan = rc.simplePlans.get(key);
    if (plan == null) {
      Map<String, String> raw = new LinkedHashMap<>(rc.base);
      if (levelValue != null) raw.put(LEVEL, levelValue);
      plan = makePlan(raw, rc);
      // the streaming path keeps a context across requests: bound what level attributes can add
      if (rc.simplePlans.size() < MAX_SIMPLE_PLANS) rc.simplePlans.put(key, plan);
    }
    return plan;
  }

  /** One record (of the resource {@code rc} and scope {@code scope}) as a Loki entry. */
  LokiEntry convertRecord(LogRecord lr, ResourceContext rc, InstrumentationScope scope) throws ConversionException {
    List<KeyValue> logAttrs = lr.getAttributesList();
    AnyValue attrHint = logAttrs.isEmpty() ? null : OtlpValues.find(logAttrs, HINT_ATTRIBUTES);
    AnyValue logResourceHint = logAttrs.isEmpty() ? null : OtlpValues.find(logAttrs, HINT_RESOURCES);
    int severity = lr.getSeverityNumberValue();

    String synthLevel = null;
    AnyValue existingLevel = null;
    List<String> attrNames = null;
    if (severity != 0) {
      existingLevel = OtlpValues.find(logAttrs, LEVEL);
      if (existingLevel == null) synthLevel = Severity.level(severity);
      if (attrHint == null) {
        attrNames = List.of(LEVEL);
      } else if (attrHint.getValueCase() == AnyValue.ValueCase.STRING_VALUE) {
        attrNames = attributeNames(AnyValue.newBuilder().setStringValue(attrHint.getStringValue() + "," + LEVEL).build());
      } else if (attrHint.getValueCase() == AnyValue.ValueCase.ARRAY_VALUE) {
        attrNames = new ArrayList<>(attributeNames(attrHint));
        attrNames.add(LEVEL);
      } else {
        attrNames = attributeNames(attrHint);
      }
    } else if (attrHint != null) {
      attrNames = attributeNames(attrHint);
    }

    Plan plan;
    if (attrHint == null && logResourceHint == null) {
      String levelValue = severity == 0 ? null : existingLevel != null ? OtlpValues.asString(existingLevel) : synthLevel;
      plan = simplePlan(rc, levelValue);
    } else {
      Map<String, String> raw = new LinkedHashMap<>(rc.base);
      if (logResourceHint != null) promote(rc.attrs, null, null, attributeNames(logResourceHint), raw);
      if (attrNames != null) promote(logAttrs, LEVEL, synthLevel, attrNames, raw);
      plan = makePlan(raw, rc);
    }

    Labels labels = plan.labels;
    String tenant = tenant(rc, logAttrs);
    if (tenant != null && !tenant.isEmpty()) labels = labels.with(Labels.TENANT_ID, tenant);

    AnyValue fmtHint = rc.formatHint != null ? rc.formatHint : OtlpValues.find(logAttrs, HINT_FORMAT);
    Format format = Format.JSON;
    if (fmtHint != null) {
      String f = OtlpValues.asString(fmtHint);
      switch (f) {
        case "json" -> format = Format.JSON;
        case "logfmt" -> format = Format.LOGFMT;
        case "raw" -> format = Format.RAW;
        default -> throw new ConversionException("invalid format " + f + ". Expected one of: json, logfmt, raw");
      }
    }

    String keptSynthLevel = synthLevel != null && !plan.rawNames.contains(LEVEL) ? synthLevel : null;
    String line = switch (format) {
      case JSON -> jsonLine(lr, rc, scope, plan, keptSynthLevel);
      case LOGFMT -> logfmtLine(lr, rc, scope, plan, keptSynthLevel);
      case RAW -> lr.hasBody() ? OtlpValues.asString(lr.getBody()) : "";
    };

    long ts = lr.getTimeUnixNano();
    if (ts == 0) ts = lr.getObservedTimeUnixNano();
    if (ts == 0) ts = nowNanos.getAsLong();

    Map<String, String> md = Map.of();
    if (metadata.enabled()) {
      md = structuredMetadata(lr, rc, logAttrs);
      if (rc.serviceName != null) labels = labels.with("service_name", rc.serviceName);
    }
    return new LokiEntry(labels, ts, line, md);
  }

  private Plan makePlan(Map<String, String> raw, ResourceContext rc) {
    Labels.Builder b = Labels.builder();
    for (Map.Entry<String, String> e : raw.entrySet()) b.put(LabelNames.normalize(e.getKey()), e.getValue());
    Collection<String> names = raw.size() <= 8 ? List.copyOf(raw.keySet()) : java.util.Set.copyOf(raw.keySet());
    return new Plan(b.build(), names);
  }

  private static String tenant(ResourceContext rc, List<KeyValue> logAttrs) {
    AnyValue hint = rc.tenantHint;
    if (hint == null) {
      if (logAttrs.isEmpty()) return null;
      hint = OtlpValues.find(logAttrs, HINT_TENANT);
      if (hint == null) return null;
    }
    String attr = hint.getValueCase() == AnyValue.ValueCase.STRING_VALUE ? hint.getStringValue() : "";
    AnyValue v = OtlpValues.find(rc.attrs, attr);
    if (v == null) v = OtlpValues.find(logAttrs, attr);
    return v != null && v.getValueCase() == AnyValue.ValueCase.STRING_VALUE ? v.getStringValue() : null;
  }

  /** The names a hint lists: a comma-separated string, a list, or anything else as its string. */
  static List<String> attributeNames(AnyValue hint) {
    List<String> out = new ArrayList<>();
    switch (hint.getValueCase()) {
      case STRING_VALUE -> {
        for (String s : hint.getStringValue().split(",", -1)) out.add(s);
      }
      case ARRAY_VALUE -> {
        for (AnyValue v : hint.getArrayValue().getValuesList()) out.add(OtlpValues.sprintV(v));
      }
      default -> out.add(OtlpValues.asString(hint));
    }
    return out;
  }

  /** Adds the named attributes' string values to {@code labels} under their raw names. */
  private static void promote(List<KeyValue> attrs, String extraKey, String extraValue, List<String> names,
      Map<String, String> labels) {
    for (String name : names) {
      String n = name.strip();
      AnyValue v = lookup(n, attrs, extraKey, extraValue);
      if (v != null) labels.put(n, OtlpValues.asString(v));
    }
  }

  /** An attribute by name, or by a dotted path into map values (the translator's getAttribute). */
  private static AnyValue lookup(String name, List<KeyValue> attrs, String extraKey, String extraValue) {
    AnyValue direct = OtlpValues.find(attrs, name);
    if (direct != null) return direct;
    if (extraValue != null && name.equals(extraKey)) return AnyValue.newBuilder().setStringValue(extraValue).build();
    String[] segments = name.split("\\.", -1);
    int n = segments.length;
    for (int i = 0; i < n - 1; i++) {
      String left = String.join(".", java.util.Arrays.asList(segments).subList(0, n - i - 1));
      String right = String.join(".", java.util.Arrays.asList(segments).subList(n - i - 1, n));
      AnyValue av = lookup(left, attrs, extraKey, extraValue);
      if (av != null && av.getValueCase() == AnyValue.ValueCase.KVLIST_VALUE) {
        return lookup(right, av.getKvlistValue().getValuesList(), null, null);
      }
    }
    return null;
  }

  private String jsonLine(LogRecord lr, ResourceContext rc, InstrumentationScope scope, Plan plan, String synthLevel)
      throws ConversionException {
    StringBuilder b = buf;
    b.setLength(0);
    b.append('{');
    try {
      if (lr.hasBody() && !OtlpValues.isEmpty(lr.getBody())) {
        b.append("\"body\":");
        OtlpValues.writeJson(b, lr.getBody());
      }
      String traceId = id(lr.getTraceId(), 16);
      if (traceId != null) comma(b).append("\"traceid\":\"").append(traceId).append('"');
      String spanId = id(lr.getSpanId(), 8);
      if (spanId != null) comma(b).append("\"spanid\":\"").append(spanId).append('"');
      if (!lr.getSeverityText().isEmpty()) {
        comma(b).append("\"severity\":");
        GoText.jsonString(b, lr.getSeverityText());
      }
      if (lr.getFlags() != 0) comma(b).append("\"flags\":").append(Integer.toUnsignedString(lr.getFlags()));
      int mark = b.length();
      comma(b).append("\"attributes\":");
      if (OtlpValues.writeJsonObject(b, lr.getAttributesList(), plan::removes, synthLevel == null ? null : LEVEL,
          synthLevel) == 0) {
        b.setLength(mark);
      }
      String res = resourcesJson(plan, rc);
      if (!res.isEmpty()) comma(b).append("\"resources\":").append(res);
    } catch (IllegalArgumentException e) {
      throw new ConversionException(e.getMessage());
    }
    if (!scope.getName().isEmpty()) {
      comma(b).append("\"instrumentation_scope\":{\"name\":");
      GoText.jsonString(b, scope.getName());
      if (!scope.getVersion().isEmpty()) {
        b.append(",\"version\":");
        GoText.jsonString(b, scope.getVersion());
      }
      b.append('}');
    }
    return b.append('}').toString();
  }

  /**
   * The JSON object of the resource attributes a plan leaves in the line, or "" when none is left.
   *
   * @throws IllegalArgumentException when an attribute holds a NaN or infinite number
   */
  static String resourcesJson(Plan plan, ResourceContext rc) {
    String res = plan.resourcesJson;
    if (res == null) {
      StringBuilder rb = new StringBuilder(128);
      int members = OtlpValues.writeJsonObject(rb, rc.attrs, plan::removes);
      res = plan.resourcesJson = members == 0 ? "" : rb.toString();
    }
    return res;
  }

  private static StringBuilder comma(StringBuilder b) {
    if (b.charAt(b.length() - 1) != '{') b.append(',');
    return b;
  }

  /** Lower-case hex of a trace or span id, or null when absent, all zero or of the wrong length. */
  static String id(ByteString bytes, int length) {
    if (bytes.size() != length) return null;
    boolean zero = true;
    for (int i = 0; i < length; i++) {
      if (bytes.byteAt(i) != 0) {
        zero = false;
        break;
      }
    }
    return zero ? null : GoText.hex(bytes.toByteArray());
  }

  private String logfmtLine(LogRecord lr, ResourceContext rc, InstrumentationScope scope, Plan plan,
      String synthLevel) throws ConversionException {
    List<Logfmt.KeyVal> kvs = new ArrayList<>();
    if (lr.hasBody()) bodyToKeyvals(lr.getBody(), kvs);
    String traceId = id(lr.getTraceId(), 16);
    if (traceId != null) replaceOrAppend(kvs, "traceID", traceId);
    String spanId = id(lr.getSpanId(), 8);
    if (spanId != null) replaceOrAppend(kvs, "spanID", spanId);
    if (!lr.getSeverityText().isEmpty()) replaceOrAppend(kvs, "severity", lr.getSeverityText());
    if (lr.getFlags() != 0) replaceOrAppend(kvs, "flags", Long.valueOf(Integer.toUnsignedLong(lr.getFlags())));
    for (KeyValue kv : lr.getAttributesList()) {
      if (!plan.removes(kv.getKey())) valueToKeyvals("attribute_" + kv.getKey(), kv.getValue(), kvs);
    }
    if (synthLevel != null) kvs.add(new Logfmt.KeyVal("attribute_" + LEVEL, false, synthLevel));
    for (KeyValue kv : rc.attrs) {
      if (!plan.removes(kv.getKey())) valueToKeyvals("resource_" + kv.getKey(), kv.getValue(), kvs);
    }
    if (!scope.getName().isEmpty()) {
      kvs.add(new Logfmt.KeyVal("instrumentation_scope_name", false, scope.getName()));
      if (!scope.getVersion().isEmpty()) {
        kvs.add(new Logfmt.KeyVal("instrumentation_scope_version", false, scope.getVersion()));
      }
    }
    try {
      return Logfmt.encode(kvs);
    } catch (Logfmt.InvalidKeyException e) {
      throw new ConversionException(e.getMessage());
    }
  }

  private static void replaceOrAppend(List<Logfmt.KeyVal> kvs, String key, Object value) {
    for (int i = 0; i < kvs.size(); i++) {
      Logfmt.KeyVal kv = kvs.get(i);
      if (!kv.fromBody() && kv.key().equals(key)) {
        kvs.set(i, new Logfmt.KeyVal(key, false, value));
        return;
      }
    }
    kvs.add(new Logfmt.KeyVal(key, false, value));
  }

  private static void bodyToKeyvals(AnyValue body, List<Logfmt.KeyVal> out) {
    switch (body.getValueCase()) {
      case STRING_VALUE -> {
        List<Logfmt.KeyVal> parsed = Logfmt.parseFirstLine(body.getStringValue());
        if (parsed == null) {
          out.add(new Logfmt.KeyVal("msg", false, body.getStringValue()));
        } else {
          out.addAll(parsed);
        }
      }
      case KVLIST_VALUE -> valueToKeyvals("", body, out);
      case ARRAY_VALUE -> valueToKeyvals("body", body, out);
      case VALUE_NOT_SET, STRING_VALUE_STRINDEX -> { }
      default -> out.add(new Logfmt.KeyVal("msg", false, raw(body)));
    }
  }

  private static Object raw(AnyValue v) {
    return switch (v.getValueCase()) {
      case BOOL_VALUE -> v.getBoolValue();
      case INT_VALUE -> v.getIntValue();
      case DOUBLE_VALUE -> v.getDoubleValue();
      case BYTES_VALUE -> v.getBytesValue().toByteArray();
      case STRING_VALUE -> v.getStringValue();
      default -> null;
    };
  }

  private static void valueToKeyvals(String key, AnyValue value, List<Logfmt.KeyVal> out) {
    switch (value.getValueCase()) {
      case VALUE_NOT_SET, STRING_VALUE_STRINDEX -> { }
      case KVLIST_VALUE -> {
        String prefix = key.isEmpty() ? "" : key + "_";
        for (KeyValue kv : value.getKvlistValue().getValuesList()) valueToKeyvals(prefix + kv.getKey(), kv.getValue(), out);
      }
      case ARRAY_VALUE -> {
        String prefix = key.isEmpty() ? "" : key + "_";
        List<AnyValue> values = value.getArrayValue().getValuesList();
        for (int i = 0; i < values.size(); i++) valueToKeyvals(prefix + i, values.get(i), out);
      }
      default -> out.add(new Logfmt.KeyVal(key, false, raw(value)));
    }
  }

  /** The extension: trace and span ids and the chosen attributes as structured metadata. */
  private Map<String, String> structuredMetadata(LogRecord lr, ResourceContext rc, List<KeyValue> logAttrs) {
    Map<String, String> md = new LinkedHashMap<>();
    String traceId = id(lr.getTraceId(), 16);
    if (traceId != null) md.put("trace_id", traceId);
    String spanId = id(lr.getSpanId(), 8);
    if (spanId != null) md.put("span_id", spanId);
    for (String name : metadata.attributes()) {
      AnyValue v = lookup(name, logAttrs, null, null);
      if (v == null) v = lookup(name, rc.attrs, null, null);
      if (v == null) continue;
      String s = OtlpValues.asString(v);
      if (!s.isEmpty()) md.put(LabelNames.normalize(name), s);
    }
    return md;
  }
}
