package io.mpac.collector.exporter.loki;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The logfmt line format of {@code loki.format = "logfmt"}, with the rules of the Go library
 * ({@code go-logfmt}) the Collector's translator uses:
 * <ul>
 *   <li>A string body is parsed as logfmt — only its first line, and a bare word is a key with an
 *       empty value, so {@code "Example log"} becomes {@code Example= log=}; a body that does not
 *       parse becomes {@code msg=<body>}.
 *   <li>Keys lose spaces, control characters, {@code =} and {@code "}; a key left empty fails the
 *       whole line. Values with such characters are double-quoted with JSON-like escapes; a string
 *       value {@code null} is quoted; an absent value prints {@code null}.
 * </ul>
 */
final class Logfmt {

  /** bufio.Scanner's default token limit: a longer first line fails to parse. */
  private static final int MAX_LINE = 64 * 1024;

  private Logfmt() {}

  /** A value parsed from a body: written as bytes (no {@code null} quoting); null means none. */
  record Parsed(String text) {}

  /** One key/value; {@code fromBody} keys are never replaced by the record's own fields. */
  record KeyVal(String key, boolean fromBody, Object value) {}

  /** Thrown when a line cannot be written (an empty key), as the Go encoder fails. */
  static final class InvalidKeyException extends Exception {
    InvalidKeyException(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Parses the first line of {@code body} into key/values, or returns null when it is not logfmt.
   */
  static List<KeyVal> parseFirstLine(String body) {
    int nl = body.indexOf('\n');
    String line = nl < 0 ? body : body.substring(0, nl);
    if (nl >= 0 && line.endsWith("\r")) line = line.substring(0, line.length() - 1);
    if (line.length() > MAX_LINE / 4 && line.getBytes(StandardCharsets.UTF_8).length > MAX_LINE) return null;
    List<KeyVal> out = new ArrayList<>();
    int pos = 0;
    int n = line.length();
    while (true) {
      while (pos < n && line.charAt(pos) <= ' ') pos++;
      if (pos >= n) return out;
      // key
      int start = pos;
      while (pos < n) {
        char c = line.charAt(pos);
        if (c == '=' || c == '"' || c <= ' ') break;
        pos++;
      }
      if (pos < n && line.charAt(pos) == '"') return null;
      String key = line.substring(start, pos);
      if (key.indexOf('\uFFFD') >= 0) return null;
      if (pos >= n || line.charAt(pos) <= ' ') {
        out.add(new KeyVal(key, true, new Parsed(null)));
        continue;
      }
      // '='
      if (key.isEmpty()) return null;
      pos++;
      if (pos >= n || line.charAt(pos) <= ' ') {
        out.add(new KeyVal(key, true, new Parsed(null)));
        continue;
      }
      if (line.charAt(pos) == '"') {
        int q = pos + 1;
        boolean esc = false;
        boolean hasEsc = false;
        int end = -1;
        for (int i = q; i < n; i++) {
          char c = line.charAt(i);
          if (esc) {
            esc = false;
          } else if (c == '\\') {
            hasEsc = true;
            esc = true;
          } else if (c == '"') {
            end = i;
            break;
          }
        }
        if (end < 0) return null;
        String raw = line.substring(q, end);
        String value;
        if (hasEsc) {
          value = unquote(raw);
          if (value == null) return null;
        } else {
          value = raw.isEmpty() ? null : raw;
        }
        out.add(new KeyVal(key, true, new Parsed(value)));
        pos = end + 1;
        continue;
      }
      start = pos;
      while (pos < n) {
        char c = line.charAt(pos);
        if (c == '=' || c == '"') return null;
        if (c <= ' ') break;
        pos++;
      }
      out.add(new KeyVal(key, true, new Parsed(line.substring(start, pos))));
    }
  }

  /** JSON-style unescaping of a quoted value's inside; null when an escape is invalid. */
  private static String unquote(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\') {
        if (c < ' ') return null;
        b.append(c);
        continue;
      }
      if (++i >= s.length()) return null;
      char e = s.charAt(i);
      switch (e) {
        case '"', '\\', '/' -> b.append(e);
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (i + 5 > s.length()) return null;
          try {
            b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
          } catch (NumberFormatException ex) {
            return null;
          }
          i += 4;
        }
        default -> {
          return null;
        }
      }
    }
    return b.toString();
  }

  /** Writes the key/values as one logfmt line. */
  static String encode(List<KeyVal> kvs) throws InvalidKeyException {
    StringBuilder b = new StringBuilder(256);
    for (KeyVal kv : kvs) {
      if (b.length() > 0) b.append(' ');
      int before = b.length();
      appendKey(b, kv.key());
      if (b.length() == before) throw new InvalidKeyException("invalid key " + GoTextQuote.quote(kv.key()));
      b.append('=');
      Object v = kv.value();
      if (v == null) {
        b.append("null");
      } else if (v instanceof Parsed p) {
        if (p.text() != null) appendValue(b, p.text());
      } else if (v instanceof String s) {
        if (s.equals("null")) {
          b.append("\"null\"");
        } else {
          appendValue(b, s);
        }
      } else if (v instanceof Double d) {
        appendValue(b, GoText.formatG(d));
      } else if (v instanceof byte[] bytes) {
        appendValue(b, new String(bytes, StandardCharsets.UTF_8));
      } else {
        appendValue(b, v.toString());
      }
    }
    return b.toString();
  }

  private static void appendKey(StringBuilder b, String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c <= ' ' || c == '=' || c == '"' || c == '\uFFFD') continue;
      b.append(c);
    }
  }

  private static boolean needsQuotes(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c == '=' || c == '"' || c == '\uFFFD' || Character.isSurrogate(c) && !validPair(s, i)) {
        return true;
      }
    }
    return false;
  }

  private static boolean validPair(String s, int i) {
    char c = s.charAt(i);
    if (Character.isHighSurrogate(c)) return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
  }

  private static void appendValue(StringBuilder b, String s) {
    if (!needsQuotes(s)) {
      b.append(s);
      return;
    }
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\' -> b.append("\\\\");
        case '"' -> b.append("\\\"");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(GoText.unicodeEscape(c));
          } else if (c == '\uFFFD' || Character.isSurrogate(c) && !validPair(s, i)) {
            b.append("\\ufffd");
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }

  /** Minimal Go-style quoting for error messages. */
  static final class GoTextQuote {
    private GoTextQuote() {}

    static String quote(String s) {
      StringBuilder b = new StringBuilder();
      GoText.jsonString(b, s);
      return b.toString();
    }
  }
}
