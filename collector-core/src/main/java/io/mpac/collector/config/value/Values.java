package io.mpac.collector.config.value;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mpac.collector.config.syntax.GoStrings;
import io.mpac.collector.config.syntax.Lexer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Conversions between {@link Value}s, JSON and Alloy source text. */
public final class Values {

  private Values() {}

  /** JSON to a value: numbers become {@link Value.Num} (integers stay integers), key order kept. */
  public static Value fromJson(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) return Value.NULL;
    if (node.isBoolean()) return Value.of(node.booleanValue());
    if (node.isIntegralNumber() && node.canConvertToLong()) return Value.of(node.longValue());
    if (node.isNumber()) return Value.of(node.doubleValue());
    if (node.isTextual()) return Value.of(node.textValue());
    if (node.isArray()) {
      List<Value> out = new ArrayList<>(node.size());
      for (JsonNode el : node) out.add(fromJson(el));
      return new Value.Array(out);
    }
    if (node.isObject()) {
      Map<String, Value> out = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> it = node.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(e.getKey(), fromJson(e.getValue()));
      }
      return new Value.Obj(out);
    }
    return Value.of(node.asText());
  }

  /**
   * A value as JSON, for the API and {@code encoding.to_json}. Secrets become {@code "(secret)"},
   * capsules their origin (or type name), functions their name.
   */
  public static JsonNode toJson(Value v) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    if (v instanceof Value.Null) return f.nullNode();
    if (v instanceof Value.Bool b) return f.booleanNode(b.value());
    if (v instanceof Value.Num n) return n.isInteger() ? f.numberNode(n.longValue()) : f.numberNode(n.doubleValue());
    if (v instanceof Value.Str s) return f.textNode(s.secret() ? "(secret)" : s.value());
    if (v instanceof Value.Array a) {
      ArrayNode out = f.arrayNode();
      for (Value el : a.elements()) out.add(toJson(el));
      return out;
    }
    if (v instanceof Value.Obj o) {
      ObjectNode out = f.objectNode();
      o.fields().forEach((k, el) -> out.set(k, toJson(el)));
      return out;
    }
    if (v instanceof Value.Function fn) return f.textNode(fn.name());
    return f.textNode(v.toString()); // capsule: its origin
  }

  /**
   * A value written in Alloy syntax, on one line: {@code null}, {@code "text"}, {@code [1, 2]},
   * {@code { a = 1, "b.c" = true }}. Secrets show as {@code (secret)}.
   */
  public static String display(Value v) {
    StringBuilder b = new StringBuilder();
    display(v, b);
    return b.toString();
  }

  private static void display(Value v, StringBuilder b) {
    if (v instanceof Value.Str s) {
      b.append(s.secret() ? "(secret)" : GoStrings.quote(s.value()));
    } else if (v instanceof Value.Num n) {
      if (n.isInteger()) {
        b.append(n.longValue());
      } else {
        double d = n.doubleValue();
        b.append(d < 0 ? "-" : "").append(GoFormat.formatG(Math.abs(d), -1, false));
      }
    } else if (v instanceof Value.Array a) {
      b.append('[');
      for (int i = 0; i < a.elements().size(); i++) {
        if (i > 0) b.append(", ");
        display(a.elements().get(i), b);
      }
      b.append(']');
    } else if (v instanceof Value.Obj o) {
      if (o.fields().isEmpty()) {
        b.append("{}");
        return;
      }
      b.append("{ ");
      boolean first = true;
      for (Map.Entry<String, Value> e : o.fields().entrySet()) {
        if (!first) b.append(", ");
        first = false;
        String k = e.getKey();
        b.append(Lexer.isValidIdentifier(k) ? k : GoStrings.quote(k)).append(" = ");
        display(e.getValue(), b);
      }
      b.append(" }");
    } else if (v instanceof Value.Bool bool) {
      b.append(bool.value());
    } else if (v instanceof Value.Function fn) {
      b.append("function(").append(fn.name()).append(')');
    } else if (v instanceof Value.Capsule c) {
      b.append(c.origin() != null ? c.origin() : "capsule(" + GoStrings.quote(c.kind()) + ")");
    } else {
      b.append(v); // null, true, false
    }
  }

  /** Alloy equality: deep, numbers by value (1 == 1.0), strings by text whether secret or not. */
  public static boolean equal(Value a, Value b) {
    if (a instanceof Value.Str x && b instanceof Value.Str y) return x.value().equals(y.value());
    if (a instanceof Value.Array x && b instanceof Value.Array y) {
      if (x.elements().size() != y.elements().size()) return false;
      for (int i = 0; i < x.elements().size(); i++) {
        if (!equal(x.elements().get(i), y.elements().get(i))) return false;
      }
      return true;
    }
    if (a instanceof Value.Obj x && b instanceof Value.Obj y) {
      if (!x.fields().keySet().equals(y.fields().keySet())) return false;
      for (Map.Entry<String, Value> e : x.fields().entrySet()) {
        if (!equal(e.getValue(), y.fields().get(e.getKey()))) return false;
      }
      return true;
    }
    return a.equals(b);
  }
}
