package io.mpac.collector.component.schema;

/**
 * Alloy's {@code debug_metrics} block of the {@code otelcol.*} components. In Alloy,
 * {@code disable_high_cardinality_metrics = true} (its default) strips high-cardinality
 * attributes, such as peer addresses, from the component's own metrics. This collector's metrics
 * never carry such attributes, so {@code true} is what it does and {@code false} is refused.
 */
public final class DebugMetrics {

  public static final String DOC = "the component's own metrics; they never carry high-cardinality attributes";

  public static final Schema SCHEMA = Schema.builder()
      .onlyValue("disable_high_cardinality_metrics", Types.BOOL, Boolean.TRUE,
          "this collector's own metrics never carry high-cardinality attributes such as peer addresses")
      .onlyValue("level", Types.oneOf("none", "basic", "normal", "detailed"), "detailed",
          "this collector always emits all of its own metrics")
      .build();

  private DebugMetrics() {}
}
