package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.util.JsonStrings;

import io.mpac.collector.exporter.prometheus.PrometheusNames.Kind;
import io.mpac.collector.exporter.prometheus.SeriesStates.StreamState;
import io.mpac.collector.pdata.OtlpValidator;
import io.mpac.collector.prometheus.Exemplar;
import io.mpac.collector.prometheus.HistogramSample;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.Metadata;
import io.mpac.collector.prometheus.MetricType;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.Sample;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Translates one encoded {@code ExportMetricsServiceRequest} into Prometheus samples, following the
 * OpenTelemetry specification ("Prometheus and OpenMetrics Compatibility") and Alloy's
 * {@code otelcol.exporter.prometheus}. See the module README for the rules, per type.
 *
 * <p><b>Streaming.</b> The request is read straight from its protobuf bytes ({@link WireCursor}),
 * without building protobuf-java objects. What repeats from one export to the next is looked up by
 * its raw bytes in lock-free caches ({@link CacheTable}) instead of being decoded again:
 * <ul>
 *   <li>a resource (its bytes → {@code job}, {@code instance}, its attributes, the
 *       {@code target_info} labels), an instrumentation scope, a metric's name, unit and
 *       description (→ the Prometheus names per kind and the metadata);
 *   <li>a <em>series</em>: (resource, scope, Prometheus name, the data point's attribute bytes) →
 *       the label set and the stream's state ({@link SeriesStates}). A steady point therefore costs
 *       a walk over its fields, a hash of its attribute bytes, one table probe and a byte compare;
 *       no strings, no label sorting, no map lookup by label equality.
 * </ul>
 * Protobuf's rules are kept: the last occurrence of a scalar wins, a message that occurs several
 * times is merged (read as the concatenation of its occurrences), {@code Metric.data} is its last
 * member (merged when that member repeats), fields with an unexpected wire type are unknown
 * fields and skipped. Strings that are decoded are checked to be UTF-8, as protobuf-java does.
 * Rare shapes go through protobuf-java on the bytes of just that part: summary and exponential
 * histogram points, exemplars, array and map attribute values. Fields the translation does not use
 * are skipped by their length, not validated (the OTLP receiver validates each request whole with
 * {@link OtlpValidator}). The tests compare this translation with the object-based one it replaced
 * on randomised requests.
 *
 * <p>Thread safety: {@link #convert} may run on several threads at once, except that requests
 * holding delta metrics must be converted, handed on and committed one at a time (the caller holds
 * a lock), because they read and advance the running totals.
 *
 * <p>Nothing the converter remembers changes until {@link Pending#commit()}: if the receivers
 * refuse the batch and the client sends the request again, it converts to the same samples. (The
 * caches only memoise pure functions of their keys.)
 */
final class OtlpToPrometheus {

  /** Options, as {@code otelcol.exporter.prometheus} names them. */
  record Options(boolean includeTargetInfo, boolean includeScopeInfo, boolean includeScopeLabels,
      boolean addMetricSuffixes, boolean resourceToTelemetryConversion, boolean keepIdentifyingResourceAttributes) {
    static final Options DEFAULTS = new Options(true, false, true, true, false, false);
  }

  /** Why data points were not converted (the {@code reason} tag of the dropped-points counter). */
  enum DropReason {
    /** The metric name has no valid character left. */
    INVALID_NAME("invalid_name"),
    /** A sum or histogram with temporality unspecified. */
    UNSPECIFIED_TEMPORALITY("unspecified_temporality"),
    /** A data point older than one already written for its series. */
    OUT_OF_ORDER("out_of_order"),
    /** A delta point of a new stream while the stream memory is full. */
    STATE_FULL("series_limit"),
    /** A delta exponential histogram (not accumulated). */
    DELTA_EXPONENTIAL_HISTOGRAM("delta_exponential_histogram"),
    /** An exponential histogram Prometheus cannot represent (scale below -4, no sum). */
    UNSUPPORTED_EXPONENTIAL_HISTOGRAM("unsupported_exponential_histogram");

    final String tag;

    DropReason(String tag) {
      this.tag = tag;
    }
  }

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

  // OTLP field numbers (opentelemetry/proto/metrics/v1/metrics.proto, common/v1/common.proto)
  private static final int TEMPORALITY_DELTA = 1;
  private static final int TEMPORALITY_CUMULATIVE = 2;
  private static final int METRIC_GAUGE = 5;
  private static final int METRIC_SUM = 7;
  private static final int METRIC_HISTOGRAM = 9;
  private static final int METRIC_EXPONENTIAL_HISTOGRAM = 10;
  private static final int METRIC_SUMMARY = 11;

  /** Cache sizes (slots; each table holds at most half as many entries before it stops growing). */
  private static final int MAX_RESOURCES = 1 << 14;
  private static final int MAX_SCOPES = 1 << 14;
  private static final int MAX_FAMILIES = 1 << 16;
  static final int MAX_SERIES = 1 << 20;

  private static final String INVALID = new String("invalid metric name");
  private static final byte[] EMPTY = new byte[0];

  private final Options options;
  private final SeriesStates states;
  private final ConcurrentHashMap<String, String> labelNames = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String> metricNames = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, String> unitNames = new ConcurrentHashMap<>();
  private final CacheTable<ResourceCtx> resources = new CacheTable<>(64, MAX_RESOURCES);
  private final CacheTable<ScopeCtx> scopes = new CacheTable<>(64, MAX_SCOPES);
  private final CacheTable<Family> families = new CacheTable<>(256, MAX_FAMILIES);
  private final CacheTable<Series> series = new CacheTable<>(1024, MAX_SERIES);
  private final AtomicInteger contextIds = new AtomicInteger();
  /** Samples and streams of the last request: the next one's list and pending state start this large. */
  private volatile int sampleHint = 64;
  private volatile int streamHint = 16;

  OtlpToPrometheus(Options options, SeriesStates states) {
    this.options = options;
    this.states = states;
  }

  Options options() {
    return options;
  }

  // ---------------------------------------------------------------- results and pending state

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

  /**
   * State changes to apply once the receivers took the batch: per stream touched, the newest time
   * written and (delta streams) the new running totals. Streams are slots in arrays found through
   * an identity hash index, so a request allocates a few arrays, not an object per stream.
   */
  static final class Pending {
    private StreamState[] streams;
    private long[] lastTs;
    private Change[] deltas;
    private int size;
    private int[] index; // slot + 1, 0 = empty

    Pending() {
      this(16);
    }

    /** Room for {@code expected} streams before the arrays grow. */
    Pending(int expected) {
      int n = Math.max(16, expected);
      streams = new StreamState[n];
      lastTs = new long[n];
      index = new int[Integer.highestOneBit(n * 2 - 1) * 2];
    }

    int size() {
      return size;
    }

    /** The slot of {@code st}, added (with its committed newest time) on first use. */
    int slot(StreamState st) {
      int mask = index.length - 1;
      int i = spread(System.identityHashCode(st)) & mask;
      for (int v; (v = index[i]) != 0; i = (i + 1) & mask) {
        if (streams[v - 1] == st) return v - 1;
      }
      if (size == streams.length) {
        streams = Arrays.copyOf(streams, size * 2);
        lastTs = Arrays.copyOf(lastTs, size * 2);
        if (deltas != null) deltas = Arrays.copyOf(deltas, size * 2);
      }
      streams[size] = st;
      lastTs[size] = st.lastTimestampMs;
      index[i] = ++size;
      if (size * 2 > index.length) reindex();
      return size - 1;
    }

    private static int spread(int h) {
      return h ^ (h >>> 16) * 0x45D9F3B;
    }

    private void reindex() {
      int[] n = new int[index.length * 2];
      int mask = n.length - 1;
      for (int s = 0; s < size; s++) {
        int i = spread(System.identityHashCode(streams[s])) & mask;
        while (n[i] != 0) i = (i + 1) & mask;
        n[i] = s + 1;
      }
      index = n;
    }

    long lastTs(int slot) {
      return lastTs[slot];
    }

    void lastTs(int slot, long ts) {
      lastTs[slot] = ts;
    }

    StreamState stream(int slot) {
      return streams[slot];
    }

    /** The running totals of a delta stream, starting from its committed ones. */
    Change delta(int slot) {
      if (deltas == null) deltas = new Change[streams.length];
      Change c = deltas[slot];
      if (c == null) {
        c = new Change(streams[slot]);
        deltas[slot] = c;
      }
      return c;
    }

    /** Makes the conversion's effects permanent. */
    void commit() {
      for (int s = 0; s < size; s++) {
        StreamState st = streams[s];
        if (lastTs[s] > st.lastTimestampMs) st.lastTimestampMs = lastTs[s];
        if (deltas != null && deltas[s] != null) deltas[s].apply();
      }
    }

    boolean isEmpty() {
      return size == 0;
    }
  }

  /** The new running totals of one delta stream, starting from its committed ones. */
  static final class Change {
    final StreamState st;
    double sum;
    long count;
    double histSum;
    double[] bounds;
    long[] buckets;

    Change(StreamState st) {
      this.st = st;
      sum = st.sum;
      count = st.count;
      histSum = st.histSum;
      bounds = st.bounds;
      buckets = st.bucketCounts == null ? null : st.bucketCounts.clone();
    }

    void apply() {
      st.hasDelta = true;
      st.sum = sum;
      st.count = count;
      st.histSum = histSum;
      st.bounds = bounds;
      st.bucketCounts = buckets;
    }
  }

  // ---------------------------------------------------------------- cached contexts

  /** A resource, keyed by its bytes. */
  private static final class ResourceCtx extends CacheTable.Entry {
    final byte[] key;
    final int id;
    final String job;
    final String instance;
    /** Attributes in their order: original keys and values as strings. */
    final String[] keys;
    final String[] values;
    /** The {@code target_info} labels, or null when the resource has nothing but identifying attributes. */
    final Labels targetInfo;

    ResourceCtx(long hash, byte[] key, int id, String job, String instance, String[] keys, String[] values,
        Labels targetInfo) {
      super(hash);
      this.key = key;
      this.id = id;
      this.job = job;
      this.instance = instance;
      this.keys = keys;
      this.values = values;
      this.targetInfo = targetInfo;
    }
  }

  /** An instrumentation scope, keyed by its bytes. */
  private static final class ScopeCtx extends CacheTable.Entry {
    final byte[] key;
    final int id;
    final String name;
    final String version;
    final String[] keys;
    final String[] values;

    ScopeCtx(long hash, byte[] key, int id, String name, String version, String[] keys, String[] values) {
      super(hash);
      this.key = key;
      this.id = id;
      this.name = name;
      this.version = version;
      this.keys = keys;
      this.values = values;
    }
  }

  /** A metric's name, unit and description, keyed by their bytes; Prometheus names by kind. */
  private final class Family extends CacheTable.Entry {
    final byte[] key;
    final String name;
    final String unit;
    final String description;
    final String unitName;
    /** By {@link Kind} ordinal: null = not computed yet, {@link #INVALID} = no valid name. */
    private final String[] names = new String[Kind.values().length];

    Family(long hash, byte[] key, String name, String unit, String description) {
      super(hash);
      this.key = key;
      this.name = name;
      this.unit = unit;
      this.description = description;
      this.unitName = OtlpToPrometheus.this.unitName(unit);
    }

    /** The Prometheus name for {@code kind}, or null when nothing valid is left of it. */
    String name(Kind kind) {
      String n = names[kind.ordinal()];
      if (n == null) {
        n = metricName(name, unit, kind);
        if (n == null) n = INVALID;
        names[kind.ordinal()] = n; // racy but idempotent
      }
      return n == INVALID ? null : n;
    }
  }

  /** One series: (resource, scope, Prometheus name, attribute bytes) → labels and stream state. */
  private static final class Series extends CacheTable.Entry {
    final byte[] attributes;
    final ResourceCtx resource;
    final ScopeCtx scope;
    final String name;
    final Labels labels;
    /** The stream, re-resolved when null (memory was full) or evicted. */
    volatile StreamState state;

    Series(long hash, byte[] attributes, ResourceCtx resource, ScopeCtx scope, String name, Labels labels,
        StreamState state) {
      super(hash);
      this.attributes = attributes;
      this.resource = resource;
      this.scope = scope;
      this.name = name;
      this.labels = labels;
      this.state = state;
    }
  }

  /** Forgets cached series whose stream state was evicted (called after {@link SeriesStates#gc}). */
  void forgetEvicted() {
    series.retain(s -> s.state == null || !s.state.evicted);
  }

  /** Series held in the cache (for tests). */
  int cachedSeries() {
    return series.size();
  }

  // ---------------------------------------------------------------- per call

  /** Per-call working state. */
  private final class Call {
    final byte[] buf;
    final long nowNanos;
    final long nowMs;
    final List<Sample> samples;
    final List<HistogramSample> histograms = new ArrayList<>();
    final List<Metadata> metadata = new ArrayList<>(8);
    final Set<String> metadataSeen = new HashSet<>();
    final Pending pending = new Pending(streamHint);
    final EnumMap<DropReason, Integer> dropped = new EnumMap<>(DropReason.class);
    final Labels.Builder builder = Labels.builder();
    int points;
    /** Newest sample time since the resource / scope began (for the info series). */
    long resourceNewest;
    long scopeNewest;
    // one cursor per nesting level
    final WireCursor top = new WireCursor();
    final WireCursor rm = new WireCursor();
    final WireCursor sm = new WireCursor();
    final WireCursor metric = new WireCursor();
    final WireCursor data = new WireCursor();
    final WireCursor point = new WireCursor();
    // scratch
    byte[] keyScratch = new byte[256];
    byte[] familyScratch = new byte[128];
    int[] exemplarRanges = new int[8];
    int exemplars;
    long[] bucketCounts = new long[16];
    int nBucketCounts;
    double[] bounds = new double[16];
    int nBounds;
    // the current point's attribute bytes (see attribute())
    byte[] attrBuf;
    int attrFrom;
    int attrTo;
    int attrScratch; // -1: attributes are a contiguous range of attrSource
    byte[] attrSource;

    Call(byte[] buf, long nowNanos, long nowMs) {
      this.buf = buf;
      this.nowNanos = nowNanos;
      this.nowMs = nowMs;
      this.samples = new ArrayList<>(sampleHint);
    }

    void drop(DropReason r, int n) {
      if (n > 0) dropped.merge(r, n, Integer::sum);
    }

    void metadata(String family, MetricType type, String help, String unit) {
      if (metadataSeen.add(family)) metadata.add(new Metadata(family, type, help, unit));
    }

    void add(Sample s) {
      samples.add(s);
      long ts = s.timestampMs();
      if (ts > resourceNewest) resourceNewest = ts;
      if (ts > scopeNewest) scopeNewest = ts;
    }

    void add(HistogramSample h) {
      histograms.add(h);
      long ts = h.timestampMs();
      if (ts > resourceNewest) resourceNewest = ts;
      if (ts > scopeNewest) scopeNewest = ts;
    }

    /** The stream's pending slot for {@code labels}, or -1 when the stream memory is full. */
    int slot(Labels labels) {
      StreamState st = states.get(labels, nowNanos);
      return st == null ? -1 : pending.slot(st);
    }

    // --- attribute bytes of the current point: all its attribute fields (tags included), in order

    /** Starts collecting the attribute fields of a point in {@code b}. */
    void startAttributes(byte[] b) {
      attrBuf = b;
      attrSource = b;
      attrFrom = -1;
      attrTo = -1;
      attrScratch = -1;
    }

    void attribute(int fieldStart, int fieldEnd) {
      if (attrFrom < 0) {
        attrFrom = fieldStart;
        attrTo = fieldEnd;
      } else if (attrScratch < 0 && fieldStart == attrTo) {
        attrTo = fieldEnd;
      } else {
        // not contiguous (another field in between): gather the attribute fields in the scratch
        if (attrScratch < 0) {
          attrScratch = 0;
          appendScratch(attrSource, attrFrom, attrTo);
        }
        appendScratch(attrSource, fieldStart, fieldEnd);
      }
    }

    private void appendScratch(byte[] b, int from, int to) {
      int n = to - from;
      if (attrScratch + n > keyScratch.length) keyScratch = Arrays.copyOf(keyScratch, Math.max(keyScratch.length * 2,
          attrScratch + n));
      System.arraycopy(b, from, keyScratch, attrScratch, n);
      attrScratch += n;
    }

    void endAttributes() {
      if (attrScratch >= 0) {
        attrBuf = keyScratch;
        attrFrom = 0;
        attrTo = attrScratch;
      } else if (attrFrom < 0) {
        attrFrom = 0;
        attrTo = 0;
      }
    }

    void exemplar(int from, int to) {
      if (2 * exemplars + 2 > exemplarRanges.length) exemplarRanges = Arrays.copyOf(exemplarRanges,
          exemplarRanges.length * 2);
      exemplarRanges[2 * exemplars] = from;
      exemplarRanges[2 * exemplars + 1] = to;
      exemplars++;
    }

    void bucketCount(long v) {
      if (nBucketCounts == bucketCounts.length) bucketCounts = Arrays.copyOf(bucketCounts, nBucketCounts * 2);
      bucketCounts[nBucketCounts++] = v;
    }

    void bound(double v) {
      if (nBounds == bounds.length) bounds = Arrays.copyOf(bounds, nBounds * 2);
      bounds[nBounds++] = v;
    }
  }

  // ---------------------------------------------------------------- the walk

  /** True when the request holds delta sums or histograms (the caller must serialise it). */
  static boolean hasDelta(byte[] buf) {
    WireCursor top = new WireCursor().reset(buf, 0, buf.length);
    WireCursor rm = new WireCursor();
    WireCursor sm = new WireCursor();
    WireCursor m = new WireCursor();
    WireCursor d = new WireCursor();
    while (top.next()) {
      if (top.field != 1 || top.wire != WireCursor.LEN) continue;
      rm.reset(buf, top.start, top.end);
      while (rm.next()) {
        if (rm.field != 2 || rm.wire != WireCursor.LEN) continue;
        sm.reset(buf, rm.start, rm.end);
        while (sm.next()) {
          if (sm.field != 2 || sm.wire != WireCursor.LEN) continue;
          m.reset(buf, sm.start, sm.end);
          while (m.next()) {
            if ((m.field != METRIC_SUM && m.field != METRIC_HISTOGRAM) || m.wire != WireCursor.LEN) continue;
            d.reset(buf, m.start, m.end);
            while (d.next()) {
              // conservative: a delta member that a later oneof member replaces still counts
              if (d.field == 2 && d.wire == WireCursor.VARINT && (int) d.varint == TEMPORALITY_DELTA) return true;
            }
          }
        }
      }
    }
    return false;
  }

  /**
   * Converts an encoded request. {@code nowMs} stands in for points without a timestamp.
   *
   * @throws WireCursor.MalformedException when the bytes are not a well-formed request
   */
  Result convert(byte[] buf, long nowNanos, long nowMs) {
    Call call = new Call(buf, nowNanos, nowMs);
    WireCursor c = call.top.reset(buf, 0, buf.length);
    while (c.next()) {
      if (c.field == 1 && c.wire == WireCursor.LEN) resourceMetrics(call, c.start, c.end);
    }
    sampleHint = Math.max(16, call.samples.size());
    streamHint = call.pending.size();
    return new Result(new MetricsBatch(call.samples, call.histograms, call.metadata), call.pending, call.points,
        call.dropped);
  }

  private void resourceMetrics(Call call, int from, int to) {
    byte[] buf = call.buf;
    WireCursor c = call.rm.reset(buf, from, to);
    int rFrom = 0;
    int rTo = 0;
    byte[] rBuf = EMPTY;
    int occurrences = 0;
    while (c.next()) {
      if (c.field == 1 && c.wire == WireCursor.LEN) {
        if (occurrences++ == 0) {
          rBuf = buf;
          rFrom = c.start;
          rTo = c.end;
        } else { // merged: read as the concatenation of the occurrences
          rBuf = concat(rBuf, rFrom, rTo, buf, c.start, c.end);
          rFrom = 0;
          rTo = rBuf.length;
        }
      }
    }
    ResourceCtx res = resource(rBuf, rFrom, rTo);
    call.resourceNewest = Long.MIN_VALUE;
    c.reset(buf, from, to);
    while (c.next()) {
      if (c.field == 2 && c.wire == WireCursor.LEN) scopeMetrics(call, res, c.start, c.end);
    }
    if (options.includeTargetInfo() && res.targetInfo != null) {
      long ts = call.resourceNewest == Long.MIN_VALUE ? call.nowMs : call.resourceNewest;
      call.metadata(TARGET_INFO, MetricType.GAUGE, "Target metadata", "");
      emitInfo(call, res.targetInfo, ts);
    }
  }

  /** An info-style series (value 1), unless one at this or a later time was already written. */
  private void emitInfo(Call call, Labels labels, long ts) {
    int slot = call.slot(labels);
    if (slot >= 0) {
      labels = call.pending.stream(slot).key;
      if (ts <= call.pending.lastTs(slot)) return;
      call.pending.lastTs(slot, ts);
    }
    call.add(new Sample(labels, ts, 1.0));
  }

  private void scopeMetrics(Call call, ResourceCtx res, int from, int to) {
    byte[] buf = call.buf;
    WireCursor c = call.sm.reset(buf, from, to);
    int sFrom = 0;
    int sTo = 0;
    byte[] sBuf = EMPTY;
    int occurrences = 0;
    while (c.next()) {
      if (c.field == 1 && c.wire == WireCursor.LEN) {
        if (occurrences++ == 0) {
          sBuf = buf;
          sFrom = c.start;
          sTo = c.end;
        } else {
          sBuf = concat(sBuf, sFrom, sTo, buf, c.start, c.end);
          sFrom = 0;
          sTo = sBuf.length;
        }
      }
    }
    ScopeCtx scope = scope(sBuf, sFrom, sTo);
    Labels scopeInfo = null;
    if (options.includeScopeInfo()) {
      Labels.Builder b = call.builder.reset();
      addAttributes(b, scope.keys, scope.values);
      b.set(JOB, res.job);
      b.set(INSTANCE, res.instance);
      b.set(SCOPE_NAME, scope.name);
      b.set(SCOPE_VERSION, scope.version);
      b.set(Labels.NAME, SCOPE_INFO);
      scopeInfo = b.build();
      call.metadata(SCOPE_INFO, MetricType.GAUGE, "Instrumentation Scope metadata", "");
    }
    call.scopeNewest = Long.MIN_VALUE;
    c.reset(buf, from, to);
    while (c.next()) {
      if (c.field == 2 && c.wire == WireCursor.LEN) metric(call, res, scope, c.start, c.end);
    }
    if (scopeInfo != null) emitInfo(call, scopeInfo, call.scopeNewest == Long.MIN_VALUE ? call.nowMs : call.scopeNewest);
  }

  private void metric(Call call, ResourceCtx res, ScopeCtx scope, int from, int to) {
    byte[] buf = call.buf;
    WireCursor c = call.metric.reset(buf, from, to);
    int nameFrom = 0;
    int nameTo = 0;
    int unitFrom = 0;
    int unitTo = 0;
    int descFrom = 0;
    int descTo = 0;
    int dataField = 0;
    byte[] dBuf = EMPTY;
    int dFrom = 0;
    int dTo = 0;
    int dOccurrences = 0;
    while (c.next()) {
      if (c.wire != WireCursor.LEN) continue;
      switch (c.field) {
        case 1 -> {
          nameFrom = c.start;
          nameTo = c.end;
        }
        case 2 -> {
          descFrom = c.start;
          descTo = c.end;
        }
        case 3 -> {
          unitFrom = c.start;
          unitTo = c.end;
        }
        case METRIC_GAUGE, METRIC_SUM, METRIC_HISTOGRAM, METRIC_EXPONENTIAL_HISTOGRAM, METRIC_SUMMARY -> {
          // oneof data: another member replaces it, the same member again is merged into it
          if (c.field != dataField) {
            dataField = c.field;
            dOccurrences = 0;
          }
          if (dOccurrences++ == 0) {
            dBuf = buf;
            dFrom = c.start;
            dTo = c.end;
          } else {
            dBuf = concat(dBuf, dFrom, dTo, buf, c.start, c.end);
            dFrom = 0;
            dTo = dBuf.length;
          }
        }
        default -> { }
      }
    }
    Family fam = family(call, buf, nameFrom, nameTo, unitFrom, unitTo, descFrom, descTo);
    WireCursor d = call.data;
    switch (dataField) {
      case METRIC_GAUGE -> {
        String name = fam.name(Kind.GAUGE);
        if (name == null) {
          call.drop(DropReason.INVALID_NAME, countPoints(d, dBuf, dFrom, dTo));
          return;
        }
        call.metadata(name, MetricType.GAUGE, fam.description, fam.unitName);
        d.reset(dBuf, dFrom, dTo);
        while (d.next()) {
          if (d.field != 1 || d.wire != WireCursor.LEN) continue;
          call.points++;
          number(call, res, scope, name, dBuf, d.start, d.end, false, false);
        }
      }
      case METRIC_SUM -> {
        int temporality = 0;
        boolean monotonic = false;
        d.reset(dBuf, dFrom, dTo);
        while (d.next()) {
          if (d.wire != WireCursor.VARINT) continue;
          if (d.field == 2) temporality = (int) d.varint;
          if (d.field == 3) monotonic = d.varint != 0;
        }
        boolean delta = temporality == TEMPORALITY_DELTA;
        if (!delta && temporality != TEMPORALITY_CUMULATIVE) {
          call.drop(DropReason.UNSPECIFIED_TEMPORALITY, countPoints(d, dBuf, dFrom, dTo));
          return;
        }
        String name = fam.name(monotonic ? Kind.MONOTONIC_COUNTER : Kind.NON_MONOTONIC_COUNTER);
        if (name == null) {
          call.drop(DropReason.INVALID_NAME, countPoints(d, dBuf, dFrom, dTo));
          return;
        }
        call.metadata(name, monotonic ? MetricType.COUNTER : MetricType.GAUGE, fam.description, fam.unitName);
        d.reset(dBuf, dFrom, dTo);
        while (d.next()) {
          if (d.field != 1 || d.wire != WireCursor.LEN) continue;
          call.points++;
          number(call, res, scope, name, dBuf, d.start, d.end, delta, monotonic);
        }
      }
      case METRIC_HISTOGRAM -> {
        int temporality = temporality(d, dBuf, dFrom, dTo);
        boolean delta = temporality == TEMPORALITY_DELTA;
        if (!delta && temporality != TEMPORALITY_CUMULATIVE) {
          call.drop(DropReason.UNSPECIFIED_TEMPORALITY, countPoints(d, dBuf, dFrom, dTo));
          return;
        }
        String name = fam.name(Kind.HISTOGRAM);
        if (name == null) {
          call.drop(DropReason.INVALID_NAME, countPoints(d, dBuf, dFrom, dTo));
          return;
        }
        call.metadata(name, MetricType.HISTOGRAM, fam.description, fam.unitName);
        d.reset(dBuf, dFrom, dTo);
        while (d.next()) {
          if (d.field != 1 || d.wire != WireCursor.LEN) continue;
          call.points++;
          histogram(call, res, scope, name, dBuf, d.start, d.end, delta);
        }
      }
      case METRIC_SUMMARY -> {
        String name = fam.name(Kind.SUMMARY);
        if (name == null) {
          call.drop(DropReason.INVALID_NAME, countPoints(d, dBuf, dFrom, dTo));
          return;
        }
        call.metadata(name, MetricType.SUMMARY, fam.description, fam.unitName);
        d.reset(dBuf, dFrom, dTo);
        while (d.next()) {
          if (d.field != 1 || d.wire != WireCursor.LEN) continue;
          call.points++;
          summary(call, res, scope, name, dBuf, d.start, d.end);
        }
      }
      case METRIC_EXPONENTIAL_HISTOGRAM -> {
        int temporality = temporality(d, dBuf, dFrom, dTo);
        if (temporality != TEMPORALITY_CUMULATIVE) {
          call.drop(temporality == TEMPORALITY_DELTA ? DropReason.DELTA_EXPONENTIAL_HISTOGRAM
              : DropReason.UNSPECIFIED_TEMPORALITY, countPoints(d, dBuf, dFrom, dTo));
          return;
        }
        String name = fam.name(Kind.EXPONENTIAL_HISTOGRAM);
        if (name == null) {
          call.drop(DropReason.INVALID_NAME, countPoints(d, dBuf, dFrom, dTo));
          return;
        }
        call.metadata(name, MetricType.HISTOGRAM, fam.description, fam.unitName);
        d.reset(dBuf, dFrom, dTo);
        while (d.next()) {
          if (d.field != 1 || d.wire != WireCursor.LEN) continue;
          call.points++;
          exponential(call, res, scope, name, dBuf, d.start, d.end);
        }
      }
      default -> { }
    }
  }

  private static int temporality(WireCursor d, byte[] b, int from, int to) {
    int temporality = 0;
    d.reset(b, from, to);
    while (d.next()) {
      if (d.field == 2 && d.wire == WireCursor.VARINT) temporality = (int) d.varint;
    }
    return temporality;
  }

  private static int countPoints(WireCursor d, byte[] b, int from, int to) {
    int n = 0;
    d.reset(b, from, to);
    while (d.next()) {
      if (d.field == 1 && d.wire == WireCursor.LEN) n++;
    }
    return n;
  }

  private static byte[] concat(byte[] a, int aFrom, int aTo, byte[] b, int bFrom, int bTo) {
    byte[] out = new byte[(aTo - aFrom) + (bTo - bFrom)];
    System.arraycopy(a, aFrom, out, 0, aTo - aFrom);
    System.arraycopy(b, bFrom, out, aTo - aFrom, bTo - bFrom);
    return out;
  }

  // ---------------------------------------------------------------- data points

  private long timestampMs(Call call, long unixNanos) {
    return unixNanos == 0 ? call.nowMs : unixNanos / 1_000_000L;
  }

  private void number(Call call, ResourceCtx res, ScopeCtx scope, String name, byte[] b, int from, int to,
      boolean delta, boolean counter) {
    WireCursor c = call.point.reset(b, from, to);
    call.startAttributes(b);
    call.exemplars = 0;
    long time = 0;
    int flags = 0;
    int valueCase = 0; // 0 unset, 4 double, 6 int
    long valueBits = 0;
    while (c.next()) {
      switch (c.field) {
        case 3 -> {
          if (c.wire == WireCursor.FIXED64) time = c.fixed64();
        }
        case 4, 6 -> {
          if (c.wire == WireCursor.FIXED64) {
            valueCase = c.field;
            valueBits = c.fixed64();
          }
        }
        case 5 -> {
          if (c.wire == WireCursor.LEN) call.exemplar(c.start, c.end);
        }
        case 7 -> {
          if (c.wire == WireCursor.LEN) call.attribute(c.fieldStart, c.end);
        }
        case 8 -> {
          if (c.wire == WireCursor.VARINT) flags = (int) c.varint;
        }
        default -> { }
      }
    }
    call.endAttributes();
    double value = valueCase == 6 ? (double) valueBits : valueCase == 4 ? Double.longBitsToDouble(valueBits) : 0.0;
    long ts = timestampMs(call, time);
    boolean stale = (flags & NO_RECORDED_VALUE) != 0;
    Series s = series(call, res, scope, name, 7);
    StreamState st = state(call, s);
    Labels labels = st == null ? s.labels : st.key;
    int slot = st == null ? -1 : call.pending.slot(st);
    if (delta) {
      if (slot < 0) {
        call.drop(DropReason.STATE_FULL, 1);
        return;
      }
      Change ch = call.pending.delta(slot);
      if (!stale) ch.sum += value;
      if (ts <= call.pending.lastTs(slot)) return; // accumulated; written with the next newer point
      value = ch.sum;
    } else if (slot >= 0 && ts < call.pending.lastTs(slot)) {
      call.drop(DropReason.OUT_OF_ORDER, 1);
      return;
    }
    if (slot >= 0 && ts > call.pending.lastTs(slot)) call.pending.lastTs(slot, ts);
    List<Exemplar> exemplars = counter && call.exemplars > 0 ? exemplars(call, parseExemplars(call, b), ts) : List.of();
    call.add(new Sample(labels, ts, stale ? Sample.STALE_NAN : value, exemplars));
  }

  private void histogram(Call call, ResourceCtx res, ScopeCtx scope, String name, byte[] b, int from, int to,
      boolean delta) {
    WireCursor c = call.point.reset(b, from, to);
    call.startAttributes(b);
    call.exemplars = 0;
    call.nBucketCounts = 0;
    call.nBounds = 0;
    long time = 0;
    int flags = 0;
    long count = 0;
    double sum = 0;
    boolean hasSum = false;
    while (c.next()) {
      switch (c.field) {
        case 3 -> {
          if (c.wire == WireCursor.FIXED64) time = c.fixed64();
        }
        case 4 -> {
          if (c.wire == WireCursor.FIXED64) count = c.fixed64();
        }
        case 5 -> {
          if (c.wire == WireCursor.FIXED64) {
            sum = c.double64();
            hasSum = true;
          }
        }
        case 6 -> {
          if (c.wire == WireCursor.FIXED64) {
            call.bucketCount(c.fixed64());
          } else if (c.wire == WireCursor.LEN) {
            checkPacked64(c);
            for (int i = c.start; i < c.end; i += 8) call.bucketCount(WireCursor.fixed64At(b, i));
          }
        }
        case 7 -> {
          if (c.wire == WireCursor.FIXED64) {
            call.bound(c.double64());
          } else if (c.wire == WireCursor.LEN) {
            checkPacked64(c);
            for (int i = c.start; i < c.end; i += 8) call.bound(Double.longBitsToDouble(WireCursor.fixed64At(b, i)));
          }
        }
        case 8 -> {
          if (c.wire == WireCursor.LEN) call.exemplar(c.start, c.end);
        }
        case 9 -> {
          if (c.wire == WireCursor.LEN) call.attribute(c.fieldStart, c.end);
        }
        case 10 -> {
          if (c.wire == WireCursor.VARINT) flags = (int) c.varint;
        }
        default -> { }
      }
    }
    call.endAttributes();
    Series s = series(call, res, scope, name, 9);
    long ts = timestampMs(call, time);
    boolean stale = (flags & NO_RECORDED_VALUE) != 0;
    // bucket_counts has one more entry than explicit_bounds (the overflow bucket, which +Inf covers)
    int nBounds = Math.min(call.nBounds, call.nBucketCounts);
    double[] bounds = call.bounds;
    long[] perBucket = call.bucketCounts;
    StreamState st = state(call, s);
    Labels key = st == null ? s.labels : st.key;
    int slot = st == null ? -1 : call.pending.slot(st);
    if (delta) {
      if (slot < 0) {
        call.drop(DropReason.STATE_FULL, 1);
        return;
      }
      Change ch = call.pending.delta(slot);
      if (!stale) {
        if (ch.bounds == null || !Arrays.equals(ch.bounds, 0, ch.bounds.length, bounds, 0, nBounds)) {
          ch.bounds = Arrays.copyOf(bounds, nBounds); // new or changed layout: start over
          ch.buckets = new long[nBounds];
          ch.count = 0;
          ch.histSum = 0;
        }
        for (int i = 0; i < nBounds; i++) ch.buckets[i] += perBucket[i];
        ch.count += count;
        ch.histSum += sum;
      }
      if (ts <= call.pending.lastTs(slot)) return;
      if (ch.bounds != null) {
        bounds = ch.bounds;
        nBounds = bounds.length;
        perBucket = ch.buckets;
        count = ch.count;
        sum = ch.histSum;
      }
    } else if (slot >= 0 && ts < call.pending.lastTs(slot)) {
      call.drop(DropReason.OUT_OF_ORDER, 1);
      return;
    }
    if (slot >= 0 && ts > call.pending.lastTs(slot)) call.pending.lastTs(slot, ts);

    Labels[] derived = histogramLabels(st, key, name, bounds, nBounds);
    if (hasSum) call.add(new Sample(derived[0], ts, stale ? Sample.STALE_NAN : sum));
    call.add(new Sample(derived[1], ts, stale ? Sample.STALE_NAN : count));

    // exemplars, by value: each goes to the first bucket whose upper bound is >= its value
    io.opentelemetry.proto.metrics.v1.Exemplar[] sorted = null;
    if (call.exemplars > 0) {
      sorted = parseExemplars(call, b).toArray(new io.opentelemetry.proto.metrics.v1.Exemplar[0]);
      Arrays.sort(sorted, Comparator.comparingDouble(OtlpToPrometheus::exemplarValue));
    }
    int ex = 0;
    long cumulative = 0;
    for (int i = 0; i < nBounds; i++) {
      cumulative += perBucket[i];
      List<Exemplar> bucketExemplars = List.of();
      if (sorted != null) {
        int start = ex;
        while (ex < sorted.length && exemplarValue(sorted[ex]) <= bounds[i]) ex++;
        if (ex > start) bucketExemplars = exemplars(call, Arrays.asList(sorted).subList(start, ex), ts);
      }
      call.add(new Sample(derived[2 + i], ts, stale ? Sample.STALE_NAN : cumulative, bucketExemplars));
    }
    List<Exemplar> infExemplars = sorted != null && ex < sorted.length
        ? exemplars(call, Arrays.asList(sorted).subList(ex, sorted.length), ts) : List.of();
    call.add(new Sample(derived[2 + nBounds], ts, stale ? Sample.STALE_NAN : count, infExemplars));
  }

  private static void checkPacked64(WireCursor c) {
    if ((c.end - c.start) % 8 != 0) throw c.malformed("packed 64-bit values with a length not a multiple of 8");
  }

  /**
   * The series of a histogram point: {@code [_sum, _count, _bucket{le=b0}, ..., _bucket{le="+Inf"}]}.
   * Kept with the stream (same key, same bounds → same labels), so steady traffic neither
   * re-formats bounds nor copies label sets, and samples of one series share one {@link Labels}.
   */
  private static Labels[] histogramLabels(StreamState st, Labels key, String name, double[] bounds, int nBounds) {
    SeriesStates.DerivedLabels d = st == null ? null : st.derived;
    if (d != null && Arrays.equals(d.bounds(), 0, d.bounds().length, bounds, 0, nBounds)) return d.labels();
    Labels[] out = new Labels[nBounds + 3];
    out[0] = key.with(Labels.NAME, name + "_sum");
    out[1] = key.with(Labels.NAME, name + "_count");
    Labels bucket = key.with(Labels.NAME, name + "_bucket");
    for (int i = 0; i < nBounds; i++) out[2 + i] = bucket.with("le", PrometheusNames.formatFloat(bounds[i]));
    out[2 + nBounds] = bucket.with("le", "+Inf");
    if (st != null) st.derived = new SeriesStates.DerivedLabels(Arrays.copyOf(bounds, nBounds), out);
    return out;
  }

  private void summary(Call call, ResourceCtx res, ScopeCtx scope, String name, byte[] b, int from, int to) {
    attributesOnly(call, b, from, to, 7);
    Series s = series(call, res, scope, name, 7);
    SummaryDataPoint dp;
    try {
      dp = SummaryDataPoint.parser().parseFrom(b, from, to - from);
    } catch (InvalidProtocolBufferException e) {
      throw new WireCursor.MalformedException("summary data point: " + e.getMessage());
    }
    long ts = timestampMs(call, dp.getTimeUnixNano());
    boolean stale = (dp.getFlags() & NO_RECORDED_VALUE) != 0;
    StreamState st = state(call, s);
    Labels series = st == null ? s.labels : st.key;
    int slot = st == null ? -1 : call.pending.slot(st);
    if (slot >= 0) {
      if (ts < call.pending.lastTs(slot)) {
        call.drop(DropReason.OUT_OF_ORDER, 1);
        return;
      }
      if (ts > call.pending.lastTs(slot)) call.pending.lastTs(slot, ts);
    }
    call.add(new Sample(series.with(Labels.NAME, name + "_sum"), ts, stale ? Sample.STALE_NAN : dp.getSum()));
    call.add(new Sample(series.with(Labels.NAME, name + "_count"), ts, stale ? Sample.STALE_NAN : dp.getCount()));
    for (SummaryDataPoint.ValueAtQuantile q : dp.getQuantileValuesList()) {
      call.add(new Sample(series.with("quantile", PrometheusNames.formatFloat(q.getQuantile())), ts,
          stale ? Sample.STALE_NAN : q.getValue()));
    }
  }

  private void exponential(Call call, ResourceCtx res, ScopeCtx scope, String name, byte[] b, int from, int to) {
    ExponentialHistogramDataPoint dp;
    try {
      dp = ExponentialHistogramDataPoint.parser().parseFrom(b, from, to - from);
    } catch (InvalidProtocolBufferException e) {
      throw new WireCursor.MalformedException("exponential histogram data point: " + e.getMessage());
    }
    if (NativeHistograms.problem(dp) != null) {
      call.drop(DropReason.UNSUPPORTED_EXPONENTIAL_HISTOGRAM, 1);
      return;
    }
    attributesOnly(call, b, from, to, 1);
    Series s = series(call, res, scope, name, 1);
    long ts = timestampMs(call, dp.getTimeUnixNano());
    StreamState st = state(call, s);
    Labels series = st == null ? s.labels : st.key;
    int slot = st == null ? -1 : call.pending.slot(st);
    if (slot >= 0) {
      if (ts < call.pending.lastTs(slot)) {
        call.drop(DropReason.OUT_OF_ORDER, 1);
        return;
      }
      if (ts > call.pending.lastTs(slot)) call.pending.lastTs(slot, ts);
    }
    boolean stale = (dp.getFlags() & NO_RECORDED_VALUE) != 0;
    call.add(new HistogramSample(series, NativeHistograms.convert(dp, ts, stale),
        exemplars(call, dp.getExemplarsList(), ts)));
  }

  /** Collects just the attribute fields ({@code field}) of a point. */
  private static void attributesOnly(Call call, byte[] b, int from, int to, int field) {
    WireCursor c = call.point.reset(b, from, to);
    call.startAttributes(b);
    while (c.next()) {
      if (c.field == field && c.wire == WireCursor.LEN) call.attribute(c.fieldStart, c.end);
    }
    call.endAttributes();
  }

  // ---------------------------------------------------------------- caches

  private ResourceCtx resource(byte[] b, int from, int to) {
    long h = WireCursor.hash(b, from, to, 0x5EED_0001L);
    CacheTable.Entry[] t = resources.slots();
    for (int p = 0; p < CacheTable.PROBES; p++) {
      CacheTable.Entry e = t[CacheTable.index(h, p, t.length)];
      if (e == null) break;
      if (e.hash == h && e instanceof ResourceCtx r && Arrays.equals(r.key, 0, r.key.length, b, from, to)) return r;
    }
    List<String[]> attrs = new ArrayList<>();
    WireCursor c = new WireCursor().reset(b, from, to);
    while (c.next()) {
      if (c.field == 1 && c.wire == WireCursor.LEN) attrs.add(keyValue(b, c.start, c.end));
    }
    String[] keys = new String[attrs.size()];
    String[] values = new String[attrs.size()];
    String serviceName = null;
    String serviceNamespace = null;
    String instance = "";
    for (int i = 0; i < keys.length; i++) {
      keys[i] = attrs.get(i)[0];
      values[i] = attrs.get(i)[1];
      switch (keys[i]) {
        case SERVICE_NAME -> serviceName = values[i];
        case SERVICE_NAMESPACE -> serviceNamespace = values[i];
        case SERVICE_INSTANCE_ID -> instance = values[i];
        default -> { }
      }
    }
    String job = "";
    if (serviceName != null) {
      job = serviceNamespace != null && !serviceNamespace.isEmpty() ? serviceNamespace + "/" + serviceName : serviceName;
    }
    ResourceCtx r = new ResourceCtx(h, Arrays.copyOfRange(b, from, to), contextIds.incrementAndGet(), job, instance,
        keys, values, targetInfoLabels(job, instance, keys, values));
    resources.put(r);
    return r;
  }

  /** {@code target_info}'s labels, or null when the resource has no attribute besides job and instance. */
  private Labels targetInfoLabels(String job, String instance, String[] keys, String[] values) {
    Labels.Builder b = Labels.builder();
    int other = 0;
    for (int i = 0; i < keys.length; i++) {
      String key = keys[i];
      if (!options.keepIdentifyingResourceAttributes()
          && (key.equals(SERVICE_NAME) || key.equals(SERVICE_NAMESPACE) || key.equals(SERVICE_INSTANCE_ID))) {
        continue;
      }
      String name = labelName(key);
      String value = values[i];
      if (name == null || value.isEmpty()) continue;
      String prev = b.get(name);
      b.set(name, prev == null ? value : prev + ";" + value);
      other++;
    }
    if (other == 0) return null; // spec: only when the resource has attributes besides job and instance
    b.set(JOB, job);
    b.set(INSTANCE, instance);
    b.set(Labels.NAME, TARGET_INFO);
    return b.build();
  }

  private ScopeCtx scope(byte[] b, int from, int to) {
    long h = WireCursor.hash(b, from, to, 0x5EED_0002L);
    CacheTable.Entry[] t = scopes.slots();
    for (int p = 0; p < CacheTable.PROBES; p++) {
      CacheTable.Entry e = t[CacheTable.index(h, p, t.length)];
      if (e == null) break;
      if (e.hash == h && e instanceof ScopeCtx s && Arrays.equals(s.key, 0, s.key.length, b, from, to)) return s;
    }
    String name = "";
    String version = "";
    List<String[]> attrs = new ArrayList<>();
    WireCursor c = new WireCursor().reset(b, from, to);
    while (c.next()) {
      if (c.wire != WireCursor.LEN) continue;
      switch (c.field) {
        case 1 -> name = string(c, b);
        case 2 -> version = string(c, b);
        case 3 -> attrs.add(keyValue(b, c.start, c.end));
        default -> { }
      }
    }
    String[] keys = new String[attrs.size()];
    String[] values = new String[attrs.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = attrs.get(i)[0];
      values[i] = attrs.get(i)[1];
    }
    ScopeCtx s = new ScopeCtx(h, Arrays.copyOfRange(b, from, to), contextIds.incrementAndGet(), name, version, keys,
        values);
    scopes.put(s);
    return s;
  }

  private Family family(Call call, byte[] b, int nameFrom, int nameTo, int unitFrom, int unitTo, int descFrom,
      int descTo) {
    // key: name and unit, each with its length, then the description
    int nl = nameTo - nameFrom;
    int ul = unitTo - unitFrom;
    int dl = descTo - descFrom;
    int n = 10 + nl + ul + dl;
    if (call.familyScratch.length < n) call.familyScratch = new byte[Math.max(n, 2 * call.familyScratch.length)];
    byte[] k = call.familyScratch;
    int at = putInt(k, 0, nl);
    System.arraycopy(b, nameFrom, k, at, nl);
    at += nl;
    at = putInt(k, at, ul);
    System.arraycopy(b, unitFrom, k, at, ul);
    at += ul;
    System.arraycopy(b, descFrom, k, at, dl);
    at += dl;
    long h = WireCursor.hash(k, 0, at, 0x5EED_0003L);
    CacheTable.Entry[] t = families.slots();
    for (int p = 0; p < CacheTable.PROBES; p++) {
      CacheTable.Entry e = t[CacheTable.index(h, p, t.length)];
      if (e == null) break;
      if (e.hash == h && e instanceof Family f && Arrays.equals(f.key, 0, f.key.length, k, 0, at)) return f;
    }
    Family f = new Family(h, Arrays.copyOf(k, at), utf8(b, nameFrom, nameTo), utf8(b, unitFrom, unitTo),
        utf8(b, descFrom, descTo));
    families.put(f);
    return f;
  }

  private static int putInt(byte[] k, int at, int v) {
    k[at] = (byte) (v >>> 24);
    k[at + 1] = (byte) (v >>> 16);
    k[at + 2] = (byte) (v >>> 8);
    k[at + 3] = (byte) v;
    return at + 4;
  }

  /**
   * The series of the current point (its attribute bytes are in {@code call}): found by hash and
   * byte comparison, or built (labels decoded and assembled, stream state found) and cached.
   */
  private Series series(Call call, ResourceCtx res, ScopeCtx scope, String name, int attrField) {
    byte[] kb = call.attrBuf;
    int kf = call.attrFrom;
    int kt = call.attrTo;
    long seed = ((long) res.id << 32 | scope.id & 0xFFFF_FFFFL) ^ name.hashCode() * 0x9E3779B97F4A7C15L;
    long h = WireCursor.hash(kb, kf, kt, seed);
    CacheTable.Entry[] t = series.slots();
    for (int p = 0; p < CacheTable.PROBES; p++) {
      CacheTable.Entry e = t[CacheTable.index(h, p, t.length)];
      if (e == null) break;
      if (e.hash == h && e instanceof Series s && s.resource == res && s.scope == scope && s.name.equals(name)
          && Arrays.equals(s.attributes, 0, s.attributes.length, kb, kf, kt)) {
        return s;
      }
    }
    List<String[]> attrs = new ArrayList<>();
    WireCursor c = new WireCursor().reset(kb, kf, kt);
    while (c.next()) {
      if (c.field == attrField && c.wire == WireCursor.LEN) attrs.add(keyValue(kb, c.start, c.end));
    }
    String[] keys = new String[attrs.size()];
    String[] values = new String[attrs.size()];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = attrs.get(i)[0];
      values[i] = attrs.get(i)[1];
    }
    Labels labels = pointLabels(call, res, scope, keys, values, name);
    StreamState st = states.get(labels, call.nowNanos);
    Series s = new Series(h, Arrays.copyOfRange(kb, kf, kt), res, scope, name, st == null ? labels : st.key, st);
    series.put(s);
    return s;
  }

  /** The series' stream state, marked as seen now; null when the stream memory is full. */
  private StreamState state(Call call, Series s) {
    StreamState st = s.state;
    if (st == null || st.evicted) {
      st = states.get(s.labels, call.nowNanos);
      s.state = st;
      return st;
    }
    st.lastSeenNanos = call.nowNanos;
    return st;
  }

  // ---------------------------------------------------------------- labels

  /**
   * A data point's labels without {@code __name__}: its attributes (sanitised; colliding names
   * joined with {@code ;} in the order of the original keys), then, with
   * {@code resource_to_telemetry_conversion}, the resource attributes (winning over point
   * attributes, as upstream), then {@code job} and {@code instance}, then the scope labels, then
   * {@code __name__}.
   */
  private Labels pointLabels(Call call, ResourceCtx res, ScopeCtx scope, String[] keys, String[] values,
      String metricName) {
    Labels.Builder b = call.builder.reset();
    addAttributes(b, keys, values);
    if (options.resourceToTelemetryConversion()) {
      for (int i = 0; i < res.keys.length; i++) {
        String n = labelName(res.keys[i]);
        if (n != null) b.set(n, res.values[i]);
      }
    }
    if (!res.job.isEmpty()) b.set(JOB, res.job);
    if (!res.instance.isEmpty()) b.set(INSTANCE, res.instance);
    if (options.includeScopeLabels()) {
      b.set(SCOPE_NAME, scope.name);
      b.set(SCOPE_VERSION, scope.version);
    }
    b.set(Labels.NAME, metricName);
    return b.build();
  }

  private void addAttributes(Labels.Builder b, String[] keys, String[] values) {
    for (int i = 0; i < keys.length; i++) {
      String name = labelName(keys[i]);
      if (name == null) continue;
      if (b.get(name) != null) {
        addAttributesWithCollisions(b, keys, values);
        return;
      }
      b.set(name, values[i]);
    }
  }

  /** Slow path: several keys map to one label name; values joined by {@code ;}, ordered by key. */
  private void addAttributesWithCollisions(Labels.Builder b, String[] keys, String[] values) {
    for (String key : keys) {
      String name = labelName(key);
      if (name != null) b.remove(name);
    }
    Integer[] order = new Integer[keys.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    Arrays.sort(order, Comparator.comparing(i -> keys[i])); // stable: equal keys keep their order
    for (int i : order) {
      String name = labelName(keys[i]);
      if (name == null) continue;
      String value = values[i];
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

  private String metricName(String name, String unit, Kind kind) {
    String cacheKey = name + '\u0000' + unit + '\u0000' + kind.ordinal();
    String n = metricNames.get(cacheKey);
    if (n == null) {
      n = PrometheusNames.metricName(name, unit, kind, options.addMetricSuffixes());
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

  // ---------------------------------------------------------------- strings and attribute values

  /** The current LEN field as a string (UTF-8 checked, as protobuf-java does for proto3 strings). */
  private static String string(WireCursor c, byte[] b) {
    return utf8(b, c.start, c.end);
  }

  private static String utf8(byte[] b, int from, int to) {
    if (from == to) return "";
    if (!OtlpValidator.isValidUtf8(b, from, to)) {
      throw new WireCursor.MalformedException("a string field is not valid UTF-8");
    }
    return new String(b, from, to - from, StandardCharsets.UTF_8);
  }

  /** A {@code KeyValue}: {@code [key, value as a string]}. */
  private static String[] keyValue(byte[] b, int from, int to) {
    WireCursor c = new WireCursor().reset(b, from, to);
    String key = "";
    byte[] vBuf = EMPTY;
    int vFrom = 0;
    int vTo = 0;
    int occurrences = 0;
    while (c.next()) {
      if (c.wire != WireCursor.LEN) continue;
      if (c.field == 1) {
        key = string(c, b);
      } else if (c.field == 2) {
        if (occurrences++ == 0) {
          vBuf = b;
          vFrom = c.start;
          vTo = c.end;
        } else { // merged
          vBuf = concat(vBuf, vFrom, vTo, b, c.start, c.end);
          vFrom = 0;
          vTo = vBuf.length;
        }
      }
    }
    return new String[] {key, anyValueString(vBuf, vFrom, vTo)};
  }

  /**
   * An encoded {@code AnyValue} as a string (see {@link #anyValueString(AnyValue)}). Scalars are
   * read here; arrays and maps go through protobuf-java.
   */
  private static String anyValueString(byte[] b, int from, int to) {
    WireCursor c = new WireCursor().reset(b, from, to);
    int member = 0;
    long bits = 0;
    int sFrom = 0;
    int sTo = 0;
    boolean composite = false;
    while (c.next()) {
      switch (c.field) {
        case 1, 7 -> {
          if (c.wire == WireCursor.LEN) {
            member = c.field;
            sFrom = c.start;
            sTo = c.end;
          }
        }
        case 2, 3 -> {
          if (c.wire == WireCursor.VARINT) {
            member = c.field;
            bits = c.varint;
          }
        }
        case 4 -> {
          if (c.wire == WireCursor.FIXED64) {
            member = 4;
            bits = c.fixed64();
          }
        }
        case 5, 6 -> {
          if (c.wire == WireCursor.LEN) composite = true;
        }
        default -> { }
      }
    }
    if (composite) {
      try {
        return anyValueString(AnyValue.parser().parseFrom(b, from, to - from));
      } catch (InvalidProtocolBufferException e) {
        throw new WireCursor.MalformedException("attribute value: " + e.getMessage());
      }
    }
    return switch (member) {
      case 1 -> utf8(b, sFrom, sTo);
      case 2 -> bits != 0 ? "true" : "false";
      case 3 -> Long.toString(bits);
      case 4 -> PrometheusNames.formatFloat(Double.longBitsToDouble(bits));
      case 7 -> Base64.getEncoder().encodeToString(Arrays.copyOfRange(b, sFrom, sTo));
      default -> "";
    };
  }

  // ---------------------------------------------------------------- exemplars and values

  private static List<io.opentelemetry.proto.metrics.v1.Exemplar> parseExemplars(Call call, byte[] b) {
    List<io.opentelemetry.proto.metrics.v1.Exemplar> out = new ArrayList<>(call.exemplars);
    for (int i = 0; i < call.exemplars; i++) {
      int from = call.exemplarRanges[2 * i];
      int to = call.exemplarRanges[2 * i + 1];
      try {
        out.add(io.opentelemetry.proto.metrics.v1.Exemplar.parser().parseFrom(b, from, to - from));
      } catch (InvalidProtocolBufferException e) {
        throw new WireCursor.MalformedException("exemplar: " + e.getMessage());
      }
    }
    return out;
  }

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

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static String hex(byte[] bytes) {
    char[] out = new char[bytes.length * 2];
    for (int i = 0; i < bytes.length; i++) {
      out[2 * i] = HEX[(bytes[i] >> 4) & 0xf];
      out[2 * i + 1] = HEX[bytes[i] & 0xf];
    }
    return new String(out);
  }

  /** OpenTelemetry's "AnyValue as string": scalars as text, bytes as base64, arrays and maps as JSON. */
  static String anyValueString(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case BOOL_VALUE -> v.getBoolValue() ? "true" : "false";
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> PrometheusNames.formatFloat(v.getDoubleValue());
      case BYTES_VALUE -> Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
      case ARRAY_VALUE, KVLIST_VALUE -> {
        StringBuilder sb = new StringBuilder();
        json(sb, v);
        yield sb.toString();
      }
      default -> "";
    };
  }

  private static void json(StringBuilder sb, AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE -> jsonString(sb, v.getStringValue());
      case BOOL_VALUE -> sb.append(v.getBoolValue());
      case INT_VALUE -> sb.append(v.getIntValue());
      case DOUBLE_VALUE -> {
        double d = v.getDoubleValue();
        if (Double.isFinite(d)) {
          sb.append(PrometheusNames.formatFloat(d));
        } else {
          jsonString(sb, PrometheusNames.formatFloat(d));
        }
      }
      case BYTES_VALUE -> jsonString(sb, Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray()));
      case ARRAY_VALUE -> {
        sb.append('[');
        List<AnyValue> values = v.getArrayValue().getValuesList();
        for (int i = 0; i < values.size(); i++) {
          if (i > 0) sb.append(',');
          json(sb, values.get(i));
        }
        sb.append(']');
      }
      case KVLIST_VALUE -> {
        sb.append('{');
        List<KeyValue> kvs = new ArrayList<>(v.getKvlistValue().getValuesList());
        kvs.sort(Comparator.comparing(KeyValue::getKey));
        for (int i = 0; i < kvs.size(); i++) {
          if (i > 0) sb.append(',');
          jsonString(sb, kvs.get(i).getKey());
          sb.append(':');
          json(sb, kvs.get(i).getValue());
        }
        sb.append('}');
      }
      default -> sb.append("null");
    }
  }

  private static void jsonString(StringBuilder sb, String s) {
    JsonStrings.append(sb, s);
  }
}
