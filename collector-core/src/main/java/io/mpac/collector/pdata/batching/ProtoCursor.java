package io.mpac.collector.pdata.batching;

/**
 * Minimal protobuf wire reader over a byte range: reads a tag, then either descends into a
 * length-delimited field ({@link #fieldStart}, {@link #valueStart}, {@link #valueEnd}) or skips
 * the value. No allocation; malformed input raises {@link IllegalArgumentException} naming the
 * offset.
 */
final class ProtoCursor {

  static final int WIRE_VARINT = 0;
  static final int WIRE_FIXED64 = 1;
  static final int WIRE_LEN = 2;
  static final int WIRE_FIXED32 = 5;

  private final byte[] buf;
  private final String what;
  private int pos;
  private final int end;

  /** Start of the current field (its tag), start and end of its value. */
  int fieldStart;
  int valueStart;
  int valueEnd;
  int fieldNumber;
  int wireType;

  ProtoCursor(byte[] buf, int start, int end, String what) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.what = what;
  }

  /** Moves to the next field; false at the end of the range. */
  boolean next() {
    if (pos >= end) return false;
    fieldStart = pos;
    long tag = readVarint();
    fieldNumber = (int) (tag >>> 3);
    wireType = (int) (tag & 7);
    if (fieldNumber <= 0 || tag > 0xFFFF_FFFFL) throw malformed("invalid tag");
    switch (wireType) {
      case WIRE_VARINT -> {
        readVarint();
        valueStart = valueEnd = pos;
      }
      case WIRE_FIXED64 -> skip(8);
      case WIRE_FIXED32 -> skip(4);
      case WIRE_LEN -> {
        long len = readVarint();
        if (len < 0 || len > end - pos) throw malformed("length " + len + " runs past the end");
        valueStart = pos;
        pos += (int) len;
        valueEnd = pos;
      }
      default -> throw malformed("unsupported wire type " + wireType);
    }
    return true;
  }

  /** The end of the current field (the start of the next one). */
  int fieldEnd() {
    return pos;
  }

  private void skip(int n) {
    if (n > end - pos) throw malformed("fixed-width value runs past the end");
    valueStart = pos;
    pos += n;
    valueEnd = pos;
  }

  private long readVarint() {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= end) throw malformed("truncated varint");
      byte b = buf[pos++];
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) return result;
    }
    throw malformed("varint longer than 10 bytes");
  }

  IllegalArgumentException malformed(String why) {
    return new IllegalArgumentException("malformed " + what + " at offset " + pos + ": " + why);
  }

  static int varintSize(int value) {
    if ((value & (~0 << 7)) == 0) return 1;
    if ((value & (~0 << 14)) == 0) return 2;
    if ((value & (~0 << 21)) == 0) return 3;
    if ((value & (~0 << 28)) == 0) return 4;
    return 5;
  }

  static int writeVarint(byte[] out, int pos, int value) {
    while ((value & ~0x7F) != 0) {
      out[pos++] = (byte) ((value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out[pos++] = (byte) value;
    return pos;
  }
}
