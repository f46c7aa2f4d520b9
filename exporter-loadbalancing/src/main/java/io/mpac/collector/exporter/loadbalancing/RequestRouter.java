package io.mpac.collector.exporter.loadbalancing;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.mpac.collector.pdata.OtlpRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Splits one OTLP request into one request per back end by the routing key: a batch holding spans
 * of many traces becomes at most one request per ring member, each with the resource and scope
 * headers of the items it carries. Decodes with the OTLP classes (the split needs the keys);
 * with a single back end the request passes as it is.
 */
final class RequestRouter {

  private final RoutingKey key;

  RequestRouter(RoutingKey key) {
    this.key = key;
  }

  /**
   * The parts of {@code request}, indexed like {@code ring.members()}; null where a member gets
   * nothing. The ring must not be empty.
   *
   * @throws InvalidProtocolBufferException when the bytes are not a valid request
   */
  OtlpRequest[] route(OtlpRequest request, HashRing ring) throws InvalidProtocolBufferException {
    int n = ring.members().size();
    OtlpRequest[] parts = new OtlpRequest[n];
    if (n == 1) {
      parts[0] = request;
      return parts;
    }
    switch (request.signal()) {
      case TRACES -> traces(request, ring, parts);
      case LOGS -> logs(request, ring, parts);
      case METRICS -> metrics(request, ring, parts);
    }
    return parts;
  }

