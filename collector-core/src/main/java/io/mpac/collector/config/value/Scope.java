package io.mpac.collector.config.value;

/** Resolves the identifiers an expression may start with (stdlib names, component namespaces). */
@FunctionalInterface
public interface Scope {
  /** The identifier's value, or null when the scope does not know it. */
  Value lookup(String identifier);
}
