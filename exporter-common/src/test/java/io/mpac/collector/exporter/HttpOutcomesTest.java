package io.mpac.collector.exporter;

import static org.assertj.core.api.Assertions.assertThat;

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
}
