package io.mpac.collector.loki;

import io.mpac.collector.component.Handle;
import io.mpac.collector.component.schema.Type;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.consumer.ConsumeException;
import java.util.List;

/**
 * The edge between Loki components ({@code LogsReceiver} in Alloy): what {@code loki.write} exports
 * as {@code receiver} and what {@code forward_to = [...]} lists.
 *
 * <pre>
 *   otelcol.exporter.loki ─┐
 *   loki.source.docker ────┼─push(entries)──▶ loki.process ─push──▶ loki.write (queue) ──▶ Loki
 *                          └◀── ok / Refused (back-pressure travels back the same way)
 * </pre>
 *
 * <p>Threading: {@link #push} may be called from many threads at once and must not block for long;
 * a receiver that cannot take the entries now throws {@link ConsumeException.Refused} (the caller
 * retries later, or, at the OTLP edge, the SDK is told to retry).
 *
 * <p>Atomicity: a receiver takes all of a list or none of it, so a refused list can be offered
 * again without duplicating entries at this receiver.
 *
 * <p>Ownership: the entries are immutable; the list must not be modified after the call.
 */
public interface LogsReceiver extends Handle {

  /** The capsule type name, as Alloy spells it. */
  String KIND = "LogsReceiver";

  /** The schema type of a {@code forward_to} argument: a list of receivers. */
  Type LIST = Types.listOf(Types.handle(KIND, LogsReceiver.class));

  @Override
  default String handleKind() {
    return KIND;
  }

  /**
   * Takes the entries. Returns normally once all are accepted (queued or forwarded).
   *
   * @throws ConsumeException.Refused when the receiver cannot take them now (back-pressure)
   * @throws ConsumeException.Rejected when they are unacceptable for good
   */
  void push(List<LokiEntry> entries) throws ConsumeException;
}
