package io.mpac.collector.livedebug;

import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.loki.LogsReceiver;
import io.mpac.collector.loki.LokiEntry;
import io.mpac.collector.pdata.Signal;
import java.util.List;

/** A {@code forward_to} Loki receiver as a component sees it, counted on its {@link Edge}. */
public final class TappedLogsReceiver implements LogsReceiver {

  private final LogsReceiver delegate;
  private final Edge edge;

  public TappedLogsReceiver(LogsReceiver delegate, Edge edge) {
    this.delegate = delegate;
    this.edge = edge;
  }

  @Override
  public void push(List<LokiEntry> entries) throws ConsumeException {
    delegate.push(entries);
    edge.passed(Signal.LOGS, entries.size(), entries);
  }

  @Override
  public String toString() {
    return edge.from() + " -> " + delegate;
  }
}
