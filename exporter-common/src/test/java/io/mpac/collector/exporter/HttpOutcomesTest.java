package io.mpac.collector.exporter;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.exporter.http.HttpResult;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HttpOutcomesTest {

  private static final Instant NOW = Instant.parse("2015-10-21T07:28:00Z");

  @Test
  void classifiesPerTheOtlpHttpSpec() {
    assertThat(HttpOutcomes.classify(200, HttpOutcomes.OTLP_RETRYABLE, null, "", NOW))
        .isInstanceOf(SendOutcome.Success.class);
    for (int code : new int[] {429, 502, 503, 504}) {
      assertThat(HttpOutcomes.classify(code, HttpOutcomes.OTLP_RETRYABLE, null, "x", NOW))
          .isInstanceOf(SendOutcome.Retryable.class);
    }
    for (int code : new int[] {400, 401, 403, 404, 413, 500, 501}) {
      assertThat(HttpOutcomes.classify(code, HttpOutcomes.OTLP_RETRYABLE, null, "x", NOW))
          .isInstanceOf(SendOutcome.Permanent.class);
    }
    assertThat(HttpOutcomes.classify(429, HttpOutcomes.OTLP_RETRYABLE, "7", "slow down", NOW))
        .isEqualTo(SendOutcome.retryable("HTTP 429: slow down", Duration.ofSeconds(7)));
  }

  @Test
  void parsesRetryAfterSecondsAndDates() {
    assertThat(HttpOutcomes.parseRetryAfter("120", NOW)).isEqualTo(Duration.ofSeconds(120));
    assertThat(HttpOutcomes.parseRetryAfter(" 0 ", NOW)).isEqualTo(Duration.ZERO);
    assertThat(HttpOutcomes.parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", NOW)).isEqualTo(Duration.ofSeconds(30));
    assertThat(HttpOutcomes.parseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", NOW)).isEqualTo(Duration.ZERO);
    assertThat(HttpOutcomes.parseRetryAfter("99999999999999", NOW)).isEqualTo(RetryPolicy.MAX_SERVER_DELAY);
    assertThat(HttpOutcomes.parseRetryAfter("soon", NOW)).isNull();
    assertThat(HttpOutcomes.parseRetryAfter("-5", NOW)).isNull();
    assertThat(HttpOutcomes.parseRetryAfter(null, NOW)).isNull();
  }

  @Test
  void lokiAndRemoteWriteRetryEvery5xxAnd429OnlyWhenAsked() {
    assertThat(HttpOutcomes.classify(204, true, (String) null, "", NOW)).isInstanceOf(SendOutcome.Success.class);
    assertThat(HttpOutcomes.classify(429, true, "3", "slow down", NOW))
        .isEqualTo(SendOutcome.retryable("HTTP 429: slow down", Duration.ofSeconds(3)));
    assertThat(HttpOutcomes.classify(429, false, "3", "slow down", NOW))
        .isEqualTo(SendOutcome.permanent("HTTP 429: slow down"));
    for (int code : new int[] {500, 501, 502, 503, 504, 599}) {
      assertThat(HttpOutcomes.classify(code, false, (String) null, "", NOW)).isInstanceOf(SendOutcome.Retryable.class);
    }
    for (int code : new int[] {400, 401, 403, 404, 413, 422}) {
      assertThat(HttpOutcomes.classify(code, true, (String) null, "bad", NOW))
          .isEqualTo(SendOutcome.permanent("HTTP " + code + ": bad"));
    }
  }

  @Test
  void retryAfterAsSecondsOrDateIsCappedAtTheServerDelayLimit() {
    assertThat(HttpOutcomes.classify(503, true, "Wed, 21 Oct 2015 07:29:00 GMT", "", NOW))
        .isEqualTo(SendOutcome.retryable("HTTP 503", Duration.ofSeconds(60)));
    assertThat(HttpOutcomes.classify(503, true, "3600", "", NOW))
        .isEqualTo(SendOutcome.retryable("HTTP 503", RetryPolicy.MAX_SERVER_DELAY));
    assertThat(HttpOutcomes.classify(503, true, "Thu, 22 Oct 2015 07:28:00 GMT", "", NOW))
        .isEqualTo(SendOutcome.retryable("HTTP 503", RetryPolicy.MAX_SERVER_DELAY));
    assertThat(HttpOutcomes.classify(503, true, "whenever", "", NOW))
        .isEqualTo(SendOutcome.retryable("HTTP 503", null));
  }

  @Test
  void transportResultsWithoutAnAnswerAreRetryableWithTheirError() {
    HttpResult refused = HttpResult.failed("ConnectException: Connection refused");
    assertThat(HttpOutcomes.classify(refused, false, null))
        .isEqualTo(SendOutcome.retryable("ConnectException: Connection refused"));
    assertThat(HttpOutcomes.classify(refused, HttpOutcomes.OTLP_RETRYABLE, null))
        .isEqualTo(SendOutcome.retryable("ConnectException: Connection refused"));
    HttpResult tooMany = new HttpResult(429, "rate\n  limited".getBytes(StandardCharsets.UTF_8), "text/plain",
        Duration.ofSeconds(2), null);
    assertThat(HttpOutcomes.classify(tooMany, true, null))
        .isEqualTo(SendOutcome.retryable("HTTP 429: rate limited", Duration.ofSeconds(2)));
    assertThat(HttpOutcomes.classify(tooMany, false, "custom")).isEqualTo(SendOutcome.permanent("HTTP 429: custom"));
    assertThat(HttpOutcomes.classify(tooMany, HttpOutcomes.OTLP_RETRYABLE, null))
        .isInstanceOf(SendOutcome.Retryable.class);
  }
}
