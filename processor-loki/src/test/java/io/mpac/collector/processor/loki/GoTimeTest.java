package io.mpac.collector.processor.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class GoTimeTest {

  private static long nanos(String instant) {
    Instant i = Instant.parse(instant);
    return i.getEpochSecond() * 1_000_000_000L + i.getNano();
  }

  private static long parse(String format, String value) {
    return GoTime.parser(format, null).parse(value);
  }

  @Test
  void rfc3339AndNano() {
    assertThat(parse("RFC3339Nano", "2024-05-01T10:00:00.123456789Z")).isEqualTo(nanos("2024-05-01T10:00:00.123456789Z"));
    assertThat(parse("RFC3339Nano", "2024-05-01T10:00:00Z")).isEqualTo(nanos("2024-05-01T10:00:00Z"));
    assertThat(parse("RFC3339Nano", "2024-05-01T12:00:00.5+02:00")).isEqualTo(nanos("2024-05-01T10:00:00.5Z"));
    assertThat(parse("RFC3339", "2024-05-01T10:00:00.25Z"))
        .as("a fraction after the seconds is accepted even without one in the layout")
        .isEqualTo(nanos("2024-05-01T10:00:00.25Z"));
    assertThat(parse("2006-01-02T15:04:05.999999999Z07:00", "2024-05-01T10:00:00.000001-01:30"))
        .isEqualTo(nanos("2024-05-01T11:30:00.000001Z"));
  }

  @Test
  void namedGoLayouts() {
    assertThat(parse("ANSIC", "Wed May  1 10:00:00 2024")).isEqualTo(nanos("2024-05-01T10:00:00Z"));
    assertThat(parse("UnixDate", "Wed May  1 10:00:00 UTC 2024")).isEqualTo(nanos("2024-05-01T10:00:00Z"));
    assertThat(parse("RubyDate", "Wed May 01 10:00:00 -0700 2024")).isEqualTo(nanos("2024-05-01T17:00:00Z"));
    assertThat(parse("RFC822", "01 May 24 10:00 GMT")).isEqualTo(nanos("2024-05-01T10:00:00Z"));
    assertThat(parse("RFC822Z", "01 May 24 10:00 +0100")).isEqualTo(nanos("2024-05-01T09:00:00Z"));
    assertThat(parse("RFC850", "Wednesday, 01-May-24 10:00:00 UTC")).isEqualTo(nanos("2024-05-01T10:00:00Z"));
    assertThat(parse("RFC1123", "Wed, 01 May 2024 10:00:00 UTC")).isEqualTo(nanos("2024-05-01T10:00:00Z"));
    assertThat(parse("RFC1123Z", "Wed, 01 May 2024 10:00:00 +0000")).isEqualTo(nanos("2024-05-01T10:00:00Z"));
  }

  @Test
  void unixFormats() {
    assertThat(parse("Unix", "1714557600")).isEqualTo(nanos("2024-05-01T10:00:00Z"));
    assertThat(parse("Unix", "1714557600.25")).isEqualTo(nanos("2024-05-01T10:00:00.25Z"));
    assertThat(parse("UnixMs", "1714557600123")).isEqualTo(nanos("2024-05-01T10:00:00.123Z"));
    assertThat(parse("UnixUs", "1714557600123456")).isEqualTo(nanos("2024-05-01T10:00:00.123456Z"));
    assertThat(parse("UnixNs", "1714557600123456789")).isEqualTo(nanos("2024-05-01T10:00:00.123456789Z"));
    assertThatThrownBy(() -> parse("UnixMs", "12ab")).isInstanceOf(DateTimeException.class);
  }

  @Test
  void customLayoutsFollowGoRules() {
    assertThat(parse("2006-01-02 15:04:05.000", "2024-05-01 10:00:00.120")).isEqualTo(nanos("2024-05-01T10:00:00.12Z"));
    assertThatThrownBy(() -> parse("2006-01-02 15:04:05.000", "2024-05-01 10:00:00.12"))
        .as(".000 needs exactly three digits").isInstanceOf(DateTimeException.class);
    assertThat(parse("02/Jan/2006:15:04:05 -0700", "01/may/2024:10:00:00 +0000"))
        .as("month names are case-insensitive").isEqualTo(nanos("2024-05-01T10:00:00Z"));
    assertThat(parse("1/2/2006 3:04:05 PM", "5/1/2024 3:04:05 PM")).isEqualTo(nanos("2024-05-01T15:04:05Z"));
    assertThat(parse("1/2/2006 3:04:05 PM", "5/1/2024 12:00:00 AM")).isEqualTo(nanos("2024-05-01T00:00:00Z"));
    assertThatThrownBy(() -> parse("01/02/2006", "5/1/2024")).as("01 needs two digits")
        .isInstanceOf(DateTimeException.class);
    assertThatThrownBy(() -> parse("2006-01-02", "2024-05-01 trailing")).hasMessageContaining("extra text");
    assertThatThrownBy(() -> parse("2006-01-02", "2024-02-30")).isInstanceOf(DateTimeException.class);
  }

  @Test
  void locationAppliesToLayoutsWithoutAZone() {
    long t = GoTime.parser("2006-01-02 15:04:05", ZoneId.of("Europe/Berlin")).parse("2024-05-01 12:00:00");
    assertThat(t).isEqualTo(nanos("2024-05-01T10:00:00Z"));
  }

  @Test
  void layoutsWithoutAYearUseTheCurrentYear() {
    int year = LocalDate.now(ZoneOffset.UTC).getYear();
    assertThat(parse("Stamp", "Jan  2 15:04:05")).isEqualTo(nanos(year + "-01-02T15:04:05Z"));
  }

  @Test
  void aFormatWithoutLayoutElementsIsRejected() {
    assertThatThrownBy(() -> GoTime.parser("yyyy-MM-dd", null)).hasMessageContaining("not a Go time layout");
  }
}
