package io.mpac.collector.component.schema;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a component (or one of its blocks) accepts: attributes with a type and a default, and
 * nested blocks that are optional, required or repeatable. Immutable; build with {@link #builder()}.
 *
 * <pre>{@code
 * Schema.builder()
 *     .optional("timeout", Types.DURATION, Duration.ofMillis(200))
 *     .required("endpoint", Types.STRING)
 *     .block("output", OUTPUT_SCHEMA, BlockSpec.Cardinality.REQUIRED)
 *     .build();
 * }</pre>
 */
public final class Schema {

  /** An attribute: its type, whether it must be set, and its default (Java value) otherwise. */
  public record AttributeSpec(String name, Type type, boolean required, Object defaultValue, String doc) {}

  /** A nested block and how often it may appear. */
  public record BlockSpec(String name, Schema schema, Cardinality cardinality, String doc) {
    public enum Cardinality { OPTIONAL, REQUIRED, REPEATED }
  }

  public static final Schema EMPTY = builder().build();

  private final Map<String, AttributeSpec> attributes;
  private final Map<String, BlockSpec> blocks;

  private Schema(Map<String, AttributeSpec> attributes, Map<String, BlockSpec> blocks) {
    this.attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    this.blocks = Collections.unmodifiableMap(new LinkedHashMap<>(blocks));
  }

  public static Builder builder() {
    return new Builder();
  }

  public Map<String, AttributeSpec> attributes() {
    return attributes;
  }

  public Map<String, BlockSpec> blocks() {
    return blocks;
  }

  /** Every attribute and block name, for "did you mean" suggestions. */
  public List<String> names() {
    List<String> names = new ArrayList<>(attributes.keySet());
    names.addAll(blocks.keySet());
    return names;
  }

  public static final class Builder {
    private final Map<String, AttributeSpec> attributes = new LinkedHashMap<>();
    private final Map<String, BlockSpec> blocks = new LinkedHashMap<>();

    public Builder required(String name, Type type) {
      return add(new AttributeSpec(name, type, true, null, ""));
    }

    public Builder required(String name, Type type, String doc) {
      return add(new AttributeSpec(name, type, true, null, doc));
    }

    /** An optional attribute; {@code defaultValue} is its Java value when unset (may be null). */
    public Builder optional(String name, Type type, Object defaultValue) {
      return add(new AttributeSpec(name, type, false, defaultValue, ""));
    }

    public Builder optional(String name, Type type, Object defaultValue, String doc) {
      return add(new AttributeSpec(name, type, false, defaultValue, doc));
    }

    public Builder block(String name, Schema schema, BlockSpec.Cardinality cardinality) {
      return block(name, schema, cardinality, "");
    }

    public Builder block(String name, Schema schema, BlockSpec.Cardinality cardinality, String doc) {
      if (blocks.containsKey(name) || attributes.containsKey(name)) {
        throw new IllegalArgumentException("duplicate schema entry " + name);
      }
      blocks.put(name, new BlockSpec(name, schema, cardinality, doc));
      return this;
    }

    private Builder add(AttributeSpec spec) {
      if (attributes.containsKey(spec.name()) || blocks.containsKey(spec.name())) {
        throw new IllegalArgumentException("duplicate schema entry " + spec.name());
      }
      attributes.put(spec.name(), spec);
      return this;
    }

    public Schema build() {
      return new Schema(attributes, blocks);
    }
  }
}
