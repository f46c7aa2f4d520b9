package io.mpac.collector.component.schema;

import java.time.Duration;

/** Parses the string forms of durations ({@code "1h30m"}, Go syntax) and sizes ({@code "4MiB"}). */
public final class Units {

  private Units() {}

  /**
   * A Go duration: a sequence of decimal numbers with units {@code ns us µs ms s m h}, e.g.
   * {@code "300ms"}, {@code "1.5h"}, {@code "2h45m"}; {@code "0"} alone is zero.
   */
  public static Duration parseDuration(String text) {
    String s = text.trim();
    if (s.equals("0")) return Duration.ZERO;
    if (s.isEmpty()) throw new IllegalArgumentException("empty duration");
    boolean negative = false;
    int i = 0;
    if (s.charAt(0) == '-' || s.charAt(0) == '+') {
      negative = s.charAt(0) == '-';
      i++;
    }
    if (i == s.length()) throw new IllegalArgumentException("invalid duration " + quote(text));
    double totalNanos = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) i++;
      if (start == i) throw new IllegalArgumentException("invalid duration " + quote(text));
      double number;
      try {
        number = Double.parseDouble(s.substring(start, i));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("invalid duration " + quote(text));
      }
      int unitStart = i;
      while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') i++;
      String unit = s.substring(unitStart, i);
      long scale = switch (unit) {
        case "ns" -> 1L;
        case "us", "µs", "μs" -> 1_000L;
        case "ms" -> 1_000_000L;
        case "s" -> 1_000_000_000L;
        case "m" -> 60_000_000_000L;
        case "h" -> 3_600_000_000_000L;
        case "" -> throw new IllegalArgumentException("missing unit in duration " + quote(text));
        default -> throw new IllegalArgumentException("unknown unit " + quote(unit) + " in duration " + quote(text));
      };
      totalNanos += number * scale;
    }
    long nanos = Math.round(totalNanos);
    return Duration.ofNanos(negative ? -nanos : nanos);
  }

  /**
   * A size in bytes: a plain number, or a number with {@code B}, {@code KiB/KB/K}, {@code MiB/MB/M},
   * {@code GiB/GB/G} or {@code TiB/TB/T}. Like Alloy (which uses base-2 units for these arguments),
   * {@code KB} and {@code KiB} both mean 1024.
   */
  public static long parseBytes(String text) {
    String s = text.trim();
    int i = 0;
    while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) i++;
    if (i == 0) throw new IllegalArgumentException("invalid size " + quote(text));
    double number;
    try {
      number = Double.parseDouble(s.substring(0, i));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid size " + quote(text));
    }
    String unit = s.substring(i).trim();
    long scale = switch (unit) {
      case "", "B" -> 1L;
      case "K", "KB", "KiB", "k", "kB" -> 1L << 10;
      case "M", "MB", "MiB" -> 1L << 20;
      case "G", "GB", "GiB" -> 1L << 30;
      case "T", "TB", "TiB" -> 1L << 40;
      default -> throw new IllegalArgumentException("unknown unit " + quote(unit) + " in size " + quote(text));
    };
    return Math.round(number * scale);
  }

  /** Renders a duration the way Go prints one: {@code 1h30m0s}, {@code 200ms}, {@code 0s}. */
  public static String formatDuration(Duration d) {
    long nanos = d.toNanos();
    if (nanos == 0) return "0s";
    StringBuilder sb = new StringBuilder();
    if (nanos < 0) {
      sb.append('-');
      nanos = -nanos;
    }
    if (nanos < 1_000_000_000L) {
      if (nanos % 1_000_000 == 0) return sb.append(nanos / 1_000_000).append("ms").toString();
      if (nanos % 1_000 == 0) return sb.append(nanos / 1_000).append("µs").toString();
      return sb.append(nanos).append("ns").toString();
    }
    long h = nanos / 3_600_000_000_000L;
    long m = nanos / 60_000_000_000L % 60;
    long rest = nanos % 60_000_000_000L;
    if (h > 0) sb.append(h).append('h');
    if (h > 0 || m > 0) sb.append(m).append('m');
    long sec = rest / 1_000_000_000L;
    long frac = rest % 1_000_000_000L;
    sb.append(sec);
    if (frac != 0) {
      String f = String.format("%09d", frac).replaceAll("0+$", "");
      sb.append('.').append(f);
    }
    return sb.append('s').toString();
  }

  private static String quote(String s) {
    return '"' + s + '"';
  }
}
