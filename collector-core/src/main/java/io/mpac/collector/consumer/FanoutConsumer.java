package io.mpac.collector.consumer;

import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Hands each request to every consumer of a list ({@code output { traces = [a, b] }}). Requests are
 * immutable, so all consumers share one. If any consumer refuses, the caller sees the refusal
 * (the sender retries, and consumers that did accept may see the data twice: at-least-once, as in
 * the OpenTelemetry Collector); a permanent rejection wins over a refusal.
 */
public final class FanoutConsumer implements OtlpConsumer {

  private final OtlpConsumer[] consumers;
  private final Set<Signal> signals;

  private FanoutConsumer(List<OtlpConsumer> consumers) {
    this.consumers = consumers.toArray(new OtlpConsumer[0]);
    EnumSet<Signal> common = EnumSet.allOf(Signal.class);
    for (OtlpConsumer c : consumers) common.retainAll(c.signals());
    this.signals = Set.copyOf(common);
  }

  /** A consumer for the list: the list's only element, a fan-out, or a no-op for an empty list. */
  public static OtlpConsumer of(List<OtlpConsumer> consumers) {
    if (consumers.isEmpty()) return NoopConsumer.INSTANCE;
    if (consumers.size() == 1) return consumers.get(0);
    return new FanoutConsumer(consumers);
  }

  @Override
  public Set<Signal> signals() {
    return signals;
  }

  @Override
  public void consume(OtlpRequest request) throws ConsumeException {
    ConsumeException first = null;
    for (OtlpConsumer c : consumers) {
      try {
        c.consume(request);
      } catch (ConsumeException.Rejected e) {
        first = e;
      } catch (ConsumeException.Refused e) {
        if (first == null) first = e;
      }
    }
    if (first != null) throw first;
  }
}
