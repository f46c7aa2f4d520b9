package io.mpac.collector.livedebug;

import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.util.Set;

/** An output as a component sees it: the next component's input, counted on its {@link Edge}. */
public final class TappedConsumer implements OtlpConsumer {

  private final OtlpConsumer delegate;
  private final Edge edge;

  public TappedConsumer(OtlpConsumer delegate, Edge edge) {
    this.delegate = delegate;
    this.edge = edge;
  }

  @Override
  public Set<Signal> signals() {
    return delegate.signals();
  }

  @Override
  public void consume(OtlpRequest request) throws ConsumeException {
    delegate.consume(request);
    edge.passed(request);
  }

  /** The consumer this one forwards to. */
  public OtlpConsumer delegate() {
    return delegate;
  }

  @Override
  public String toString() {
    return edge.from() + " -> " + delegate;
  }
}
