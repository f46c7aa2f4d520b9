package io.mpac.collector.component.schema;

import io.mpac.collector.config.syntax.Position;
import io.mpac.collector.config.value.Value;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The decoded arguments of one component or block: typed values for what the config set, the
 * schema's defaults for the rest, nested blocks in file order, and each attribute's position so a
 * component can point its own validation errors at the right place.
 *
 * <p>Two {@code Args} are equal when they came from the same values (capsules compare by the
 * object they hold): a reload reuses a running component whose arguments did not change.
 */
public final class Args {

  private final String name;
  private final Position position;
  private final Schema schema;
  private final Map<String, Object> values;
  private final Map<String, Value> raw;
  private final Map<String, Position> positions;
  private final List<Args> children;

  Args(String name, Position position, Schema schema, Map<String, Object> values,
      Map<String, Value> raw, Map<String, Position> positions, List<Args> children) {
    this.name = name;
    this.position = position;
    this.schema = schema;
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    this.raw = Collections.unmodifiableMap(new LinkedHashMap<>(raw));
    this.positions = Collections.unmodifiableMap(new LinkedHashMap<>(positions));
    this.children = List.copyOf(children);
  }

  /** Arguments with nothing set: every attribute at its default. For absent optional blocks. */
  public static Args defaults(String name, Position position, Schema schema) {
    return new Args(name, position, schema, Map.of(), Map.of(), Map.of(), List.of());
  }

  /** The block name ("output", "stage.json") or the component name for the top level. */
  public String name() {
    return name;
  }

  /** Where the block starts. */
  public Position position() {
    return position;
  }

  /** True when the config set the attribute (to something other than null). */
  public boolean isSet(String attribute) {
    return values.containsKey(attribute);
  }

  /** Where the attribute was set, or the block's position when it was not. */
  public Position positionOf(String attribute) {
    return positions.getOrDefault(attribute, position);
  }

  /** The attribute's Java value (see {@link Type}), or its default. */
  public Object get(String attribute) {
    if (values.containsKey(attribute)) return values.get(attribute);
    Schema.AttributeSpec spec = schema.attributes().get(attribute);
    if (spec == null) throw new IllegalArgumentException("no attribute " + attribute + " in schema of " + name);
    return spec.defaultValue();
  }

  public String string(String attribute) {
    return (String) get(attribute);
  }

  public long integer(String attribute) {
    return ((Number) get(attribute)).longValue();
  }

  public double number(String attribute) {
    return ((Number) get(attribute)).doubleValue();
  }

  public boolean bool(String attribute) {
    return (Boolean) get(attribute);
  }

  public Duration duration(String attribute) {
    return (Duration) get(attribute);
  }

  /** A size in bytes. */
  public long bytes(String attribute) {
    return ((Number) get(attribute)).longValue();
  }

  @SuppressWarnings("unchecked")
  public <T> List<T> list(String attribute) {
    Object v = get(attribute);
    return v == null ? List.of() : (List<T>) v;
  }

  @SuppressWarnings("unchecked")
  public <T> Map<String, T> map(String attribute) {
    Object v = get(attribute);
    return v == null ? Map.of() : (Map<String, T>) v;
  }

  /** The evaluated config value of an attribute that was set, or null. */
  public Value raw(String attribute) {
    return raw.get(attribute);
  }

  /** The first nested block called {@code block}, or null when absent. */
  public Args block(String block) {
    for (Args c : children) {
      if (c.name.equals(block)) return c;
    }
    return null;
  }

  /** The nested block, or one holding only defaults when the config left it out. */
  public Args blockOrDefaults(String block) {
    Args b = block(block);
    if (b != null) return b;
    Schema.BlockSpec spec = schema.blocks().get(block);
    if (spec == null) throw new IllegalArgumentException("no block " + block + " in schema of " + name);
    return defaults(block, position, spec.schema());
  }

  /** Every nested block called {@code block}, in file order. */
  public List<Args> blocks(String block) {
    List<Args> out = new ArrayList<>();
    for (Args c : children) {
      if (c.name.equals(block)) out.add(c);
    }
    return out;
  }

  /** All nested blocks in file order (e.g. the stages of {@code loki.process}). */
  public List<Args> children() {
    return children;
  }

  /** The arguments as a config object (set attributes and nested blocks), for the components API. */
  public Value toValue() {
    Map<String, Value> out = new LinkedHashMap<>(raw);
    for (Args c : children) {
      Value existing = out.get(c.name);
      Schema.BlockSpec spec = schema.blocks().get(c.name);
      if (spec != null && spec.cardinality() == Schema.BlockSpec.Cardinality.REPEATED) {
        List<Value> list = new ArrayList<>();
        if (existing instanceof Value.Array a) list.addAll(a.elements());
        list.add(c.toValue());
        out.put(c.name, new Value.Array(list));
      } else {
        out.put(c.name, c.toValue());
      }
    }
    return new Value.Obj(out);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Args a && a.name.equals(name) && a.raw.equals(raw) && a.children.equals(children);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, raw, children);
  }

  @Override
  public String toString() {
    return name + toValue();
  }
}
