package io.mpac.collector.exporter.loki;

/**
 * A protobuf wire-format cursor over a byte range, for the streaming log converter: {@link #next()}
 * moves to the next field and leaves its number, wire type and value (a varint, a fixed-width
 * value, or the bounds of a length-delimited value) in public fields. Nothing is allocated.
 *
 * <p>Anything it does not take (a truncated value, a bad tag, groups, a length past the range)
 * throws {@link #GIVE_UP}: the caller then hands the input to protobuf-java, which either accepts
 * it (and the slow path converts it) or produces the exact error protobuf-java gives.
 */
final class WireReader {

  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LEN = 2;
  static final int FIXED32 = 5;

  /** Thrown when the fast path does not handle the input; stackless and shared. */
  static final class GiveUp extends RuntimeException {
    private GiveUp() {
      super("not handled by the streaming decoder", null, false, false);
    }
  }

  static final GiveUp GIVE_UP = new GiveUp();

  private byte[] buf;
  private int pos;
  private int end;

  int field;
  int wireType;
  /** The value of a varint or fixed-width field. */
  long value;
  /** The bounds of a length-delimited field's value. */
  int start;
  int limit;

  WireReader reset(byte[] buf, int from, int to) {
    this.buf = buf;
    this.pos = from;
    this.end = to;
    return this;
  }

  /** Moves to the next field; false at the end of the range. */
  boolean next() {
    if (pos >= end) return false;
    long tag = varint();
    if (tag > 0xFFFF_FFFFL) throw GIVE_UP;
    field = (int) (tag >>> 3);
    wireType = (int) (tag & 7);
    if (field == 0) throw GIVE_UP;
    switch (wireType) {
      case VARINT -> value = varint();
      case FIXED64 -> {
        if (end - pos < 8) throw GIVE_UP;
        value = fixed64(buf, pos);
        pos += 8;
      }
      case FIXED32 -> {
        if (end - pos < 4) throw GIVE_UP;
        value = (buf[pos] & 0xFFL) | (buf[pos + 1] & 0xFFL) << 8 | (buf[pos + 2] & 0xFFL) << 16
            | (buf[pos + 3] & 0xFFL) << 24;
        pos += 4;
      }
      case LEN -> {
        long len = varint();
        if (len < 0 || len > end - pos) throw GIVE_UP;
        start = pos;
        pos += (int) len;
        limit = pos;
      }
      default -> throw GIVE_UP;
    }
    return true;
  }

  /** Requires the current field to have {@code type}, else gives up. */
  void expect(int type) {
    if (wireType != type) throw GIVE_UP;
  }

  private long varint() {
    byte[] b = buf;
    int p = pos;
    if (p < end && b[p] >= 0) {
      pos = p + 1;
      return b[p];
    }
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p >= end) throw GIVE_UP;
      byte x = b[p++];
      result |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        pos = p;
        return result;
      }
    }
    throw GIVE_UP;
  }

  static long fixed64(byte[] b, int p) {
    return (b[p] & 0xFFL) | (b[p + 1] & 0xFFL) << 8 | (b[p + 2] & 0xFFL) << 16 | (b[p + 3] & 0xFFL) << 24
        | (b[p + 4] & 0xFFL) << 32 | (b[p + 5] & 0xFFL) << 40 | (b[p + 6] & 0xFFL) << 48 | (b[p + 7] & 0xFFL) << 56;
  }
}
