package io.mpac.collector.config.value;

import java.util.ArrayList;
import java.util.List;

/** Go {@code strings} and {@code path/filepath} semantics that Java's String API lacks. */
final class GoStringsLib {

  private GoStringsLib() {}

  /** {@code strings.Split}: an empty separator splits into characters; no regex. */
  static List<String> split(String s, String sep) {
    List<String> out = new ArrayList<>();
    if (sep.isEmpty()) {
      s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
      return out;
    }
    int from = 0;
    while (true) {
      int at = s.indexOf(sep, from);
      if (at < 0) break;
      out.add(s.substring(from, at));
      from = at + sep.length();
    }
    out.add(s.substring(from));
    return out;
  }

  /** {@code strings.ReplaceAll}: an empty {@code old} inserts {@code repl} around every character. */
  static String replaceAll(String s, String old, String repl) {
    if (!old.isEmpty()) return s.replace(old, repl);
    StringBuilder b = new StringBuilder(repl);
    s.codePoints().forEach(cp -> b.appendCodePoint(cp).append(repl));
    return b.toString();
  }

  /** {@code strings.Trim}: strips leading and trailing characters contained in {@code cutset}. */
  static String trim(String s, String cutset) {
    int[] cps = s.codePoints().toArray();
    int start = 0;
    int end = cps.length;
    while (start < end && cutset.indexOf(cps[start]) >= 0) start++;
    while (end > start && cutset.indexOf(cps[end - 1]) >= 0) end--;
    return new String(cps, start, end - start);
  }

  /** {@code strings.TrimSpace}: Unicode white space, as Go's {@code unicode.IsSpace}. */
  static String trimSpace(String s) {
    int[] cps = s.codePoints().toArray();
    int start = 0;
    int end = cps.length;
    while (start < end && isSpace(cps[start])) start++;
    while (end > start && isSpace(cps[end - 1])) end--;
    return new String(cps, start, end - start);
  }

  private static boolean isSpace(int cp) {
    return switch (cp) {
      case '\t', '\n', 0x0b, '\f', '\r', ' ', 0x85, 0xA0 -> true;
      default -> cp > 0xff && Character.isWhitespace(cp) || Character.isSpaceChar(cp) && cp > 0xff;
    };
  }

  /** {@code filepath.Join} on a Unix system: non-empty parts joined by '/', then cleaned. */
  static String pathJoin(List<String> parts) {
    StringBuilder b = new StringBuilder();
    for (String p : parts) {
      if (p.isEmpty()) continue;
      if (b.length() > 0) b.append('/');
      b.append(p);
    }
    return b.length() == 0 ? "" : clean(b.toString());
  }

  /** {@code path.Clean}: removes duplicate slashes, "." and resolvable ".." elements. */
  static String clean(String path) {
    if (path.isEmpty()) return ".";
    boolean rooted = path.startsWith("/");
    List<String> out = new ArrayList<>();
    for (String part : path.split("/")) {
      if (part.isEmpty() || part.equals(".")) continue;
      if (part.equals("..")) {
        if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
          out.remove(out.size() - 1);
        } else if (!rooted) {
          out.add("..");
        }
        continue;
      }
      out.add(part);
    }
    String joined = String.join("/", out);
    if (rooted) return "/" + joined;
    return joined.isEmpty() ? "." : joined;
  }
}
