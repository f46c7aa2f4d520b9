package io.mpac.collector.pdata;

import java.util.Objects;

/**
 * The unit that flows between OTLP components: one {@code Export{Traces,Metrics,Logs}ServiceRequest}
 * kept in its protobuf encoding.
 *
 * <p>Why encoded: a collector mostly moves data. Receivers validate the bytes once (a streaming
 * walk, no object tree), the batch processor merges requests by concatenating them (in protobuf
 * the concatenation of two requests is the request holding both lists), and the OTLP exporter
 * sends the bytes as they are. Only converters that need fields (Loki, Prometheus, debug) decode.
 *
 * <p>Ownership: once handed to a consumer, neither side mutates {@code bytes}; the array may be
 * shared by several consumers (fan-out) and must be treated as read-only.
 *
 * @param signal which request message {@code bytes} encodes
 * @param bytes the encoded request (read-only)
 * @param itemCount spans, metric data points or log records in it (already counted by the producer)
 * @param metadata client metadata carried along, or {@link ClientMetadata#EMPTY}
 */
public record OtlpRequest(Signal signal, byte[] bytes, int itemCount, ClientMetadata metadata) {

  public OtlpRequest {
    Objects.requireNonNull(signal, "signal");
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(metadata, "metadata");
    if (itemCount < 0) throw new IllegalArgumentException("itemCount < 0");
  }

  public OtlpRequest(Signal signal, byte[] bytes, int itemCount) {
    this(signal, bytes, itemCount, ClientMetadata.EMPTY);
  }

  public int sizeBytes() {
    return bytes.length;
  }

  @Override
  public String toString() {
    return "OtlpRequest[" + signal.lowerName() + ", " + itemCount + " " + signal.itemName() + ", "
        + bytes.length + " bytes]";
  }
}
