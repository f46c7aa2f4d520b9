package io.mpac.collector.livedebug;

import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.MetricsReceiver;

/** A {@code forward_to} Prometheus receiver as a component sees it, counted on its {@link Edge}. */
public final class TappedMetricsReceiver implements MetricsReceiver {

  private final MetricsReceiver delegate;
  private final Edge edge;

  public TappedMetricsReceiver(MetricsReceiver delegate, Edge edge) {
    this.delegate = delegate;
    this.edge = edge;
  }

  @Override
  public void append(MetricsBatch batch) throws ConsumeException {
    delegate.append(batch);
    edge.passed(Signal.METRICS, batch.sampleCount(), batch);
  }

  @Override
  public ConsumeException.Refused wouldRefuse(int samples) {
    return delegate.wouldRefuse(samples);
  }

  @Override
  public String toString() {
    return edge.from() + " -> " + delegate;
  }
}
