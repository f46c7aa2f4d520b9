package io.mpac.collector.processor.loki;

import com.google.re2j.Pattern;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An unanchored RE2 search ({@code regexp.MatchString} in Go) that avoids the regex engine where
 * the regex's own text says it can:
 * <ul>
 *   <li>When the regex is a finite set of literal strings, built only from literal characters,
 *       escaped punctuation, groups with alternation and {@code ?} (the fixture's
 *       {@code "path":"/(health|ready)z?"} is the four strings {@code "path":"/health"},
 *       {@code "path":"/healthz"}, {@code "path":"/ready"}, {@code "path":"/readyz"}), a line matches
 *       exactly when it contains one of them: {@code indexOf} and {@code startsWith}, no regex.</li>
 *   <li>Otherwise, when every match must start with one of a few literal strings (the regex begins
 *       with such a finite part), lines are searched for those strings and the regex runs,
 *       anchored, only where one occurs.</li>
 *   <li>Otherwise (a regex starting with {@code .}, a class, a flag group, an assertion, ...) the
 *       plain unanchored search runs.</li>
 * </ul>
 * Same results as {@code Pattern.compile(regex).matcher(s).find()} in every case; {@code
 * FastRegexTest} checks that against random lines.
 */
final class FastRegex {

  /** At most this many literal strings are derived; beyond it the analysis stops. */
  static final int MAX_LITERALS = 64;

  private final Pattern unanchored;
  private final Pattern anchored; // null unless candidates are a prefilter for the regex
  /** Every match starts with one of these (null: no usable prefilter). */
  private final String[] candidates;
  /** The longest common prefix of the candidates, searched with indexOf ("" when none). */
  private final String anchor;
  /** True when the regex matches exactly the candidate strings (no regex needed). */
  private final boolean exact;

  FastRegex(String regex) {
    this.unanchored = Stages.compileUnanchored(regex);
    Literals lits = literals(regex);
    if (lits == null) {
      this.candidates = null;
      this.anchor = "";
      this.exact = false;
      this.anchored = null;
    } else {
      this.candidates = lits.strings.toArray(new String[0]);
      this.anchor = commonPrefix(candidates);
      this.exact = lits.exact;
      this.anchored = exact ? null : Pattern.compile("^(?:" + regex + ")");
    }
  }

  /** True when the regex is a finite set of literals and no regex engine runs at all (for tests). */
  boolean isLiteralSet() {
    return exact;
  }

  /** The literal strings every match starts with, or null when there is no prefilter (for tests). */
  List<String> candidates() {
    return candidates == null ? null : List.of(candidates);
  }

  boolean find(String s) {
    if (candidates == null) return unanchored.matcher(s).find();
    if (!anchor.isEmpty()) {
      int from = 0;
      while (true) {
        int i = s.indexOf(anchor, from);
        if (i < 0) return false;
        if (matchesAt(s, i)) return true;
        from = i + 1;
      }
    }
    for (String c : candidates) {
      int from = 0;
      while (true) {
        int i = s.indexOf(c, from);
        if (i < 0) break;
        if (exact || anchoredAt(s, i)) return true;
        from = i + 1;
      }
    }
    return false;
  }

  /** Whether a match starts at {@code i}, where the anchor (the candidates' common prefix) occurs. */
  private boolean matchesAt(String s, int i) {
    int a = anchor.length();
    for (String c : candidates) {
      if (s.regionMatches(i + a, c, a, c.length() - a)) return exact || anchoredAt(s, i);
    }
    return false;
  }

  private boolean anchoredAt(String s, int i) {
    return anchored.matcher(i == 0 ? s : java.nio.CharBuffer.wrap(s, i, s.length())).find();
  }

  /** What {@link #literals} found: every match starts with one of {@code strings}; {@code exact} when it is one of them. */
  record Literals(Set<String> strings, boolean exact) {}

  /**
   * The literal strings every match of {@code regex} starts with, or null when there are none
   * worth searching for (one of them would be empty, or there are more than {@value #MAX_LITERALS}).
   * Only literal characters, escaped ASCII punctuation, groups ({@code (...)}, {@code (?:...)}) with
   * alternation and {@code ?} are understood; anything else ends the analysis (conservatively: the
   * strings found so far are prefixes of every match).
   */
  static Literals literals(String regex) {
    Analysis a = new Analysis(regex);
    Seq top = a.alternation(0, true);
    if (top == null) return null;
    boolean exact = top.exact && top.end == regex.length();
    for (String s : top.strings) {
      if (s.isEmpty()) return null;
    }
    return new Literals(top.strings, exact);
  }

  /** A parsed (part of a) regex: the strings it can begin with, whether it is exactly them, where it ended. */
  private record Seq(Set<String> strings, boolean exact, int end) {}

  private static final class Analysis {
    private final String re;

    Analysis(String re) {
      this.re = re;
    }

