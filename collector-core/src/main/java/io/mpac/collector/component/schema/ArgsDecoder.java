package io.mpac.collector.component.schema;

import io.mpac.collector.component.Handle;
import io.mpac.collector.config.ast.Attribute;
import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.ast.Expr;
import io.mpac.collector.config.ast.Statement;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.config.syntax.Position;
import io.mpac.collector.config.value.EvalException;
import io.mpac.collector.config.value.Value;
import io.mpac.collector.consumer.OtlpConsumer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Checks a block's body against a {@link Schema} and converts it to {@link Args}. Every problem is
 * added to the diagnostics list (unknown names with a suggestion, wrong types, missing required
 * attributes and blocks, duplicates) instead of stopping at the first.
 */
public final class ArgsDecoder {

  /** Evaluates one expression; the pipeline passes an evaluator over stdlib and component exports. */
  @FunctionalInterface
  public interface ExprEvaluator {
    Value evaluate(Expr expr) throws EvalException;
  }

  /**
   * Decides what a component is handed for a capsule argument (an output): the handle itself, or a
   * wrapper around it (the pipeline counts and taps data-flow edges this way).
   */
  @FunctionalInterface
  public interface HandleBinder {
    Handle bind(Value.Capsule capsule, Handle handle);
  }

  private final ExprEvaluator evaluator;
  private final Predicate<Expr> skip;
  private final List<Diagnostic> diagnostics;
  private HandleBinder binder = (capsule, handle) -> handle;

  /**
   * @param evaluator evaluates attribute expressions
   * @param skip attributes whose expression matches are taken as set but not evaluated (they
   *     reference components that could not be built, whose errors are already reported)
   * @param diagnostics where problems are added
   */
  public ArgsDecoder(ExprEvaluator evaluator, Predicate<Expr> skip, List<Diagnostic> diagnostics) {
    this.evaluator = evaluator;
    this.skip = skip;
    this.diagnostics = diagnostics;
  }

  /** Hands components {@code binder}'s choice for each capsule argument instead of the handle. */
  public ArgsDecoder bindHandlesWith(HandleBinder binder) {
    this.binder = binder;
    return this;
  }

  /** Decodes the body of {@code block} (a component block, so its name is the component name). */
  public Args decode(Block block, Schema schema) {
    return decode(block.fullName(), block.position(), block.body(), schema);
  }

  private Args decode(String name, Position position, List<Statement> body, Schema schema) {
    Map<String, Object> values = new LinkedHashMap<>();
    Map<String, Value> raw = new LinkedHashMap<>();
    Map<String, Position> positions = new HashMap<>();
    List<Args> children = new ArrayList<>();
    Map<String, Position> seen = new HashMap<>();

    for (Statement st : body) {
      if (st instanceof Attribute attr) {
        Schema.AttributeSpec spec = schema.attributes().get(attr.name());
        if (spec == null) {
          String what = schema.blocks().containsKey(attr.name()) ? "\"" + attr.name() + "\" is a block, not an attribute"
              : "unknown attribute \"" + attr.name() + "\" in " + name + Suggestions.hint(attr.name(), schema.names());
          error(attr.position(), what);
          continue;
        }
        if (seen.putIfAbsent(attr.name(), attr.position()) != null) {
          error(attr.position(), "attribute \"" + attr.name() + "\" already set at " + seen.get(attr.name()));
          continue;
        }
        positions.put(attr.name(), attr.position());
        if (skip.test(attr.value())) {
          values.put(attr.name(), spec.defaultValue());
          continue;
        }
        Value v;
        try {
          v = evaluator.evaluate(attr.value());
        } catch (EvalException e) {
          error(e.position() != null ? e.position() : attr.value().position(), e.getMessage());
          continue;
        }
        if (v == Value.NULL) continue; // null means "use the default"
        try {
          Object converted = convert(v, spec.type(), attr.value());
          Schema.Refusal refusal = spec.refusal();
          if (refusal != null && (refusal.allowed() == null || !refusal.allowed().equals(converted))) {
            error(attr.position(), refusal.attributeMessage(name, attr.name()));
            continue;
          }
          values.put(attr.name(), converted);
          raw.put(attr.name(), sealSecrets(v, spec.type()));
        } catch (ConversionError e) {
          error(e.position, "attribute \"" + attr.name() + "\": " + e.getMessage());
        }
      } else if (st instanceof Block b) {
        String blockName = b.fullName();
        Schema.BlockSpec spec = schema.blocks().get(blockName);
        if (spec == null) {
          String what = schema.attributes().containsKey(blockName) ? "\"" + blockName + "\" is an attribute, not a block"
              : "unknown block \"" + blockName + "\" in " + name + Suggestions.hint(blockName, schema.names());
          error(b.position(), what);
          continue;
        }
        if (spec.refusal() != null) {
          error(b.position(), spec.refusal().blockMessage(name, blockName));
          continue;
        }
        if (b.label() != null) {
          error(b.labelPosition(), "block \"" + blockName + "\" does not take a label");
        }
        if (spec.cardinality() != Schema.BlockSpec.Cardinality.REPEATED
            && seen.putIfAbsent(blockName, b.position()) != null) {
          error(b.position(), "block \"" + blockName + "\" already defined at " + seen.get(blockName));
          continue;
        }
        children.add(decode(blockName, b.position(), b.body(), spec.schema()));
      }
    }

    for (Schema.AttributeSpec spec : schema.attributes().values()) {
      if (spec.required() && !positions.containsKey(spec.name())) {
        error(position, "missing required attribute \"" + spec.name() + "\" in " + name);
      }
    }
    for (Schema.BlockSpec spec : schema.blocks().values()) {
      if (spec.cardinality() == Schema.BlockSpec.Cardinality.REQUIRED && !seen.containsKey(spec.name())) {
        error(position, "missing required block \"" + spec.name() + "\" in " + name);
      }
    }
    return new Args(name, position, schema, values, raw, positions, children);
  }

