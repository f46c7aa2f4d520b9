package io.mpac.collector.prometheus;

import io.mpac.collector.component.Handle;
import io.mpac.collector.consumer.ConsumeException;

/**
 * The edge into Prometheus components ({@code MetricsReceiver} in Alloy): what
 * {@code prometheus.remote_write} exports as {@code receiver} and what {@code forward_to} lists.
 *
 * <p>Threading: {@link #append} may be called from many threads at once and never blocks for
 * long: a receiver that cannot take the batch now (its queue is full) throws
 * {@link ConsumeException.Refused}, and the caller passes that back upstream (the OTLP client
 * retries). A receiver takes a batch whole or not at all, so a refused batch can be offered again
 * without duplicating part of it in this receiver.
 *
 * <p>Ownership: the batch and its samples are immutable and may be shared by several receivers.
 */
public interface MetricsReceiver extends Handle {

  /** The capsule type name, as Alloy spells it. */
  String KIND = "MetricsReceiver";

  @Override
  default String handleKind() {
    return KIND;
  }

  /**
   * Takes a batch. Returns normally once it is accepted (queued).
   *
   * @throws ConsumeException.Refused when the receiver cannot take it now (back-pressure)
   * @throws ConsumeException.Rejected when the data is unacceptable for good
   */
  void append(MetricsBatch batch) throws ConsumeException;

  /**
   * Predicts, without taking anything, whether a batch of about {@code samples} samples would be
   * refused for lack of room right now: returns the {@link ConsumeException.Refused} that
   * {@link #append} would throw, or null. A sender may call it before producing a batch, so that
   * a full queue does not cost the work of a batch that is then thrown away (the client retries
   * the request anyway). Only a hint: {@link #append} still decides. The default never predicts a
   * refusal.
   */
  default ConsumeException.Refused wouldRefuse(int samples) {
    return null;
  }
}
