package io.mpac.collector.exporter.prometheus;

import static io.mpac.collector.exporter.prometheus.OtlpToPrometheus.anyValueString;
import static io.mpac.collector.exporter.prometheus.OtlpToPrometheus.hex;

import io.mpac.collector.exporter.prometheus.OtlpToPrometheus.DropReason;
import io.mpac.collector.exporter.prometheus.OtlpToPrometheus.Options;
import io.mpac.collector.exporter.prometheus.PrometheusNames.Kind;
import io.mpac.collector.exporter.prometheus.SeriesStates.StreamState;
import io.mpac.collector.prometheus.Exemplar;
import io.mpac.collector.prometheus.HistogramSample;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.Metadata;
import io.mpac.collector.prometheus.MetricType;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.Sample;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * TEST REFERENCE: the object-based translation that {@code otelcol.exporter.prometheus} used before
 * the streaming one ({@link OtlpToPrometheus}), kept verbatim (apart from sharing {@code Options}
 * and {@code DropReason}) as the oracle of the differential tests. It decodes with protobuf-java.
 *
 * Translates one decoded {@code ExportMetricsServiceRequest} into Prometheus samples, following the
 * OpenTelemetry specification ("Prometheus and OpenMetrics Compatibility") and Alloy's
 * {@code otelcol.exporter.prometheus}. See the module README for the rules, per type.
 *
 * <p>Thread safety: {@link #convert} may run on several threads at once, except that requests
 * holding delta metrics must be converted, handed on and committed one at a time (the caller holds
 * a lock), because they read and advance the running totals.
 *
 * <p>Nothing the converter remembers changes until {@link Pending#commit()}: if the receivers
 * refuse the batch and the client sends the request again, it converts to the same samples.
 */
final class ObjectTranslation {

  static final String TARGET_INFO = "target_info";
  static final String SCOPE_INFO = "otel_scope_info";
  static final String SCOPE_NAME = "otel_scope_name";
  static final String SCOPE_VERSION = "otel_scope_version";
  static final String JOB = "job";
  static final String INSTANCE = "instance";
  static final String SERVICE_NAME = "service.name";
  static final String SERVICE_NAMESPACE = "service.namespace";
  static final String SERVICE_INSTANCE_ID = "service.instance.id";
  private static final int NO_RECORDED_VALUE = 1;
  private static final int NAME_CACHE_LIMIT = 10_000;
  /** OpenMetrics' limit on the runes of all exemplar label names and values together. */
  private static final int EXEMPLAR_RUNES_LIMIT = 128;

  private final Options options;
  private final SeriesStates states;
  private final ConcurrentHashMap<String, String> labelNames = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String> metricNames = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String> unitNames = new ConcurrentHashMap<>();

  ObjectTranslation(Options options, SeriesStates states) {
    this.options = options;
    this.states = states;
  }

  Options options() {
    return options;
  }

  /** True when the request holds delta sums or histograms (the caller must serialise it). */
  static boolean hasDelta(ExportMetricsServiceRequest req) {
    for (ResourceMetrics rm : req.getResourceMetricsList()) {
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          if (m.hasSum() && m.getSum().getAggregationTemporality()
              == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA) return true;
          if (m.hasHistogram() && m.getHistogram().getAggregationTemporality()
              == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA) return true;
        }
      }
    }
    return false;
  }

  /** The outcome of one conversion. */
  static final class Result {
    final MetricsBatch batch;
    final Pending pending;
    final int points;
    final EnumMap<DropReason, Integer> dropped;

    Result(MetricsBatch batch, Pending pending, int points, EnumMap<DropReason, Integer> dropped) {
      this.batch = batch;
      this.pending = pending;
      this.points = points;
      this.dropped = dropped;
    }

    int droppedPoints() {
      int n = 0;
      for (int v : dropped.values()) n += v;
      return n;
    }
  }

  /** State changes to apply once the receivers took the batch. */
  static final class Pending {
    private final IdentityHashMap<StreamState, Change> changes = new IdentityHashMap<>();

    Change of(StreamState st) {
      Change c = changes.get(st);
      if (c == null) {
        c = new Change(st);
        changes.put(st, c);
      }
      return c;
    }

    /** Makes the conversion's effects permanent. */
    void commit() {
      for (Change c : changes.values()) c.apply();
    }

    boolean isEmpty() {
      return changes.isEmpty();
    }
  }

  /** The new values of one stream, starting from its committed ones. */
  static final class Change {
    final StreamState st;
    long lastTs;
    boolean deltaTouched;
    double sum;
    long count;
    double histSum;
    double[] bounds;
    long[] buckets;

    Change(StreamState st) {
      this.st = st;
      this.lastTs = st.lastTimestampMs;
    }

    void touchDelta() {
      if (deltaTouched) return;
      deltaTouched = true;
      sum = st.sum;
      count = st.count;
      histSum = st.histSum;
      bounds = st.bounds;
      buckets = st.bucketCounts == null ? null : st.bucketCounts.clone();
    }

    void apply() {
      if (lastTs > st.lastTimestampMs) st.lastTimestampMs = lastTs;
      if (deltaTouched) {
        st.hasDelta = true;
        st.sum = sum;
        st.count = count;
        st.histSum = histSum;
        st.bounds = bounds;
        st.bucketCounts = buckets;
      }
    }
  }

  /** Per-call working state. */
  private final class Call {
    final long nowNanos;
    final long nowMs;
    final List<Sample> samples = new ArrayList<>();
    final List<HistogramSample> histograms = new ArrayList<>();
    final List<Metadata> metadata = new ArrayList<>();
    final Set<String> metadataSeen = new HashSet<>();
    final Pending pending = new Pending();
    final EnumMap<DropReason, Integer> dropped = new EnumMap<>(DropReason.class);
    final Labels.Builder builder = Labels.builder();
    int points;

    Call(long nowNanos, long nowMs) {
      this.nowNanos = nowNanos;
      this.nowMs = nowMs;
    }

    void drop(DropReason r, int n) {
      if (n > 0) dropped.merge(r, n, Integer::sum);
    }

    void metadata(String family, MetricType type, String help, String unit) {
      if (metadataSeen.add(family)) metadata.add(new Metadata(family, type, help, unit));
    }

    /** The stream's pending change, or null when the stream memory is full. */
    Change change(Labels key) {
      StreamState st = states.get(key, nowNanos);
      return st == null ? null : pending.of(st);
    }
  }

  /** Resource-level labels, computed once per resource. */
  private record ResourceInfo(String job, String instance, List<KeyValue> attributes) {}

  /** Converts a request. {@code nowMs} stands in for points without a timestamp. */
  Result convert(ExportMetricsServiceRequest req, long nowNanos, long nowMs) {
    Call call = new Call(nowNanos, nowMs);
    for (ResourceMetrics rm : req.getResourceMetricsList()) {
      convertResource(call, rm);
    }
    return new Result(new MetricsBatch(call.samples, call.histograms, call.metadata), call.pending, call.points,
        call.dropped);
  }

  private void convertResource(Call call, ResourceMetrics rm) {
    List<KeyValue> attrs = rm.getResource().getAttributesList();
    String serviceName = null;
    String serviceNamespace = null;
    String instance = "";
    for (KeyValue kv : attrs) {
      switch (kv.getKey()) {
        case SERVICE_NAME -> serviceName = anyValueString(kv.getValue());
        case SERVICE_NAMESPACE -> serviceNamespace = anyValueString(kv.getValue());
        case SERVICE_INSTANCE_ID -> instance = anyValueString(kv.getValue());
        default -> { }
      }
    }
    String job = "";
    if (serviceName != null) {
      job = serviceNamespace != null && !serviceNamespace.isEmpty() ? serviceNamespace + "/" + serviceName : serviceName;
    }
    ResourceInfo res = new ResourceInfo(job, instance, attrs);
    int samplesBefore = call.samples.size();
    int histogramsBefore = call.histograms.size();
    for (ScopeMetrics sm : rm.getScopeMetricsList()) {
      convertScope(call, res, sm);
    }
    if (options.includeTargetInfo()) {
      long ts = newestTimestamp(call, samplesBefore, histogramsBefore);
      targetInfo(call, res, ts);
    }
  }

  private static long newestTimestamp(Call call, int samplesFrom, int histogramsFrom) {
    long ts = Long.MIN_VALUE;
    for (int i = samplesFrom; i < call.samples.size(); i++) ts = Math.max(ts, call.samples.get(i).timestampMs());
    for (int i = histogramsFrom; i < call.histograms.size(); i++) {
      ts = Math.max(ts, call.histograms.get(i).timestampMs());
    }
    return ts == Long.MIN_VALUE ? call.nowMs : ts;
  }

  private void targetInfo(Call call, ResourceInfo res, long ts) {
    Labels.Builder b = call.builder.reset();
    int other = 0;
    for (KeyValue kv : res.attributes()) {
      String key = kv.getKey();
      if (!options.keepIdentifyingResourceAttributes()
          && (key.equals(SERVICE_NAME) || key.equals(SERVICE_NAMESPACE) || key.equals(SERVICE_INSTANCE_ID))) {
        continue;
      }
      String name = labelName(key);
      String value = anyValueString(kv.getValue());
      if (name == null || value.isEmpty()) continue;
      String prev = b.get(name);
      b.set(name, prev == null ? value : prev + ";" + value);
      other++;
    }
    if (other == 0) return; // spec: only when the resource has attributes besides job and instance
    b.set(JOB, res.job());
    b.set(INSTANCE, res.instance());
    b.set(Labels.NAME, TARGET_INFO);
    Labels labels = b.build();
    call.metadata(TARGET_INFO, MetricType.GAUGE, "Target metadata", "");
    emitInfo(call, labels, ts);
  }

  /** An info-style series (value 1), unless one at this or a later time was already written. */
  private void emitInfo(Call call, Labels labels, long ts) {
    Change c = call.change(labels);
    if (c != null) {
      labels = c.st.key;
      if (ts <= c.lastTs) return;
      c.lastTs = ts;
    }
    call.samples.add(new Sample(labels, ts, 1.0));
  }

  private void convertScope(Call call, ResourceInfo res, ScopeMetrics sm) {
    InstrumentationScope scope = sm.getScope();
    if (options.includeScopeInfo()) {
      Labels.Builder b = call.builder.reset();
      addAttributes(b, scope.getAttributesList());
      b.set(JOB, res.job());
      b.set(INSTANCE, res.instance());
      b.set(SCOPE_NAME, scope.getName());
      b.set(SCOPE_VERSION, scope.getVersion());
      b.set(Labels.NAME, SCOPE_INFO);
      Labels scopeInfo = b.build();
      call.metadata(SCOPE_INFO, MetricType.GAUGE, "Instrumentation Scope metadata", "");
      int before = call.samples.size();
      int hBefore = call.histograms.size();
      for (Metric m : sm.getMetricsList()) convertMetric(call, res, scope, m);
      emitInfo(call, scopeInfo, newestTimestamp(call, before, hBefore));
      return;
    }
    for (Metric m : sm.getMetricsList()) convertMetric(call, res, scope, m);
  }

  private void convertMetric(Call call, ResourceInfo res, InstrumentationScope scope, Metric m) {
    switch (m.getDataCase()) {
      case GAUGE -> {
        String name = metricName(m, Kind.GAUGE);
        if (name == null) {
          call.drop(DropReason.INVALID_NAME, m.getGauge().getDataPointsCount());
          return;
        }
        call.metadata(name, MetricType.GAUGE, m.getDescription(), unitName(m.getUnit()));
        for (NumberDataPoint dp : m.getGauge().getDataPointsList()) {
          call.points++;
          number(call, res, scope, name, dp, false, false);
        }
      }
      case SUM -> {
        var sum = m.getSum();
        boolean delta = sum.getAggregationTemporality() == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
        if (!delta && sum.getAggregationTemporality()
            != AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE) {
          call.drop(DropReason.UNSPECIFIED_TEMPORALITY, sum.getDataPointsCount());
          return;
        }
        boolean counter = sum.getIsMonotonic();
        String name = metricName(m, counter ? Kind.MONOTONIC_COUNTER : Kind.NON_MONOTONIC_COUNTER);
        if (name == null) {
          call.drop(DropReason.INVALID_NAME, sum.getDataPointsCount());
          return;
        }
        call.metadata(name, counter ? MetricType.COUNTER : MetricType.GAUGE, m.getDescription(),
            unitName(m.getUnit()));
        for (NumberDataPoint dp : sum.getDataPointsList()) {
          call.points++;
          number(call, res, scope, name, dp, delta, counter);
        }
      }
      case HISTOGRAM -> {
        var h = m.getHistogram();
        boolean delta = h.getAggregationTemporality() == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
        if (!delta && h.getAggregationTemporality() != AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE) {
          call.drop(DropReason.UNSPECIFIED_TEMPORALITY, h.getDataPointsCount());
          return;
        }
        String name = metricName(m, Kind.HISTOGRAM);
        if (name == null) {
          call.drop(DropReason.INVALID_NAME, h.getDataPointsCount());
          return;
        }
        call.metadata(name, MetricType.HISTOGRAM, m.getDescription(), unitName(m.getUnit()));
        for (HistogramDataPoint dp : h.getDataPointsList()) {
          call.points++;
          histogram(call, res, scope, name, dp, delta);
        }
      }
      case SUMMARY -> {
        String name = metricName(m, Kind.SUMMARY);
        if (name == null) {
          call.drop(DropReason.INVALID_NAME, m.getSummary().getDataPointsCount());
          return;
        }
        call.metadata(name, MetricType.SUMMARY, m.getDescription(), unitName(m.getUnit()));
        for (SummaryDataPoint dp : m.getSummary().getDataPointsList()) {
          call.points++;
          summary(call, res, scope, name, dp);
        }
      }
      case EXPONENTIAL_HISTOGRAM -> {
        var eh = m.getExponentialHistogram();
        if (eh.getAggregationTemporality() != AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE) {
          call.drop(eh.getAggregationTemporality() == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA
              ? DropReason.DELTA_EXPONENTIAL_HISTOGRAM : DropReason.UNSPECIFIED_TEMPORALITY, eh.getDataPointsCount());
          return;
        }
        String name = metricName(m, Kind.EXPONENTIAL_HISTOGRAM);
        if (name == null) {
          call.drop(DropReason.INVALID_NAME, eh.getDataPointsCount());
          return;
        }
        call.metadata(name, MetricType.HISTOGRAM, m.getDescription(), unitName(m.getUnit()));
        for (ExponentialHistogramDataPoint dp : eh.getDataPointsList()) {
          call.points++;
          exponential(call, res, scope, name, dp);
        }
      }
      default -> { }
    }
  }

  // ---------------------------------------------------------------- data points

  private long timestampMs(Call call, long unixNanos) {
    return unixNanos == 0 ? call.nowMs : unixNanos / 1_000_000L;
  }

  private void number(Call call, ResourceInfo res, InstrumentationScope scope, String name, NumberDataPoint dp,
      boolean delta, boolean counter) {
    Labels series = pointLabels(call, res, scope, dp.getAttributesList(), name);
    long ts = timestampMs(call, dp.getTimeUnixNano());
    boolean stale = (dp.getFlags() & NO_RECORDED_VALUE) != 0;
    double value = dp.getValueCase() == NumberDataPoint.ValueCase.AS_INT ? dp.getAsInt() : dp.getAsDouble();
    Change c = call.change(series);
    if (c != null) series = c.st.key;
    if (delta) {
      if (c == null) {
        call.drop(DropReason.STATE_FULL, 1);
        return;
      }
      c.touchDelta();
      if (!stale) c.sum += value;
      if (ts <= c.lastTs) return; // accumulated; written with the next newer point
      value = c.sum;
    } else if (c != null && ts < c.lastTs) {
      call.drop(DropReason.OUT_OF_ORDER, 1);
      return;
    }
    if (c != null && ts > c.lastTs) c.lastTs = ts;
    List<Exemplar> exemplars = counter ? exemplars(call, dp.getExemplarsList(), ts) : List.of();
    call.samples.add(new Sample(series, ts, stale ? Sample.STALE_NAN : value, exemplars));
  }

  private void histogram(Call call, ResourceInfo res, InstrumentationScope scope, String name, HistogramDataPoint dp,
      boolean delta) {
    Labels key = pointLabels(call, res, scope, dp.getAttributesList(), name);
    long ts = timestampMs(call, dp.getTimeUnixNano());
    boolean stale = (dp.getFlags() & NO_RECORDED_VALUE) != 0;
    // bucket_counts has one more entry than explicit_bounds (the overflow bucket, which +Inf covers)
    int nBounds = Math.min(dp.getExplicitBoundsCount(), dp.getBucketCountsCount());
    double[] bounds = new double[nBounds];
    long[] perBucket = new long[nBounds];
    for (int i = 0; i < nBounds; i++) {
      bounds[i] = dp.getExplicitBounds(i);
      perBucket[i] = dp.getBucketCounts(i);
    }
    long count = dp.getCount();
    double sum = dp.getSum();
    boolean hasSum = dp.hasSum();
    Change c = call.change(key);
    if (delta) {
      if (c == null) {
        call.drop(DropReason.STATE_FULL, 1);
        return;
      }
      c.touchDelta();
      if (!stale) {
        if (c.bounds == null || !Arrays.equals(c.bounds, bounds)) {
          c.bounds = bounds; // new or changed layout: start over
          c.buckets = new long[nBounds];
          c.count = 0;
          c.histSum = 0;
        }
        for (int i = 0; i < nBounds; i++) c.buckets[i] += perBucket[i];
        c.count += count;
        c.histSum += sum;
      }
      if (ts <= c.lastTs) return;
      if (c.bounds != null) {
        bounds = c.bounds;
        nBounds = bounds.length;
        perBucket = c.buckets;
        count = c.count;
        sum = c.histSum;
      }
    } else if (c != null && ts < c.lastTs) {
      call.drop(DropReason.OUT_OF_ORDER, 1);
      return;
    }
    if (c != null && ts > c.lastTs) c.lastTs = ts;

    Labels[] derived = histogramLabels(c == null ? null : c.st, key, name, bounds);
    if (hasSum) call.samples.add(new Sample(derived[0], ts, stale ? Sample.STALE_NAN : sum));
    call.samples.add(new Sample(derived[1], ts, stale ? Sample.STALE_NAN : count));

    // exemplars, by value: each goes to the first bucket whose upper bound is >= its value
    List<io.opentelemetry.proto.metrics.v1.Exemplar> exs = dp.getExemplarsList();
    io.opentelemetry.proto.metrics.v1.Exemplar[] sorted = null;
    if (!exs.isEmpty()) {
      sorted = exs.toArray(new io.opentelemetry.proto.metrics.v1.Exemplar[0]);
      Arrays.sort(sorted, Comparator.comparingDouble(ObjectTranslation::exemplarValue));
    }
    int ex = 0;
    long cumulative = 0;
    for (int i = 0; i < nBounds; i++) {
      cumulative += perBucket[i];
      List<Exemplar> bucketExemplars = List.of();
      if (sorted != null) {
        int from = ex;
        while (ex < sorted.length && exemplarValue(sorted[ex]) <= bounds[i]) ex++;
        if (ex > from) bucketExemplars = exemplars(call, Arrays.asList(sorted).subList(from, ex), ts);
      }
      call.samples.add(new Sample(derived[2 + i], ts, stale ? Sample.STALE_NAN : cumulative, bucketExemplars));
    }
    List<Exemplar> infExemplars = sorted != null && ex < sorted.length
        ? exemplars(call, Arrays.asList(sorted).subList(ex, sorted.length), ts) : List.of();
    call.samples.add(new Sample(derived[2 + nBounds], ts, stale ? Sample.STALE_NAN : count, infExemplars));
  }

  /**
   * The series of a histogram point: {@code [_sum, _count, _bucket{le=b0}, ..., _bucket{le="+Inf"}]}.
   * Kept with the stream (same key, same bounds → same labels), so steady traffic neither
   * re-formats bounds nor copies label sets, and samples of one series share one {@link Labels}.
   */
  private static Labels[] histogramLabels(StreamState st, Labels key, String name, double[] bounds) {
    SeriesStates.DerivedLabels d = st == null ? null : st.derived;
    if (d != null && Arrays.equals(d.bounds(), bounds)) return d.labels();
    Labels[] out = new Labels[bounds.length + 3];
    out[0] = key.with(Labels.NAME, name + "_sum");
    out[1] = key.with(Labels.NAME, name + "_count");
    Labels bucket = key.with(Labels.NAME, name + "_bucket");
    for (int i = 0; i < bounds.length; i++) out[2 + i] = bucket.with("le", PrometheusNames.formatFloat(bounds[i]));
    out[2 + bounds.length] = bucket.with("le", "+Inf");
    if (st != null) st.derived = new SeriesStates.DerivedLabels(bounds.clone(), out);
    return out;
  }

  private void summary(Call call, ResourceInfo res, InstrumentationScope scope, String name, SummaryDataPoint dp) {
    Labels series = pointLabels(call, res, scope, dp.getAttributesList(), name);
    long ts = timestampMs(call, dp.getTimeUnixNano());
    boolean stale = (dp.getFlags() & NO_RECORDED_VALUE) != 0;
    Change c = call.change(series);
    if (c != null) {
      series = c.st.key;
      if (ts < c.lastTs) {
        call.drop(DropReason.OUT_OF_ORDER, 1);
        return;
      }
      if (ts > c.lastTs) c.lastTs = ts;
    }
    call.samples.add(new Sample(series.with(Labels.NAME, name + "_sum"), ts, stale ? Sample.STALE_NAN : dp.getSum()));
    call.samples.add(new Sample(series.with(Labels.NAME, name + "_count"), ts,
        stale ? Sample.STALE_NAN : dp.getCount()));
    for (SummaryDataPoint.ValueAtQuantile q : dp.getQuantileValuesList()) {
      call.samples.add(new Sample(series.with("quantile", PrometheusNames.formatFloat(q.getQuantile())), ts,
          stale ? Sample.STALE_NAN : q.getValue()));
    }
  }

  private void exponential(Call call, ResourceInfo res, InstrumentationScope scope, String name,
      ExponentialHistogramDataPoint dp) {
    if (NativeHistograms.problem(dp) != null) {
      call.drop(DropReason.UNSUPPORTED_EXPONENTIAL_HISTOGRAM, 1);
      return;
    }
    Labels series = pointLabels(call, res, scope, dp.getAttributesList(), name);
    long ts = timestampMs(call, dp.getTimeUnixNano());
    Change c = call.change(series);
    if (c != null) {
      series = c.st.key;
      if (ts < c.lastTs) {
        call.drop(DropReason.OUT_OF_ORDER, 1);
        return;
      }
      if (ts > c.lastTs) c.lastTs = ts;
    }
    boolean stale = (dp.getFlags() & NO_RECORDED_VALUE) != 0;
    call.histograms.add(new HistogramSample(series, NativeHistograms.convert(dp, ts, stale),
        exemplars(call, dp.getExemplarsList(), ts)));
  }

  // ---------------------------------------------------------------- labels

  /**
   * A data point's labels without {@code __name__}: its attributes (sanitised; colliding names
   * joined with {@code ;} in the order of the original keys), then, with
   * {@code resource_to_telemetry_conversion}, the resource attributes (winning over point
   * attributes, as upstream), then {@code job} and {@code instance}, then the scope labels, then
   * {@code __name__}.
   */
  private Labels pointLabels(Call call, ResourceInfo res, InstrumentationScope scope, List<KeyValue> attrs,
      String metricName) {
    Labels.Builder b = call.builder.reset();
    addAttributes(b, attrs);
    if (options.resourceToTelemetryConversion()) {
      for (KeyValue kv : res.attributes()) {
        String n = labelName(kv.getKey());
        if (n != null) b.set(n, anyValueString(kv.getValue()));
      }
    }
    if (!res.job().isEmpty()) b.set(JOB, res.job());
    if (!res.instance().isEmpty()) b.set(INSTANCE, res.instance());
    if (options.includeScopeLabels()) {
      b.set(SCOPE_NAME, scope.getName());
      b.set(SCOPE_VERSION, scope.getVersion());
    }
    b.set(Labels.NAME, metricName);
    return b.build();
  }

  private void addAttributes(Labels.Builder b, List<KeyValue> attrs) {
    int n = attrs.size();
    for (int i = 0; i < n; i++) {
      KeyValue kv = attrs.get(i);
      String name = labelName(kv.getKey());
      if (name == null) continue;
      if (b.get(name) != null) {
        addAttributesWithCollisions(b, attrs);
        return;
      }
      b.set(name, anyValueString(kv.getValue()));
    }
  }

  /** Slow path: several keys map to one label name; values joined by {@code ;}, ordered by key. */
  private void addAttributesWithCollisions(Labels.Builder b, List<KeyValue> attrs) {
    for (KeyValue kv : attrs) {
      String name = labelName(kv.getKey());
      if (name != null) b.remove(name);
    }
    List<KeyValue> sorted = new ArrayList<>(attrs);
    sorted.sort(Comparator.comparing(KeyValue::getKey));
    for (KeyValue kv : sorted) {
      String name = labelName(kv.getKey());
      if (name == null) continue;
      String value = anyValueString(kv.getValue());
      String prev = b.get(name);
      if (prev == null || prev.isEmpty()) {
        b.set(name, value);
      } else if (!value.isEmpty() && !prev.equals(value)) {
        b.set(name, prev + ";" + value);
      }
    }
  }

  /** Valid keys come back as they are without allocation; keys that need changes are cached. */
  private String labelName(String key) {
    String fast = PrometheusNames.labelName(key, true);
    if (fast != null) return fast == PrometheusNames.NEEDS_WORK ? cachedLabelName(key) : fast;
    return null;
  }

  private String cachedLabelName(String key) {
    String n = labelNames.get(key);
    if (n == null) {
      n = PrometheusNames.labelName(key);
      if (n == null) return null;
      if (labelNames.size() > NAME_CACHE_LIMIT) labelNames.clear();
      labelNames.put(key, n);
    }
    return n;
  }

  private String metricName(Metric m, Kind kind) {
    String cacheKey = m.getName() + '\u0000' + m.getUnit() + '\u0000' + kind.ordinal();
    String n = metricNames.get(cacheKey);
    if (n == null) {
      n = PrometheusNames.metricName(m.getName(), m.getUnit(), kind, options.addMetricSuffixes());
      if (n == null) return null;
      if (metricNames.size() > NAME_CACHE_LIMIT) metricNames.clear();
      metricNames.put(cacheKey, n);
    }
    return n;
  }

  private String unitName(String unit) {
    if (unit.isEmpty()) return "";
    String u = unitNames.get(unit);
    if (u == null) {
      u = PrometheusNames.unitName(unit);
      if (unitNames.size() > NAME_CACHE_LIMIT) unitNames.clear();
      unitNames.put(unit, u);
    }
    return u;
  }

  // ---------------------------------------------------------------- exemplars and values

  private static double exemplarValue(io.opentelemetry.proto.metrics.v1.Exemplar e) {
    return e.getValueCase() == io.opentelemetry.proto.metrics.v1.Exemplar.ValueCase.AS_INT ? e.getAsInt()
        : e.getAsDouble();
  }

  private List<Exemplar> exemplars(Call call, List<io.opentelemetry.proto.metrics.v1.Exemplar> in, long sampleTs) {
    if (in.isEmpty()) return List.of();
    List<Exemplar> out = new ArrayList<>(in.size());
    for (io.opentelemetry.proto.metrics.v1.Exemplar e : in) {
      Labels.Builder b = Labels.builder();
      int runes = 0;
      if (!e.getTraceId().isEmpty()) {
        b.set("trace_id", hex(e.getTraceId().toByteArray()));
        runes += 8 + 2 * e.getTraceId().size();
      }
      if (!e.getSpanId().isEmpty()) {
        b.set("span_id", hex(e.getSpanId().toByteArray()));
        runes += 7 + 2 * e.getSpanId().size();
      }
      // filtered attributes only while the whole label set stays within OpenMetrics' limit
      for (KeyValue kv : e.getFilteredAttributesList()) {
        String n = labelName(kv.getKey());
        if (n == null || b.get(n) != null) continue;
        String v = anyValueString(kv.getValue());
        int r = n.codePointCount(0, n.length()) + v.codePointCount(0, v.length());
        if (runes + r > EXEMPLAR_RUNES_LIMIT) continue;
        runes += r;
        b.set(n, v);
      }
      long ts = e.getTimeUnixNano() == 0 ? sampleTs : e.getTimeUnixNano() / 1_000_000L;
      out.add(new Exemplar(b.build(), exemplarValue(e), ts));
    }
    return out;
  }
}
