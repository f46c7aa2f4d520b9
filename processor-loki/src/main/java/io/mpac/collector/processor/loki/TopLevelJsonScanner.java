package io.mpac.collector.processor.loki;

import java.math.BigDecimal;
import java.util.Map;

/**
 * The fast path of {@code stage.json} when every expression is a top-level field: one pass over
 * the line's characters that checks it is one well-formed JSON object and takes the wanted fields'
 * values, without a parser object, a token per field, or a {@code String} for any name or unwanted
 * value.
 *
 * <p>It only ever answers with certainty when the line is plain, strict JSON (RFC 8259) well inside
 * Jackson's default limits; then the values are the ones Jackson's streaming parser would give
 * (strings decoded, integers as written, fractions in Go's shortest form, {@code true}/{@code
 * false}, nulls left out). For anything else (a syntax error, a wanted value that is an object or
 * array, a number longer than {@value #MAX_NUMBER_LENGTH} characters, nesting deeper than {@value
 * #MAX_DEPTH}, a line longer than {@value #MAX_LINE_LENGTH} characters, more values than the output
 * array holds) it answers {@link #UNSURE} and the caller asks Jackson, so the outcome of a line
 * never depends on which path read it. {@code JsonScannerTest} checks that against Jackson with
 * random and mutated lines.
 *
 * <p>Immutable and thread-safe.
 */
final class TopLevelJsonScanner {

  /** {@link #scan}'s answer when the caller must use the general parser. */
  static final int UNSURE = -1;
  /** Deeper nesting is left to Jackson (whose own limit is 1000). */
  static final int MAX_DEPTH = 64;
  /** Longer numbers are left to Jackson (whose own limit is 1000 digits). */
  static final int MAX_NUMBER_LENGTH = 64;
  /**
   * Longer lines are left to Jackson: below this no name can reach Jackson's 50 000-character limit
   * on names, nor a string its 20 000 000-character limit.
   */
  static final int MAX_LINE_LENGTH = 32_768;

  private final String[] names;
  private final char[][] nameChars;
  private final String[][] keys;
  /** Open addressing by {@code String.hashCode()} of the wanted names: index + 1, 0 when empty. */
  private final int[] table;
  private final int[] tableHashes;

  /** @param fields wanted top-level field name → the extracted keys that receive its value */
  TopLevelJsonScanner(Map<String, String[]> fields) {
    this.names = fields.keySet().toArray(new String[0]);
    this.nameChars = new char[names.length][];
    this.keys = new String[names.length][];
    int size = Integer.highestOneBit(Math.max(4, names.length * 4) - 1) << 1;
    this.table = new int[size];
    this.tableHashes = new int[size];
    for (int i = 0; i < names.length; i++) {
      keys[i] = fields.get(names[i]).clone();
      nameChars[i] = names[i].toCharArray();
      int h = names[i].hashCode();
      int slot = h & (size - 1);
      while (table[slot] != 0) slot = (slot + 1) & (size - 1);
      table[slot] = i + 1;
      tableHashes[slot] = h;
    }
  }

