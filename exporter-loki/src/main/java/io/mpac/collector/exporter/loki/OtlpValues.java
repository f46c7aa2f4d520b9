package io.mpac.collector.exporter.loki;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.util.Base64;
import java.util.List;

/**
 * OTLP attribute values as the Collector's pdata renders them: {@code AsString()} for label values
 * and {@code json.Marshal(AsRaw())} for the JSON line (maps with sorted keys, bytes as base64).
 */
final class OtlpValues {

  private OtlpValues() {}

  /** The first attribute called {@code key}, or null. */
  static AnyValue find(List<KeyValue> attrs, String key) {
    for (int i = 0, n = attrs.size(); i < n; i++) {
      KeyValue kv = attrs.get(i);
      if (kv.getKey().equals(key)) return kv.getValue();
    }
    return null;
  }

  static boolean isEmpty(AnyValue v) {
    return v.getValueCase() == AnyValue.ValueCase.VALUE_NOT_SET
        || v.getValueCase() == AnyValue.ValueCase.STRING_VALUE_STRINDEX;
  }

  /** pdata's {@code Value.AsString()}. */
  static String asString(AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case INT_VALUE:
        return Long.toString(v.getIntValue());
      case BOOL_VALUE:
        return v.getBoolValue() ? "true" : "false";
      case DOUBLE_VALUE: {
        double d = v.getDoubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) return "json: unsupported value: " + GoText.formatG(d);
        return GoText.jsonNumber(d);
      }
      case BYTES_VALUE:
        return Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
      case ARRAY_VALUE:
      case KVLIST_VALUE: {
        StringBuilder b = new StringBuilder();
        try {
          writeJson(b, v);
        } catch (IllegalArgumentException e) {
          return "";
        }
        return b.toString();
      }
      default:
        return "";
    }
  }

  /**
   * Appends {@code json.Marshal(v.AsRaw())}.
   *
   * @throws IllegalArgumentException for a NaN or infinite double anywhere in the value
   */
  static void writeJson(StringBuilder b, AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE -> GoText.jsonString(b, v.getStringValue());
      case INT_VALUE -> b.append(v.getIntValue());
      case BOOL_VALUE -> b.append(v.getBoolValue());
      case DOUBLE_VALUE -> b.append(GoText.jsonNumber(v.getDoubleValue()));
      case BYTES_VALUE -> b.append('"').append(Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray()))
          .append('"');
      case ARRAY_VALUE -> {
        b.append('[');
        List<AnyValue> values = v.getArrayValue().getValuesList();
        for (int i = 0; i < values.size(); i++) {
          if (i > 0) b.append(',');
          writeJson(b, values.get(i));
        }
        b.append(']');
      }
      case KVLIST_VALUE -> writeJsonObject(b, v.getKvlistValue().getValuesList(), null);
      default -> b.append("null");
    }
  }

  /** Something that says whether an attribute is left out of a JSON object. */
  @FunctionalInterface
  interface KeyFilter {
    boolean skip(String key);
  }

  /**
   * Appends {@code attrs} as a JSON object with keys sorted (Go marshals maps so), a repeated key
   * taking its last value, leaving out keys {@code skip} names.
   *
   * @param extraKey an attribute to add (or null), with {@code extraValue} as its string value
   * @return the number of members written
   */
  static int writeJsonObject(StringBuilder b, List<KeyValue> attrs, KeyFilter skip, String extraKey,
      String extraValue) {
    int n = attrs.size();
    int[] order = new int[n];
    int count = 0;
    for (int i = 0; i < n; i++) {
      String key = attrs.get(i).getKey();
      if (skip != null && skip.skip(key)) continue;
      order[count++] = i;
    }
    // insertion sort by key, stable, so the last of equal keys ends last
    for (int i = 1; i < count; i++) {
      int x = order[i];
      String kx = attrs.get(x).getKey();
      int j = i - 1;
      while (j >= 0 && attrs.get(order[j]).getKey().compareTo(kx) > 0) {
        order[j + 1] = order[j];
        j--;
      }
      order[j + 1] = x;
    }
    b.append('{');
    int written = 0;
    boolean extraDone = extraKey == null;
    for (int i = 0; i < count; i++) {
      KeyValue kv = attrs.get(order[i]);
      if (i + 1 < count && attrs.get(order[i + 1]).getKey().equals(kv.getKey())) continue;
      if (!extraDone && extraKey.compareTo(kv.getKey()) <= 0) {
        extraDone = true;
        if (!extraKey.equals(kv.getKey())) {
          written = member(b, written, extraKey);
          GoText.jsonString(b, extraValue);
        }
      }
      written = member(b, written, kv.getKey());
      writeJson(b, kv.getValue());
    }
    if (!extraDone) {
      written = member(b, written, extraKey);
      GoText.jsonString(b, extraValue);
    }
    b.append('}');
    return written;
  }

  static int writeJsonObject(StringBuilder b, List<KeyValue> attrs, KeyFilter skip) {
    return writeJsonObject(b, attrs, skip, null, null);
  }

  private static int member(StringBuilder b, int written, String key) {
    if (written > 0) b.append(',');
    GoText.jsonString(b, key);
    b.append(':');
    return written + 1;
  }

  /** Go's {@code fmt.Sprintf("%v", x)} of a raw value (for list-valued hints). */
  static String sprintV(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT_VALUE -> Long.toString(v.getIntValue());
      case BOOL_VALUE -> v.getBoolValue() ? "true" : "false";
      case DOUBLE_VALUE -> GoText.formatG(v.getDoubleValue());
      case VALUE_NOT_SET -> "<nil>";
      default -> asString(v);
    };
  }
}
