package io.mpac.collector.exporter.loki;

import java.math.BigDecimal;

/**
 * Text forms that must match what Go prints, because Alloy's Loki lines are made by Go code:
 * {@code encoding/json} strings (with HTML escaping) and numbers, and {@code strconv}'s shortest
 * {@code 'g'} float format (what {@code fmt.Sprint} gives for a {@code float64}).
 *
 * <p>Shortest digits come from {@link Double#toString}, which on Java 17 is, in rare cases, one
 * digit longer than Go's shortest form; the value read back is the same.
 */
final class GoText {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private GoText() {}

  /** Appends {@code s} as a JSON string the way Go's {@code json.Marshal} writes it. */
  static void jsonString(StringBuilder b, String s) {
    b.append('"');
    int start = 0;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      String esc = null;
      if (c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&') {
        esc = switch (c) {
          case '"' -> "\\\"";
          case '\\' -> "\\\\";
          case '\n' -> "\\n";
          case '\r' -> "\\r";
          case '\t' -> "\\t";
          case '\b' -> "\\b";
          case '\f' -> "\\f";
          default -> null;
        };
        if (esc == null) esc = unicodeEscape(c);
      } else if (c == '\u2028' || c == '\u2029') {
        esc = unicodeEscape(c);
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        esc = "\\ufffd";
      } else {
        continue;
      }
      b.append(s, start, i).append(esc);
      start = i + 1;
    }
    b.append(s, start, n).append('"');
  }

  static String unicodeEscape(char c) {
    return "\\u" + HEX[(c >> 12) & 0xF] + HEX[(c >> 8) & 0xF] + HEX[(c >> 4) & 0xF] + HEX[c & 0xF];
  }

  /**
   * A double as Go's {@code encoding/json} (and pdata's {@code AsString}) prints it: plain decimal,
   * or exponent form below 1e-6 and from 1e21 on ({@code 1e-7}, {@code 1e+21}).
   *
   * @throws IllegalArgumentException for NaN and infinities, which JSON cannot hold
   */
  static String jsonNumber(double d) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      throw new IllegalArgumentException("json: unsupported value: " + formatG(d));
    }
    if (d == 0) return (1 / d < 0) ? "-0" : "0";
    double abs = Math.abs(d);
    Digits g = digits(d);
    if (abs < 1e-6 || abs >= 1e21) {
      String e = formatE(g);
      // Go's json trims a leading zero of a negative two-digit exponent: e-07 -> e-7
      int n = e.length();
      if (n >= 4 && e.charAt(n - 4) == 'e' && e.charAt(n - 3) == '-' && e.charAt(n - 2) == '0') {
        e = e.substring(0, n - 2) + e.charAt(n - 1);
      }
      return e;
    }
    return formatF(g);
  }

  /** A double as {@code strconv.FormatFloat(d, 'g', -1, 64)} (and {@code fmt.Sprint}) prints it. */
  static String formatG(double d) {
    if (Double.isNaN(d)) return "NaN";
    if (Double.isInfinite(d)) return d > 0 ? "+Inf" : "-Inf";
    if (d == 0) return (1 / d < 0) ? "-0" : "0";
    Digits g = digits(d);
    int exp = g.pointPos - 1;
    if (exp < -4 || exp >= 6) return formatE(g);
    return formatF(g);
  }

  /** Decimal digits (no leading/trailing zeros) and where the point goes: value = 0.DIGITS × 10^pointPos. */
  private record Digits(boolean negative, String digits, int pointPos) {}

  private static Digits digits(double d) {
    BigDecimal bd = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
    String digits = bd.unscaledValue().toString();
    int pointPos = digits.length() - bd.scale();
    return new Digits(d < 0, digits, pointPos);
  }

  private static String formatF(Digits g) {
    StringBuilder b = new StringBuilder(24);
    if (g.negative) b.append('-');
    String ds = g.digits;
    int dp = g.pointPos;
    if (dp <= 0) {
      b.append("0.");
      for (int i = 0; i < -dp; i++) b.append('0');
      b.append(ds);
    } else if (dp >= ds.length()) {
      b.append(ds);
      for (int i = ds.length(); i < dp; i++) b.append('0');
    } else {
      b.append(ds, 0, dp).append('.').append(ds, dp, ds.length());
    }
    return b.toString();
  }

  private static String formatE(Digits g) {
    StringBuilder b = new StringBuilder(24);
    if (g.negative) b.append('-');
    b.append(g.digits.charAt(0));
    if (g.digits.length() > 1) b.append('.').append(g.digits, 1, g.digits.length());
    int exp = g.pointPos - 1;
    b.append('e').append(exp < 0 ? '-' : '+');
    int a = Math.abs(exp);
    if (a < 10) b.append('0');
    b.append(a);
    return b.toString();
  }

  /** Lower-case hex of {@code bytes}. */
  static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xF];
      out[2 * i + 1] = HEX[bytes[i] & 0xF];
    }
    return new String(out);
  }
}
