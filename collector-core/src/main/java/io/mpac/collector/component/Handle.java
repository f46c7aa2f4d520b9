package io.mpac.collector.component;

/**
 * An object a component exports for other components to reference, such as a consumer. In the
 * config language it appears as a capsule, typed by {@link #handleKind()}: a capsule fits only an
 * argument that expects the same kind.
 */
public interface Handle {
  /** The capsule type, as Alloy names it: "otelcol.Consumer", "LogsReceiver", "MetricsReceiver". */
  String handleKind();
}
