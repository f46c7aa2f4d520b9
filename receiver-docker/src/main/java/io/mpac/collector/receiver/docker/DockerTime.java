package io.mpac.collector.receiver.docker;

/**
 * Docker's log timestamps: RFC 3339 with nanoseconds in UTC, trailing zeros of the fraction
 * trimmed ({@code 2024-05-01T10:00:00.12345Z}); and the {@code since} query value,
 * {@code <seconds>.<nanoseconds>}.
 */
final class DockerTime {

  private DockerTime() {}

  /**
   * Parses {@code yyyy-mm-ddThh:mm:ss[.f{1,9}](Z|±hh:mm)} from {@code b[off..off+len)} (ASCII) to
   * Unix nanoseconds; returns {@link Long#MIN_VALUE} when it is not such a timestamp.
   */
  static long parse(byte[] b, int off, int len) {
    if (len < 20) return Long.MIN_VALUE;
    int end = off + len;
    int p = off;
    int year = digits(b, p, 4);
    if (year < 0 || b[p + 4] != '-') return Long.MIN_VALUE;
    int month = digits(b, p + 5, 2);
    if (month < 1 || month > 12 || b[p + 7] != '-') return Long.MIN_VALUE;
    int day = digits(b, p + 8, 2);
    if (day < 1 || day > 31 || (b[p + 10] != 'T' && b[p + 10] != 't')) return Long.MIN_VALUE;
    int hour = digits(b, p + 11, 2);
    if (hour < 0 || hour > 23 || b[p + 13] != ':') return Long.MIN_VALUE;
    int min = digits(b, p + 14, 2);
    if (min < 0 || min > 59 || b[p + 16] != ':') return Long.MIN_VALUE;
    int sec = digits(b, p + 17, 2);
    if (sec < 0 || sec > 60) return Long.MIN_VALUE;
    p += 19;
    long nanos = 0;
    if (p < end && b[p] == '.') {
      p++;
      int count = 0;
      while (p < end && b[p] >= '0' && b[p] <= '9') {
        if (count < 9) nanos = nanos * 10 + (b[p] - '0');
        count++;
        p++;
      }
      if (count == 0) return Long.MIN_VALUE;
      for (int k = count; k < 9; k++) nanos *= 10;
    }
    int offsetSeconds;
    if (p < end && (b[p] == 'Z' || b[p] == 'z')) {
      offsetSeconds = 0;
      p++;
    } else if (p + 6 <= end && (b[p] == '+' || b[p] == '-') && b[p + 3] == ':') {
      int oh = digits(b, p + 1, 2);
      int om = digits(b, p + 4, 2);
      if (oh < 0 || om < 0) return Long.MIN_VALUE;
      offsetSeconds = (b[p] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
      p += 6;
    } else {
      return Long.MIN_VALUE;
    }
    if (p != end) return Long.MIN_VALUE;
    long days = daysFromCivil(year, month, day);
    long seconds = days * 86_400L + hour * 3600L + min * 60L + sec - offsetSeconds;
    return seconds * 1_000_000_000L + nanos;
  }

  private static int digits(byte[] b, int p, int n) {
    int v = 0;
    for (int i = 0; i < n; i++) {
      int d = b[p + i] - '0';
      if (d < 0 || d > 9) return -1;
      v = v * 10 + d;
    }
    return v;
  }

  /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
  private static long daysFromCivil(int y, int m, int d) {
    y -= m <= 2 ? 1 : 0;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146_097 + doe - 719_468;
  }

  /** Unix nanoseconds as Docker's {@code since}: {@code 1714557600.000000123}. */
  static String formatSince(long nanos) {
    long sec = Math.floorDiv(nanos, 1_000_000_000L);
    long frac = Math.floorMod(nanos, 1_000_000_000L);
    String f = Long.toString(frac);
    return sec + "." + "000000000".substring(f.length()) + f;
  }

  /** Unix nanoseconds as Docker writes them (RFC 3339, UTC, fraction without trailing zeros). */
  static String format(long nanos) {
    java.time.Instant i = java.time.Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L), Math.floorMod(nanos, 1_000_000_000L));
    String s = java.time.format.DateTimeFormatter.ISO_INSTANT.format(i.with(java.time.temporal.ChronoField.NANO_OF_SECOND, 0));
    s = s.substring(0, s.length() - 1); // drop Z
    int n = i.getNano();
    if (n != 0) {
      String f = String.format("%09d", n);
      int e = f.length();
      while (f.charAt(e - 1) == '0') e--;
      s += "." + f.substring(0, e);
    }
    return s + "Z";
  }
}
