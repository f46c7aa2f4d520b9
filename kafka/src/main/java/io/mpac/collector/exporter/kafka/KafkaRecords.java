package io.mpac.collector.exporter.kafka;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.mpac.collector.kafka.Encoding;
import io.mpac.collector.kafka.OtlpJsonCodec;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.pdata.batching.OtlpSplitter;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one OTLP request into the Kafka records that carry it.
 *
 * <ul>
 *   <li>Default: one record, no key, the request's bytes as they are ({@code otlp_proto}) or its
 *       OTLP/JSON.
 *   <li>{@code partition_traces_by_id}: one record per trace id, keyed by the id in hex, holding
 *       that trace's spans under their resource and scope (this needs a decode).
 *   <li>{@code partition_metrics_by_resource_attributes}: one record per resource, keyed by a hash of
 *       its attributes sorted by key.
 *   <li>A value above {@code max_message_bytes} is split at item boundaries until each part fits; a
 *       single item that is still too large is refused ({@link TooLarge}), never dropped silently.
 * </ul>
 */
final class KafkaRecords {

  /** Room for the record's framing, key and headers within {@code max_message_bytes}. */
  static final int OVERHEAD = 512;

  /** One record's key (or null) and value, with the items it holds. */
  record Keyed(byte[] key, byte[] value, int items) {}

  /** A single item larger than {@code max_message_bytes}. */
  static final class TooLarge extends Exception {
    TooLarge(String message) {
      super(message, null, false, false);
    }
  }

  private final KafkaExporterConfig config;
  private final int maxValueBytes;

  KafkaRecords(KafkaExporterConfig config) {
    this.config = config;
    this.maxValueBytes = config.producer().maxMessageBytes() - OVERHEAD;
  }

  /** The records for {@code request}, in order. */
  List<Keyed> records(OtlpRequest request) throws TooLarge, IOException {
    List<Keyed> out = new ArrayList<>();
    Signal signal = request.signal();
    if (signal == Signal.TRACES && config.partitionTracesById()) {
      for (Map.Entry<String, OtlpRequest> e : byTraceId(request).entrySet()) {
        addFitting(e.getKey().getBytes(StandardCharsets.UTF_8), e.getValue(), out);
      }
    } else if (signal == Signal.METRICS && config.partitionMetricsByResourceAttributes()) {
      for (Map.Entry<String, List<OtlpRequest>> e : byResource(request).entrySet()) {
        for (OtlpRequest part : e.getValue()) addFitting(e.getKey().getBytes(StandardCharsets.UTF_8), part, out);
      }
    } else {
      addFitting(null, request, out);
    }
    return out;
  }

  /** Adds {@code request} as one record, or split in halves by items until every part fits. */
  private void addFitting(byte[] key, OtlpRequest request, List<Keyed> out) throws TooLarge, IOException {
    byte[] value = encode(request);
    if (value.length <= maxValueBytes) {
      out.add(new Keyed(key, value, request.itemCount()));
      return;
    }
    if (request.itemCount() <= 1) {
      throw new TooLarge("a " + request.signal().lowerName() + " request holding " + request.itemCount() + " "
          + request.signal().itemName() + " is " + value.length + " bytes encoded, more than producer.max_message_bytes ("
          + config.producer().maxMessageBytes() + ") allows");
    }
    int half = (request.itemCount() + 1) / 2;
    for (OtlpRequest part : OtlpSplitter.split(request, half)) addFitting(key, part, out);
  }

  private byte[] encode(OtlpRequest request) throws IOException {
    Encoding e = config.topics().get(request.signal()).encoding();
    return e == Encoding.OTLP_JSON ? OtlpJsonCodec.encode(request.signal(), request.bytes()) : request.bytes();
  }

  /** The request's spans grouped by trace id (hex), each group a request of its own. */
  static Map<String, OtlpRequest> byTraceId(OtlpRequest request) throws InvalidProtocolBufferException {
    ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(request.bytes());
    Map<ByteString, ExportTraceServiceRequest.Builder> groups = new LinkedHashMap<>();
    Map<ByteString, Integer> counts = new LinkedHashMap<>();
    for (ResourceSpans rs : req.getResourceSpansList()) {
      // per trace: this resource's scopes, each with the trace's spans in it
      Map<ByteString, ResourceSpans.Builder> resourceOf = new LinkedHashMap<>();
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        Map<ByteString, ScopeSpans.Builder> scopeOf = new LinkedHashMap<>();
        for (Span span : ss.getSpansList()) {
          scopeOf.computeIfAbsent(span.getTraceId(), id -> ss.toBuilder().clearSpans()).addSpans(span);
          counts.merge(span.getTraceId(), 1, Integer::sum);
        }
        for (Map.Entry<ByteString, ScopeSpans.Builder> e : scopeOf.entrySet()) {
          resourceOf.computeIfAbsent(e.getKey(), id -> rs.toBuilder().clearScopeSpans()).addScopeSpans(e.getValue());
        }
      }
      for (Map.Entry<ByteString, ResourceSpans.Builder> e : resourceOf.entrySet()) {
        groups.computeIfAbsent(e.getKey(), id -> ExportTraceServiceRequest.newBuilder()).addResourceSpans(e.getValue());
      }
    }
    Map<String, OtlpRequest> out = new LinkedHashMap<>();
    for (Map.Entry<ByteString, ExportTraceServiceRequest.Builder> e : groups.entrySet()) {
      out.put(HexFormat.of().formatHex(e.getKey().toByteArray()), new OtlpRequest(Signal.TRACES,
          e.getValue().build().toByteArray(), counts.get(e.getKey()), request.metadata()));
    }
    return out;
  }

  /** The request's resources grouped by the hash of their sorted attributes. */
  static Map<String, List<OtlpRequest>> byResource(OtlpRequest request) throws InvalidProtocolBufferException {
    ExportMetricsServiceRequest req = ExportMetricsServiceRequest.parseFrom(request.bytes());
    Map<String, List<OtlpRequest>> out = new LinkedHashMap<>();
    for (ResourceMetrics rm : req.getResourceMetricsList()) {
      byte[] bytes = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(rm).build().toByteArray();
      OtlpRequest part = new OtlpRequest(Signal.METRICS, bytes, OtlpSplitter.countItems(Signal.METRICS, bytes),
          request.metadata());
      out.computeIfAbsent(resourceKey(rm.getResource().getAttributesList()), k -> new ArrayList<>()).add(part);
    }
    return out;
  }

  /** SHA-256 (hex) of the attributes sorted by key, each in its protobuf encoding. */
  static String resourceKey(List<KeyValue> attributes) {
    List<KeyValue> sorted = new ArrayList<>(attributes);
    sorted.sort(Comparator.comparing(KeyValue::getKey));
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (KeyValue kv : sorted) d.update(kv.toByteArray()); // length-delimited: unambiguous
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
