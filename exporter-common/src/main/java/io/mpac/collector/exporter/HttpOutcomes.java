package io.mpac.collector.exporter;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;

/**
 * The HTTP side of the outcome classification, shared by the HTTP exporters (OTLP/HTTP, Loki push,
 * remote write): which status codes are worth retrying, and the {@code Retry-After} header.
 */
public final class HttpOutcomes {

  /** The OTLP/HTTP spec's retryable codes: 429, 502, 503, 504. */
  public static final Set<Integer> OTLP_RETRYABLE = Set.of(429, 502, 503, 504);

  private HttpOutcomes() {}

  /**
   * Classifies a response status: 2xx success; a code in {@code retryable} a retryable failure
   * honouring {@code Retry-After}; anything else permanent.
   *
   * @param status the HTTP status code
   * @param retryable the codes to retry
   * @param retryAfterHeader the {@code Retry-After} header value, or null
   * @param reason what the server said (body excerpt), may be empty
   * @param now the current wall-clock time, for HTTP-date {@code Retry-After} values
   */
  public static SendOutcome classify(int status, Set<Integer> retryable, String retryAfterHeader, String reason,
      Instant now) {
    if (status >= 200 && status < 300) return SendOutcome.success();
    String text = "HTTP " + status + (reason == null || reason.isBlank() ? "" : ": " + reason.strip());
    if (retryable.contains(status)) {
      return SendOutcome.retryable(text, parseRetryAfter(retryAfterHeader, now));
    }
    return SendOutcome.permanent(text);
  }

  /**
   * Parses {@code Retry-After}: delay-seconds ({@code "120"}) or an HTTP-date
   * ({@code "Wed, 21 Oct 2015 07:28:00 GMT"}). Returns null for a missing or unparseable value;
   * a date in the past gives zero. (Capping is the {@link RetryPolicy}'s job.)
   */
  public static Duration parseRetryAfter(String value, Instant now) {
    if (value == null) return null;
    String v = value.strip();
    if (v.isEmpty()) return null;
    if (v.chars().allMatch(Character::isDigit)) {
      if (v.length() > 9) return RetryPolicy.MAX_SERVER_DELAY;
      return Duration.ofSeconds(Long.parseLong(v));
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(now, at);
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
