package io.mpac.collector.processor.loki;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parses times the way Go's {@code time.Parse} does with a reference layout ({@code Mon Jan 2
 * 15:04:05 MST 2006}), plus the named formats of {@code stage.timestamp}: Go's constants
 * (ANSIC, UnixDate, RubyDate, RFC822, RFC822Z, RFC850, RFC1123, RFC1123Z, RFC3339, RFC3339Nano,
 * Kitchen, Stamp, StampMilli, StampMicro, StampNano, DateTime, DateOnly, TimeOnly) and Loki's
 * Unix, UnixMs, UnixUs, UnixNs.
 *
 * <p>Go rules kept: {@code 01}/{@code 02}/{@code 15}... need two digits, {@code 1}/{@code 2}/
 * {@code 3} take one or two; {@code _2} allows a leading space; {@code .000} needs exactly that
 * many digits and {@code .999} any; a fraction after the seconds is accepted even when the layout
 * has none; {@code Z07:00} also takes {@code Z}; spaces match runs of spaces; month and day names
 * are case-insensitive. A zone abbreviation ({@code MST}) is read as UTC unless it is UTC/GMT
 * (Go uses the offset only when the abbreviation is known in the location, else zero). Layouts
 * without a zone use {@code location} (UTC when null); layouts without a year get the current
 * year, as Loki does.
 */
final class GoTime {

  /** Parses a value to Unix nanoseconds, or throws {@link DateTimeException}. */
  interface Parser {
    long parse(String value);
  }

  private static final Map<String, String> NAMED = Map.ofEntries(
      Map.entry("ANSIC", "Mon Jan _2 15:04:05 2006"),
      Map.entry("UnixDate", "Mon Jan _2 15:04:05 MST 2006"),
      Map.entry("RubyDate", "Mon Jan 02 15:04:05 -0700 2006"),
      Map.entry("RFC822", "02 Jan 06 15:04 MST"),
      Map.entry("RFC822Z", "02 Jan 06 15:04 -0700"),
      Map.entry("RFC850", "Monday, 02-Jan-06 15:04:05 MST"),
      Map.entry("RFC1123", "Mon, 02 Jan 2006 15:04:05 MST"),
      Map.entry("RFC1123Z", "Mon, 02 Jan 2006 15:04:05 -0700"),
      Map.entry("RFC3339", "2006-01-02T15:04:05Z07:00"),
      Map.entry("RFC3339Nano", "2006-01-02T15:04:05.999999999Z07:00"),
      Map.entry("Kitchen", "3:04PM"),
      Map.entry("Stamp", "Jan _2 15:04:05"),
      Map.entry("StampMilli", "Jan _2 15:04:05.000"),
      Map.entry("StampMicro", "Jan _2 15:04:05.000000"),
      Map.entry("StampNano", "Jan _2 15:04:05.000000000"),
      Map.entry("DateTime", "2006-01-02 15:04:05"),
      Map.entry("DateOnly", "2006-01-02"),
      Map.entry("TimeOnly", "15:04:05"));

  private static final String[] SHORT_MONTHS = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  private static final String[] LONG_MONTHS = {"January", "February", "March", "April", "May", "June", "July",
      "August", "September", "October", "November", "December"};
  private static final String[] SHORT_DAYS = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  private static final String[] LONG_DAYS = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

  private GoTime() {}

  /** A parser for a layout or named format; throws IllegalArgumentException for a bad layout. */
  static Parser parser(String format, ZoneId location) {
    ZoneId zone = location == null ? ZoneOffset.UTC : location;
    switch (format) {
      case "Unix":
        return GoTime::parseUnixSeconds;
      case "UnixMs":
        return v -> Math.multiplyExact(parseLong(v), 1_000_000L);
      case "UnixUs":
        return v -> Math.multiplyExact(parseLong(v), 1_000L);
      case "UnixNs":
        return GoTime::parseLong;
      default:
        break;
    }
    String layout = NAMED.getOrDefault(format, format);
    if (layout.equals("2006-01-02T15:04:05Z07:00") || layout.equals("2006-01-02T15:04:05.999999999Z07:00")) {
      List<Chunk> generic = tokenize(layout);
      Chunk[] arr = generic.toArray(new Chunk[0]);
      return value -> {
        long t = parseRfc3339(value);
        return t != Long.MIN_VALUE ? t : parseLayout(arr, value, zone); // the generic parser explains errors
      };
    }
    return layoutParser(layout, zone);
  }

