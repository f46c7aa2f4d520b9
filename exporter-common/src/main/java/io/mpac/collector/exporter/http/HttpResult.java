package io.mpac.collector.exporter.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * What one HTTP request came to: an answer (status, the start of the body, {@code Content-Type},
 * {@code Retry-After}) or an error without one (connection refused, timeout, aborted).
 *
 * @param status the HTTP status, or -1 when no answer came
 * @param body the first bytes of the response body (at most the transport's limit); empty without answer
 * @param contentType the response's {@code Content-Type}, or ""
 * @param retryAfter the server's {@code Retry-After} as a delay (seconds or HTTP date, capped), or null
 * @param error what went wrong without an answer, or null when there is one
 */
public record HttpResult(int status, byte[] body, String contentType, Duration retryAfter, String error) {

  private static final byte[] EMPTY = new byte[0];
  /** Characters of the body that {@link #shortBody()} keeps. */
  public static final int SHORT_BODY_CHARS = 512;

  public HttpResult {
    body = body == null ? EMPTY : body;
    contentType = contentType == null ? "" : contentType;
  }

  public static HttpResult failed(String error) {
    return new HttpResult(-1, EMPTY, "", null, error);
  }

  public boolean answered() {
    return status >= 0;
  }

  public boolean success() {
    return status >= 200 && status < 300;
  }

  /** The body as one line of text (white space folded), at most {@link #SHORT_BODY_CHARS} characters. */
  public String shortBody() {
    if (body.length == 0) return "";
    String s = new String(body, 0, Math.min(body.length, SHORT_BODY_CHARS * 4), StandardCharsets.UTF_8);
    s = s.strip().replaceAll("\\s+", " ");
    return s.length() <= SHORT_BODY_CHARS ? s : s.substring(0, SHORT_BODY_CHARS) + "...";
  }

  @Override
  public String toString() {
    return answered() ? "HTTP " + status + (body.length == 0 ? "" : ": " + shortBody()) : error;
  }
}