  /**
   * Reads {@code s}, using {@code buf} (at least {@code s.length()} long) as scratch. When it is one
   * JSON object and every wanted value could be taken, writes (extracted key, value) pairs into
   * {@code out} in the order the fields occur and returns how many array slots it used; otherwise
   * returns {@link #UNSURE}.
   */
  int scan(String s, char[] buf, String[] out) {
    int n = s.length();
    if (n > MAX_LINE_LENGTH) return UNSURE;
    s.getChars(0, n, buf, 0);
    char[] b = buf;
    int i = skipWhitespace(b, 0, n);
    if (i >= n || b[i] != '{') return UNSURE;
    i = skipWhitespace(b, i + 1, n);
    int count = 0;
    if (i < n && b[i] == '}') {
      i++;
    } else {
      while (true) {
        if (i >= n || b[i] != '"') return UNSURE;
        int nameStart = i + 1;
        int field;
        // A plain name (no escapes, no control characters), hashed as String.hashCode() on the way.
        int h = 0;
        int j = nameStart;
        char c = 0;
        while (j < n) {
          c = b[j];
          if (c == '"' || c == '\\' || c < 0x20) break;
          h = 31 * h + c;
          j++;
        }
        if (j < n && c == '"') {
          field = lookUp(h, b, nameStart, j - nameStart);
          i = j + 1;
        } else {
          int end = escapedStringEnd(b, nameStart, n, true);
          if (end < 0) return UNSURE;
          field = lookUp(decode(b, nameStart, end));
          i = end + 1;
        }
        i = skipWhitespace(b, i, n);
        if (i >= n || b[i] != ':') return UNSURE;
        i = skipWhitespace(b, i + 1, n);
        if (i >= n) return UNSURE;
        if (field < 0) {
          i = skipValue(b, i, n, 1);
          if (i < 0) return UNSURE;
        } else {
          c = b[i];
          String value;
          if (c == '"') {
            int end = plainStringEnd(b, i + 1, n);
            if (end >= 0) {
              value = s.substring(i + 1, end);
            } else {
              end = escapedStringEnd(b, i + 1, n, false);
              if (end < 0) return UNSURE;
              value = decode(b, i + 1, end);
            }
            i = end + 1;
          } else if (c == 't' && matches(b, i, n, "true")) {
            value = "true";
            i += 4;
          } else if (c == 'f' && matches(b, i, n, "false")) {
            value = "false";
            i += 5;
          } else if (c == 'n' && matches(b, i, n, "null")) {
            value = null;
            i += 4;
          } else if (c == '-' || isDigit(c)) {
            int end = numberEnd(b, i, n);
            if (end < 0) return UNSURE;
            String text = s.substring(i, end);
            if (isInteger(b, i, end)) {
              value = text;
            } else {
              try {
                value = JsonStage.goFloat(new BigDecimal(text));
              } catch (NumberFormatException e) {
                return UNSURE; // beyond what can be written out: Jackson's path decides (malformed)
              }
            }
            i = end;
          } else {
            return UNSURE; // an object or array (compact JSON comes from the general path), or bad
          }
          if (value != null) {
            for (String k : keys[field]) {
              if (count + 2 > out.length) return UNSURE;
              out[count++] = k;
              out[count++] = value;
            }
          }
        }
        i = skipWhitespace(b, i, n);
        if (i >= n) return UNSURE;
        c = b[i];
        if (c == ',') {
          i = skipWhitespace(b, i + 1, n);
        } else if (c == '}') {
          i++;
          break;
        } else {
          return UNSURE;
        }
      }
    }
    return skipWhitespace(b, i, n) == n ? count : UNSURE;
  }

  /** The wanted field whose name is {@code b[start, start+len)} with hash {@code h}, or -1. */
  private int lookUp(int h, char[] b, int start, int len) {
    int mask = table.length - 1;
    for (int slot = h & mask; table[slot] != 0; slot = (slot + 1) & mask) {
      if (tableHashes[slot] != h) continue;
      int f = table[slot] - 1;
      if (sameChars(nameChars[f], b, start, len)) return f;
    }
    return -1;
  }

  /** A plain loop: names are short, too short for Arrays.equals' vectorised mismatch to pay off. */
  private static boolean sameChars(char[] name, char[] b, int start, int len) {
    if (name.length != len) return false;
    for (int k = 0; k < len; k++) {
      if (name[k] != b[start + k]) return false;
    }
    return true;
  }

  private int lookUp(String name) {
    for (int f = 0; f < names.length; f++) {
      if (names[f].equals(name)) return f;
    }
    return -1;
  }

  // ---------------------------------------------------------------- grammar (strict RFC 8259)

  private static int skipWhitespace(char[] b, int i, int n) {
    while (i < n) {
      char c = b[i];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') break;
      i++;
    }
    return i;
  }

  private static boolean matches(char[] b, int i, int n, String literal) {
    if (i + literal.length() > n) return false;
    for (int k = 0; k < literal.length(); k++) {
      if (b[i + k] != literal.charAt(k)) return false;
    }
    return true;
  }

  /** The index of the closing quote of a string starting at {@code i} (after the opening quote) without escapes or control characters; -1 otherwise. */
  private static int plainStringEnd(char[] b, int i, int n) {
    for (; i < n; i++) {
      char c = b[i];
      if (c == '"') return i;
      if (c == '\\' || c < 0x20) return -1;
    }
    return -1;
  }

  /**
   * The index of the closing quote of a string starting at {@code i} with valid escapes only; -1
   * otherwise. In a {@code name}, an escaped surrogate ({@code \\uD800}–{@code \\uDFFF}) counts as
   * invalid too: Jackson checks that escaped surrogates pair up in field names (not in values).
   */
  private static int escapedStringEnd(char[] b, int i, int n, boolean name) {
    while (i < n) {
      char c = b[i];
      if (c == '"') return i;
      if (c < 0x20) return -1;
      if (c == '\\') {
        if (i + 1 >= n) return -1;
        char e = b[i + 1];
        if (e == 'u') {
          if (i + 6 > n) return -1;
          for (int k = i + 2; k < i + 6; k++) {
            if (!isHexDigit(b[k])) return -1;
          }
          if (name && hex(b[i + 2]) == 0xd && hex(b[i + 3]) >= 8) return -1;
          i += 6;
          continue;
        }
        if (e != '"' && e != '\\' && e != '/' && e != 'b' && e != 'f' && e != 'n' && e != 'r' && e != 't') return -1;
        i += 2;
        continue;
      }
      i++;
    }
    return -1;
  }

