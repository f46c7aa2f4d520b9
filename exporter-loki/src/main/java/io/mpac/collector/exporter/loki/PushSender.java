package io.mpac.collector.exporter.loki;

import io.mpac.collector.exporter.HttpOutcomes;
import io.mpac.collector.exporter.SendOutcome;
import java.time.Duration;

/** Makes one push request; {@code loki.write}'s endpoint decides what follows from the result. */
interface PushSender {

  /**
   * What one request came to.
   *
   * @param status the HTTP status, or -1 when no answer came (connection error, timeout)
   * @param body the first line of the response body (up to 1 KiB), for failures
   * @param retryAfter the server's {@code Retry-After}, or null
   * @param error what went wrong without an answer, or null
   */
  record Result(int status, String body, Duration retryAfter, String error) {
    static Result failed(String error) {
      return new Result(-1, "", null, error);
    }

    boolean success() {
      return status >= 200 && status < 300;
    }

    /** The common classification ({@link HttpOutcomes}): no answer, 5xx, and 429 if {@code retryOn429} retry. */
    SendOutcome outcome(boolean retryOn429) {
      if (status < 0) return SendOutcome.retryable(error == null ? "no answer" : error);
      return HttpOutcomes.classify(status, retryOn429, retryAfter, body);
    }
  }

  /** Sends {@code body} (snappy-compressed {@code PushRequest}) for {@code tenant} (empty = none). */
  Result send(String tenant, byte[] body, Duration timeout) throws InterruptedException;

  /**
   * Sends the first {@code length} bytes of {@code body}. The caller may reuse {@code body} once
   * this returns a result with an answer ({@code status >= 0}); after one without an answer the
   * transport may still read it. This default copies and calls {@link #send(String, byte[], Duration)}.
   */
  default Result send(String tenant, byte[] body, int length, Duration timeout) throws InterruptedException {
    return send(tenant, length == body.length ? body : java.util.Arrays.copyOf(body, length), timeout);
  }

  /** Gives up requests in flight (shutdown deadline passed). */
  default void abort() {}

  default void close() {}
}