  /** The general layout parser alone, without the RFC 3339 fast path (what tests compare it with). */
  static Parser layoutParser(String layout, ZoneId zone) {
    List<Chunk> chunks = tokenize(layout);
    boolean hasStd = chunks.stream().anyMatch(c -> c.std != Std.LITERAL);
    if (!hasStd) throw new IllegalArgumentException("format \"" + layout + "\" is not a Go time layout or named format");
    Chunk[] arr = chunks.toArray(new Chunk[0]);
    return value -> parseLayout(arr, value, zone);
  }

  /**
   * RFC 3339 as Go parses it with RFC3339/RFC3339Nano ({@code 2006-01-02T15:04:05[.fraction](Z|±07:00)},
   * any number of fraction digits), without allocating; {@link Long#MIN_VALUE} when it does not fit.
   */
  static long parseRfc3339(String s) {
    int n = s.length();
    if (n < 20) return Long.MIN_VALUE;
    int year = d(s, 0, 4);
    int month = d(s, 5, 2);
    int day = d(s, 8, 2);
    int hour = d(s, 11, 2);
    int min = d(s, 14, 2);
    int sec = d(s, 17, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || min < 0 || min > 59
        || sec < 0 || sec > 59 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
        || s.charAt(13) != ':' || s.charAt(16) != ':') {
      return Long.MIN_VALUE;
    }
    if (day > monthLength(year, month)) return Long.MIN_VALUE;
    int p = 19;
    long nanos = 0;
    if (p < n && (s.charAt(p) == '.' || s.charAt(p) == ',')) {
      p++;
      int count = 0;
      while (p < n && s.charAt(p) >= '0' && s.charAt(p) <= '9') {
        if (count < 9) nanos = nanos * 10 + (s.charAt(p) - '0');
        count++;
        p++;
      }
      if (count == 0) return Long.MIN_VALUE;
      for (int k = count; k < 9; k++) nanos *= 10;
    }
    int offset;
    if (p + 1 == n && s.charAt(p) == 'Z') {
      offset = 0;
    } else if (p + 6 == n && (s.charAt(p) == '+' || s.charAt(p) == '-') && s.charAt(p + 3) == ':') {
      int oh = d(s, p + 1, 2);
      int om = d(s, p + 4, 2);
      if (oh < 0 || oh > 24 || om < 0 || om > 59) return Long.MIN_VALUE;
      offset = (s.charAt(p) == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
      return Long.MIN_VALUE;
    }
    long days = epochDay(year, month, day);
    return (days * 86_400L + hour * 3600L + min * 60L + sec - offset) * 1_000_000_000L + nanos;
  }

  /** Days in {@code month} (1–12) of {@code year} in the proleptic Gregorian calendar. */
  static int monthLength(int year, int month) {
    return switch (month) {
      case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
      case 4, 6, 9, 11 -> 30;
      default -> 31;
    };
  }

  /**
   * Days since 1970-01-01 of a valid proleptic Gregorian date ({@code LocalDate.toEpochDay()}
   * without the object): counts from 0000-03-01 in 400-year eras, so that leap days fall at the
   * end of each counted year.
   */
  static long epochDay(int year, int month, int day) {
    long y = month <= 2 ? year - 1L : year;
    long era = Math.floorDiv(y, 400);
    long yearOfEra = y - era * 400; // 0..399
    int shiftedMonth = month > 2 ? month - 3 : month + 9; // March = 0 ... February = 11
    long dayOfYear = (153L * shiftedMonth + 2) / 5 + day - 1; // 0..365
    long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear; // 0..146096
    return era * 146_097 + dayOfEra - 719_468; // 719 468 days from 0000-03-01 to 1970-01-01
  }

  private static int d(String s, int p, int len) {
    int v = 0;
    for (int i = p; i < p + len; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') return -1;
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static long parseLong(String v) {
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new DateTimeException("not an integer: " + v);
    }
  }

  private static long parseUnixSeconds(String v) {
    String s = v.trim();
    int dot = s.indexOf('.');
    if (dot < 0) return Math.multiplyExact(parseLong(s), 1_000_000_000L);
    long sec = parseLong(s.substring(0, dot));
    String frac = s.substring(dot + 1);
    if (frac.isEmpty() || frac.length() > 9 || !frac.chars().allMatch(Character::isDigit)) {
      throw new DateTimeException("bad fractional seconds: " + v);
    }
    long nanos = Long.parseLong((frac + "000000000").substring(0, 9));
    return Math.addExact(Math.multiplyExact(sec, 1_000_000_000L), s.startsWith("-") ? -nanos : nanos);
  }

  // ------------------------------------------------------------------ layout tokens

  private enum Std {
    LITERAL, LONG_MONTH, MONTH, NUM_MONTH, ZERO_MONTH, LONG_WEEKDAY, WEEKDAY, DAY, UNDER_DAY, ZERO_DAY,
    UNDER_YEARDAY, ZERO_YEARDAY, HOUR, HOUR12, ZERO_HOUR12, MINUTE, ZERO_MINUTE, SECOND, ZERO_SECOND,
    LONG_YEAR, YEAR, PM_UPPER, PM_LOWER, TZ, ISO_TZ, ISO_TZ_SHORT, ISO_TZ_COLON, ISO_TZ_SECONDS,
    ISO_TZ_COLON_SECONDS, NUM_TZ, NUM_TZ_SHORT, NUM_TZ_COLON, NUM_TZ_SECONDS, NUM_TZ_COLON_SECONDS,
    FRAC0, FRAC9
  }

  private record Chunk(Std std, String text, int digits) {}

  private static List<Chunk> tokenize(String layout) {
    List<Chunk> out = new ArrayList<>();
    StringBuilder lit = new StringBuilder();
    int i = 0;
    int n = layout.length();
    while (i < n) {
      Chunk c = stdAt(layout, i);
      if (c == null) {
        lit.append(layout.charAt(i++));
        continue;
      }
      if (lit.length() > 0) {
        out.add(new Chunk(Std.LITERAL, lit.toString(), 0));
        lit.setLength(0);
      }
      out.add(c);
      i += c.text.length();
    }
    if (lit.length() > 0) out.add(new Chunk(Std.LITERAL, lit.toString(), 0));
    return out;
  }

  /** The std chunk starting at {@code i}, or null (Go's nextStdChunk, one position at a time). */
  private static Chunk stdAt(String l, int i) {
    char c = l.charAt(i);
    switch (c) {
      case 'J':
        if (l.startsWith("January", i)) return chunk(Std.LONG_MONTH, "January");
        if (l.startsWith("Jan", i)) return chunk(Std.MONTH, "Jan");
        break;
      case 'M':
        if (l.startsWith("Monday", i)) return chunk(Std.LONG_WEEKDAY, "Monday");
        if (l.startsWith("Mon", i)) return chunk(Std.WEEKDAY, "Mon");
        if (l.startsWith("MST", i)) return chunk(Std.TZ, "MST");
        break;
      case '0':
        if (l.startsWith("002", i)) return chunk(Std.ZERO_YEARDAY, "002");
        if (i + 1 < l.length() && l.charAt(i + 1) >= '1' && l.charAt(i + 1) <= '6') {
          return switch (l.charAt(i + 1)) {
            case '1' -> chunk(Std.ZERO_MONTH, "01");
            case '2' -> chunk(Std.ZERO_DAY, "02");
            case '3' -> chunk(Std.ZERO_HOUR12, "03");
            case '4' -> chunk(Std.ZERO_MINUTE, "04");
            case '5' -> chunk(Std.ZERO_SECOND, "05");
            default -> chunk(Std.YEAR, "06");
          };
        }
        break;
      case '1':
        if (l.startsWith("15", i)) return chunk(Std.HOUR, "15");
        return chunk(Std.NUM_MONTH, "1");
      case '2':
        if (l.startsWith("2006", i)) return chunk(Std.LONG_YEAR, "2006");
        return chunk(Std.DAY, "2");
      case '_':
        if (l.startsWith("_2006", i)) return null; // literal _ then the year
        if (l.startsWith("__2", i)) return chunk(Std.UNDER_YEARDAY, "__2");
        if (l.startsWith("_2", i)) return chunk(Std.UNDER_DAY, "_2");
        break;
      case '3':
        return chunk(Std.HOUR12, "3");
      case '4':
        return chunk(Std.MINUTE, "4");
      case '5':
        return chunk(Std.SECOND, "5");
      case 'P':
        if (l.startsWith("PM", i)) return chunk(Std.PM_UPPER, "PM");
        break;
      case 'p':
        if (l.startsWith("pm", i)) return chunk(Std.PM_LOWER, "pm");
        break;
      case '-':
        if (l.startsWith("-07:00:00", i)) return chunk(Std.NUM_TZ_COLON_SECONDS, "-07:00:00");
        if (l.startsWith("-070000", i)) return chunk(Std.NUM_TZ_SECONDS, "-070000");
        if (l.startsWith("-07:00", i)) return chunk(Std.NUM_TZ_COLON, "-07:00");
        if (l.startsWith("-0700", i)) return chunk(Std.NUM_TZ, "-0700");
        if (l.startsWith("-07", i)) return chunk(Std.NUM_TZ_SHORT, "-07");
        break;
      case 'Z':
        if (l.startsWith("Z07:00:00", i)) return chunk(Std.ISO_TZ_COLON_SECONDS, "Z07:00:00");
        if (l.startsWith("Z070000", i)) return chunk(Std.ISO_TZ_SECONDS, "Z070000");
        if (l.startsWith("Z07:00", i)) return chunk(Std.ISO_TZ_COLON, "Z07:00");
        if (l.startsWith("Z0700", i)) return chunk(Std.ISO_TZ, "Z0700");
        if (l.startsWith("Z07", i)) return chunk(Std.ISO_TZ_SHORT, "Z07");
        break;
      case '.':
      case ',':
        if (i + 1 < l.length() && (l.charAt(i + 1) == '0' || l.charAt(i + 1) == '9')) {
          char d = l.charAt(i + 1);
          int j = i + 1;
          while (j < l.length() && l.charAt(j) == d) j++;
          if (!(j < l.length() && Character.isDigit(l.charAt(j)))) {
            return new Chunk(d == '0' ? Std.FRAC0 : Std.FRAC9, l.substring(i, j), j - i - 1);
          }
        }
        break;
      default:
        break;
    }
    return null;
  }

  private static Chunk chunk(Std std, String text) {
    return new Chunk(std, text, 0);
  }

  // ------------------------------------------------------------------ parsing

  /** A cursor over the value. */
  private static final class Cur {
    final String s;
    int p;

    Cur(String s) {
      this.s = s;
    }

    boolean digitAt(int k) {
      return p + k < s.length() && s.charAt(p + k) >= '0' && s.charAt(p + k) <= '9';
    }

    /** Go's getnum: one or two digits; exactly two when {@code fixed}. */
    int num(boolean fixed) {
      if (!digitAt(0)) throw bad();
      if (!digitAt(1)) {
        if (fixed) throw bad();
        return s.charAt(p++) - '0';
      }
      int v = (s.charAt(p) - '0') * 10 + (s.charAt(p + 1) - '0');
      p += 2;
      return v;
    }

    int digits(int count) {
      int v = 0;
      for (int k = 0; k < count; k++) {
        if (!digitAt(0)) throw bad();
        v = v * 10 + (s.charAt(p++) - '0');
      }
      return v;
    }

    DateTimeException bad() {
      return new DateTimeException("cannot parse \"" + s + "\" at position " + p);
    }
  }

  private static int lookup(Cur c, String[] names) {
    for (int k = 0; k < names.length; k++) {
      String name = names[k];
      if (c.s.regionMatches(true, c.p, name, 0, name.length())) {
        c.p += name.length();
        return k;
      }
    }
    throw c.bad();
  }

  private static long parseLayout(Chunk[] chunks, String value, ZoneId zone) {
    Cur c = new Cur(value);
    int year = Integer.MIN_VALUE;
    int month = -1;
    int day = -1;
    int yday = -1;
    int hour = 0;
    int minute = 0;
    int second = 0;
    long nanos = 0;
    int pm = -1; // -1 unset, 0 AM, 1 PM
    boolean hour12 = false;
    Integer offsetSeconds = null;
    for (int k = 0; k < chunks.length; k++) {
      Chunk ch = chunks[k];
      switch (ch.std) {
        case LITERAL -> skipLiteral(c, ch.text);
        case LONG_YEAR -> {
          if (c.p + 4 > value.length()) throw c.bad();
          year = c.digits(4);
        }
        case YEAR -> {
          int y = c.digits(2);
          year = y >= 69 ? 1900 + y : 2000 + y;
        }
        case MONTH -> month = lookup(c, SHORT_MONTHS) + 1;
        case LONG_MONTH -> month = lookup(c, LONG_MONTHS) + 1;
        case NUM_MONTH, ZERO_MONTH -> month = c.num(ch.std == Std.ZERO_MONTH);
        case WEEKDAY -> lookup(c, SHORT_DAYS);
        case LONG_WEEKDAY -> lookup(c, LONG_DAYS);
        case DAY, UNDER_DAY, ZERO_DAY -> {
          if (ch.std == Std.UNDER_DAY && c.p < value.length() && value.charAt(c.p) == ' ') c.p++;
          day = c.num(ch.std == Std.ZERO_DAY);
        }
        case UNDER_YEARDAY, ZERO_YEARDAY -> {
          for (int sp = 0; sp < 2 && ch.std == Std.UNDER_YEARDAY && c.p < value.length() && value.charAt(c.p) == ' '; sp++) c.p++;
          int v = 0;
          int got = 0;
          while (got < 3 && c.digitAt(0)) {
            v = v * 10 + (value.charAt(c.p++) - '0');
            got++;
          }
          if (got == 0 || (ch.std == Std.ZERO_YEARDAY && got != 3)) throw c.bad();
          yday = v;
        }
        case HOUR -> {
          hour = c.num(false);
          if (hour > 23) throw c.bad();
        }
        case HOUR12, ZERO_HOUR12 -> {
          hour = c.num(ch.std == Std.ZERO_HOUR12);
          if (hour > 12) throw c.bad();
          hour12 = true;
        }
        case MINUTE, ZERO_MINUTE -> {
          minute = c.num(ch.std == Std.ZERO_MINUTE);
          if (minute > 59) throw c.bad();
        }
        case SECOND, ZERO_SECOND -> {
          second = c.num(ch.std == Std.ZERO_SECOND);
          if (second > 59) throw c.bad();
          // A fraction may follow even when the layout has none.
          if (c.p + 1 < value.length() && (value.charAt(c.p) == '.' || value.charAt(c.p) == ',')
              && c.digitAt(1)) {
            boolean nextIsFrac = k + 1 < chunks.length
                && (chunks[k + 1].std == Std.FRAC0 || chunks[k + 1].std == Std.FRAC9);
            if (!nextIsFrac) {
              c.p++;
              nanos = fraction(c, Integer.MAX_VALUE);
            }
          }
        }
        case FRAC0 -> {
          if (c.p >= value.length() || (value.charAt(c.p) != '.' && value.charAt(c.p) != ',')) throw c.bad();
          c.p++;
          int start = c.p;
          nanos = fraction(c, ch.digits);
          if (c.p - start != ch.digits) throw c.bad();
        }
        case FRAC9 -> {
          if (c.p + 1 < value.length() && (value.charAt(c.p) == '.' || value.charAt(c.p) == ',') && c.digitAt(1)) {
            c.p++;
            nanos = fraction(c, Integer.MAX_VALUE);
          }
        }
        case PM_UPPER, PM_LOWER -> {
          if (c.p + 2 > value.length()) throw c.bad();
          String ap = value.substring(c.p, c.p + 2).toUpperCase(Locale.ROOT);
          if (ap.equals("AM")) {
            pm = 0;
          } else if (ap.equals("PM")) {
            pm = 1;
          } else {
            throw c.bad();
          }
          c.p += 2;
        }
        case TZ -> {
          int start = c.p;
          while (c.p < value.length() && Character.isUpperCase(value.charAt(c.p)) && c.p - start < 5) c.p++;
          if (c.p - start < 3) throw c.bad();
          offsetSeconds = 0;
        }
        default -> offsetSeconds = offset(c, ch.std);
      }
    }
    if (c.p != value.length()) {
      throw new DateTimeException("extra text \"" + value.substring(c.p) + "\" after parsing \"" + value + "\"");
    }
    if (hour12 && pm == 1 && hour < 12) hour += 12;
    if (hour12 && pm == 0 && hour == 12) hour = 0;
    if (year == Integer.MIN_VALUE) year = LocalDate.now(zone).getYear();
    LocalDate date;
    if (yday >= 0 && month < 0 && day < 0) {
      date = LocalDate.ofYearDay(year, yday);
    } else {
      date = LocalDate.of(year, month < 0 ? 1 : month, day < 0 ? 1 : day);
    }
    LocalDateTime ldt = date.atTime(hour, minute, second);
    long epochSecond = offsetSeconds != null
        ? ldt.toEpochSecond(ZoneOffset.ofTotalSeconds(offsetSeconds))
        : ldt.atZone(zone).toEpochSecond();
    return Math.addExact(Math.multiplyExact(epochSecond, 1_000_000_000L), nanos);
  }

  /** Digits of a fraction (at most {@code max}), as nanoseconds (digits past nine are ignored). */
  private static long fraction(Cur c, int max) {
    long v = 0;
    int count = 0;
    while (count < max && c.digitAt(0)) {
      if (count < 9) v = v * 10 + (c.s.charAt(c.p) - '0');
      c.p++;
      count++;
    }
    for (int k = count; k < 9; k++) v *= 10;
    return v;
  }

  private static void skipLiteral(Cur c, String lit) {
    int i = 0;
    while (i < lit.length()) {
      char ch = lit.charAt(i);
      if (ch == ' ') {
        if (c.p < c.s.length() && c.s.charAt(c.p) != ' ') throw c.bad();
        while (i < lit.length() && lit.charAt(i) == ' ') i++;
        while (c.p < c.s.length() && c.s.charAt(c.p) == ' ') c.p++;
        continue;
      }
      if (c.p >= c.s.length() || c.s.charAt(c.p) != ch) throw c.bad();
      c.p++;
      i++;
    }
  }

  private static int offset(Cur c, Std std) {
    String s = c.s;
    boolean iso = std.name().startsWith("ISO");
    if (iso && c.p < s.length() && s.charAt(c.p) == 'Z') {
      c.p++;
      return 0;
    }
    if (c.p >= s.length() || (s.charAt(c.p) != '+' && s.charAt(c.p) != '-')) throw c.bad();
    int sign = s.charAt(c.p++) == '-' ? -1 : 1;
    int hh = c.digits(2);
    int mm = 0;
    int ss = 0;
    switch (std) {
      case NUM_TZ_SHORT, ISO_TZ_SHORT -> { }
      case NUM_TZ, ISO_TZ -> mm = c.digits(2);
      case NUM_TZ_COLON, ISO_TZ_COLON -> {
        expect(c, ':');
        mm = c.digits(2);
      }
      case NUM_TZ_SECONDS, ISO_TZ_SECONDS -> {
        mm = c.digits(2);
        ss = c.digits(2);
      }
      case NUM_TZ_COLON_SECONDS, ISO_TZ_COLON_SECONDS -> {
        expect(c, ':');
        mm = c.digits(2);
        expect(c, ':');
        ss = c.digits(2);
      }
      default -> throw new IllegalStateException(std.toString());
    }
    if (hh > 24 || mm > 59 || ss > 59) throw c.bad();
    return sign * (hh * 3600 + mm * 60 + ss);
  }

  private static void expect(Cur c, char ch) {
    if (c.p >= c.s.length() || c.s.charAt(c.p) != ch) throw c.bad();
    c.p++;
  }
}
