package io.mpac.collector.exporter.queue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A test codec: a one-byte tag, then the text in UTF-8. Decoding refuses bytes without the tag, as
 * a real codec refuses bytes written by another version.
 */
final class TextCodec implements RecordCodec<String> {

  static final byte TAG = 0x7E;
  static final TextCodec INSTANCE = new TextCodec();

  /** Writes the text without the tag: what {@link #INSTANCE} cannot read. */
  static final RecordCodec<String> UNTAGGED = new RecordCodec<>() {
    @Override
    public byte[] encode(String payload) {
      return payload.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(byte[] buf, int offset, int length) {
      return new String(buf, offset, length, StandardCharsets.UTF_8);
    }
  };

  @Override
  public byte[] encode(String payload) {
    byte[] text = payload.getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[text.length + 1];
    out[0] = TAG;
    System.arraycopy(text, 0, out, 1, text.length);
    return out;
  }

  @Override
  public String decode(byte[] buf, int offset, int length) throws IOException {
    if (length < 1 || buf[offset] != TAG) throw new IOException("not a tagged text record");
    return new String(buf, offset + 1, length - 1, StandardCharsets.UTF_8);
  }
}
