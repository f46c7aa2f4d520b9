package io.mpac.collector.exporter.queue;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Turns a payload into the bytes a persistent {@link QueueStore} writes, and back. Each exporter
 * supplies one for its payload type (an encoded OTLP request with its signal, a chunk of Loki
 * entries, a batch of Prometheus samples).
 *
 * <p>Contract: {@code decode(encode(p))} equals {@code p} in every field the exporter sends.
 * {@code decode} must throw {@link IOException} (never anything else, never hang, never allocate
 * more than {@code length} bytes' worth) on bytes it did not write: the store's checksum catches
 * torn and flipped records, but a codec is the last line against a file written by another version.
 *
 * @param <T> the payload type
 */
public interface RecordCodec<T> {

  /** The payload's encoding. The store frames it (length, checksum); the codec writes only the content. */
  byte[] encode(T payload);

  /** Reads a payload from {@code buf[offset, offset + length)}. */
  T decode(byte[] buf, int offset, int length) throws IOException;

  /**
   * The exact number of bytes {@link #encodeInto} writes for {@code payload}, or -1 when the codec
   * only has {@link #encode}. A codec that knows it lets the store encode straight into its write
   * buffer, without an intermediate array.
   */
  default int encodedLength(T payload) {
    return -1;
  }

  /**
   * Writes the same bytes as {@link #encode} at {@code out}'s position, exactly
   * {@link #encodedLength} of them ({@code out} has room for them).
   */
  default void encodeInto(T payload, ByteBuffer out) {
    out.put(encode(payload));
  }
}
