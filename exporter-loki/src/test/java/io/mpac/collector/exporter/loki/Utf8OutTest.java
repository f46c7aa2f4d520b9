package io.mpac.collector.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The byte-level writer against the String-level reference ({@link GoText}) and protobuf's UTF-8 check. */
class Utf8OutTest {

  private static final String PIECES = "aZ09 ~\u007f\"\\<>&/\n\r\t\b\f\u0000\u0001\u001f\u2028\u2029é€日\uE000\uFFFF";

  private static String randomString(Random rnd) {
    StringBuilder b = new StringBuilder();
    int n = rnd.nextInt(rnd.nextBoolean() ? 12 : 60);
    for (int i = 0; i < n; i++) {
      int kind = rnd.nextInt(10);
      if (kind < 6) {
        b.append((char) ('a' + rnd.nextInt(26))); // plain runs, copied in bulk
      } else if (kind < 9) {
        b.append(PIECES.charAt(rnd.nextInt(PIECES.length())));
      } else {
        b.appendCodePoint(0x1F600 + rnd.nextInt(50)); // a surrogate pair in Java, four bytes in UTF-8
      }
    }
    return b.toString();
  }

  @Test
  void jsonStringFromBytesEqualsGoTextOnTheDecodedString() {
    Utf8Out out = new Utf8Out();
    for (int seed = 0; seed < 20_000; seed++) {
      String s = randomString(new Random(seed));
      byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
      byte[] padded = new byte[utf8.length + 6];
      System.arraycopy(utf8, 0, padded, 3, utf8.length); // not at offset 0
      out.clear();
      out.jsonString(padded, 3, 3 + utf8.length);
      StringBuilder expected = new StringBuilder();
      GoText.jsonString(expected, s);
      assertThat(out.string()).as("seed %d: %s", seed, s).isEqualTo(expected.toString());
    }
  }

  @Test
  void utf8CheckAgreesWithProtobuf() {
    Random rnd = new Random(11);
    byte[] leads = {(byte) 0xC0, (byte) 0xC1, (byte) 0xC2, (byte) 0xDF, (byte) 0xE0, (byte) 0xED, (byte) 0xEF,
        (byte) 0xF0, (byte) 0xF4, (byte) 0xF5, (byte) 0xFF, (byte) 0x80, (byte) 0xBF};
    for (int i = 0; i < 100_000; i++) {
      byte[] b = new byte[1 + rnd.nextInt(6)];
      for (int k = 0; k < b.length; k++) {
        int kind = rnd.nextInt(4);
        b[k] = kind == 0 ? (byte) rnd.nextInt(0x80) : kind == 1 ? leads[rnd.nextInt(leads.length)]
            : (byte) (0x80 | rnd.nextInt(0x40));
      }
      boolean valid;
      try {
        Utf8Out.checkUtf8(b, 0, b.length);
        valid = true;
      } catch (WireReader.GiveUp e) {
        valid = false;
      }
      assertThat(valid).as("%s", ByteString.copyFrom(b)).isEqualTo(ByteString.copyFrom(b).isValidUtf8());
      if (valid) {
        Utf8Out out = new Utf8Out();
        out.jsonString(b, 0, b.length); // valid input is written without complaint
        assertThat(out.len).isGreaterThanOrEqualTo(b.length + 2);
      }
    }
  }

  @Test
  void hexAndDecimal() {
    Utf8Out out = new Utf8Out();
    out.hex(new byte[] {0, 1, (byte) 0xAB, (byte) 0xFF, 0x7F}, 1, 4);
    out.put((byte) ' ');
    for (long v : new long[] {0, 7, -7, 10, 99, 100, Long.MAX_VALUE, Long.MIN_VALUE, -1_000_000_000_000L}) {
      out.decimal(v).put((byte) ' ');
    }
    assertThat(out.string()).isEqualTo("01abff7f 0 7 -7 10 99 100 9223372036854775807 -9223372036854775808 "
        + "-1000000000000 ");
  }
}
