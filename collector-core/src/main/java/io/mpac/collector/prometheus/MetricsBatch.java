package io.mpac.collector.prometheus;

import java.util.List;

/**
 * What one {@link MetricsReceiver#append} carries: float samples, native histogram samples and
 * the metadata of the families they belong to. Immutable once handed over; receivers may keep
 * references to its elements.
 *
 * @param samples float samples, in the order they were produced (per series: time order)
 * @param histograms native histogram samples
 * @param metadata metadata of the families in this batch (may be empty)
 */
public record MetricsBatch(List<Sample> samples, List<HistogramSample> histograms, List<Metadata> metadata) {

  public static final MetricsBatch EMPTY = new MetricsBatch(List.of(), List.of(), List.of());

  public MetricsBatch {
    samples = samples == null ? List.of() : samples;
    histograms = histograms == null ? List.of() : histograms;
    metadata = metadata == null ? List.of() : metadata;
  }

  public static MetricsBatch ofSamples(List<Sample> samples) {
    return new MetricsBatch(samples, List.of(), List.of());
  }

  /** Float and histogram samples (exemplars and metadata not counted). */
  public int sampleCount() {
    return samples.size() + histograms.size();
  }

  public boolean isEmpty() {
    return samples.isEmpty() && histograms.isEmpty() && metadata.isEmpty();
  }
}
