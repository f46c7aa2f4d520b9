package io.mpac.collector.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Comparing credentials without leaking them through timing. */
public final class Credentials {

  private Credentials() {}

  /**
   * True when {@code presented} equals {@code expected}. Both are hashed first (SHA-256) and the
   * digests compared with {@link MessageDigest#isEqual}, so the time taken depends neither on
   * where they first differ nor on the expected length. A null {@code presented} never matches.
   */
  public static boolean constantTimeEquals(String presented, String expected) {
    if (presented == null || expected == null) return false;
    return MessageDigest.isEqual(sha256(presented), sha256(expected));
  }

  /** SHA-256 of the UTF-8 bytes of {@code s}. */
  public static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JVM", e);
    }
  }
}
