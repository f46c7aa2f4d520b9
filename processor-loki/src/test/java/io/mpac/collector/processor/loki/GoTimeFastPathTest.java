package io.mpac.collector.processor.loki;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The RFC 3339 fast path of {@code stage.timestamp} against java.time and the general layout parser. */
class GoTimeFastPathTest {

  private static final java.util.regex.Pattern OFFSET = java.util.regex.Pattern.compile("[+-](\\d\\d):(\\d\\d)$");

  @Test
  void calendarArithmeticAgreesWithLocalDate() {
    String firstMismatch = null;
    int checked = 0;
    // Every day of 1900-2100, then the first and last day of every month of the years 0-9999.
    for (LocalDate d = LocalDate.of(1900, 1, 1); d.getYear() <= 2100; d = d.plusDays(1)) {
      if (GoTime.epochDay(d.getYear(), d.getMonthValue(), d.getDayOfMonth()) != d.toEpochDay()) firstMismatch = "epochDay " + d;
      checked++;
    }
    for (int year = 0; year <= 9999 && firstMismatch == null; year++) {
      for (int month = 1; month <= 12; month++) {
        LocalDate first = LocalDate.of(year, month, 1);
        int length = first.lengthOfMonth();
        if (GoTime.monthLength(year, month) != length) firstMismatch = "monthLength " + first;
        if (GoTime.epochDay(year, month, 1) != first.toEpochDay()) firstMismatch = "epochDay " + first;
        if (GoTime.epochDay(year, month, length) != first.toEpochDay() + length - 1) firstMismatch = "epochDay end of " + first;
        checked++;
      }
    }
    assertThat(firstMismatch).isNull();
    assertThat(checked).isEqualTo(73_414 + 120_000);
  }

  @Test
  void rfc3339FastPathAgreesWithTheLayoutParserOnRandomValues() {
    GoTime.Parser fast = GoTime.parser("RFC3339Nano", null);
    GoTime.Parser general = GoTime.layoutParser("2006-01-02T15:04:05.999999999Z07:00", ZoneOffset.UTC);
    GoTime.Parser fastSeconds = GoTime.parser("RFC3339", null);
    GoTime.Parser generalSeconds = GoTime.layoutParser("2006-01-02T15:04:05Z07:00", ZoneOffset.UTC);
    Random rnd = new Random(3339);
    int parsed = 0;
    int compared = 0;
    String firstMismatch = null;
    for (int i = 0; i < 10_000 && firstMismatch == null; i++) {
      String v = randomTimestamp(rnd);
      if (beyondJavaTime(v)) continue;
      compared++;
      String a = outcome(fast, v);
      if (!a.equals(outcome(general, v))) firstMismatch = "RFC3339Nano " + v + ": " + a + " vs " + outcome(general, v);
      if (!outcome(fastSeconds, v).equals(outcome(generalSeconds, v))) firstMismatch = "RFC3339 " + v;
      if (!a.equals("error")) parsed++;
    }
    assertThat(firstMismatch).isNull();
    assertThat(compared).isGreaterThan(8_000);
    assertThat(parsed).as("most generated values are valid").isGreaterThan(4_000);
  }

  /**
   * Values on which the two parsers differ on purpose, since before this test existed: the fast
   * path follows Go, which takes zone offsets up to 24 hours (java.time stops at 18) and wraps
   * nanoseconds around beyond the years 1678–2262 (the layout parser reports an overflow).
   */
  private static boolean beyondJavaTime(String v) {
    if (v.length() >= 4 && v.chars().limit(4).allMatch(Character::isDigit)) {
      int year = Integer.parseInt(v.substring(0, 4));
      if (year < 1678 || year > 2261) return true;
    }
    java.util.regex.Matcher m = OFFSET.matcher(v);
    return m.find() && Integer.parseInt(m.group(1)) * 60 + Integer.parseInt(m.group(2)) > 18 * 60;
  }

  private static String outcome(GoTime.Parser p, String v) {
    try {
      return Long.toString(p.parse(v));
    } catch (DateTimeException | ArithmeticException e) {
      return "error";
    }
  }

  /** Mostly valid RFC 3339 values with random fractions and offsets, some broken in one place. */
  private static String randomTimestamp(Random rnd) {
    StringBuilder sb = new StringBuilder();
    int year = rnd.nextInt(10) == 0 ? rnd.nextInt(10_000) : 1970 + rnd.nextInt(100);
    int month = 1 + rnd.nextInt(12);
    int day = 1 + rnd.nextInt(rnd.nextInt(20) == 0 ? 31 : 28);
    if (rnd.nextInt(30) == 0) day = 29 + rnd.nextInt(3); // end of month, leap days
    sb.append(String.format("%04d-%02d-%02dT%02d:%02d:%02d", year, month, day, rnd.nextInt(24), rnd.nextInt(60), rnd.nextInt(60)));
    if (rnd.nextBoolean()) {
      sb.append(rnd.nextInt(10) == 0 ? ',' : '.');
      int digits = rnd.nextInt(12); // 0 digits and more than 9 are edge cases too
      for (int k = 0; k < digits; k++) sb.append((char) ('0' + rnd.nextInt(10)));
    }
    switch (rnd.nextInt(4)) {
      case 0 -> sb.append('Z');
      case 1 -> sb.append(String.format("%c%02d:%02d", rnd.nextBoolean() ? '+' : '-', rnd.nextInt(26), rnd.nextInt(60)));
      case 2 -> sb.append(String.format("%c%02d:%02d", rnd.nextBoolean() ? '+' : '-', rnd.nextInt(15), 0));
      default -> sb.append(rnd.nextBoolean() ? "z" : "+0100");
    }
    if (rnd.nextInt(8) == 0) {
      int at = rnd.nextInt(sb.length());
      switch (rnd.nextInt(4)) {
        case 0 -> sb.deleteCharAt(at);
        case 1 -> sb.insert(at, "0 T:-+Z.".charAt(rnd.nextInt(8)));
        case 2 -> sb.setCharAt(at, "9x :-".charAt(rnd.nextInt(5)));
        default -> sb.setLength(at);
      }
    }
    return sb.toString();
  }
}
