package io.mpac.collector.config.syntax;

/**
 * Go-compatible string quoting, shared by the parser (reading {@code "..."} literals), the
 * formatter and diagnostics (which quote like Go's {@code %q}).
 */
public final class GoStrings {

  private GoStrings() {}

  /**
   * The value of a double-quoted literal, quotes included in {@code literal}. Lenient: the
   * scanner has already reported bad escapes, so an invalid one is kept as written.
   */
  public static String unquote(String literal) {
    int end = literal.length() - (literal.length() > 1 && literal.endsWith("\"") ? 1 : 0);
    String body = literal.substring(Math.min(1, literal.length()), Math.max(1, end));
    StringBuilder out = new StringBuilder(body.length());
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c != '\\' || i + 1 >= body.length()) {
        out.append(c);
        continue;
      }
      char e = body.charAt(++i);
      switch (e) {
        case 'a' -> out.append('\u0007');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'n' -> out.append('\n');
        case 'r' -> out.append('\r');
        case 't' -> out.append('\t');
        case 'v' -> out.append('\u000b');
        case '\\', '"', '\'' -> out.append(e);
        case 'x', 'u', 'U', '0', '1', '2', '3', '4', '5', '6', '7' -> {
          boolean octal = e >= '0' && e <= '7';
          int digits = octal ? 3 : e == 'x' ? 2 : e == 'u' ? 4 : 8;
          int start = octal ? i : i + 1;
          int radix = octal ? 8 : 16;
          if (start + digits > body.length()) {
            out.append('\\').append(e);
            continue;
          }
          try {
            int value = Integer.parseInt(body.substring(start, start + digits), radix);
            if (e == 'x' || octal) {
              // \xNN and \NNN are bytes; decode byte runs as UTF-8 like Go does.
              i = decodeBytes(body, i - 1, out);
            } else {
              out.appendCodePoint(value);
              i = start + digits - 1;
            }
          } catch (IllegalArgumentException ex) {
            out.append('\\').append(e);
          }
        }
        default -> out.append('\\').append(e);
      }
    }
    return out.toString();
  }

  /**
   * Decodes a run of byte escapes ({@code \xNN}, {@code \NNN}) starting at the backslash
   * {@code from} as UTF-8, appends it, and returns the index of the run's last character.
   */
  private static int decodeBytes(String body, int from, StringBuilder out) {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    int i = from;
    int last = from;
    while (i + 1 < body.length() && body.charAt(i) == '\\') {
      char e = body.charAt(i + 1);
      int digits;
      int radix;
      int start;
      if (e == 'x') {
        digits = 2;
        radix = 16;
        start = i + 2;
      } else if (e >= '0' && e <= '7') {
        digits = 3;
        radix = 8;
        start = i + 1;
      } else {
        break;
      }
      if (start + digits > body.length()) break;
      int value;
      try {
        value = Integer.parseInt(body.substring(start, start + digits), radix);
      } catch (NumberFormatException ex) {
        break;
      }
      if (value > 255) break;
      bytes.write(value);
      last = start + digits - 1;
      i = start + digits;
    }
    out.append(new String(bytes.toByteArray(), java.nio.charset.StandardCharsets.UTF_8));
    return last;
  }

  /** Quotes like Go's {@code strconv.Quote}: printable characters kept, others escaped. */
  public static String quote(String s) {
    StringBuilder out = new StringBuilder(s.length() + 2).append('"');
    s.codePoints()
        .forEach(
            cp -> {
              switch (cp) {
                case '\u0007' -> out.append("\\a");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\u000b' -> out.append("\\v");
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                default -> {
                  if (isPrintable(cp)) out.appendCodePoint(cp);
                  else if (cp < 0x80) out.append(String.format("\\x%02x", cp));
                  else if (cp < 0x10000) out.append(String.format("\\u%04x", cp));
                  else out.append(String.format("\\U%08x", cp));
                }
              }
            });
    return out.append('"').toString();
  }

  /** Go's {@code %#U}: {@code U+0023 '#'}, without the quoted character if it is unprintable. */
  public static String unicodeVerb(int cp) {
    String hex = String.format("U+%04X", cp);
    return isPrintable(cp) ? hex + " '" + new String(Character.toChars(cp)) + "'" : hex;
  }

  /** An approximation of Go's {@code strconv.IsPrint}. */
  public static boolean isPrintable(int cp) {
    if (cp == ' ') return true;
    if (Character.isISOControl(cp) || !Character.isDefined(cp)) return false;
    return switch (Character.getType(cp)) {
      case Character.FORMAT,
          Character.SURROGATE,
          Character.PRIVATE_USE,
          Character.LINE_SEPARATOR,
          Character.PARAGRAPH_SEPARATOR,
          Character.SPACE_SEPARATOR -> false;
      default -> true;
    };
  }
}
