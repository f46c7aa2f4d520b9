package io.mpac.collector.processor.loki;

import com.google.re2j.Pattern;

/**
 * An unanchored RE2 search ({@code regexp.MatchString} in Go) with a literal-prefix prefilter:
 * when the regex starts with literal text and has no top-level alternation, a match can only
 * start where that text occurs, so lines without it are rejected with {@code indexOf} and the
 * regex is only run, anchored, at the occurrences. Same results as {@code find()}, much cheaper
 * for the usual "does this line contain X" expressions.
 */
final class FastRegex {

  private final Pattern unanchored;
  private final Pattern anchored; // null when there is no usable prefix
  private final String prefix;

  FastRegex(String regex) {
    this.unanchored = StageConfig.compileUnanchored(regex);
    String p = literalPrefix(regex);
    this.prefix = p;
    this.anchored = p.isEmpty() ? null : Pattern.compile("^(?:" + regex + ")");
  }

  boolean find(String s) {
    if (anchored == null) return unanchored.matcher(s).find();
    int from = 0;
    while (true) {
      int i = s.indexOf(prefix, from);
      if (i < 0) return false;
      if (anchored.matcher(i == 0 ? s : java.nio.CharBuffer.wrap(s, i, s.length())).find()) return true;
      from = i + 1;
    }
  }

  /** The literal text every match starts with, or "" when unsure. */
  static String literalPrefix(String regex) {
    int depth = 0;
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '[') {
        int end = regex.indexOf(']', i + 2);
        if (end < 0) return "";
        i = end;
      } else if (c == '(') {
        depth++;
      } else if (c == ')') {
        depth--;
      } else if (c == '|' && depth == 0) {
        return ""; // top-level alternation: no common prefix
      }
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
        if ((c == '*' || c == '?' || c == '{') && sb.length() > 0) sb.setLength(sb.length() - 1);
        break;
      }
      sb.append(c);
    }
    return sb.toString();
  }
}
