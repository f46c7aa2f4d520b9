package io.mpac.collector.component;

import java.time.Duration;
import java.util.Map;

/**
 * A running instance of a configured component.
 *
 * <p>Lifecycle, driven by the pipeline: {@code create} (in the factory; no I/O, no threads) →
 * {@link #start()} (bind ports, start threads) → {@link #shutdown(Duration)}. Sinks start first
 * and sources last; on shutdown sources stop first, so nothing is ever handed to a component that
 * is not running. {@code shutdown} may be called without {@code start} and more than once.
 */
public interface Component {

  /**
   * What other components may reference, by export name ({@code input}, {@code receiver},
   * {@code targets}). A value is a {@link Handle} (becomes a capsule) or a config {@code Value}.
   * Fixed at creation, except that a config {@code Value} may change while running: the component
   * then calls {@link ComponentContext#exportsChanged()}, and the runtime reads this map again.
   */
  Map<String, Object> exports();

  /** Starts the component; throws with a clear message if it cannot (e.g. a port is taken). */
  void start() throws Exception;

  /**
   * Stops the component within {@code timeout}: a source stops accepting, a processor flushes, an
   * exporter drains its queue; whatever could not be delivered in time is counted and logged.
   */
  void shutdown(Duration timeout);

  /** Current health; the default is healthy once created. */
  default Health health() {
    return Health.healthy("started");
  }
}