    /**
     * Branches separated by {@code |} from {@code pos} up to an unmatched {@code )} or the end.
     * At the top level a branch may be cut short (its strings are then prefixes); inside a group
     * every branch must be exact, else null.
     */
    Seq alternation(int pos, boolean top) {
      Set<String> all = new LinkedHashSet<>();
      boolean exact = true;
      while (true) {
        Seq branch = sequence(pos);
        if (!branch.exact) {
          if (!top) return null;
          exact = false;
          // Skip the rest of this branch: the next top-level '|' starts another one.
          int next = nextTopLevelBar(branch.end);
          if (next == -2) return null; // cannot tell where the branch ends
          all.addAll(branch.strings);
          if (all.size() > MAX_LITERALS) return null;
          if (next < 0) return new Seq(all, false, re.length());
          pos = next + 1;
          continue;
        }
        all.addAll(branch.strings);
        if (all.size() > MAX_LITERALS) return null;
        if (branch.end < re.length() && re.charAt(branch.end) == '|') {
          pos = branch.end + 1;
          continue;
        }
        return new Seq(all, exact, branch.end);
      }
    }

    /**
     * The index of the next {@code |} at nesting depth 0 from {@code pos}, -1 when there is none,
     * -2 when the text is too unusual to tell (a character class, or {@code \\Q...\\E} quoting,
     * either of which may hold a {@code |} or a parenthesis that is only a character).
     */
    private int nextTopLevelBar(int pos) {
      int depth = 0;
      for (int i = pos; i < re.length(); i++) {
        char c = re.charAt(i);
        if (c == '\\') {
          if (i + 1 < re.length() && re.charAt(i + 1) == 'Q') return -2;
          i++;
        } else if (c == '[') {
          return -2;
        } else if (c == '(') {
          depth++;
        } else if (c == ')') {
          depth--;
        } else if (c == '|' && depth == 0) {
          return i;
        }
      }
      return -1;
    }

    /** A concatenation from {@code pos} up to {@code |}, {@code )} or the end, or up to the first atom not understood. */
    Seq sequence(int pos) {
      Set<String> acc = new LinkedHashSet<>();
      acc.add("");
      // Before the last atom: a flag group (?i) or a \Q...\E quote may be empty, and then a
      // quantifier after it applies to the atom before it ("ab(?i)*" is "ab*" case-folded), so the
      // analysis stopping at one of those also gives up that atom.
      Set<String> beforeLast = acc;
      int n = re.length();
      while (pos < n) {
        char c = re.charAt(pos);
        if (c == '|' || c == ')') break;
        List<String> atom = new ArrayList<>(4);
        int next;
        if (c == '(') {
          int inner;
          if (re.startsWith("(?:", pos)) {
            inner = pos + 3;
          } else if (pos + 1 < n && re.charAt(pos + 1) == '?') {
            return new Seq(beforeLast, false, pos); // flags, named groups
          } else {
            inner = pos + 1;
          }
          Seq group = alternation(inner, false);
          if (group == null || group.end >= n || re.charAt(group.end) != ')') return new Seq(acc, false, pos);
          atom.addAll(group.strings);
          next = group.end + 1;
        } else if (c == '\\') {
          if (pos + 1 >= n || !isPunctuation(re.charAt(pos + 1))) return new Seq(beforeLast, false, pos);
          atom.add(String.valueOf(re.charAt(pos + 1)));
          next = pos + 2;
        } else if (".[]{}^$*+?".indexOf(c) >= 0 || Character.isSurrogate(c)) {
          return new Seq(acc, false, pos);
        } else {
          atom.add(String.valueOf(c));
          next = pos + 1;
        }
        if (next < n) {
          char q = re.charAt(next);
          if (q == '*' || q == '+' || q == '{') return new Seq(acc, false, pos);
          if (q == '?') {
            if (next + 1 < n && "?+*{".indexOf(re.charAt(next + 1)) >= 0) return new Seq(acc, false, pos);
            atom.add("");
            next++;
          }
        }
        Set<String> product = new LinkedHashSet<>();
        for (String a : acc) {
          for (String b : atom) {
            product.add(a + b);
          }
        }
        if (product.size() > MAX_LITERALS) return new Seq(acc, false, pos);
        beforeLast = acc;
        acc = product;
        pos = next;
      }
      return new Seq(acc, true, pos);
    }

    private static boolean isPunctuation(char c) {
      return c > 0x20 && c < 0x7f && !Character.isLetterOrDigit(c);
    }
  }

  private static String commonPrefix(String[] strings) {
    String p = strings[0];
    for (String s : strings) {
      int k = 0;
      int max = Math.min(p.length(), s.length());
      while (k < max && p.charAt(k) == s.charAt(k)) k++;
      p = p.substring(0, k);
    }
    return p;
  }

  /** The literal text every match starts with, or "" when unsure (the simpler analysis; kept for reference). */
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
