package io.mpac.collector.deploy;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the metric names a PromQL expression (or a Grafana {@code label_values(metric, label)}
 * variable query) reads. Not a parser: it removes what cannot be a metric name (strings, label
 * matchers, ranges, grouping clauses, Grafana variables), then keeps identifiers that are not
 * functions, keywords or aggregation operators. Good enough for dashboards and alert rules.
 */
final class PromQl {

  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
      "group_right", "offset", "bool", "and", "or", "unless", "atan2", "inf", "nan", "le");
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^{}]*}");
  private static final Pattern RANGE = Pattern.compile("\\[[^\\[\\]]*]");
  private static final Pattern GROUPING = Pattern.compile(
      "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^()]*\\)");
  private static final Pattern VARIABLE = Pattern.compile("\\$\\{[^}]*}|\\$\\w+");
  private static final Pattern IDENT = Pattern.compile("(?<![\\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\\w(])(\\s*\\()?");
  private static final Pattern LABEL_VALUES = Pattern.compile("^\\s*label_values\\(\\s*([^,]+),\\s*\\w+\\s*\\)\\s*$");

  private PromQl() {}

  static Set<String> metricNames(String expr) {
    Matcher lv = LABEL_VALUES.matcher(expr);
    if (lv.matches()) return metricNames(lv.group(1));
    if (expr.trim().startsWith("label_values(") && !expr.contains(",")) {
      return metricNames(expr.trim().substring("label_values(".length(), expr.trim().length() - 1));
    }
    String s = VARIABLE.matcher(expr).replaceAll(" ");
    s = STRING.matcher(s).replaceAll("\"\"");
    s = MATCHERS.matcher(s).replaceAll(" ");
    s = RANGE.matcher(s).replaceAll(" ");
    s = GROUPING.matcher(s).replaceAll(" ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENT.matcher(s);
    while (m.find()) {
      if (m.group(2) != null) continue; // a function call or an aggregation: sum(...), rate(...)
      String id = m.group(1);
      if (KEYWORDS.contains(id.toLowerCase(java.util.Locale.ROOT))) continue;
      names.add(id);
    }
    return names;
  }
}
