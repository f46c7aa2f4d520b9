package io.mpac.collector.exporter.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.mpac.collector.exporter.SendOutcome;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * OTLP/JSON for {@code encoding = "json"}: the encoded request is decoded once and printed with
 * protobuf's JSON mapping, then adjusted to the OTLP/JSON rules: enums as integers, and
 * {@code traceId}/{@code spanId}/{@code parentSpanId} as hex strings (protobuf JSON would print
 * base64). Field names are lowerCamelCase as OTLP/JSON requires; 64-bit integers are strings,
 * which OTLP/JSON receivers accept.
 */
final class OtlpJson {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace()
      .printingEnumsAsInts();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final Set<String> ID_FIELDS = Set.of("traceId", "spanId", "parentSpanId");

  private OtlpJson() {}

  /** The request as OTLP/JSON bytes. */
  static byte[] encode(Signal signal, byte[] proto) throws IOException {
    Message m = switch (signal) {
      case TRACES -> ExportTraceServiceRequest.parseFrom(proto);
      case METRICS -> ExportMetricsServiceRequest.parseFrom(proto);
      case LOGS -> ExportLogsServiceRequest.parseFrom(proto);
    };
    JsonNode tree = MAPPER.readTree(PRINTER.print(m));
    hexIds(tree);
    return MAPPER.writeValueAsBytes(tree);
  }

  /** Reads an OTLP/JSON {@code Export*ServiceResponse} for {@code partial_success}. */
  static SendOutcome.Success decodeResponse(Signal signal, String json) {
    if (json == null || json.isBlank()) return SendOutcome.success();
    try {
      return switch (signal) {
        case TRACES -> {
          ExportTraceServiceResponse.Builder b = ExportTraceServiceResponse.newBuilder();
          PARSER.merge(json, b);
          yield PartialSuccess.fromProto(signal, b.build().toByteArray());
        }
        case METRICS -> {
          ExportMetricsServiceResponse.Builder b = ExportMetricsServiceResponse.newBuilder();
          PARSER.merge(json, b);
          yield PartialSuccess.fromProto(signal, b.build().toByteArray());
        }
        case LOGS -> {
          ExportLogsServiceResponse.Builder b = ExportLogsServiceResponse.newBuilder();
          PARSER.merge(json, b);
          yield PartialSuccess.fromProto(signal, b.build().toByteArray());
        }
      };
    } catch (InvalidProtocolBufferException e) {
      return SendOutcome.partial(0, "unreadable export response: " + e.getMessage());
    }
  }

  private static void hexIds(JsonNode node) {
    if (node instanceof ObjectNode obj) {
      Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (ID_FIELDS.contains(e.getKey()) && e.getValue().isTextual()) {
          byte[] raw = Base64.getDecoder().decode(e.getValue().asText());
          e.setValue(TextNode.valueOf(HexFormat.of().formatHex(raw)));
        } else {
          hexIds(e.getValue());
        }
      }
    } else if (node instanceof ArrayNode arr) {
      for (JsonNode child : arr) hexIds(child);
    }
  }
}
