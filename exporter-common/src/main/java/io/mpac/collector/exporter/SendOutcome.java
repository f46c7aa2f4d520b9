package io.mpac.collector.exporter;

import java.time.Duration;
import java.util.Objects;

/**
 * What one send attempt came to. Every exporter maps its transport's answers to these three, and
 * the {@link SendingQueue} alone decides what follows:
 * <ul>
 *   <li>{@link Success}: delivered; {@code rejectedItems} of them were refused by the backend
 *       (OTLP {@code partial_success}) and are counted as dropped, never retried.
 *   <li>{@link Retryable}: a temporary failure (unavailable, throttled, timed out); retried with
 *       backoff, waiting at least {@code retryAfter} when the server named a delay.
 *   <li>{@link Permanent}: the backend will never take this request (bad data, auth, not found);
 *       dropped at once and counted, the reason logged (rate-limited).
 * </ul>
 */
public sealed interface SendOutcome {

  Success SUCCESS = new Success(0, "");

  static Success success() {
    return SUCCESS;
  }

  /** Delivered, with {@code rejectedItems} refused by the server (partial success) for {@code message}. */
  static Success partial(long rejectedItems, String message) {
    return new Success(rejectedItems, message);
  }

  static Retryable retryable(String reason) {
    return new Retryable(reason, null);
  }

  static Retryable retryable(String reason, Duration retryAfter) {
    return new Retryable(reason, retryAfter);
  }

  static Permanent permanent(String reason) {
    return new Permanent(reason);
  }

  record Success(long rejectedItems, String message) implements SendOutcome {
    public Success {
      if (rejectedItems < 0) throw new IllegalArgumentException("rejectedItems < 0");
      message = message == null ? "" : message;
    }
  }

  /** @param retryAfter the delay the server asked for, or null */
  record Retryable(String reason, Duration retryAfter) implements SendOutcome {
    public Retryable {
      Objects.requireNonNull(reason, "reason");
      if (retryAfter != null && retryAfter.isNegative()) retryAfter = Duration.ZERO;
    }
  }

  record Permanent(String reason) implements SendOutcome {
    public Permanent {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
