package io.mpac.collector.prometheus;

import java.util.Objects;

/**
 * An exemplar attached to a sample: a measurement with the trace it came from
 * ({@code trace_id}, {@code span_id} labels).
 *
 * @param labels exemplar labels (not the series' labels)
 * @param value the measured value
 * @param timestampMs milliseconds since the epoch
 */
public record Exemplar(Labels labels, double value, long timestampMs) {
  public Exemplar {
    Objects.requireNonNull(labels, "labels");
  }
}
