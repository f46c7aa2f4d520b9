package io.mpac.collector.consumer;

import java.time.Duration;

/**
 * A consumer did not take the data. Two kinds, and every edge of the collector maps them the same
 * way (receivers to gRPC status / HTTP code, exporters to retry or drop):
 * <ul>
 *   <li>{@link Refused}: temporary (queue full, memory bound, backend unavailable). The sender may
 *       retry, after {@code retryAfter} if given. gRPC {@code RESOURCE_EXHAUSTED}/{@code
 *       UNAVAILABLE}, HTTP 429/503 with {@code Retry-After}.
 *   <li>{@link Rejected}: permanent (malformed, or refused by the backend for good). Never retried.
 *       gRPC {@code INVALID_ARGUMENT}, HTTP 400.
 * </ul>
 * No stack traces: these are flow control, thrown on hot paths.
 */
public abstract sealed class ConsumeException extends Exception
    permits ConsumeException.Refused, ConsumeException.Rejected {

  private ConsumeException(String message) {
    super(message, null, false, false);
  }

  /** Temporary refusal: retry later. */
  public static final class Refused extends ConsumeException {
    private final Duration retryAfter;

    public Refused(String message, Duration retryAfter) {
      super(message);
      this.retryAfter = retryAfter;
    }

    public Refused(String message) {
      this(message, null);
    }

    /** A delay the sender should wait before retrying, or null if none was given. */
    public Duration retryAfter() {
      return retryAfter;
    }
  }

  /** Permanent rejection: the data is bad or unacceptable and must not be retried. */
  public static final class Rejected extends ConsumeException {
    public Rejected(String message) {
      super(message);
    }
  }
}
