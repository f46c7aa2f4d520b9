package io.mpac.collector.loki;

import io.mpac.collector.consumer.ConsumeException;
import java.util.List;

/**
 * Pushes to every receiver of a {@code forward_to} list, in order. If one refuses, the caller sees
 * the refusal; receivers earlier in the list have already taken the entries and may see them again
 * when the caller retries (at-least-once, as with {@link io.mpac.collector.consumer.FanoutConsumer}).
 * A permanent rejection wins over a refusal.
 */
public final class LogsFanout implements LogsReceiver {

  private final LogsReceiver[] receivers;

  private LogsFanout(List<LogsReceiver> receivers) {
    this.receivers = receivers.toArray(new LogsReceiver[0]);
  }

  /** The list's only element, a fan-out, or a receiver that discards everything for an empty list. */
  public static LogsReceiver of(List<LogsReceiver> receivers) {
    if (receivers.isEmpty()) return entries -> { };
    if (receivers.size() == 1) return receivers.get(0);
    return new LogsFanout(receivers);
  }

  @Override
  public void push(List<LokiEntry> entries) throws ConsumeException {
    ConsumeException first = null;
    for (LogsReceiver r : receivers) {
      try {
        r.push(entries);
      } catch (ConsumeException.Rejected e) {
        first = e;
      } catch (ConsumeException.Refused e) {
        if (first == null) first = e;
      }
    }
    if (first != null) throw first;
  }
}
