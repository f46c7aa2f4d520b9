package io.mpac.collector.receiver.otlp.internal;

import java.util.Arrays;

/**
 * A growable protobuf writer. Length-delimited values are written in place: {@link #beginLength}
 * reserves one byte for the length, {@link #endLength} fills it in and, for a body of 128 bytes
 * or more, shifts the body right to make room for a longer varint. Not thread-safe.
 */
public final class WireBuffer {

  private byte[] buf;
  private int pos;

  public WireBuffer(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  public int position() {
    return pos;
  }

  /** Drops everything written after {@code position}. */
  public void truncate(int position) {
    pos = position;
  }

  public byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  private void ensure(int more) {
    if (buf.length - pos < more) {
      int need = pos + more;
      buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
    }
  }

  public void tag(int field, int wireType) {
    varint((field << 3) | wireType);
  }

  public void varint(long v) {
    ensure(10);
    while ((v & ~0x7FL) != 0) {
      buf[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[pos++] = (byte) v;
  }

  public void fixed64(long v) {
    ensure(8);
    for (int i = 0; i < 8; i++) {
      buf[pos++] = (byte) v;
      v >>>= 8;
    }
  }

  public void fixed32(int v) {
    ensure(4);
    for (int i = 0; i < 4; i++) {
      buf[pos++] = (byte) v;
      v >>>= 8;
    }
  }

  public void bytes(byte[] b, int off, int len) {
    varint(len);
    ensure(len);
    System.arraycopy(b, off, buf, pos, len);
    pos += len;
  }

  /** Reserves the length byte of a length-delimited value; returns the mark for {@link #endLength}. */
  public int beginLength() {
    ensure(1);
    return pos++;
  }

  /** Writes the length of everything after {@code mark} into the reserved place. */
  public void endLength(int mark) {
    int len = pos - mark - 1;
    if (len < 0x80) {
      buf[mark] = (byte) len;
      return;
    }
    int size = varintSize(len);
    ensure(size - 1);
    System.arraycopy(buf, mark + 1, buf, mark + size, len);
    int p = mark;
    int v = len;
    while ((v & ~0x7F) != 0) {
      buf[p++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    buf[p] = (byte) v;
    pos += size - 1;
  }

  static int varintSize(int v) {
    int n = 1;
    while ((v & ~0x7F) != 0) {
      n++;
      v >>>= 7;
    }
    return n;
  }
}
