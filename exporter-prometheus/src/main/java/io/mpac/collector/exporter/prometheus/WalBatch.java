package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.prometheus.HistogramSample;
import io.mpac.collector.prometheus.Metadata;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.Sample;
import java.util.List;

/**
 * One record of the write-ahead log: what one {@link RemoteWrite#append} accepted, with the wall
 * clock time it was accepted at ({@code max_keepalive_time} is measured from it).
 *
 * @param appendedAtMs milliseconds since the epoch when the batch was written to the WAL
 * @param samples float samples
 * @param histograms native histogram samples
 * @param metadata metadata of the families in this batch
 */
record WalBatch(long appendedAtMs, List<Sample> samples, List<HistogramSample> histograms, List<Metadata> metadata) {

  WalBatch {
    samples = samples == null ? List.of() : samples;
    histograms = histograms == null ? List.of() : histograms;
    metadata = metadata == null ? List.of() : metadata;
  }

  static WalBatch of(MetricsBatch batch, long nowMs) {
    return new WalBatch(nowMs, batch.samples(), batch.histograms(), batch.metadata());
  }

  /** Float and histogram samples. */
  int items() {
    return samples.size() + histograms.size();
  }

  /**
   * A cheap estimate of the bytes this record takes (the byte bound of an in-memory WAL; a
   * persistent store counts the bytes it wrote).
   */
  long estimatedBytes() {
    long b = 64 + 64L * metadata.size();
    for (Sample s : samples) b += 24 + 16L * s.labels().size() + 48L * s.exemplars().size();
    for (HistogramSample h : histograms) {
      b += 96 + 16L * h.labels().size() + 8L * (h.histogram().positiveDeltas().length
          + h.histogram().negativeDeltas().length) + 48L * h.exemplars().size();
    }
    return b;
  }
}
