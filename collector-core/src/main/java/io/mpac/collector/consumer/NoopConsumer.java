package io.mpac.collector.consumer;

import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.util.EnumSet;
import java.util.Set;

/** Accepts and discards everything: where an output lists no consumer for a signal, as in Alloy. */
public enum NoopConsumer implements OtlpConsumer {
  INSTANCE;

  private static final Set<Signal> ALL = Set.copyOf(EnumSet.allOf(Signal.class));

  @Override
  public Set<Signal> signals() {
    return ALL;
  }

  @Override
  public void consume(OtlpRequest request) {}
}
