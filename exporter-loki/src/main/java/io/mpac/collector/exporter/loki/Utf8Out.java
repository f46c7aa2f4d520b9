package io.mpac.collector.exporter.loki;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable UTF-8 byte buffer that Loki lines are written into, reused from record to record,
 * with the JSON string form Go's {@code encoding/json} writes ({@link GoText#jsonString}) produced
 * straight from protobuf string bytes.
 */
final class Utf8Out {

  private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  /**
   * Per byte value (index {@code b & 0xFF}): 0 = plain ASCII, copied as is; 1 = named escape (see
   * {@link #NAMED}); 2 = a six-character unicode escape; 3 = the lead or continuation byte of a
   * multi-byte sequence, validated separately.
   */
  private static final byte[] CLASS = new byte[256];
  private static final byte[] NAMED = new byte[128];
  /** The two lower-case hex digits of each byte value, packed in a short (the high digit in the high byte). */
  private static final short[] HEX2 = new short[256];

  static {
    for (int c = 0; c < 0x20; c++) CLASS[c] = 2;
    CLASS['<'] = 2;
    CLASS['>'] = 2;
    CLASS['&'] = 2;
    for (char c : new char[] {'"', '\\', '\n', '\r', '\t', '\b', '\f'}) CLASS[c] = 1;
    for (int c = 0x80; c < 0x100; c++) CLASS[c] = 3;
    NAMED['"'] = '"';
    NAMED['\\'] = '\\';
    NAMED['\n'] = 'n';
    NAMED['\r'] = 'r';
    NAMED['\t'] = 't';
    NAMED['\b'] = 'b';
    NAMED['\f'] = 'f';
    for (int b = 0; b < 256; b++) HEX2[b] = (short) (HEX[b >> 4] << 8 | HEX[b & 0xF]);
  }

  byte[] buf = new byte[1024];
  int len;

  void clear() {
    len = 0;
  }

  /** The written bytes as a string. */
  String string() {
    return new String(buf, 0, len, StandardCharsets.UTF_8);
  }

  private void ensure(int more) {
    if (buf.length - len < more) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
  }

  Utf8Out put(byte b) {
    ensure(1);
    buf[len++] = b;
    return this;
  }

  Utf8Out put(byte[] bytes) {
    ensure(bytes.length);
    System.arraycopy(bytes, 0, buf, len, bytes.length);
    len += bytes.length;
    return this;
  }

