package io.mpac.collector.exporter.debug;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.mpac.collector.exporter.debug.DebugExporterConfig.Verbosity;
import io.mpac.collector.pdata.OtlpRequest;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.List;

/** Renders a request as text for the debug exporter. */
public final class DebugRenderer {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private DebugRenderer() {}

  public static String render(OtlpRequest request, Verbosity verbosity) throws InvalidProtocolBufferException {
    return switch (request.signal()) {
      case TRACES -> traces(ExportTraceServiceRequest.parseFrom(request.bytes()), request.itemCount(), verbosity);
      case METRICS -> metrics(ExportMetricsServiceRequest.parseFrom(request.bytes()), request.itemCount(), verbosity);
      case LOGS -> logs(ExportLogsServiceRequest.parseFrom(request.bytes()), request.itemCount(), verbosity);
    };
  }

  private static String traces(ExportTraceServiceRequest req, int items, Verbosity v) {
    StringBuilder sb = new StringBuilder("Traces resource_spans=").append(req.getResourceSpansCount())
        .append(" spans=").append(items);
    if (v == Verbosity.BASIC) return sb.toString();
    for (ResourceSpans rs : req.getResourceSpansList()) {
      resource(sb, rs.getResource().getAttributesList(), v);
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        scope(sb, ss.getScope().getName(), ss.getScope().getVersion(), v);
        for (Span s : ss.getSpansList()) {
          sb.append("\n    span name=").append(quote(s.getName()))
              .append(" trace_id=").append(hex(s.getTraceId()))
              .append(" span_id=").append(hex(s.getSpanId()));
          if (v == Verbosity.DETAILED) {
            sb.append(" parent_span_id=").append(hex(s.getParentSpanId()))
                .append(" kind=").append(s.getKind())
                .append(" start=").append(s.getStartTimeUnixNano())
                .append(" end=").append(s.getEndTimeUnixNano())
                .append(" status=").append(s.getStatus().getCode());
            attributes(sb, s.getAttributesList());
            sb.append(" events=").append(s.getEventsCount()).append(" links=").append(s.getLinksCount());
          }
        }
      }
    }
    return sb.toString();
  }

  private static String metrics(ExportMetricsServiceRequest req, int items, Verbosity v) {
    StringBuilder sb = new StringBuilder("Metrics resource_metrics=").append(req.getResourceMetricsCount())
        .append(" data_points=").append(items);
    if (v == Verbosity.BASIC) return sb.toString();
    for (ResourceMetrics rm : req.getResourceMetricsList()) {
      resource(sb, rm.getResource().getAttributesList(), v);
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        scope(sb, sm.getScope().getName(), sm.getScope().getVersion(), v);
        for (Metric m : sm.getMetricsList()) {
          sb.append("\n    metric name=").append(quote(m.getName()))
              .append(" type=").append(m.getDataCase().name().toLowerCase(java.util.Locale.ROOT))
              .append(" unit=").append(quote(m.getUnit()));
          if (v == Verbosity.DETAILED) {
            String points = switch (m.getDataCase()) {
              case GAUGE -> m.getGauge().getDataPointsList().toString();
              case SUM -> m.getSum().getDataPointsList().toString();
              case HISTOGRAM -> m.getHistogram().getDataPointsList().toString();
              case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsList().toString();
              case SUMMARY -> m.getSummary().getDataPointsList().toString();
              default -> "[]";
            };
            sb.append(" points=").append(points.replace('\n', ' '));
          }
        }
      }
    }
    return sb.toString();
  }

  private static String logs(ExportLogsServiceRequest req, int items, Verbosity v) {
    StringBuilder sb = new StringBuilder("Logs resource_logs=").append(req.getResourceLogsCount())
        .append(" log_records=").append(items);
    if (v == Verbosity.BASIC) return sb.toString();
    for (ResourceLogs rl : req.getResourceLogsList()) {
      resource(sb, rl.getResource().getAttributesList(), v);
      for (ScopeLogs sl : rl.getScopeLogsList()) {
        scope(sb, sl.getScope().getName(), sl.getScope().getVersion(), v);
        for (LogRecord r : sl.getLogRecordsList()) {
          sb.append("\n    log severity=").append(r.getSeverityText().isEmpty() ? r.getSeverityNumber().name() : r.getSeverityText())
              .append(" body=").append(quote(any(r.getBody())));
          if (!r.getTraceId().isEmpty()) sb.append(" trace_id=").append(hex(r.getTraceId()));
          if (!r.getSpanId().isEmpty()) sb.append(" span_id=").append(hex(r.getSpanId()));
          if (v == Verbosity.DETAILED) {
            sb.append(" time=").append(r.getTimeUnixNano()).append(" observed=").append(r.getObservedTimeUnixNano());
            attributes(sb, r.getAttributesList());
          }
        }
      }
    }
    return sb.toString();
  }

  private static void resource(StringBuilder sb, List<KeyValue> attributes, Verbosity v) {
    sb.append("\n  resource");
    attributes(sb, attributes);
  }

  private static void scope(StringBuilder sb, String name, String version, Verbosity v) {
    sb.append("\n   scope name=").append(quote(name));
    if (!version.isEmpty()) sb.append(" version=").append(quote(version));
  }

  private static void attributes(StringBuilder sb, List<KeyValue> attributes) {
    sb.append(" attributes={");
    for (int i = 0; i < attributes.size(); i++) {
      if (i > 0) sb.append(", ");
      sb.append(attributes.get(i).getKey()).append('=').append(quote(any(attributes.get(i).getValue())));
    }
    sb.append('}');
  }

  private static String any(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> Boolean.toString(v.getBoolValue());
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> Double.toString(v.getDoubleValue());
      case BYTES_VALUE -> hex(v.getBytesValue());
      case ARRAY_VALUE -> v.getArrayValue().getValuesList().stream().map(DebugRenderer::any).toList().toString();
      case KVLIST_VALUE -> v.getKvlistValue().getValuesList().stream()
          .map(kv -> kv.getKey() + "=" + any(kv.getValue())).toList().toString();
      default -> "";
    };
  }

  static String hex(ByteString b) {
    char[] out = new char[b.size() * 2];
    for (int i = 0; i < b.size(); i++) {
      int x = b.byteAt(i) & 0xff;
      out[2 * i] = HEX[x >>> 4];
      out[2 * i + 1] = HEX[x & 0xf];
    }
    return new String(out);
  }

  private static String quote(String s) {
    return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
  }
}
