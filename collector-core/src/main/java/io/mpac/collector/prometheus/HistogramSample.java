package io.mpac.collector.prometheus;

import java.util.List;
import java.util.Objects;

/**
 * One native histogram sample of one series.
 *
 * @param labels the series, {@code __name__} included (no {@code le})
 * @param histogram the histogram, its timestamp included
 * @param exemplars exemplars of this sample, usually empty
 */
public record HistogramSample(Labels labels, NativeHistogram histogram, List<Exemplar> exemplars) {
  public HistogramSample {
    Objects.requireNonNull(labels, "labels");
    Objects.requireNonNull(histogram, "histogram");
    exemplars = exemplars == null ? List.of() : exemplars;
  }

  public long timestampMs() {
    return histogram.timestampMs();
  }
}