  /**
   * The value as the API, UI and logs may see it: whatever a {@code secret}-typed argument (or a
   * list or map of them) was assigned, a literal or {@code sys.env(...)}, becomes a secret there.
   */
  static Value sealSecrets(Value v, Type type) {
    if (type == Type.Scalar.SECRET) {
      if (v instanceof Value.Str s) return s.secret() ? s : new Value.Str(s.value(), true);
      if (v instanceof Value.Num n) return new Value.Str(n.toString(), true);
      return v;
    }
    if (type instanceof Type.ListOf list && v instanceof Value.Array arr) {
      List<Value> out = new ArrayList<>(arr.elements().size());
      for (Value e : arr.elements()) out.add(sealSecrets(e, list.element()));
      return new Value.Array(out);
    }
    if (type instanceof Type.MapOf map && v instanceof Value.Obj obj) {
      Map<String, Value> out = new LinkedHashMap<>();
      obj.fields().forEach((k, e) -> out.put(k, sealSecrets(e, map.value())));
      return new Value.Obj(out);
    }
    return v;
  }

  private void error(Position p, String message) {
    diagnostics.add(new Diagnostic(p, message));
  }

  /** A value of the wrong type; {@code position} is the most precise place known. */
  private static final class ConversionError extends Exception {
    final Position position;

    ConversionError(Position position, String message) {
      super(message, null, false, false);
      this.position = position;
    }
  }

