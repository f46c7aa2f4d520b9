package io.mpac.collector.component.schema;

import io.mpac.collector.component.Handle;
import io.mpac.collector.pdata.Signal;
import java.util.List;

/**
 * The type of an argument, which decides how a config value is checked and converted to Java:
 * <table>
 *   <caption>Java types of decoded values</caption>
 *   <tr><td>{@link Scalar#STRING}, {@link Scalar#SECRET}</td><td>String</td></tr>
 *   <tr><td>{@link Scalar#NUMBER}</td><td>Double</td></tr>
 *   <tr><td>{@link Scalar#INT}</td><td>Long</td></tr>
 *   <tr><td>{@link Scalar#BOOL}</td><td>Boolean</td></tr>
 *   <tr><td>{@link Scalar#DURATION}</td><td>java.time.Duration (from "5s", "1h30m")</td></tr>
 *   <tr><td>{@link Scalar#BYTES}</td><td>Long (from "4MiB", "512KiB", or a number)</td></tr>
 *   <tr><td>{@link Scalar#ANY}</td><td>the config Value itself</td></tr>
 *   <tr><td>{@link OneOf}</td><td>String, one of the listed words</td></tr>
 *   <tr><td>{@link ListOf}</td><td>List of the element's Java type</td></tr>
 *   <tr><td>{@link MapOf}</td><td>Map&lt;String, value's Java type&gt; in config order</td></tr>
 *   <tr><td>{@link HandleOf}</td><td>the handle object (e.g. an OtlpConsumer)</td></tr>
 * </table>
 */
public sealed interface Type permits Type.Scalar, Type.OneOf, Type.ListOf, Type.MapOf, Type.HandleOf {

  /** How the type reads in diagnostics: "duration", "list(string)", "otelcol.Consumer". */
  String describe();

  enum Scalar implements Type {
    STRING("string"), SECRET("secret"), NUMBER("number"), INT("integer"), BOOL("bool"),
    DURATION("duration"), BYTES("size"), ANY("any");

    private final String description;

    Scalar(String description) {
      this.description = description;
    }

    @Override
    public String describe() {
      return description;
    }
  }

  /** A string restricted to a fixed set of words, e.g. verbosity "basic" | "normal" | "detailed". */
  record OneOf(List<String> allowed) implements Type {
    public OneOf {
      allowed = List.copyOf(allowed);
    }

    @Override
    public String describe() {
      return "one of " + String.join(", ", allowed.stream().map(s -> '"' + s + '"').toList());
    }
  }

  record ListOf(Type element) implements Type {
    @Override
    public String describe() {
      return "list(" + element.describe() + ")";
    }
  }

  record MapOf(Type value) implements Type {
    @Override
    public String describe() {
      return "map(" + value.describe() + ")";
    }
  }

  /**
   * A capsule holding a handle of {@code javaType}, kind {@code kind}. When {@code signal} is set
   * the handle must be an {@link io.mpac.collector.consumer.OtlpConsumer} that accepts it, so a
   * metrics output cannot point at a traces-only exporter.
   */
  record HandleOf(String kind, Class<? extends Handle> javaType, Signal signal) implements Type {
    @Override
    public String describe() {
      return signal == null ? kind : kind + " accepting " + signal.lowerName();
    }
  }
}
