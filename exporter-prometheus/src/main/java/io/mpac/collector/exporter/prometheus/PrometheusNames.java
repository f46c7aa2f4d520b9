package io.mpac.collector.exporter.prometheus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The OpenTelemetry → Prometheus naming rules (the specification's "Prometheus and OpenMetrics
 * Compatibility", as implemented by {@code prometheus/otlptranslator} with the classic
 * "underscore escaping with suffixes" strategy, which Alloy uses):
 *
 * <ul>
 *   <li><b>Metric names</b>: the OTel name is split into tokens at every character that is not
 *       {@code [a-zA-Z0-9:]} (so runs of such characters, {@code _} included, collapse) and joined
 *       with {@code _}. With suffixes on: the unit suffix is appended (main unit mapped by
 *       {@link #UNITS}, {@code /x} becomes {@code per_<x>} mapped by {@link #PER_UNITS}; units with
 *       {@code {annotations}} or empty give no suffix; a suffix already among the tokens is not
 *       added again), then {@code total} for monotonic counters (moved to the end), then
 *       {@code ratio} for gauges with unit {@code 1}. Without suffixes, runs of invalid characters
 *       become one {@code _} and existing underscores stay. A leading digit gets a {@code _} prefix.
 *   <li><b>Label names</b>: every character that is not {@code [a-zA-Z0-9_]} becomes {@code _}
 *       (no collapsing); a leading digit gets a {@code key_} prefix; a single leading {@code _}
 *       gets {@code key}; names starting with {@code __} are kept.
 * </ul>
 *
 * Pure functions; callers cache results (names repeat in every request).
 */
final class PrometheusNames {

  private PrometheusNames() {}

  /** How a metric is classified for suffixes. */
  enum Kind { GAUGE, MONOTONIC_COUNTER, NON_MONOTONIC_COUNTER, HISTOGRAM, SUMMARY, EXPONENTIAL_HISTOGRAM }

  /** OTel (UCUM) main units → Prometheus unit words. {@code 1} gives no unit suffix. */
  static final Map<String, String> UNITS = Map.ofEntries(
      Map.entry("d", "days"), Map.entry("h", "hours"), Map.entry("min", "minutes"), Map.entry("s", "seconds"),
      Map.entry("ms", "milliseconds"), Map.entry("us", "microseconds"), Map.entry("ns", "nanoseconds"),
      Map.entry("By", "bytes"), Map.entry("KiBy", "kibibytes"), Map.entry("MiBy", "mebibytes"),
      Map.entry("GiBy", "gibibytes"), Map.entry("TiBy", "tibibytes"), Map.entry("KBy", "kilobytes"),
      Map.entry("kBy", "kilobytes"), Map.entry("MBy", "megabytes"), Map.entry("GBy", "gigabytes"),
      Map.entry("TBy", "terabytes"), Map.entry("m", "meters"), Map.entry("V", "volts"), Map.entry("A", "amperes"),
      Map.entry("J", "joules"), Map.entry("W", "watts"), Map.entry("g", "grams"), Map.entry("Cel", "celsius"),
      Map.entry("Hz", "hertz"), Map.entry("1", ""), Map.entry("%", "percent"));

  /** OTel units after {@code /} → singular words, used as {@code per_<word>}. */
  static final Map<String, String> PER_UNITS = Map.of(
      "s", "second", "m", "minute", "h", "hour", "d", "day", "w", "week", "mo", "month", "y", "year");

  private static boolean isMetricNameChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':';
  }

  /**
   * The Prometheus metric (family) name of an OTel metric.
   *
   * @return the name, or null when nothing valid remains (the metric must be dropped)
   */
  static String metricName(String name, String unit, Kind kind, boolean addSuffixes) {
    String result;
    if (addSuffixes) {
      List<String> tokens = tokens(name);
      String[] units = unitSuffixes(unit == null ? "" : unit);
      String main = cleanUnit(units[0]);
      String per = cleanUnit(units[1]);
      if (tokens.contains(main)) main = "";
      if (per.equals("per_")) {
        per = "";
      } else {
        if (per.endsWith("_")) per = per.substring(0, per.length() - 1);
        if (tokens.contains(per)) per = "";
      }
      if (!per.isEmpty() && main.endsWith("_")) main = main.substring(0, main.length() - 1);
      if (!main.isEmpty()) tokens.add(main);
      if (!per.isEmpty()) tokens.add(per);
      if (kind == Kind.MONOTONIC_COUNTER) {
        tokens.removeIf("total"::equals);
        tokens.add("total");
      }
      if ("1".equals(unit) && kind == Kind.GAUGE) {
        tokens.removeIf("ratio"::equals);
        tokens.add("ratio");
      }
      result = String.join("_", tokens);
    } else {
      // split at characters other than [a-zA-Z0-9:_] and join with "_" (underscores are kept as they are)
      StringBuilder sb = new StringBuilder(name.length());
      boolean gap = false;
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (isMetricNameChar(c) || c == '_') {
          if (gap && sb.length() > 0) sb.append('_');
          gap = false;
          sb.append(c);
        } else {
          gap = true;
        }
      }
      result = sb.toString();
    }
    if (!result.isEmpty() && Character.isDigit(result.charAt(0))) result = "_" + result;
    if (result.isEmpty() || result.chars().allMatch(c -> c == '_')) return null;
    return result;
  }

  /** The Prometheus unit word(s) for metadata: {@code seconds}, {@code bytes_per_second}, or empty. */
  static String unitName(String unit) {
    if (unit == null || unit.isEmpty()) return "";
    String[] units = unitSuffixes(unit);
    String main = cleanUnit(units[0]);
    String per = cleanUnit(units[1]);
    String u;
    if (!main.isEmpty() && !per.isEmpty()) {
      u = main + "_" + per;
    } else if (!main.isEmpty()) {
      u = main;
    } else {
      u = per;
    }
    if (u.startsWith("_")) u = u.substring(1);
    if (u.endsWith("_")) u = u.substring(0, u.length() - 1);
    return u;
  }

  private static List<String> tokens(String name) {
    List<String> out = new ArrayList<>(6);
    int start = -1;
    for (int i = 0; i < name.length(); i++) {
      if (isMetricNameChar(name.charAt(i))) {
        if (start < 0) start = i;
      } else if (start >= 0) {
        out.add(name.substring(start, i));
        start = -1;
      }
    }
    if (start >= 0) out.add(name.substring(start));
    return out;
  }

  /** {main suffix, per suffix} before clean-up; empty strings for none. */
  private static String[] unitSuffixes(String unit) {
    int slash = unit.indexOf('/');
    String mainPart = (slash < 0 ? unit : unit.substring(0, slash)).strip();
    String main = "";
    if (!mainPart.isEmpty() && !containsBrace(mainPart)) main = UNITS.getOrDefault(mainPart, mainPart);
    String per = "";
    if (slash >= 0) {
      String perPart = unit.substring(slash + 1).strip();
      if (!perPart.isEmpty() && !containsBrace(perPart)) {
        String word = PER_UNITS.getOrDefault(perPart, perPart);
        if (!word.isEmpty()) per = "per_" + word;
      }
    }
    return new String[] {main, per};
  }

  private static boolean containsBrace(String s) {
    return s.indexOf('{') >= 0 || s.indexOf('}') >= 0;
  }

  /** Invalid characters → {@code _}, runs of {@code _} collapsed, a leading {@code _} removed. */
  private static String cleanUnit(String unit) {
    if (unit.isEmpty()) return unit;
    StringBuilder sb = new StringBuilder(unit.length());
    for (int i = 0; i < unit.length(); i++) {
      char c = unit.charAt(i);
      sb.append(isMetricNameChar(c) ? c : '_');
    }
    String s = collapseUnderscores(sb.toString());
    return s.startsWith("_") ? s.substring(1) : s;
  }

  private static String collapseUnderscores(String s) {
    if (s.indexOf("__") < 0) return s;
    StringBuilder sb = new StringBuilder(s.length());
    char prev = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '_' && prev == '_') continue;
      sb.append(c);
      prev = c;
    }
    return sb.toString();
  }

  /**
   * The Prometheus label name of an OTel attribute key.
   *
   * @return the name, or null when the key is empty or only underscores remain
   */
  /** Marker returned by {@link #labelName(String, boolean)} for keys that need rewriting. */
  static final String NEEDS_WORK = new String("needs work");

  /**
   * With {@code quick}: the key itself when it is already a valid label name, null when it is
   * empty, else {@link #NEEDS_WORK}; never allocates.
   */
  static String labelName(String key, boolean quick) {
    int n = key.length();
    if (n == 0) return null;
    char first = key.charAt(0);
    if ((first >= '0' && first <= '9') || (first == '_' && !key.startsWith("__"))) return NEEDS_WORK;
    boolean allUnderscore = true;
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (c != '_') allUnderscore = false;
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return NEEDS_WORK;
    }
    return allUnderscore ? NEEDS_WORK : key;
  }

  static String labelName(String key) {
    int n = key.length();
    if (n == 0) return null;
    int firstBad = -1;
    boolean allUnderscore = true;
    for (int i = 0; i < n; i++) {
      char c = key.charAt(i);
      if (c != '_') allUnderscore = false;
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
        firstBad = i;
        break;
      }
    }
    char first = key.charAt(0);
    if (firstBad < 0 && !allUnderscore && !(first >= '0' && first <= '9') && (first != '_' || key.startsWith("__"))) {
      return key; // already valid: the common case, no copy
    }
    char[] chars = key.toCharArray();
    for (int i = Math.max(firstBad, 0); i < chars.length; i++) {
      char c = chars[i];
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) chars[i] = '_';
    }
    String s = new String(chars);
    if (Character.isDigit(s.charAt(0))) {
      s = "key_" + s;
    } else if (s.startsWith("_") && !s.startsWith("__")) {
      s = "key" + s;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) != '_') return s;
    }
    return null;
  }

  /**
   * A float as Prometheus writes {@code le} and {@code quantile} values: the shortest decimal that
   * reads back as the same double, never in exponent form ({@code 0.005}, {@code 1}, {@code 1e+06}
   * is written {@code 1000000}); infinities as {@code +Inf}/{@code -Inf}.
   */
  static String formatFloat(double v) {
    if (v == Double.POSITIVE_INFINITY) return "+Inf";
    if (v == Double.NEGATIVE_INFINITY) return "-Inf";
    if (Double.isNaN(v)) return "NaN";
    if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
    return new java.math.BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }
}