  /** Appends an ASCII-only string. */
  Utf8Out ascii(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) buf[len++] = (byte) s.charAt(i);
    return this;
  }

  /** Lower-case hex of {@code n} bytes of {@code src} from {@code from}. */
  Utf8Out hex(byte[] src, int from, int n) {
    ensure(2 * n);
    byte[] b = buf;
    int p = len;
    for (int i = from, e = from + n; i < e; i++) {
      short h = HEX2[src[i] & 0xFF];
      b[p++] = (byte) (h >> 8);
      b[p++] = (byte) h;
    }
    len = p;
    return this;
  }

  /** Appends the decimal form of {@code v}, as {@link Long#toString(long)} writes it. */
  Utf8Out decimal(long v) {
    if (v == Long.MIN_VALUE) return ascii(Long.toString(v));
    ensure(20);
    byte[] b = buf;
    int p = len;
    if (v < 0) {
      b[p++] = '-';
      v = -v;
    }
    int digits = 1;
    for (long t = v; t >= 10; t /= 10) digits++;
    int end = p + digits;
    for (int i = end - 1; i >= p; i--) {
      b[i] = (byte) ('0' + (int) (v % 10));
      v /= 10;
    }
    len = end;
    return this;
  }

  /**
   * Appends the UTF-8 string {@code src[from, to)} as a JSON string (quotes included), escaped as
   * {@link GoText#jsonString} escapes the decoded string.
   *
   * @throws WireReader.GiveUp when the bytes are not valid UTF-8 (protobuf-java refuses such strings)
   */
  Utf8Out jsonString(byte[] src, int from, int to) {
    // worst case: every byte becomes a six-byte unicode escape
    ensure(2 + 6 * (to - from));
    byte[] b = buf;
    int p = len;
    b[p++] = '"';
    int i = from;
    while (i < to) {
      // copy the longest run of plain ASCII at once
      int run = i;
      while (run < to && CLASS[src[run] & 0xFF] == 0) run++;
      if (run > i) {
        System.arraycopy(src, i, b, p, run - i);
        p += run - i;
        i = run;
        if (i == to) break;
      }
      int c = src[i] & 0xFF;
      switch (CLASS[c]) {
        case 1 -> {
          b[p++] = '\\';
          b[p++] = NAMED[c];
          i++;
        }
        case 2 -> {
          p = unicodeEscape(b, p, c);
          i++;
        }
        default -> {
          int n = sequenceLength(src, i, to);
          if (n == 3 && c == 0xE2 && src[i + 1] == (byte) 0x80
              && (src[i + 2] == (byte) 0xA8 || src[i + 2] == (byte) 0xA9)) {
            p = unicodeEscape(b, p, src[i + 2] == (byte) 0xA8 ? 0x2028 : 0x2029);
          } else {
            for (int k = 0; k < n; k++) b[p++] = src[i + k];
          }
          i += n;
        }
      }
    }
    b[p++] = '"';
    len = p;
    return this;
  }

  private static int unicodeEscape(byte[] b, int p, int c) {
    b[p++] = '\\';
    b[p++] = 'u';
    b[p++] = HEX[(c >> 12) & 0xF];
    b[p++] = HEX[(c >> 8) & 0xF];
    b[p++] = HEX[(c >> 4) & 0xF];
    b[p++] = HEX[c & 0xF];
    return p;
  }

  /**
   * The length of the well-formed UTF-8 sequence (2 to 4 bytes) starting at {@code src[i]} (a
   * non-ASCII byte): no overlong forms, no surrogates, nothing above U+10FFFF, exactly the rules
   * protobuf-java applies to proto3 strings.
   */
  static int sequenceLength(byte[] src, int i, int to) {
    int b0 = src[i] & 0xFF;
    if (b0 < 0xC2) throw WireReader.GIVE_UP; // continuation byte or overlong 2-byte lead
    if (b0 < 0xE0) {
      if (i + 1 >= to || !continuation(src[i + 1])) throw WireReader.GIVE_UP;
      return 2;
    }
    if (b0 < 0xF0) {
      if (i + 2 >= to || !continuation(src[i + 1]) || !continuation(src[i + 2])) throw WireReader.GIVE_UP;
      int b1 = src[i + 1] & 0xFF;
      if (b0 == 0xE0 && b1 < 0xA0) throw WireReader.GIVE_UP; // overlong
      if (b0 == 0xED && b1 >= 0xA0) throw WireReader.GIVE_UP; // surrogate
      return 3;
    }
    if (b0 < 0xF5) {
      if (i + 3 >= to || !continuation(src[i + 1]) || !continuation(src[i + 2]) || !continuation(src[i + 3])) {
        throw WireReader.GIVE_UP;
      }
      int b1 = src[i + 1] & 0xFF;
      if (b0 == 0xF0 && b1 < 0x90) throw WireReader.GIVE_UP; // overlong
      if (b0 == 0xF4 && b1 >= 0x90) throw WireReader.GIVE_UP; // above U+10FFFF
      return 4;
    }
    throw WireReader.GIVE_UP;
  }

  private static boolean continuation(byte b) {
    return (b & 0xC0) == 0x80;
  }

  /** Checks that {@code src[from, to)} is valid UTF-8 (for strings that are read but not written). */
  static void checkUtf8(byte[] src, int from, int to) {
    int i = from;
    while (i < to) {
      if (src[i] >= 0) {
        i++;
      } else {
        i += sequenceLength(src, i, to);
      }
    }
  }
}
