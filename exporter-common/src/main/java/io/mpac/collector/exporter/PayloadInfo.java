package io.mpac.collector.exporter;

import io.mpac.collector.pdata.OtlpRequest;

/**
 * What the {@link SendingQueue} needs to know about a payload it does not otherwise look into: how
 * many items it holds and in which unit (for metrics and the {@code items} sizer), and its size in
 * bytes (for the {@code bytes} sizer).
 *
 * @param <T> the payload type
 */
public interface PayloadInfo<T> {

  /**
   * The unit of the payload's items, used as the suffix of the exporter metrics: {@code spans},
   * {@code metric_points} or {@code log_records}. Must be one of the names the queue was built with.
   */
  String itemName(T payload);

  /** Items in the payload. A payload with none is accepted and not sent. */
  int itemCount(T payload);

  /** The payload's size in bytes as it will be sent (before compression). */
  long sizeBytes(T payload);

  /** For encoded OTLP requests: items and unit come from the request's signal. */
  PayloadInfo<OtlpRequest> OTLP = new PayloadInfo<>() {
    @Override
    public String itemName(OtlpRequest r) {
      return r.signal().itemName();
    }

    @Override
    public int itemCount(OtlpRequest r) {
      return r.itemCount();
    }

    @Override
    public long sizeBytes(OtlpRequest r) {
      return r.sizeBytes();
    }
  };
}
