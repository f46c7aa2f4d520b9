package io.mpac.collector.processor.loki;

import com.google.re2j.Pattern;
import java.util.ArrayList;
import java.util.List;

/**
 * A LogQL log selector as {@code stage.match} takes it: a stream selector {@code {a="b", c=~"x.*",
 * d!="y", e!~"z"}} (regexes anchored, RE2) optionally followed by line filters {@code |= "s"},
 * {@code != "s"}, {@code |~ "re"}, {@code !~ "re"} (regexes unanchored). Strings are double-quoted
 * with Go escapes or back-quoted raw. At least one matcher must not match the empty string, as
 * Loki requires.
 */
final class Selector {

  enum Op { EQ, NEQ, RE, NRE }

  record Matcher(String name, Op op, String value, Pattern pattern) {
    boolean matches(String v) {
      String s = v == null ? "" : v;
      return switch (op) {
        case EQ -> s.equals(value);
        case NEQ -> !s.equals(value);
        case RE -> pattern.matches(s);
        case NRE -> !pattern.matches(s);
      };
    }
  }

  record LineFilter(Op op, String value, Pattern pattern) {
    boolean matches(String line) {
      return switch (op) {
        case EQ -> line.contains(value);
        case NEQ -> !line.contains(value);
        case RE -> pattern.matcher(line).find();
        case NRE -> !pattern.matcher(line).find();
      };
    }
  }

  private final List<Matcher> matchers;
  private final List<LineFilter> filters;

  private Selector(List<Matcher> matchers, List<LineFilter> filters) {
    this.matchers = List.copyOf(matchers);
    this.filters = List.copyOf(filters);
  }

  List<Matcher> matchers() {
    return matchers;
  }

  List<LineFilter> filters() {
    return filters;
  }

  boolean matches(EntryState e) {
    for (Matcher m : matchers) {
      if (!m.matches(e.label(m.name))) return false;
    }
    for (LineFilter f : filters) {
      if (!f.matches(e.line)) return false;
    }
    return true;
  }

  /** Parses a selector; throws IllegalArgumentException with the position of the problem. */
  static Selector parse(String text) {
    return new P(text).selector();
  }

  private static final class P {
    final String s;
    int i;

    P(String s) {
      this.s = s;
    }

    IllegalArgumentException err(String what) {
      return new IllegalArgumentException("selector " + s + ": " + what + " at offset " + i);
    }

    void ws() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }

    boolean eat(String tok) {
      ws();
      if (s.startsWith(tok, i)) {
        i += tok.length();
        return true;
      }
      return false;
    }

    Selector selector() {
      if (!eat("{")) throw err("expected {");
      List<Matcher> ms = new ArrayList<>();
      ws();
      if (!eat("}")) {
        while (true) {
          ms.add(matcher());
          if (eat(",")) {
            if (eat("}")) break; // trailing comma
            continue;
          }
          if (eat("}")) break;
          throw err("expected , or }");
        }
      }
      if (ms.stream().allMatch(m -> m.matches(""))) {
        throw err("needs at least one matcher that does not match the empty string");
      }
      List<LineFilter> fs = new ArrayList<>();
      while (true) {
        ws();
        if (i >= s.length()) break;
        Op op;
        if (eat("|=")) {
          op = Op.EQ;
        } else if (eat("!=")) {
          op = Op.NEQ;
        } else if (eat("|~")) {
          op = Op.RE;
        } else if (eat("!~")) {
          op = Op.NRE;
        } else {
          throw err("expected a line filter (|=, !=, |~, !~)");
        }
        String v = string();
        Pattern p = op == Op.RE || op == Op.NRE ? Stages.compileUnanchored(v) : null;
        fs.add(new LineFilter(op, v, p));
      }
      return new Selector(ms, fs);
    }

    Matcher matcher() {
      ws();
      int start = i;
      while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) i++;
      String name = s.substring(start, i);
      if (name.isEmpty() || Character.isDigit(name.charAt(0))) throw err("expected a label name");
      Op op;
      if (eat("=~")) {
        op = Op.RE;
      } else if (eat("!~")) {
        op = Op.NRE;
      } else if (eat("!=")) {
        op = Op.NEQ;
      } else if (eat("=")) {
        op = Op.EQ;
      } else {
        throw err("expected =, !=, =~ or !~");
      }
      String v = string();
      Pattern p = null;
      if (op == Op.RE || op == Op.NRE) {
        try {
          p = Pattern.compile("^(?s:" + v + ")$");
        } catch (com.google.re2j.PatternSyntaxException e) {
          throw err("invalid regex \"" + v + "\" (" + e.getMessage() + ")");
        }
      }
      return new Matcher(name, op, v, p);
    }

    String string() {
      ws();
      if (i >= s.length()) throw err("expected a string");
      char q = s.charAt(i);
      if (q == '`') {
        int end = s.indexOf('`', i + 1);
        if (end < 0) throw err("unterminated raw string");
        String v = s.substring(i + 1, end);
        i = end + 1;
        return v;
      }
      if (q != '"') throw err("expected a quoted string");
      StringBuilder sb = new StringBuilder();
      i++;
      while (true) {
        if (i >= s.length()) throw err("unterminated string");
        char c = s.charAt(i++);
        if (c == '"') return sb.toString();
        if (c != '\\') {
          sb.append(c);
          continue;
        }
        if (i >= s.length()) throw err("unterminated escape");
        char e = s.charAt(i++);
        switch (e) {
          case 'n' -> sb.append('\n');
          case 't' -> sb.append('\t');
          case 'r' -> sb.append('\r');
          case '\\' -> sb.append('\\');
          case '"' -> sb.append('"');
          case '\'' -> sb.append('\'');
          case 'u' -> {
            if (i + 4 > s.length()) throw err("bad \\u escape");
            sb.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
            i += 4;
          }
          default -> throw err("unknown escape \\" + e);
        }
      }
    }
  }
}
