package io.mpac.collector.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * {@code encoding = "otlp_json"}: an export request to and from OTLP/JSON. Protobuf's JSON mapping
 * does most of it; OTLP/JSON differs in two places that are fixed up on the tree: trace and span ids
 * are hex (protobuf would use base64) and enums are integers. Field names are lowerCamelCase.
 */
public final class OtlpJsonCodec {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace()
      .printingEnumsAsInts();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final Set<String> ID_FIELDS = Set.of("traceId", "spanId", "parentSpanId");

  private OtlpJsonCodec() {}

  /** The protobuf-encoded request as OTLP/JSON. */
  public static byte[] encode(Signal signal, byte[] proto) throws IOException {
    Message m = switch (signal) {
      case TRACES -> ExportTraceServiceRequest.parseFrom(proto);
      case METRICS -> ExportMetricsServiceRequest.parseFrom(proto);
      case LOGS -> ExportLogsServiceRequest.parseFrom(proto);
    };
    JsonNode tree = MAPPER.readTree(PRINTER.print(m));
    rewriteIds(tree, true);
    return MAPPER.writeValueAsBytes(tree);
  }

  /** OTLP/JSON back to the protobuf encoding; throws {@link IOException} on anything malformed. */
  public static byte[] decode(Signal signal, byte[] json) throws IOException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new IOException("not JSON: " + e.getMessage(), e);
    }
    if (tree == null || !tree.isObject()) throw new IOException("not a JSON object");
    rewriteIds(tree, false);
    String text = MAPPER.writeValueAsString(tree);
    Message.Builder b = switch (signal) {
      case TRACES -> ExportTraceServiceRequest.newBuilder();
      case METRICS -> ExportMetricsServiceRequest.newBuilder();
      case LOGS -> ExportLogsServiceRequest.newBuilder();
    };
    try {
      PARSER.merge(text, b);
    } catch (RuntimeException | IOException e) {
      throw new IOException("not an OTLP/JSON " + signal.lowerName() + " request: " + e.getMessage(), e);
    }
    return b.build().toByteArray();
  }

  /** Ids between protobuf's base64 and OTLP's hex; {@code toHex} picks the direction. */
  private static void rewriteIds(JsonNode node, boolean toHex) throws IOException {
    if (node instanceof ObjectNode obj) {
      Iterator<Map.Entry<String, JsonNode>> it = obj.fields();
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        if (ID_FIELDS.contains(e.getKey()) && e.getValue().isTextual()) {
          String v = e.getValue().asText();
          try {
            e.setValue(TextNode.valueOf(toHex ? HexFormat.of().formatHex(Base64.getDecoder().decode(v))
                : Base64.getEncoder().encodeToString(HexFormat.of().parseHex(v))));
          } catch (IllegalArgumentException bad) {
            throw new IOException(e.getKey() + " \"" + v + "\" is not " + (toHex ? "base64" : "hex"));
          }
        } else {
          rewriteIds(e.getValue(), toHex);
        }
      }
    } else if (node instanceof ArrayNode arr) {
      for (JsonNode child : arr) rewriteIds(child, toHex);
    }
  }
}
