package io.mpac.collector.testing;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Deterministic byte-level mutations of seed inputs, driven by one {@code long} (the fuzz
 * driver's input number, which replays it): bit flips, random bytes, truncation, deleted / duplicated /
 * inserted ranges, huge varints and lengths, and splices with another seed. The same seed and
 * long give the same input.
 */
public final class Mutator {

  private Mutator() {}

  public static byte[] mutate(List<byte[]> seeds, long seed) {
    Random r = new Random(seed);
    byte[] b = seeds.get(r.nextInt(seeds.size())).clone();
    int ops = 1 + r.nextInt(4);
    for (int i = 0; i < ops; i++) b = once(b, seeds, r);
    return b;
  }

  private static byte[] once(byte[] b, List<byte[]> seeds, Random r) {
    int n = b.length;
    int at = n == 0 ? 0 : r.nextInt(n);
    switch (r.nextInt(10)) {
      case 0 -> { // flip one bit
        if (n > 0) b[at] ^= (byte) (1 << r.nextInt(8));
        return b;
      }
      case 1 -> { // one random byte
        if (n > 0) b[at] = (byte) r.nextInt(256);
        return b;
      }
      case 2 -> { // truncate
        return Arrays.copyOf(b, at);
      }
      case 3 -> { // delete a range
        int len = Math.min(n - at, 1 + r.nextInt(16));
        return concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(b, at + len, n));
      }
      case 4 -> { // duplicate a range
        int len = Math.min(n - at, 1 + r.nextInt(64));
        byte[] piece = Arrays.copyOfRange(b, at, at + len);
        return concat(Arrays.copyOfRange(b, 0, at + len), piece, Arrays.copyOfRange(b, at + len, n));
      }
      case 5 -> { // insert random bytes
        byte[] junk = new byte[1 + r.nextInt(8)];
        r.nextBytes(junk);
        return concat(Arrays.copyOfRange(b, 0, at), junk, Arrays.copyOfRange(b, at, n));
      }
      case 6 -> { // a huge or overlong varint
        byte[] v = r.nextBoolean()
            ? new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF,
                (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01}
            : new byte[] {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80,
                (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x00};
        return concat(Arrays.copyOfRange(b, 0, at), v, Arrays.copyOfRange(b, at, n));
      }
      case 7 -> { // a length prefix claiming more (or less) than follows
        if (n > 0) b[at] = (byte) (r.nextBoolean() ? 0x7F : r.nextInt(4));
        return b;
      }
      case 8 -> { // splice with another seed
        byte[] other = seeds.get(r.nextInt(seeds.size()));
        int from = other.length == 0 ? 0 : r.nextInt(other.length);
        return concat(Arrays.copyOfRange(b, 0, at), Arrays.copyOfRange(other, from, other.length));
      }
      default -> { // interesting values
        if (n > 0) b[at] = new byte[] {0, 1, 0x7F, (byte) 0x80, (byte) 0xFF, (byte) 0xC0, (byte) 0xED}[r.nextInt(7)];
        return b;
      }
    }
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }
}