  /** Converts {@code v} to the Java value of {@code type}; {@code expr} (may be null) gives positions. */
  private Object convert(Value v, Type type, Expr expr) throws ConversionError {
    Position pos = expr != null ? expr.position() : Position.NONE;
    if (type instanceof Type.Scalar s) {
      return convertScalar(v, s, pos);
    }
    if (type instanceof Type.OneOf one) {
      if (!(v instanceof Value.Str str)) throw mismatch(pos, type, v);
      if (str.secret()) throw secretMisuse(pos, type);
      if (!one.allowed().contains(str.value())) {
        throw new ConversionError(pos, "\"" + str.value() + "\" is not " + type.describe()
            + Suggestions.hint(str.value(), one.allowed()));
      }
      return str.value();
    }
    if (type instanceof Type.ListOf list) {
      if (!(v instanceof Value.Array arr)) throw mismatch(pos, type, v);
      List<Expr> elementExprs = expr instanceof Expr.ArrayLiteral lit ? lit.elements() : null;
      List<Object> out = new ArrayList<>(arr.elements().size());
      for (int i = 0; i < arr.elements().size(); i++) {
        Expr ee = elementExprs != null && i < elementExprs.size() ? elementExprs.get(i) : expr;
        out.add(convert(arr.elements().get(i), list.element(), ee));
      }
      return List.copyOf(out);
    }
    if (type instanceof Type.MapOf map) {
      if (!(v instanceof Value.Obj obj)) throw mismatch(pos, type, v);
      Map<String, Expr> fieldExprs = new HashMap<>();
      if (expr instanceof Expr.ObjectLiteral lit) {
        for (Expr.Field f : lit.fields()) fieldExprs.put(f.key(), f.value());
      }
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<String, Value> e : obj.fields().entrySet()) {
        out.put(e.getKey(), convert(e.getValue(), map.value(), fieldExprs.getOrDefault(e.getKey(), expr)));
      }
      return java.util.Collections.unmodifiableMap(out);
    }
    Type.HandleOf h = (Type.HandleOf) type;
    if (!(v instanceof Value.Capsule cap) || !h.javaType().isInstance(cap.handle())) {
      throw mismatch(pos, type, v);
    }
    if (h.signal() != null && !((OtlpConsumer) cap.handle()).signals().contains(h.signal())) {
      throw new ConversionError(pos, cap + " does not accept " + h.signal().lowerName());
    }
    return binder.bind(cap, (Handle) cap.handle());
  }

  private static Object convertScalar(Value v, Type.Scalar s, Position pos) throws ConversionError {
    // A secret converts only to a secret: parse errors of other types would print its text.
    if (v instanceof Value.Str str && str.secret() && s != Type.Scalar.SECRET && s != Type.Scalar.ANY) {
      throw secretMisuse(pos, s);
    }
    switch (s) {
      case ANY:
        return v;
      case STRING:
        if (v instanceof Value.Str str) {
          return str.value();
        }
        if (v instanceof Value.Num n) return n.toString();
        throw mismatch(pos, s, v);
      case SECRET:
        if (v instanceof Value.Str str) return str.value();
        if (v instanceof Value.Num n) return n.toString();
        throw mismatch(pos, s, v);
      case BOOL:
        if (v instanceof Value.Bool b) return b.value();
        throw mismatch(pos, s, v);
      case NUMBER:
        if (v instanceof Value.Num n) return n.doubleValue();
        if (v instanceof Value.Str str) {
          try {
            return Double.parseDouble(str.value().trim());
          } catch (NumberFormatException e) {
            throw mismatch(pos, s, v);
          }
        }
        throw mismatch(pos, s, v);
      case INT:
        if (v instanceof Value.Num n) {
          if (n.isInteger()) return n.longValue();
          if (n.doubleValue() == Math.rint(n.doubleValue())) return (long) n.doubleValue();
          throw new ConversionError(pos, "expected integer, got " + n);
        }
        if (v instanceof Value.Str str) {
          try {
            return Long.parseLong(str.value().trim());
          } catch (NumberFormatException e) {
            throw mismatch(pos, s, v);
          }
        }
        throw mismatch(pos, s, v);
      case DURATION:
        if (!(v instanceof Value.Str str)) throw mismatch(pos, s, v);
        try {
          return Units.parseDuration(str.value());
        } catch (IllegalArgumentException e) {
          throw new ConversionError(pos, e.getMessage());
        }
      case BYTES:
        if (v instanceof Value.Num n) return n.longValue();
        if (!(v instanceof Value.Str str)) throw mismatch(pos, s, v);
        try {
          return Units.parseBytes(str.value());
        } catch (IllegalArgumentException e) {
          throw new ConversionError(pos, e.getMessage());
        }
      default:
        throw new IllegalStateException(s.name());
    }
  }

  private static ConversionError secretMisuse(Position pos, Type expected) {
    return new ConversionError(pos, "a secret cannot be used as " + (expected == Type.Scalar.STRING ? "a string"
        : expected.describe()) + "; use convert.nonsensitive");
  }

  private static ConversionError mismatch(Position pos, Type expected, Value got) {
    return new ConversionError(pos, "expected " + expected.describe() + ", got " + got.typeName());
  }
}
