package io.mpac.collector.exporter.prometheus;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * A protobuf wire reader over a byte range, for the streaming OTLP translation: {@link #next()}
 * reads one field (tag and value) and leaves its number, wire type and value where the caller can
 * read them; length-delimited values are not copied, only located ({@link #start}, {@link #end}).
 * Reusable ({@link #reset}); allocates nothing.
 *
 * <p>Malformed input (truncated values, lengths past the end, invalid tags or wire types,
 * unbalanced groups) raises {@link MalformedException}. Groups are skipped, as protobuf-java does
 * for unknown fields. Not thread-safe.
 */
final class WireCursor {

  static final int VARINT = 0;
  static final int FIXED64 = 1;
  static final int LEN = 2;
  static final int START_GROUP = 3;
  static final int END_GROUP = 4;
  static final int FIXED32 = 5;

  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int MAX_GROUP_DEPTH = 100;

  /** A request that is not well-formed protobuf. No stack trace: this is input validation. */
  static final class MalformedException extends IllegalArgumentException {
    MalformedException(String message) {
      super(message, null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  private byte[] buf;
  private int pos;
  private int limit;

  /** Where the current field (its tag) starts. */
  int fieldStart;
  /** The current field's number and wire type. */
  int field;
  int wire;
  /** VARINT: the value. */
  long varint;
  /** LEN, FIXED64, FIXED32: where the value starts and ends. */
  int start;
  int end;

  WireCursor reset(byte[] buf, int from, int to) {
    this.buf = buf;
    this.pos = from;
    this.limit = to;
    return this;
  }

  /** Moves to the next field; false at the end of the range. */
  boolean next() {
    if (pos >= limit) return false;
    fieldStart = pos;
    // protobuf-java keeps the low 32 bits of a longer tag varint; so do we, to accept what it accepts
    long tag = readVarint() & 0xFFFF_FFFFL;
    if ((tag >>> 3) == 0) throw malformed("invalid tag " + tag);
    field = (int) (tag >>> 3);
    wire = (int) (tag & 7);
    switch (wire) {
      case VARINT -> varint = readVarint();
      case FIXED64 -> fixed(8);
      case FIXED32 -> fixed(4);
      case LEN -> {
        int n = readLength();
        start = pos;
        pos += (int) n;
        end = pos;
      }
      case START_GROUP -> skipGroup(field, 1);
      default -> throw malformed("unexpected wire type " + wire);
    }
    return true;
  }

  /**
   * A length prefix. protobuf-java reads it as a 32-bit varint, keeping the low 32 bits of a longer
   * one; so do we, to accept exactly what it accepts (a negative result is refused by both).
   */
  private int readLength() {
    int n = (int) readVarint();
    if (n < 0 || n > limit - pos) throw malformed("length " + n + " runs past the end of its message");
    return n;
  }

  /** The current FIXED64 value. */
  long fixed64() {
    return (long) LONG_LE.get(buf, start);
  }

  /** The current FIXED64 value as a double. */
  double double64() {
    return Double.longBitsToDouble(fixed64());
  }

  static long fixed64At(byte[] b, int at) {
    return (long) LONG_LE.get(b, at);
  }

  private void fixed(int n) {
    if (n > limit - pos) throw malformed("fixed-width value runs past the end of its message");
    start = pos;
    pos += n;
    end = pos;
  }

  private void skipGroup(int number, int depth) {
    if (depth > MAX_GROUP_DEPTH) throw malformed("groups nested too deeply");
    while (true) {
      if (pos >= limit) throw malformed("unterminated group");
      long tag = readVarint();
      if (tag > 0xFFFF_FFFFL || (tag >>> 3) == 0) throw malformed("invalid tag " + tag);
      int f = (int) (tag >>> 3);
      switch ((int) (tag & 7)) {
        case VARINT -> readVarint();
        case FIXED64 -> fixed(8);
        case FIXED32 -> fixed(4);
        case LEN -> pos += readLength();
        case START_GROUP -> skipGroup(f, depth + 1);
        case END_GROUP -> {
          if (f != number) throw malformed("group " + number + " ended by " + f);
          return;
        }
        default -> throw malformed("unexpected wire type " + (tag & 7));
      }
    }
  }

  private long readVarint() {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos >= limit) throw malformed("truncated varint");
      byte b = buf[pos++];
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) return result;
      // protobuf-java (array decoder) ends a varint at its 10th byte when that byte's low bit
      // (bit 63 of the value) is set, whatever its continuation bit says; accept what it accepts
      if (shift == 63 && (b & 1) != 0) return result;
    }
    throw malformed("varint longer than 10 bytes");
  }

  MalformedException malformed(String why) {
    return new MalformedException("at offset " + pos + ": " + why);
  }

  // ------------------------------------------------------------------ hashing

  /** A 64-bit hash of {@code b[from, to)}, mixed with {@code seed}. */
  static long hash(byte[] b, int from, int to, long seed) {
    long h = seed ^ ((to - from) * 0x9E3779B97F4A7C15L);
    int i = from;
    for (; i + 8 <= to; i += 8) {
      long k = (long) LONG_LE.get(b, i);
      h ^= Long.rotateLeft(k * 0x87C37B91114253D5L, 31) * 0x4CF5AD432745937FL;
      h = Long.rotateLeft(h, 27) * 5 + 0x52DCE729;
    }
    long k = 0;
    for (int shift = 0; i < to; i++, shift += 8) k |= (b[i] & 0xFFL) << shift;
    h ^= Long.rotateLeft(k * 0x87C37B91114253D5L, 31) * 0x4CF5AD432745937FL;
    return mix(h);
  }

  /** A finaliser that spreads every input bit over the result. */
  static long mix(long h) {
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    h *= 0xC4CEB9FE1A85EC53L;
    h ^= h >>> 33;
    return h;
  }
}
