package io.mpac.collector.receiver.otlp.internal;

import io.mpac.collector.util.JsonStrings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Encodes what the receiver answers: {@code google.rpc.Status} (with an optional
 * {@code google.rpc.RetryInfo} detail) in protobuf and in JSON, and the export responses. Small,
 * hand-written encoders: these messages have four fields between them.
 *
 * <pre>
 *   Status    { int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }
 *   Any       { string type_url = 1; bytes value = 2; }
 *   RetryInfo { google.protobuf.Duration retry_delay = 1; }
 *   Duration  { int64 seconds = 1; int32 nanos = 2; }
 * </pre>
 */
public final class Responses {

  public static final String RETRY_INFO_TYPE = "type.googleapis.com/google.rpc.RetryInfo";

  /** gRPC status codes used here. */
  public static final int INVALID_ARGUMENT = 3;
  public static final int RESOURCE_EXHAUSTED = 8;
  public static final int INTERNAL = 13;
  public static final int UNAVAILABLE = 14;

  private static final byte[] EMPTY = new byte[0];
  private static final byte[] EMPTY_JSON = "{}".getBytes(StandardCharsets.US_ASCII);

  private Responses() {}

  /** An {@code Export*ServiceResponse} with {@code partial_success} unset: empty in protobuf. */
  public static byte[] exportSuccess(boolean json) {
    return json ? EMPTY_JSON : EMPTY;
  }

  /** A {@code google.rpc.Status} in protobuf; {@code retryAfter} (nullable) adds a RetryInfo detail. */
  public static byte[] statusProto(int code, String message, Duration retryAfter) {
    WireBuffer w = new WireBuffer(64 + message.length() * 3);
    if (code != 0) {
      w.tag(1, 0);
      w.varint(code);
    }
    byte[] m = message.getBytes(StandardCharsets.UTF_8);
    if (m.length > 0) {
      w.tag(2, 2);
      w.bytes(m, 0, m.length);
    }
    if (retryAfter != null) {
      w.tag(3, 2);
      int any = w.beginLength();
      byte[] type = RETRY_INFO_TYPE.getBytes(StandardCharsets.US_ASCII);
      w.tag(1, 2);
      w.bytes(type, 0, type.length);
      w.tag(2, 2);
      int retryInfo = w.beginLength();
      w.tag(1, 2);
      int duration = w.beginLength();
      if (retryAfter.getSeconds() != 0) {
        w.tag(1, 0);
        w.varint(retryAfter.getSeconds());
      }
      if (retryAfter.getNano() != 0) {
        w.tag(2, 0);
        w.varint(retryAfter.getNano());
      }
      w.endLength(duration);
      w.endLength(retryInfo);
      w.endLength(any);
    }
    return w.toByteArray();
  }

  /** The same status in the proto3 JSON mapping. */
  public static byte[] statusJson(int code, String message, Duration retryAfter) {
    StringBuilder sb = new StringBuilder(64 + message.length());
    sb.append("{\"code\":").append(code).append(",\"message\":");
    jsonString(sb, message);
    if (retryAfter != null) {
      sb.append(",\"details\":[{\"@type\":\"").append(RETRY_INFO_TYPE).append("\",\"retryDelay\":\"")
          .append(retryAfter.getSeconds());
      if (retryAfter.getNano() != 0) sb.append('.').append(String.format("%09d", retryAfter.getNano()));
      sb.append("s\"}]");
    }
    return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  static void jsonString(StringBuilder sb, String s) {
    JsonStrings.append(sb, s);
  }

  /** Whole seconds for a {@code Retry-After} header, at least 1. */
  public static long retryAfterSeconds(Duration d) {
    long s = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
    return Math.max(1, s);
  }
}