  /** The characters between {@code start} and {@code end} with escapes resolved (already validated). */
  private static String decode(char[] b, int start, int end) {
    StringBuilder sb = new StringBuilder(end - start);
    for (int i = start; i < end; i++) {
      char c = b[i];
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      char e = b[++i];
      switch (e) {
        case 'b' -> sb.append('\b');
        case 'f' -> sb.append('\f');
        case 'n' -> sb.append('\n');
        case 'r' -> sb.append('\r');
        case 't' -> sb.append('\t');
        case 'u' -> {
          sb.append((char) ((hex(b[i + 1]) << 12) | (hex(b[i + 2]) << 8) | (hex(b[i + 3]) << 4) | hex(b[i + 4])));
          i += 4;
        }
        default -> sb.append(e); // " \ /
      }
    }
    return sb.toString();
  }

  private static int hex(char c) {
    return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
  }

  /** The index after a number starting at {@code i}: {@code -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?}; -1 when there is none. */
  private static int numberEnd(char[] b, int i, int n) {
    int start = i;
    if (i < n && b[i] == '-') i++;
    if (i >= n) return -1;
    char c = b[i];
    if (c == '0') {
      i++;
    } else if (c >= '1' && c <= '9') {
      while (i < n && isDigit(b[i])) i++;
    } else {
      return -1;
    }
    if (i < n && b[i] == '.') {
      int d = ++i;
      while (i < n && isDigit(b[i])) i++;
      if (i == d) return -1;
    }
    if (i < n && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      if (i < n && (b[i] == '+' || b[i] == '-')) i++;
      int d = i;
      while (i < n && isDigit(b[i])) i++;
      if (i == d) return -1;
    }
    // A digit right after (as in 01) is not JSON; a letter or '.' is caught by the caller's next check.
    if (i < n && isDigit(b[i])) return -1;
    return i - start > MAX_NUMBER_LENGTH ? -1 : i;
  }

  private static boolean isInteger(char[] b, int start, int end) {
    for (int i = start; i < end; i++) {
      char c = b[i];
      if (c == '.' || c == 'e' || c == 'E') return false;
    }
    return true;
  }

  private static boolean isHexDigit(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  /** The index after the value starting at {@code i} (validated, not kept); -1 when unsure. */
  private static int skipValue(char[] b, int i, int n, int depth) {
    char c = b[i];
    switch (c) {
      case '"': {
        int end = escapedStringEnd(b, i + 1, n, false);
        return end < 0 ? -1 : end + 1;
      }
      case 't':
        return matches(b, i, n, "true") ? i + 4 : -1;
      case 'f':
        return matches(b, i, n, "false") ? i + 5 : -1;
      case 'n':
        return matches(b, i, n, "null") ? i + 4 : -1;
      case '{': {
        if (depth + 1 > MAX_DEPTH) return -1;
        i = skipWhitespace(b, i + 1, n);
        if (i < n && b[i] == '}') return i + 1;
        while (true) {
          if (i >= n || b[i] != '"') return -1;
          int end = escapedStringEnd(b, i + 1, n, true);
          if (end < 0) return -1;
          i = skipWhitespace(b, end + 1, n);
          if (i >= n || b[i] != ':') return -1;
          i = skipWhitespace(b, i + 1, n);
          if (i >= n) return -1;
          i = skipValue(b, i, n, depth + 1);
          if (i < 0) return -1;
          i = skipWhitespace(b, i, n);
          if (i >= n) return -1;
          char d = b[i];
          if (d == '}') return i + 1;
          if (d != ',') return -1;
          i = skipWhitespace(b, i + 1, n);
        }
      }
      case '[': {
        if (depth + 1 > MAX_DEPTH) return -1;
        i = skipWhitespace(b, i + 1, n);
        if (i < n && b[i] == ']') return i + 1;
        while (true) {
          if (i >= n) return -1;
          i = skipValue(b, i, n, depth + 1);
          if (i < 0) return -1;
          i = skipWhitespace(b, i, n);
          if (i >= n) return -1;
          char d = b[i];
          if (d == ']') return i + 1;
          if (d != ',') return -1;
          i = skipWhitespace(b, i + 1, n);
        }
      }
      default:
        return c == '-' || isDigit(c) ? numberEnd(b, i, n) : -1;
    }
  }
}
