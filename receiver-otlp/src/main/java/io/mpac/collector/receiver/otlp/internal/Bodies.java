package io.mpac.collector.receiver.otlp.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;

/**
 * Request body decompression with a hard output bound, so a gzip bomb costs at most
 * {@code limit + 1} bytes of memory before it is refused.
 */
public final class Bodies {

  /** The decompressed body would exceed the limit. */
  public static final class TooLargeException extends Exception {
    TooLargeException(String message) {
      super(message, null, false, false);
    }
  }

  /** The body is not valid for its encoding. */
  public static final class CorruptException extends Exception {
    CorruptException(String message) {
      super(message, null, false, false);
    }
  }

  public enum Encoding { IDENTITY, GZIP, DEFLATE }

  private Bodies() {}

  /** Decodes {@code body[0, len)}; returns a buffer of exactly the decoded length. */
  public static byte[] decode(Encoding encoding, byte[] body, int len, int limit)
      throws TooLargeException, CorruptException {
    if (encoding == Encoding.IDENTITY) return body.length == len ? body : Arrays.copyOf(body, len);
    if (len == 0) throw new CorruptException("empty " + name(encoding) + " body");
    ByteArrayInputStream raw = new ByteArrayInputStream(body, 0, len);
    Inflater inflater = null;
    InputStream in = null;
    try {
      if (encoding == Encoding.GZIP) {
        in = new GZIPInputStream(raw, 8192);
      } else {
        // "deflate" is zlib-wrapped (RFC 9110); some clients send raw deflate: accept both.
        boolean zlib = len >= 2 && (body[0] & 0x0F) == 8 && (((body[0] & 0xFF) << 8) | (body[1] & 0xFF)) % 31 == 0;
        inflater = new Inflater(!zlib);
        in = new InflaterInputStream(raw, inflater, 8192);
      }
      byte[] out = new byte[(int) Math.min(limit + 1L, Math.max(1024L, Math.min(4L * len, 1L << 20)))];
      int n = 0;
      while (true) {
        if (n == out.length) {
          if (n > limit) break;
          out = Arrays.copyOf(out, (int) Math.min(limit + 1L, out.length * 2L));
        }
        int r = in.read(out, n, out.length - n);
        if (r < 0) break;
        n += r;
      }
      if (n > limit) {
        throw new TooLargeException("decompressed body exceeds the limit of " + limit + " bytes");
      }
      if (encoding == Encoding.DEFLATE && !inflater.finished()) {
        throw new CorruptException("truncated deflate body");
      }
      return n == out.length ? out : Arrays.copyOf(out, n);
    } catch (IOException e) {
      throw new CorruptException("invalid " + name(encoding) + " body: " + e.getMessage());
    } finally {
      if (in != null) {
        try {
          in.close();
        } catch (IOException ignored) {
          // nothing to release beyond the inflater
        }
      }
      if (inflater != null) inflater.end();
    }
  }

  private static String name(Encoding e) {
    return e.name().toLowerCase(java.util.Locale.ROOT);
  }
}
