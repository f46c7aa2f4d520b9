package io.mpac.collector.exporter.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.rpc.RetryInfo;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.mpac.collector.exporter.SendOutcome;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Maps a failed OTLP/gRPC call to a {@link SendOutcome}, exactly as the OTLP specification's
 * table: CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE and DATA_LOSS are
 * retryable; RESOURCE_EXHAUSTED only when the server attached a {@code google.rpc.RetryInfo}
 * (throttling; without it the request is too large to ever fit); everything else is permanent. A
 * {@code RetryInfo.retry_delay} in the {@code grpc-status-details-bin} trailer is honoured as the
 * minimum wait.
 */
final class GrpcOutcomes {

  private GrpcOutcomes() {}

  static SendOutcome classify(Status status, Metadata trailers) {
    Duration delay = retryDelay(status, trailers);
    String reason = describe(status);
    return switch (status.getCode()) {
      case OK -> SendOutcome.success();
      case CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS ->
          SendOutcome.retryable(reason, delay);
      case RESOURCE_EXHAUSTED -> delay != null ? SendOutcome.retryable(reason, delay)
          : SendOutcome.permanent(reason + " (no RetryInfo: not retryable, e.g. the request is too large)");
      default -> SendOutcome.permanent(reason);
    };
  }

  /** The server's {@code RetryInfo.retry_delay}, or null. */
  static Duration retryDelay(Status status, Metadata trailers) {
    if (trailers == null) return null;
    com.google.rpc.Status details;
    try {
      details = StatusProto.fromStatusAndTrailers(status, trailers);
    } catch (RuntimeException e) {
      return null; // malformed grpc-status-details-bin: ignore
    }
    if (details == null) return null;
    for (com.google.protobuf.Any any : details.getDetailsList()) {
      if (!any.is(RetryInfo.class)) continue;
      try {
        RetryInfo info = any.unpack(RetryInfo.class);
        if (!info.hasRetryDelay()) return null;
        com.google.protobuf.Duration d = info.getRetryDelay();
        if (d.getSeconds() < 0 || d.getNanos() < 0) return Duration.ZERO;
        return Duration.ofSeconds(d.getSeconds(), d.getNanos());
      } catch (InvalidProtocolBufferException e) {
        return null;
      }
    }
    return null;
  }

  /** "UNAVAILABLE: io exception" plus a hint for the common setup mistakes. */
  static String describe(Status status) {
    StringBuilder sb = new StringBuilder(status.getCode().name());
    if (status.getDescription() != null) sb.append(": ").append(status.getDescription());
    Throwable cause = status.getCause();
    if (cause != null && (status.getDescription() == null || !status.getDescription().contains(cause.toString()))) {
      sb.append(" (").append(rootMessage(cause)).append(')');
    }
    if (status.getCode() == Status.Code.UNIMPLEMENTED) {
      sb.append(" -- the endpoint does not serve OTLP over gRPC (wrong port? Tempo takes OTLP gRPC on 4317,"
          + " OTLP/HTTP on 4318)");
    } else if (status.getCode() == Status.Code.UNAVAILABLE && looksLikeTls(cause)) {
      sb.append(" -- TLS handshake failed; if the backend is plaintext set client { tls { insecure = true } }");
    } else if (status.getCode() == Status.Code.INTERNAL && status.getDescription() != null
        && status.getDescription().toLowerCase(Locale.ROOT).contains("http/2")) {
      sb.append(" -- the endpoint may not speak gRPC (is it an HTTP/1 port?)");
    }
    return sb.toString();
  }

  private static boolean looksLikeTls(Throwable t) {
    for (int i = 0; t != null && i < 10; i++, t = t.getCause()) {
      if (t instanceof SSLException) return true;
      String name = t.getClass().getSimpleName();
      if (name.contains("Ssl") || name.contains("SSL")) return true;
    }
    return false;
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    for (int i = 0; root.getCause() != null && i < 10; i++) root = root.getCause();
    return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
  }
}
