package io.mpac.collector.util;

/** Writes JSON string literals without a JSON library (for small hand-built documents and log lines). */
public final class JsonStrings {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsonStrings() {}

  /** Appends {@code s} as a quoted JSON string: quotes, backslashes and control characters escaped. */
  public static StringBuilder append(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"');
  }

  /** {@code s} as a quoted JSON string. */
  public static String quote(String s) {
    return append(new StringBuilder(s.length() + 2), s).toString();
  }
}
