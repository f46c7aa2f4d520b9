package io.mpac.collector.pdata.batching;

import io.mpac.collector.pdata.Signal;

/**
 * The nesting of an {@code Export*ServiceRequest} down to its items, as field numbers: which field
 * of each message holds the next level. Everything else in a message (resource, scope, schema_url,
 * a metric's name/description/unit/metadata, a sum's temporality and monotonicity, unknown
 * fields) is that message's <em>header</em>, copied whole into every part a split produces.
 *
 * <pre>
 * traces   request(1) → ResourceSpans(2)   → ScopeSpans(2)   → Span
 * logs     request(1) → ResourceLogs(2)    → ScopeLogs(2)    → LogRecord
 * metrics  request(1) → ResourceMetrics(2) → ScopeMetrics(2) → Metric(5 gauge | 7 sum | 9 histogram
 *          | 10 exponential_histogram | 11 summary) → data(1) → *DataPoint
 * </pre>
 */
final class OtlpShape {

  final String name;
  private final int[] childFields;
  /** The level of the children, or null when the children are the items. */
  final OtlpShape child;

  private OtlpShape(String name, OtlpShape child, int... childFields) {
    this.name = name;
    this.child = child;
    this.childFields = childFields;
  }

  boolean isChild(int fieldNumber) {
    for (int f : childFields) {
      if (f == fieldNumber) return true;
    }
    return false;
  }

  private static final OtlpShape SCOPE_SPANS = new OtlpShape("ScopeSpans", null, 2);
  private static final OtlpShape RESOURCE_SPANS = new OtlpShape("ResourceSpans", SCOPE_SPANS, 2);
  static final OtlpShape TRACES = new OtlpShape("ExportTraceServiceRequest", RESOURCE_SPANS, 1);

  private static final OtlpShape SCOPE_LOGS = new OtlpShape("ScopeLogs", null, 2);
  private static final OtlpShape RESOURCE_LOGS = new OtlpShape("ResourceLogs", SCOPE_LOGS, 2);
  static final OtlpShape LOGS = new OtlpShape("ExportLogsServiceRequest", RESOURCE_LOGS, 1);

  private static final OtlpShape METRIC_DATA = new OtlpShape("Metric data", null, 1);
  private static final OtlpShape METRIC = new OtlpShape("Metric", METRIC_DATA, 5, 7, 9, 10, 11);
  private static final OtlpShape SCOPE_METRICS = new OtlpShape("ScopeMetrics", METRIC, 2);
  private static final OtlpShape RESOURCE_METRICS = new OtlpShape("ResourceMetrics", SCOPE_METRICS, 2);
  static final OtlpShape METRICS = new OtlpShape("ExportMetricsServiceRequest", RESOURCE_METRICS, 1);

  static OtlpShape of(Signal signal) {
    return switch (signal) {
      case TRACES -> TRACES;
      case METRICS -> METRICS;
      case LOGS -> LOGS;
    };
  }

  /** Items (spans, data points, log records) in the message body {@code [start, end)} of this level. */
  int count(byte[] buf, int start, int end) {
    ProtoCursor c = new ProtoCursor(buf, start, end, name);
    int n = 0;
    while (c.next()) {
      if (!isChild(c.fieldNumber)) continue;
      if (c.wireType != ProtoCursor.WIRE_LEN) throw c.malformed("field " + c.fieldNumber + " is not a message");
      n += child == null ? 1 : child.count(buf, c.valueStart, c.valueEnd);
    }
    return n;
  }
}
