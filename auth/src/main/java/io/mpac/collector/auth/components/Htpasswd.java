package io.mpac.collector.auth.components;

import io.mpac.collector.auth.Credentials;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Users and passwords in htpasswd form, one {@code user:password} a line, the password either
 * plain or {@code {SHA}base64(sha1)}. Other hashes (bcrypt {@code $2y$}, MD5 {@code $apr1$},
 * crypt) are refused with the line number: this collector does not implement them. Immutable.
 */
final class Htpasswd {

  /** A bad line; the message names the line, never its content. */
  static final class FormatException extends Exception {
    FormatException(String message) {
      super(message);
    }
  }

  private final Map<String, String> entries;

  private Htpasswd(Map<String, String> entries) {
    this.entries = Map.copyOf(entries);
  }

  static final Htpasswd EMPTY = new Htpasswd(Map.of());

  /** Parses {@code text}; {@code source} names it in errors ("htpasswd.inline", a file path). */
  static Htpasswd parse(String text, String source) throws FormatException {
    Map<String, String> entries = new HashMap<>();
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) continue;
      int colon = line.indexOf(':');
      if (colon <= 0) throw new FormatException(source + " line " + (i + 1) + ": expected user:password");
      String password = line.substring(colon + 1);
      if (password.startsWith("$")) {
        throw new FormatException(source + " line " + (i + 1) + ": unsupported password hash (use a plain "
            + "password or {SHA}, e.g. htpasswd -s)");
      }
      entries.put(line.substring(0, colon), password);
    }
    return new Htpasswd(entries);
  }

  /** These entries, overridden by {@code other}'s for the same user. */
  Htpasswd with(Htpasswd other) {
    Map<String, String> all = new HashMap<>(entries);
    all.putAll(other.entries);
    return new Htpasswd(all);
  }

  Htpasswd with(String user, String password) {
    Map<String, String> all = new HashMap<>(entries);
    all.put(user, password);
    return new Htpasswd(all);
  }

  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Whether {@code user} has {@code password}; compares in constant time. */
  boolean matches(String user, String password) {
    String stored = entries.get(user);
    if (stored == null) {
      Credentials.constantTimeEquals(password, "\u0000no such user"); // same work as a known user
      return false;
    }
    if (stored.startsWith("{SHA}")) {
      return Credentials.constantTimeEquals("{SHA}" + Base64.getEncoder().encodeToString(sha1(password)), stored);
    }
    return Credentials.constantTimeEquals(password, stored);
  }

  private static byte[] sha1(String s) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JVM", e);
    }
  }
}
