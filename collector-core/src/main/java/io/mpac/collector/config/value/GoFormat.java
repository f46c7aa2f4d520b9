package io.mpac.collector.config.value;

import io.mpac.collector.config.syntax.GoStrings;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A printf in the manner of Go's {@code fmt.Sprintf}, for {@code string.format}. Alloy passes
 * integers as {@code int64} and other numbers as {@code float64}, so mismatches render like Go:
 * {@code %!d(string=x)}, {@code %!d(MISSING)}, {@code %!(EXTRA int64=1)}.
 *
 * <p>Supported: flags {@code + - # 0 space}, width, precision, {@code %[n]} argument indexes and
 * the verbs {@code v t b d o x X c q U e E f F g G s}.
 */
final class GoFormat {

  private GoFormat() {}

  private static final class Spec {
    boolean plus;
    boolean minus;
    boolean sharp;
    boolean zero;
    boolean space;
    int width = -1;
    int precision = -1;
  }

  static String sprintf(String format, List<Value> args) {
    StringBuilder out = new StringBuilder();
    int argNum = 0;
    boolean reordered = false;
    int n = format.length();
    int i = 0;
    while (i < n) {
      char c = format.charAt(i);
      if (c != '%') {
        out.append(c);
        i++;
        continue;
      }
      i++;
      Spec spec = new Spec();
      // flags
      for (; i < n; i++) {
        char f = format.charAt(i);
        if (f == '+') spec.plus = true;
        else if (f == '-') spec.minus = true;
        else if (f == '#') spec.sharp = true;
        else if (f == '0') spec.zero = true;
        else if (f == ' ') spec.space = true;
        else break;
      }
      boolean badIndex = false;
      // argument index before width
      if (i < n && format.charAt(i) == '[') {
        int close = format.indexOf(']', i);
        Integer idx = close < 0 ? null : parseIndex(format.substring(i + 1, close), args.size());
        if (idx == null) {
          badIndex = true;
          i = close < 0 ? n : close + 1;
        } else {
          argNum = idx;
          reordered = true;
          i = close + 1;
        }
      }
      int start = i;
      while (i < n && Character.isDigit(format.charAt(i))) i++;
      if (i > start) spec.width = Integer.parseInt(format.substring(start, i));
      if (i < n && format.charAt(i) == '.') {
        i++;
        start = i;
        while (i < n && Character.isDigit(format.charAt(i))) i++;
        spec.precision = i > start ? Integer.parseInt(format.substring(start, i)) : 0;
      }
      if (!badIndex && i < n && format.charAt(i) == '[') {
        int close = format.indexOf(']', i);
        Integer idx = close < 0 ? null : parseIndex(format.substring(i + 1, close), args.size());
        if (idx == null) {
          badIndex = true;
          i = close < 0 ? n : close + 1;
        } else {
          argNum = idx;
          reordered = true;
          i = close + 1;
        }
      }
      if (i >= n) {
        out.append("%!(NOVERB)");
        break;
      }
      int verb = format.codePointAt(i);
      i += Character.charCount(verb);
      if (verb == '%') {
        out.append('%');
        continue;
      }
      if (badIndex) {
        out.append("%!").appendCodePoint(verb).append("(BADINDEX)");
        continue;
      }
      if (argNum >= args.size()) {
        out.append("%!").appendCodePoint(verb).append("(MISSING)");
        continue;
      }
      out.append(formatOne(spec, verb, args.get(argNum++)));
    }
    if (!reordered && argNum < args.size()) {
      out.append("%!(EXTRA ");
      for (int k = argNum; k < args.size(); k++) {
        if (k > argNum) out.append(", ");
        Value v = args.get(k);
        out.append(v == Value.NULL ? "<nil>" : goType(v) + "=" + formatOne(new Spec(), 'v', v));
      }
      out.append(')');
    }
    return out.toString();
  }

  private static Integer parseIndex(String s, int count) {
    try {
      int k = Integer.parseInt(s);
      return k >= 1 && k <= count ? k - 1 : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String goType(Value v) {
    if (v instanceof Value.Num n) return n.isInteger() ? "int64" : "float64";
    if (v instanceof Value.Str) return "string";
    if (v instanceof Value.Bool) return "bool";
    if (v instanceof Value.Array) return "[]interface {}";
    if (v instanceof Value.Obj) return "map[string]interface {}";
    return v.typeName();
  }

  private static String bad(int verb, Value v) {
    String inner = v == Value.NULL ? "<nil>" : goType(v) + "=" + formatOne(new Spec(), 'v', v);
    return "%!" + new String(Character.toChars(verb)) + "(" + inner + ")";
  }

  private static String formatOne(Spec s, int verb, Value v) {
    if (v == Value.NULL) {
      return verb == 'v' ? pad(s, "<nil>", false) : "%!" + new String(Character.toChars(verb)) + "(<nil>)";
    }
    if (v instanceof Value.Bool b) {
      return verb == 't' || verb == 'v' ? pad(s, Boolean.toString(b.value()), false) : bad(verb, v);
    }
    if (v instanceof Value.Num num) {
      return num.isInteger() ? formatInt(s, verb, num) : formatFloat(s, verb, num);
    }
    if (v instanceof Value.Str str) {
      return formatString(s, verb, str.secret() ? "(secret)" : str.value(), v);
    }
    if (v instanceof Value.Array arr) {
      StringBuilder b = new StringBuilder("[");
      for (int k = 0; k < arr.elements().size(); k++) {
        if (k > 0) b.append(' ');
        b.append(formatOne(s, verb, arr.elements().get(k)));
      }
      return b.append(']').toString();
    }
    if (v instanceof Value.Obj obj) {
      StringBuilder b = new StringBuilder("map[");
      boolean first = true;
      for (Map.Entry<String, Value> e : new TreeMap<>(obj.fields()).entrySet()) {
        if (!first) b.append(' ');
        first = false;
        b.append(formatString(s, verb, e.getKey(), Value.of(e.getKey())))
            .append(':')
            .append(formatOne(s, verb, e.getValue()));
      }
      return b.append(']').toString();
    }
    return pad(s, v.toString(), false);
  }

  private static String formatString(Spec s, int verb, String str, Value v) {
    switch (verb) {
      case 'v', 's' -> {
        if (s.precision >= 0 && str.codePointCount(0, str.length()) > s.precision) {
          str = str.substring(0, str.offsetByCodePoints(0, s.precision));
        }
        return pad(s, str, false);
      }
      case 'q' -> {
        return pad(s, s.sharp && !str.contains("`") ? "`" + str + "`" : GoStrings.quote(str), false);
      }
      case 'x', 'X' -> {
        StringBuilder b = new StringBuilder();
        for (byte by : str.getBytes(StandardCharsets.UTF_8)) {
          b.append(String.format(verb == 'x' ? "%02x" : "%02X", by & 0xff));
        }
        return pad(s, b.toString(), false);
      }
      default -> {
        return bad(verb, v);
      }
    }
  }

  private static String formatInt(Spec s, int verb, Value.Num num) {
    long x = num.longValue();
    String digits;
    String prefix = "";
    switch (verb) {
      case 'v', 'd' -> digits = Long.toString(Math.abs(x));
      case 'b' -> digits = Long.toBinaryString(Math.abs(x));
      case 'o' -> {
        digits = Long.toOctalString(Math.abs(x));
        if (s.sharp) prefix = "0";
      }
      case 'x' -> {
        digits = Long.toHexString(Math.abs(x));
        if (s.sharp) prefix = "0x";
      }
      case 'X' -> {
        digits = Long.toHexString(Math.abs(x)).toUpperCase();
        if (s.sharp) prefix = "0X";
      }
      case 'c' -> {
        return pad(s, new String(Character.toChars((int) x)), false);
      }
      case 'q' -> {
        return pad(s, "'" + new String(Character.toChars((int) x)) + "'", false);
      }
      case 'U' -> {
        return pad(s, String.format("U+%04X", x), false);
      }
      default -> {
        return bad(verb, num);
      }
    }
    if (x == Long.MIN_VALUE) digits = digits.replace("-", "");
    if (s.precision >= 0) {
      while (digits.length() < s.precision) digits = "0" + digits;
      if (s.precision == 0 && x == 0) digits = "";
    }
    String sign = x < 0 ? "-" : s.plus ? "+" : s.space ? " " : "";
    return padNumber(s, sign + prefix, digits, s.precision < 0);
  }

  private static String formatFloat(Spec s, int verb, Value.Num num) {
    double d = num.doubleValue();
    String body;
    switch (verb) {
      case 'v', 'g', 'G' -> body = formatG(Math.abs(d), s.precision, verb == 'G');
      case 'e', 'E' -> body = formatE(Math.abs(d), s.precision < 0 ? 6 : s.precision, verb == 'E');
      case 'f', 'F' -> body = formatF(Math.abs(d), s.precision < 0 ? 6 : s.precision);
      default -> {
        return bad(verb, num);
      }
    }
    if (Double.isNaN(d)) return pad(s, "NaN", false);
    boolean negative = d < 0 || (d == 0 && 1 / d < 0);
    String sign = negative ? "-" : s.plus ? "+" : s.space ? " " : "";
    if (Double.isInfinite(d)) return pad(s, sign + "Inf", false);
    return padNumber(s, sign, body, true);
  }

  /** Go's shortest-repr digits of a finite, non-negative double: (digits, decimal exponent). */
  private static BigDecimal shortest(double d) {
    return new BigDecimal(Double.toString(d)).stripTrailingZeros();
  }

  /** {@code %g}: shortest representation by default, exponent form when exp < -4 or >= precision. */
  static String formatG(double d, int precision, boolean upper) {
    if (Double.isInfinite(d) || Double.isNaN(d)) return Double.isNaN(d) ? "NaN" : "Inf";
    BigDecimal bd;
    int eprec;
    if (precision < 0) {
      bd = d == 0 ? BigDecimal.ZERO : shortest(d);
      eprec = 6; // Go decides the form for shortest %g as if the precision were 6
    } else {
      int p = precision == 0 ? 1 : precision;
      bd = d == 0 ? BigDecimal.ZERO : new BigDecimal(d).round(new java.math.MathContext(p, RoundingMode.HALF_EVEN)).stripTrailingZeros();
      eprec = p;
    }
    if (d == 0) return "0";
    int exp = bd.precision() - bd.scale() - 1;
    if (exp < -4 || exp >= eprec) {
      String digits = bd.unscaledValue().abs().toString();
      String mant = digits.length() > 1 ? digits.charAt(0) + "." + digits.substring(1) : digits;
      return mant + (upper ? "E" : "e") + expSuffix(exp);
    }
    return bd.toPlainString();
  }

  static String formatE(double d, int precision, boolean upper) {
    if (d == 0) {
      return (precision > 0 ? "0." + "0".repeat(precision) : "0") + (upper ? "E" : "e") + "+00";
    }
    BigDecimal bd = new BigDecimal(d).round(new java.math.MathContext(precision + 1, RoundingMode.HALF_EVEN));
    int exp = bd.precision() - bd.scale() - 1;
    String digits = bd.unscaledValue().abs().toString();
    while (digits.length() < precision + 1) digits += "0";
    digits = digits.substring(0, precision + 1);
    String mant = precision > 0 ? digits.charAt(0) + "." + digits.substring(1) : digits;
    return mant + (upper ? "E" : "e") + expSuffix(exp);
  }

  private static String expSuffix(int exp) {
    String e = Integer.toString(Math.abs(exp));
    return (exp < 0 ? "-" : "+") + (e.length() < 2 ? "0" + e : e);
  }

  static String formatF(double d, int precision) {
    return new BigDecimal(d).setScale(precision, RoundingMode.HALF_EVEN).toPlainString();
  }

  private static String padNumber(Spec s, String sign, String digits, boolean zeroAllowed) {
    if (s.zero && !s.minus && zeroAllowed && s.width > 0) {
      StringBuilder b = new StringBuilder(digits);
      while (b.length() + sign.length() < s.width) b.insert(0, '0');
      return sign + b;
    }
    return pad(s, sign + digits, false);
  }

  private static String pad(Spec s, String text, boolean unused) {
    int len = text.codePointCount(0, text.length());
    if (s.width <= len) return text;
    String padding = " ".repeat(s.width - len);
    return s.minus ? text + padding : padding + text;
  }
}
