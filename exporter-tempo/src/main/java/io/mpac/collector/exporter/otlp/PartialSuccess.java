package io.mpac.collector.exporter.otlp;

import com.google.protobuf.InvalidProtocolBufferException;
import io.mpac.collector.exporter.SendOutcome;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;

/**
 * Reads an {@code Export*ServiceResponse}: full success, or {@code partial_success} with the number
 * of rejected items (dropped, never retried, per the OTLP spec) and the server's message.
 */
final class PartialSuccess {

  private PartialSuccess() {}

  /** The outcome of a 200/OK answer carrying {@code response} (protobuf; may be empty). */
  static SendOutcome.Success fromProto(Signal signal, byte[] response) {
    if (response == null || response.length == 0) return SendOutcome.success();
    try {
      return switch (signal) {
        case TRACES -> {
          ExportTraceServiceResponse r = ExportTraceServiceResponse.parseFrom(response);
          yield r.hasPartialSuccess() ? SendOutcome.partial(r.getPartialSuccess().getRejectedSpans(),
              r.getPartialSuccess().getErrorMessage()) : SendOutcome.success();
        }
        case METRICS -> {
          ExportMetricsServiceResponse r = ExportMetricsServiceResponse.parseFrom(response);
          yield r.hasPartialSuccess() ? SendOutcome.partial(r.getPartialSuccess().getRejectedDataPoints(),
              r.getPartialSuccess().getErrorMessage()) : SendOutcome.success();
        }
        case LOGS -> {
          ExportLogsServiceResponse r = ExportLogsServiceResponse.parseFrom(response);
          yield r.hasPartialSuccess() ? SendOutcome.partial(r.getPartialSuccess().getRejectedLogRecords(),
              r.getPartialSuccess().getErrorMessage()) : SendOutcome.success();
        }
      };
    } catch (InvalidProtocolBufferException e) {
      // The server said OK; an unreadable body does not make the data undelivered.
      return SendOutcome.partial(0, "unreadable export response: " + e.getMessage());
    }
  }
}
