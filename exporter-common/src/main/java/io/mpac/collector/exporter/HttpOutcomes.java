package io.mpac.collector.exporter;

import io.mpac.collector.exporter.http.HttpResult;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * HTTP answers to {@link SendOutcome}s, for every HTTP exporter (OTLP/HTTP, Loki push, remote
 * write): 2xx success; a retryable status a {@link SendOutcome.Retryable} honouring
 * {@code Retry-After}; any other status permanent; no answer at all (connection refused, timeout)
 * retryable. Which statuses are retryable differs by protocol:
 * <ul>
 *   <li>OTLP/HTTP (the spec): 429, 502, 503, 504 ({@link #OTLP_RETRYABLE});
 *   <li>Loki push and remote write (Prometheus' rule): every 5xx, and 429 unless
 *       {@code retry_on_http_429 = false} ({@link #retryableStatus(int, boolean)}).
 * </ul>
 */
public final class HttpOutcomes {

  /** The OTLP/HTTP spec's retryable codes: 429, 502, 503, 504. */
  public static final Set<Integer> OTLP_RETRYABLE = Set.of(429, 502, 503, 504);

  private HttpOutcomes() {}

  /** Loki push and remote write: 5xx, and 429 when {@code retryOn429}. */
  public static boolean retryableStatus(int status, boolean retryOn429) {
    return status >= 500 || (status == 429 && retryOn429);
  }

  /**
   * Classifies a response status by the OTLP/HTTP rule set {@code retryable}.
   *
   * @param status the HTTP status code
   * @param retryable the codes to retry
   * @param retryAfterHeader the {@code Retry-After} header value, or null
   * @param reason what the server said (body excerpt), may be empty
   * @param now the current wall-clock time, for HTTP-date {@code Retry-After} values
   */
  public static SendOutcome classify(int status, Set<Integer> retryable, String retryAfterHeader, String reason,
      Instant now) {
    return classify(status, retryable::contains, parseRetryAfter(retryAfterHeader, now), reason);
  }

  /** Classifies a response status by the Loki/remote-write rule ({@link #retryableStatus(int, boolean)}). */
  public static SendOutcome classify(int status, boolean retryOn429, String retryAfterHeader, String reason,
      Instant now) {
    return classify(status, s -> retryableStatus(s, retryOn429), parseRetryAfter(retryAfterHeader, now), reason);
  }

  /** The same with {@code Retry-After} already parsed ({@link #parseRetryAfter}), or null. */
  public static SendOutcome classify(int status, boolean retryOn429, Duration retryAfter, String reason) {
    return classify(status, s -> retryableStatus(s, retryOn429), retryAfter, reason);
  }

  /**
   * Classifies a transport result by the Loki/remote-write rule: no answer is retryable with the
   * transport's error; otherwise as {@link #classify(int, boolean, String, String, Instant)} with
   * {@code reason} (what the caller makes of the body; the short body when null).
   */
  public static SendOutcome classify(HttpResult result, boolean retryOn429, String reason) {
    if (!result.answered()) return SendOutcome.retryable(result.error());
    return classify(result.status(), s -> retryableStatus(s, retryOn429), result.retryAfter(),
        reason == null ? result.shortBody() : reason);
  }

  /** Classifies a transport result by the OTLP/HTTP rule set {@code retryable}. */
  public static SendOutcome classify(HttpResult result, Set<Integer> retryable, String reason) {
    if (!result.answered()) return SendOutcome.retryable(result.error());
    return classify(result.status(), retryable::contains, result.retryAfter(),
        reason == null ? result.shortBody() : reason);
  }

  private static SendOutcome classify(int status, IntPredicate retryable, Duration retryAfter, String reason) {
    if (status >= 200 && status < 300) return SendOutcome.success();
    String text = "HTTP " + status + (reason == null || reason.isBlank() ? "" : ": " + reason.strip());
    if (retryable.test(status)) return SendOutcome.retryable(text, retryAfter);
    return SendOutcome.permanent(text);
  }

  /**
   * Parses {@code Retry-After}: delay-seconds ({@code "120"}) or an HTTP-date
   * ({@code "Wed, 21 Oct 2015 07:28:00 GMT"}). Returns null for a missing or unparseable value; a
   * date in the past gives zero; anything beyond {@link RetryPolicy#MAX_SERVER_DELAY} gives that.
   */
  public static Duration parseRetryAfter(String value, Instant now) {
    if (value == null) return null;
    String v = value.strip();
    if (v.isEmpty()) return null;
    Duration d;
    if (v.chars().allMatch(Character::isDigit)) {
      if (v.length() > 9) return RetryPolicy.MAX_SERVER_DELAY;
      d = Duration.ofSeconds(Long.parseLong(v));
    } else {
      try {
        Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        d = Duration.between(now, at);
        if (d.isNegative()) return Duration.ZERO;
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    return d.compareTo(RetryPolicy.MAX_SERVER_DELAY) > 0 ? RetryPolicy.MAX_SERVER_DELAY : d;
  }
}
