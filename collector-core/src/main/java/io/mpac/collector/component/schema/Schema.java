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

  /**
   * An attribute: its type, whether it must be set, and its default (Java value) otherwise. A
   * {@code refusal} (null for most) makes the decoder refuse, at the attribute's position, a value
   * this collector cannot honour: the name stays known (an Alloy config that sets it gets a clear
   * error, not "unknown attribute"), and nothing set is silently ignored.
   */
  public record AttributeSpec(String name, Type type, boolean required, Object defaultValue, String doc,
      Refusal refusal) {
    public AttributeSpec(String name, Type type, boolean required, Object defaultValue, String doc) {
      this(name, type, required, defaultValue, doc, null);
    }
  }

  /**
   * Why an attribute or block is refused: any value ({@code allowed} null), or any value but
   * {@code allowed} (the one behaviour this collector has, e.g. {@code transport = "tcp"}).
   */
  public record Refusal(String reason, Object allowed) {
    /** The diagnostic for setting attribute {@code name} of {@code block} to a refused value. */
    public String attributeMessage(String block, String name) {
      if (allowed == null) return "attribute \"" + name + "\" in " + block + " is not supported by mpac-collector: " + reason;
      String only = allowed instanceof String str ? "\"" + str + "\"" : String.valueOf(allowed);
      return "attribute \"" + name + "\" in " + block + ": only " + only + " is supported by mpac-collector: " + reason;
    }

    /** The diagnostic for a refused block {@code name} inside {@code parent}. */
    public String blockMessage(String parent, String name) {
      return "block \"" + name + "\" in " + parent + " is not supported by mpac-collector: " + reason;
    }
  }

  /** A nested block and how often it may appear; a {@code refusal} (null for most) refuses it whenever present. */
  public record BlockSpec(String name, Schema schema, Cardinality cardinality, String doc, Refusal refusal) {
    public enum Cardinality { OPTIONAL, REQUIRED, REPEATED }

    public BlockSpec(String name, Schema schema, Cardinality cardinality, String doc) {
      this(name, schema, cardinality, doc, null);
    }
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
      return addBlock(new BlockSpec(name, schema, cardinality, doc));
    }

    /**
     * An attribute Alloy has and this collector does not implement: setting it is an error at its
     * position saying {@code reason}.
     */
    public Builder refused(String name, Type type, String reason) {
      return add(new AttributeSpec(name, type, false, null, "refused: " + reason, new Refusal(reason, null)));
    }

    /**
     * An attribute with one supported value, its default: setting it to {@code allowed} is fine,
     * any other value is an error at its position saying {@code reason}.
     */
    public Builder onlyValue(String name, Type type, Object allowed, String reason) {
      return add(new AttributeSpec(name, type, false, allowed, "only " + (allowed instanceof String str ? "\"" + str
          + "\"" : allowed) + "; " + reason, new Refusal(reason, allowed)));
    }

    /** A block Alloy has and this collector does not implement: its presence is an error saying {@code reason}. */
    public Builder refusedBlock(String name, Schema schema, String reason) {
      return addBlock(new BlockSpec(name, schema, BlockSpec.Cardinality.OPTIONAL, "refused: " + reason,
          new Refusal(reason, null)));
    }

    private Builder addBlock(BlockSpec spec) {
      if (blocks.containsKey(spec.name()) || attributes.containsKey(spec.name())) {
        throw new IllegalArgumentException("duplicate schema entry " + spec.name());
      }
      blocks.put(spec.name(), spec);
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