  private void traces(OtlpRequest request, HashRing ring, OtlpRequest[] parts) throws InvalidProtocolBufferException {
    int n = parts.length;
    ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(request.bytes());
    ExportTraceServiceRequest.Builder[] out = new ExportTraceServiceRequest.Builder[n];
    int[] counts = new int[n];
    for (ResourceSpans rs : req.getResourceSpansList()) {
      if (key == RoutingKey.SERVICE) {
        int o = ring.ownerOf(serviceHash(rs.getResource()));
        int items = 0;
        for (ScopeSpans ss : rs.getScopeSpansList()) items += ss.getSpansCount();
        if (out[o] == null) out[o] = ExportTraceServiceRequest.newBuilder();
        out[o].addResourceSpans(rs);
        counts[o] += items;
        continue;
      }
      ResourceSpans.Builder[] rsOut = new ResourceSpans.Builder[n];
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        ScopeSpans.Builder[] ssOut = new ScopeSpans.Builder[n];
        for (Span s : ss.getSpansList()) {
          int o = ring.ownerOf(hash(s.getTraceId()));
          if (ssOut[o] == null) ssOut[o] = ss.toBuilder().clearSpans();
          ssOut[o].addSpans(s);
          counts[o]++;
        }
        for (int o = 0; o < n; o++) {
          if (ssOut[o] == null) continue;
          if (rsOut[o] == null) rsOut[o] = rs.toBuilder().clearScopeSpans();
          rsOut[o].addScopeSpans(ssOut[o]);
        }
      }
      for (int o = 0; o < n; o++) {
        if (rsOut[o] == null) continue;
        if (out[o] == null) out[o] = ExportTraceServiceRequest.newBuilder();
        out[o].addResourceSpans(rsOut[o]);
      }
    }
    for (int o = 0; o < n; o++) {
      if (out[o] != null && counts[o] > 0) {
        parts[o] = new OtlpRequest(request.signal(), out[o].build().toByteArray(), counts[o], request.metadata());
      }
    }
  }

  private void logs(OtlpRequest request, HashRing ring, OtlpRequest[] parts) throws InvalidProtocolBufferException {
    int n = parts.length;
    ExportLogsServiceRequest req = ExportLogsServiceRequest.parseFrom(request.bytes());
    ExportLogsServiceRequest.Builder[] out = new ExportLogsServiceRequest.Builder[n];
    int[] counts = new int[n];
    for (ResourceLogs rl : req.getResourceLogsList()) {
      if (key == RoutingKey.SERVICE) {
        int o = ring.ownerOf(serviceHash(rl.getResource()));
        int items = 0;
        for (ScopeLogs sl : rl.getScopeLogsList()) items += sl.getLogRecordsCount();
        if (out[o] == null) out[o] = ExportLogsServiceRequest.newBuilder();
        out[o].addResourceLogs(rl);
        counts[o] += items;
        continue;
      }
      ResourceLogs.Builder[] rlOut = new ResourceLogs.Builder[n];
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        ScopeLogs.Builder[] slOut = new ScopeLogs.Builder[n];
        for (LogRecord r : sl.getLogRecordsList()) {
          // A record without a trace id has no key: any back end will do (as upstream: a random one).
          long h = r.getTraceId().isEmpty() ? ThreadLocalRandom.current().nextLong() : hash(r.getTraceId());
          int o = ring.ownerOf(h);
          if (slOut[o] == null) slOut[o] = sl.toBuilder().clearLogRecords();
          slOut[o].addLogRecords(r);
          counts[o]++;
        }
        for (int o = 0; o < n; o++) {
          if (slOut[o] == null) continue;
          if (rlOut[o] == null) rlOut[o] = rl.toBuilder().clearScopeLogs();
          rlOut[o].addScopeLogs(slOut[o]);
        }
      }
      for (int o = 0; o < n; o++) {
        if (rlOut[o] == null) continue;
        if (out[o] == null) out[o] = ExportLogsServiceRequest.newBuilder();
        out[o].addResourceLogs(rlOut[o]);
      }
    }
    for (int o = 0; o < n; o++) {
      if (out[o] != null && counts[o] > 0) {
        parts[o] = new OtlpRequest(request.signal(), out[o].build().toByteArray(), counts[o], request.metadata());
      }
    }
  }

  private void metrics(OtlpRequest request, HashRing ring, OtlpRequest[] parts) throws InvalidProtocolBufferException {
    int n = parts.length;
    ExportMetricsServiceRequest req = ExportMetricsServiceRequest.parseFrom(request.bytes());
    ExportMetricsServiceRequest.Builder[] out = new ExportMetricsServiceRequest.Builder[n];
    int[] counts = new int[n];
    for (ResourceMetrics rm : req.getResourceMetricsList()) {
      if (key == RoutingKey.SERVICE || key == RoutingKey.RESOURCE) {
        long h = key == RoutingKey.SERVICE ? serviceHash(rm.getResource()) : attributesHash(rm.getResource().getAttributesList());
        int o = ring.ownerOf(h);
        int items = 0;
        for (ScopeMetrics sm : rm.getScopeMetricsList()) {
          for (Metric m : sm.getMetricsList()) items += MetricPoints.count(m);
        }
        if (out[o] == null) out[o] = ExportMetricsServiceRequest.newBuilder();
        out[o].addResourceMetrics(rm);
        counts[o] += items;
        continue;
      }
      long resourceHash = key == RoutingKey.STREAM_ID ? attributesHash(rm.getResource().getAttributesList()) : 0;
      ResourceMetrics.Builder[] rmOut = new ResourceMetrics.Builder[n];
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        ScopeMetrics.Builder[] smOut = new ScopeMetrics.Builder[n];
        long scopeHash = key == RoutingKey.STREAM_ID ? mix(resourceHash, scopeHash(sm.getScope())) : 0;
        for (Metric m : sm.getMetricsList()) {
          long nameHash = HashRing.hash(m.getName().getBytes(StandardCharsets.UTF_8));
          if (key == RoutingKey.METRIC) {
            int o = ring.ownerOf(nameHash);
            if (smOut[o] == null) smOut[o] = sm.toBuilder().clearMetrics();
            smOut[o].addMetrics(m);
            counts[o] += MetricPoints.count(m);
          } else {
            Metric[] split = MetricPoints.split(m, n, attrs -> ring.ownerOf(mix(mix(scopeHash, nameHash), attributesHash(attrs))));
            for (int o = 0; o < n; o++) {
              if (split[o] == null) continue;
              if (smOut[o] == null) smOut[o] = sm.toBuilder().clearMetrics();
              smOut[o].addMetrics(split[o]);
              counts[o] += MetricPoints.count(split[o]);
            }
          }
        }
        for (int o = 0; o < n; o++) {
          if (smOut[o] == null) continue;
          if (rmOut[o] == null) rmOut[o] = rm.toBuilder().clearScopeMetrics();
          rmOut[o].addScopeMetrics(smOut[o]);
        }
      }
      for (int o = 0; o < n; o++) {
        if (rmOut[o] == null) continue;
        if (out[o] == null) out[o] = ExportMetricsServiceRequest.newBuilder();
        out[o].addResourceMetrics(rmOut[o]);
      }
    }
    for (int o = 0; o < n; o++) {
      if (out[o] != null && counts[o] > 0) {
        parts[o] = new OtlpRequest(request.signal(), out[o].build().toByteArray(), counts[o], request.metadata());
      }
    }
  }

  static long hash(ByteString b) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < b.size(); i++) {
      h ^= b.byteAt(i) & 0xff;
      h *= 0x100000001b3L;
    }
    return fmix(h);
  }

  /** The hash of the resource's {@code service.name} (the empty string when it has none). */
  static long serviceHash(Resource r) {
    for (KeyValue kv : r.getAttributesList()) {
      if (kv.getKey().equals("service.name")) {
        return HashRing.hash(kv.getValue().getStringValue().getBytes(StandardCharsets.UTF_8));
      }
    }
    return HashRing.hash(new byte[0]);
  }

  /** A hash of a set of attributes that does not depend on their order. */
  static long attributesHash(List<KeyValue> attributes) {
    long sum = 0x9e3779b97f4a7c15L;
    for (KeyValue kv : attributes) sum += HashRing.hash(kv.toByteArray());
    return fmix(sum);
  }

  private static long scopeHash(InstrumentationScope s) {
    return HashRing.hash((s.getName() + "\u0000" + s.getVersion()).getBytes(StandardCharsets.UTF_8));
  }

  private static long mix(long a, long b) {
    return fmix(a * 31 + b);
  }

  private static long fmix(long h) {
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
