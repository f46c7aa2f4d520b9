package io.mpac.collector.relabel;

import com.google.re2j.Matcher;

/**
 * Expands a replacement template against a regex match the way Go's {@code regexp.Expand} does:
 * {@code $1}, {@code ${1}}, {@code $name}, {@code ${name}}; {@code $$} is a literal {@code $}. A
 * name is the longest run of letters, digits and {@code _}, so {@code $1x} means the group named
 * {@code 1x} (empty), not {@code ${1}x}. References to groups that do not exist or did not match
 * expand to nothing; a malformed {@code $} is copied as it is.
 */
public final class GoTemplate {

  private GoTemplate() {}

  /** True when {@code template} contains no {@code $}: it expands to itself. */
  public static boolean isLiteral(String template) {
    return template.indexOf('$') < 0;
  }

  /** Appends {@code template} expanded with the groups of {@code m} (which has matched) to {@code out}. */
  public static void expand(StringBuilder out, String template, Matcher m) {
    int n = template.length();
    int i = 0;
    while (i < n) {
      char c = template.charAt(i);
      if (c != '$') {
        out.append(c);
        i++;
        continue;
      }
      if (i + 1 < n && template.charAt(i + 1) == '$') {
        out.append('$');
        i += 2;
        continue;
      }
      int nameStart;
      int nameEnd;
      int next;
      if (i + 1 < n && template.charAt(i + 1) == '{') {
        nameStart = i + 2;
        nameEnd = nameStart;
        while (nameEnd < n && isNameChar(template.charAt(nameEnd))) nameEnd++;
        if (nameEnd == nameStart || nameEnd >= n || template.charAt(nameEnd) != '}') {
          out.append('$');
          i++;
          continue;
        }
        next = nameEnd + 1;
      } else {
        nameStart = i + 1;
        nameEnd = nameStart;
        while (nameEnd < n && isNameChar(template.charAt(nameEnd))) nameEnd++;
        if (nameEnd == nameStart) {
          out.append('$');
          i++;
          continue;
        }
        next = nameEnd;
      }
      String g = group(m, template.substring(nameStart, nameEnd));
      if (g != null) out.append(g);
      i = next;
    }
  }

  /** {@code template} expanded with the groups of {@code m}. */
  public static String expand(String template, Matcher m) {
    if (isLiteral(template)) return template;
    StringBuilder sb = new StringBuilder(template.length() + 16);
    expand(sb, template, m);
    return sb.toString();
  }

  private static String group(Matcher m, String name) {
    boolean numeric = true;
    for (int k = 0; k < name.length(); k++) {
      char ch = name.charAt(k);
      if (ch < '0' || ch > '9') {
        numeric = false;
        break;
      }
    }
    if (numeric) {
      if (name.length() > 6) return null;
      int idx = Integer.parseInt(name);
      return idx <= m.groupCount() ? m.group(idx) : null;
    }
    try {
      return m.group(name);
    } catch (IllegalArgumentException noSuchGroup) {
      return null;
    }
  }

  private static boolean isNameChar(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  }
}
