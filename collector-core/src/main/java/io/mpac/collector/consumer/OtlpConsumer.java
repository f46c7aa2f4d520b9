package io.mpac.collector.consumer;

import io.mpac.collector.component.Handle;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.util.Set;

/**
 * The edge between OTLP components ({@code otelcol.Consumer} in Alloy): what an {@code input}
 * export is and what {@code output { traces = [...] }} lists.
 *
 * <pre>
 *   receiver --consume(req)--> processor --consume(batch)--> exporter (queue) --> backend
 *            <--ok / Refused / Rejected-- (back-pressure travels back the same way)
 * </pre>
 *
 * <p>Threading: {@link #consume} may be called from many threads at once (receiver threads,
 * batch workers) and must not block for long: a consumer that cannot take data now throws
 * {@link ConsumeException.Refused} instead of waiting. It is never called on a Netty event loop
 * with blocking work behind it.
 *
 * <p>Ownership: once {@code consume} returns normally the consumer owns the request; the caller
 * does not touch it again. The request's bytes are read-only for everybody.
 */
public interface OtlpConsumer extends Handle {

  /** The capsule type name shown in diagnostics. */
  String KIND = "otelcol.Consumer";

  @Override
  default String handleKind() {
    return KIND;
  }

  /** The signals this consumer accepts; a wiring of any other signal to it is a config error. */
  Set<Signal> signals();

  /**
   * Takes one request. Returns normally once the data is accepted (queued or forwarded).
   *
   * @throws ConsumeException.Refused when the consumer cannot take it now (back-pressure)
   * @throws ConsumeException.Rejected when the data is unacceptable for good
   */
  void consume(OtlpRequest request) throws ConsumeException;
}
