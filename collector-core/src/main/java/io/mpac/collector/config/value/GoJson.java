package io.mpac.collector.config.value;

import java.util.Map;
import java.util.TreeMap;

/**
 * Writes values as Go's {@code json.Marshal} does, for {@code encoding.to_json}: compact, object
 * keys sorted, and {@code < > &} escaped as {@code \u003c} etc.
 */
final class GoJson {

  private GoJson() {}

  static void write(Value v, StringBuilder b) {
    if (v instanceof Value.Null) {
      b.append("null");
    } else if (v instanceof Value.Bool x) {
      b.append(x.value());
    } else if (v instanceof Value.Num n) {
      b.append(n.isInteger() ? Long.toString(n.longValue()) : number(n.doubleValue()));
    } else if (v instanceof Value.Str s) {
      string(s.secret() ? "(secret)" : s.value(), b);
    } else if (v instanceof Value.Array a) {
      b.append('[');
      for (int i = 0; i < a.elements().size(); i++) {
        if (i > 0) b.append(',');
        write(a.elements().get(i), b);
      }
      b.append(']');
    } else if (v instanceof Value.Obj o) {
      b.append('{');
      boolean first = true;
      for (Map.Entry<String, Value> e : new TreeMap<>(o.fields()).entrySet()) {
        if (!first) b.append(',');
        first = false;
        string(e.getKey(), b);
        b.append(':');
        write(e.getValue(), b);
      }
      b.append('}');
    } else {
      string(v.toString(), b);
    }
  }

  /** Go's float encoding: plain notation for 1e-6 <= |d| < 1e21, exponent form otherwise. */
  private static String number(double d) {
    double abs = Math.abs(d);
    java.math.BigDecimal bd = new java.math.BigDecimal(Double.toString(abs)).stripTrailingZeros();
    if (abs != 0 && (abs < 1e-6 || abs >= 1e21)) {
      String digits = bd.unscaledValue().toString();
      int exp = bd.precision() - bd.scale() - 1;
      String mant = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
      return (d < 0 ? "-" : "") + mant + "e" + (exp < 0 ? "-" : "+") + Math.abs(exp);
    }
    return (d < 0 ? "-" : "") + bd.toPlainString();
  }

  private static void string(String s, StringBuilder b) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        case '<', '>', '&', '\u2028', '\u2029' -> b.append(String.format("\\u%04x", (int) c));
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    b.append('"');
  }
}
