package io.mpac.collector.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.config.value.Value;
import java.util.Map;

/**
 * Config values in the JSON shape of Alloy's UI API: a body is a list of statements
 * ({@code {"type":"attr","name":..,"value":..}} or {@code {"type":"block","name":..,"body":[..]}}),
 * a value is {@code {"type":"string|number|bool|null|array|object|function|capsule","value":..}},
 * object fields are {@code {"key":..,"value":..}}. A secret is the capsule {@code "(secret)"}: its
 * text never enters this tree.
 */
final class AlloyBody {

  static final String SECRET = "(secret)";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private AlloyBody() {}

  /** A component's arguments: set attributes, then nested blocks in file order. */
  static ArrayNode of(Args args) {
    ArrayNode body = F.arrayNode();
    Value.Obj set = (Value.Obj) args.toValue();
    for (Map.Entry<String, Value> e : set.fields().entrySet()) {
      if (args.block(e.getKey()) == null) body.add(attr(e.getKey(), e.getValue()));
    }
    for (Args child : args.children()) {
      ObjectNode block = body.addObject();
      block.put("type", "block");
      block.put("name", child.name());
      block.set("body", of(child));
    }
    return body;
  }

  /** A flat body of attributes (exports, debug info). */
  static ArrayNode ofAttributes(Map<String, Value> attributes) {
    ArrayNode body = F.arrayNode();
    attributes.forEach((k, v) -> body.add(attr(k, v)));
    return body;
  }

  static ObjectNode attr(String name, Value v) {
    ObjectNode a = F.objectNode();
    a.put("type", "attr");
    a.put("name", name);
    a.set("value", value(v));
    return a;
  }

  static ObjectNode value(Value v) {
    ObjectNode o = F.objectNode();
    if (v == Value.NULL) {
      o.put("type", "null");
    } else if (v instanceof Value.Str s) {
      if (s.secret()) {
        o.put("type", "capsule");
        o.put("value", SECRET);
      } else {
        o.put("type", "string");
        o.put("value", s.value());
      }
    } else if (v instanceof Value.Num n) {
      o.put("type", "number");
      if (n.isInteger()) {
        o.put("value", n.longValue());
      } else {
        o.put("value", n.doubleValue());
      }
    } else if (v instanceof Value.Bool b) {
      o.put("type", "bool");
      o.put("value", b.value());
    } else if (v instanceof Value.Array a) {
      o.put("type", "array");
      ArrayNode els = o.putArray("value");
      a.elements().forEach(e -> els.add(value(e)));
    } else if (v instanceof Value.Obj obj) {
      o.put("type", "object");
      ArrayNode fields = o.putArray("value");
      obj.fields().forEach((k, fv) -> {
        ObjectNode f = fields.addObject();
        f.put("key", k);
        f.set("value", value(fv));
      });
    } else if (v instanceof Value.Function fn) {
      o.put("type", "function");
      o.put("value", fn.name());
    } else {
      o.put("type", "capsule");
      o.put("value", v.toString());
    }
    return o;
  }
}
