package io.mpac.collector.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.mpac.collector.prometheus.HistogramSample;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.Sample;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import io.opentelemetry.proto.resource.v1.Resource;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Differential tests of the streaming translation ({@link OtlpToPrometheus}, which reads the wire
 * bytes) against the object-based one it replaced ({@link ObjectTranslation}, protobuf-java
 * objects): randomised request sequences with fixed seeds, every metric type, attribute values of
 * every kind, colliding and invalid names, repeated series across requests (so the caches hit),
 * delta accumulation, out-of-order points, refusals (no commit); the same requests also re-encoded
 * in the non-canonical ways protobuf allows (fields reordered, singular messages split into
 * several occurrences that protobuf merges, packed fields unpacked, unknown fields and groups
 * added). Both must give the same samples (value bits included), histograms, metadata, drop counts
 * and point counts, request after request.
 */
class StreamingTranslationTest {

  private static final long NOW_MS = 1_700_000_100_000L;

  /** Both translations with their own stream memories. */
  private static final class Pair {
    final ObjectTranslation reference;
    final OtlpToPrometheus streaming;

    Pair(OtlpToPrometheus.Options options, int maxStreams) {
      reference = new ObjectTranslation(options, new SeriesStates(maxStreams));
      streaming = new OtlpToPrometheus(options, new SeriesStates(maxStreams));
    }

    /** Converts with both, compares, and commits both unless {@code refused}. */
    void check(String what, ExportMetricsServiceRequest req, byte[] wire, long nowNanos, boolean refused)
        throws Exception {
      ObjectTranslation.Result want = reference.convert(ExportMetricsServiceRequest.parseFrom(wire), nowNanos, NOW_MS);
      OtlpToPrometheus.Result got = streaming.convert(wire, nowNanos, NOW_MS);
      assertSame(what, want.batch, got.batch);
      assertThat(got.points).as(what + ": points").isEqualTo(want.points);
      assertThat(got.dropped).as(what + ": dropped").isEqualTo(want.dropped);
      assertThat(OtlpToPrometheus.hasDelta(wire)).as(what + ": hasDelta").isEqualTo(ObjectTranslation.hasDelta(req));
      if (!refused) {
        want.pending.commit();
        got.pending.commit();
      }
    }
  }

  static void assertSame(String what, MetricsBatch want, MetricsBatch got) {
    assertThat(got.samples()).as(what + ": samples").isEqualTo(want.samples());
    for (int i = 0; i < want.samples().size(); i++) { // records compare NaNs as equal: the stale marker is a bit pattern
      Sample w = want.samples().get(i);
      Sample g = got.samples().get(i);
      assertThat(Double.doubleToRawLongBits(g.value())).as(what + ": bits of " + w).isEqualTo(
          Double.doubleToRawLongBits(w.value()));
    }
    assertThat(got.histograms()).as(what + ": histograms").isEqualTo(want.histograms());
    for (int i = 0; i < want.histograms().size(); i++) {
      HistogramSample w = want.histograms().get(i);
      HistogramSample g = got.histograms().get(i);
      assertThat(Double.doubleToRawLongBits(g.histogram().sum())).as(what + ": sum bits of " + w).isEqualTo(
          Double.doubleToRawLongBits(w.histogram().sum()));
    }
    assertThat(got.metadata()).as(what + ": metadata").isEqualTo(want.metadata());
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void randomRequestSequencesTranslateAsTheObjectBasedPathDid(long seed) throws Exception {
    Random rnd = new Random(seed);
    OtlpToPrometheus.Options options = seed <= 2 ? OtlpToPrometheus.Options.DEFAULTS
        : new OtlpToPrometheus.Options(rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextBoolean(), rnd.nextBoolean(),
            rnd.nextBoolean(), rnd.nextBoolean());
    // a small stream memory in some runs, so that "full" paths are taken too
    Pair pair = new Pair(options, seed % 4 == 0 ? 40 : 100_000);
    Generator gen = new Generator(rnd);
    for (int i = 0; i < 60; i++) {
      ExportMetricsServiceRequest req = gen.request(i);
      byte[] wire = req.toByteArray();
      String what = "seed " + seed + ", request " + i + " " + options;
      boolean refused = rnd.nextInt(8) == 0;
      if (rnd.nextInt(3) == 0) {
        // the same reordering and splitting, without unknown fields, parses to the same request
        byte[] known = new Reencoder(new Random(seed * 1000 + i), false).request(wire);
        assertThat(ExportMetricsServiceRequest.parseFrom(known)).as("re-encoding keeps the meaning").isEqualTo(req);
        byte[] odd = new Reencoder(new Random(seed * 1000 + i), true).request(wire);
        pair.check(what + " (re-encoded)", req, odd, 1_000L * i, refused);
      } else {
        pair.check(what, req, wire, 1_000L * i, refused);
      }
    }
    assertThat(pair.streaming.cachedSeries()).isPositive();
  }

  @Test
  void evictedStreamsAreLookedUpAgain() throws Exception {
    Pair pair = new Pair(OtlpToPrometheus.Options.DEFAULTS, 100_000);
    SeriesStates streamingStates = new SeriesStates(100_000);
    OtlpToPrometheus streaming = new OtlpToPrometheus(OtlpToPrometheus.Options.DEFAULTS, streamingStates);
    Generator gen = new Generator(new Random(99));
    ExportMetricsServiceRequest first = gen.request(0);
    streaming.convert(first.toByteArray(), 0, NOW_MS).pending.commit();
    int cached = streaming.cachedSeries();
    assertThat(cached).isPositive();
    assertThat(streamingStates.gc(Long.MAX_VALUE / 2, 1)).isPositive(); // everything is old
    streaming.forgetEvicted();
    assertThat(streaming.cachedSeries()).isZero();
    // after eviction the same series start new streams, with no memory of the old times
    ExportMetricsServiceRequest again = gen.request(0);
    OtlpToPrometheus.Result r = streaming.convert(again.toByteArray(), 10, NOW_MS);
    ObjectTranslation.Result want = pair.reference.convert(again, 10, NOW_MS);
    assertSame("after eviction", want.batch, r.batch);
    assertThat(streamingStates.size()).isPositive();
  }

  @Test
  void malformedRequestsAreRejectedWithAReason() {
    OtlpToPrometheus t = new OtlpToPrometheus(OtlpToPrometheus.Options.DEFAULTS, new SeriesStates(10));
    byte[] valid = new Generator(new Random(5)).request(0).toByteArray();
    // cut anywhere inside the first resource: truncated
    byte[] cut = java.util.Arrays.copyOf(valid, valid.length / 2);
    assertThatThrownBy(() -> t.convert(cut, 0, NOW_MS)).isInstanceOf(WireCursor.MalformedException.class)
        .hasMessageContaining("offset");
    assertThatThrownBy(() -> t.convert(new byte[] {(byte) 0xff, 1, 2}, 0, NOW_MS))
        .isInstanceOf(WireCursor.MalformedException.class);
    // a metric name that is not UTF-8
    byte[] badName = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("q~~")
            .setGauge(Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder().setAsDouble(1))))))
        .build().toByteArray();
    int at = new String(badName, StandardCharsets.ISO_8859_1).indexOf("q~~");
    badName[at + 1] = (byte) 0xC0; // an overlong encoding of '\0'
    badName[at + 2] = (byte) 0x80;
    assertThatThrownBy(() -> t.convert(badName, 0, NOW_MS)).isInstanceOf(WireCursor.MalformedException.class)
        .hasMessageContaining("UTF-8");
    assertThatThrownBy(() -> ExportMetricsServiceRequest.parseFrom(badName)).as("protobuf-java agrees")
        .isInstanceOf(com.google.protobuf.InvalidProtocolBufferException.class);
  }

  // ------------------------------------------------------------------ random requests

  /** Random requests over small pools, so resources, scopes, metrics and series repeat. */
  static final class Generator {
    private final Random rnd;
    private static final String[] KEYS = {"http.method", "http_method", "region", "1st", "_x", "__y", "a.b.c",
        "a_b_c", "A", "ünï", "", "service.name", "job", "otel_scope_name", "le", "trace.id"};
    private static final String[] NAMES = {"http.server.duration", "requests", "queue.size", "cpu.util", "mem",
        "!!!", "", "1up", "requests_total", "latency.seconds", "a.b", "a_b", "bytes.sent"};
    private static final String[] UNITS = {"", "s", "ms", "By", "1", "{request}", "By/s", "%", "weird unit", "m/s"};

    Generator(Random rnd) {
      this.rnd = rnd;
    }

    private <T> T pick(T[] a) {
      return a[rnd.nextInt(a.length)];
    }

    AnyValue value() {
      AnyValue.Builder v = AnyValue.newBuilder();
      switch (rnd.nextInt(12)) {
        case 0 -> v.setIntValue(rnd.nextInt(5) - 2);
        case 1 -> v.setBoolValue(rnd.nextBoolean());
        case 2 -> v.setDoubleValue(new double[] {0.5, 1, -0.0, Double.NaN, 1e21, 3.25}[rnd.nextInt(6)]);
        case 3 -> v.setBytesValue(ByteString.copyFrom(new byte[] {1, 2, (byte) rnd.nextInt(3)}));
        case 4 -> v.setArrayValue(ArrayValue.newBuilder().addValues(AnyValue.newBuilder().setStringValue("x\"y"))
            .addValues(AnyValue.newBuilder().setIntValue(rnd.nextInt(3))));
        case 5 -> v.setKvlistValue(KeyValueList.newBuilder().addValues(KeyValue.newBuilder().setKey("z")
            .setValue(AnyValue.newBuilder().setBoolValue(true))).addValues(KeyValue.newBuilder().setKey("a")
            .setValue(AnyValue.newBuilder().setDoubleValue(Double.POSITIVE_INFINITY))));
        case 6 -> { } // no value
        case 7 -> v.setStringValue("");
        default -> v.setStringValue(new String[] {"GET", "POST", "eu", "üñí", "a;b", "x\ny"}[rnd.nextInt(6)]);
      }
      return v.build();
    }

    List<KeyValue> attributes(int max) {
      List<KeyValue> out = new ArrayList<>();
      int n = rnd.nextInt(max + 1);
      for (int i = 0; i < n; i++) out.add(KeyValue.newBuilder().setKey(pick(KEYS)).setValue(value()).build());
      return out;
    }

    /** Attributes from a few fixed sets, so series repeat across requests. */
    List<KeyValue> pointAttributes() {
      long s = rnd.nextInt(6);
      Random fixed = new Random(s * 7919);
      Generator g = new Generator(fixed);
      return g.attributes(3);
    }

    Resource resource() {
      Random fixed = new Random(rnd.nextInt(4) * 104729L);
      Generator g = new Generator(fixed);
      Resource.Builder r = Resource.newBuilder();
      if (fixed.nextInt(5) > 0) r.addAttributes(kv("service.name", new String[] {"checkout", "cart", ""}[fixed.nextInt(3)]));
      if (fixed.nextBoolean()) r.addAttributes(kv("service.namespace", new String[] {"shop", ""}[fixed.nextInt(2)]));
      if (fixed.nextBoolean()) r.addAttributes(kv("service.instance.id", "i-" + fixed.nextInt(3)));
      r.addAllAttributes(g.attributes(3));
      return r.build();
    }

    InstrumentationScope scope() {
      Random fixed = new Random(rnd.nextInt(3) * 15485863L);
      Generator g = new Generator(fixed);
      return InstrumentationScope.newBuilder().setName(new String[] {"io.lib", "", "other"}[fixed.nextInt(3)])
          .setVersion(new String[] {"1.0", ""}[fixed.nextInt(2)]).addAllAttributes(g.attributes(2)).build();
    }

    long time(int req) {
      return switch (rnd.nextInt(10)) {
        case 0 -> 0; // "now"
        case 1 -> (NOW_MS - 100_000 + (req - 3) * 1000L) * 1_000_000L; // older
        default -> (NOW_MS - 100_000 + req * 1000L + rnd.nextInt(3)) * 1_000_000L;
      };
    }

    int flags() {
      return rnd.nextInt(8) == 0 ? 1 : 0;
    }

    List<Exemplar> exemplars(int max) {
      List<Exemplar> out = new ArrayList<>();
      int n = rnd.nextInt(4) == 0 ? rnd.nextInt(max + 1) : 0;
      for (int i = 0; i < n; i++) {
        Exemplar.Builder e = Exemplar.newBuilder().setTimeUnixNano(rnd.nextBoolean() ? 0 : NOW_MS * 1_000_000L);
        if (rnd.nextBoolean()) {
          e.setAsDouble(rnd.nextInt(40) / 10.0);
        } else {
          e.setAsInt(rnd.nextInt(4));
        }
        if (rnd.nextBoolean()) e.setTraceId(ByteString.copyFrom(new byte[16])).setSpanId(ByteString.copyFrom(new byte[8]));
        e.addAllFilteredAttributes(attributes(2));
        out.add(e.build());
      }
      return out;
    }

    NumberDataPoint number(int req) {
      NumberDataPoint.Builder p = NumberDataPoint.newBuilder().setTimeUnixNano(time(req))
          .setStartTimeUnixNano(rnd.nextBoolean() ? 0 : 5).addAllAttributes(pointAttributes()).setFlags(flags())
          .addAllExemplars(exemplars(2));
      switch (rnd.nextInt(3)) {
        case 0 -> p.setAsInt(rnd.nextInt(100) - 10);
        case 1 -> p.setAsDouble(rnd.nextInt(100) / 4.0);
        default -> { } // no value
      }
      return p.build();
    }

    HistogramDataPoint histogramPoint(int req) {
      List<Double> bounds = switch (rnd.nextInt(4)) {
        case 0 -> List.of();
        case 1 -> List.of(0.5, 1.0);
        default -> List.of(0.005, 0.1, 1.0, 2.5);
      };
      HistogramDataPoint.Builder p = HistogramDataPoint.newBuilder().setTimeUnixNano(time(req))
          .addAllAttributes(pointAttributes()).setFlags(flags()).addAllExplicitBounds(bounds)
          .addAllExemplars(exemplars(3));
      long count = 0;
      int buckets = rnd.nextInt(6) == 0 ? bounds.size() : bounds.size() + 1; // sometimes one short
      for (int i = 0; i < buckets; i++) {
        int c = rnd.nextInt(5);
        p.addBucketCounts(c);
        count += c;
      }
      p.setCount(count);
      if (rnd.nextInt(4) > 0) p.setSum(count * 0.75);
      if (rnd.nextBoolean()) p.setMin(0.001).setMax(9);
      return p.build();
    }

    SummaryDataPoint summaryPoint(int req) {
      return SummaryDataPoint.newBuilder().setTimeUnixNano(time(req)).addAllAttributes(pointAttributes())
          .setFlags(flags()).setCount(rnd.nextInt(10)).setSum(rnd.nextInt(100) / 8.0)
          .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5).setValue(1.5))
          .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.99).setValue(9)).build();
    }

    ExponentialHistogramDataPoint exponentialPoint(int req) {
      ExponentialHistogramDataPoint.Builder p = ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(time(req))
          .addAllAttributes(pointAttributes()).setFlags(flags()).setScale(new int[] {-5, 0, 3, 10}[rnd.nextInt(4)])
          .setZeroCount(rnd.nextInt(3)).setCount(10).setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder()
              .setOffset(rnd.nextInt(5) - 2).addBucketCounts(2).addBucketCounts(0).addBucketCounts(5))
          .addAllExemplars(exemplars(1));
      if (rnd.nextInt(4) > 0) p.setSum(12.5);
      return p.build();
    }

    AggregationTemporality temporality() {
      int r = rnd.nextInt(10);
      return r == 0 ? AggregationTemporality.AGGREGATION_TEMPORALITY_UNSPECIFIED
          : r < 4 ? AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA
          : AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
    }

    Metric metric(int req) {
      Metric.Builder m = Metric.newBuilder().setName(pick(NAMES)).setUnit(pick(UNITS))
          .setDescription(rnd.nextBoolean() ? "" : "help text");
      int points = rnd.nextInt(4);
      switch (rnd.nextInt(6)) {
        case 0 -> {
          Gauge.Builder g = Gauge.newBuilder();
          for (int i = 0; i < points; i++) g.addDataPoints(number(req));
          m.setGauge(g);
        }
        case 1, 2 -> {
          Sum.Builder s = Sum.newBuilder().setIsMonotonic(rnd.nextBoolean()).setAggregationTemporality(temporality());
          for (int i = 0; i < points; i++) s.addDataPoints(number(req));
          m.setSum(s);
        }
        case 3 -> {
          Histogram.Builder h = Histogram.newBuilder().setAggregationTemporality(temporality());
          for (int i = 0; i < points; i++) h.addDataPoints(histogramPoint(req));
          m.setHistogram(h);
        }
        case 4 -> {
          Summary.Builder s = Summary.newBuilder();
          for (int i = 0; i < points; i++) s.addDataPoints(summaryPoint(req));
          m.setSummary(s);
        }
        default -> {
          ExponentialHistogram.Builder h = ExponentialHistogram.newBuilder().setAggregationTemporality(temporality());
          for (int i = 0; i < points; i++) h.addDataPoints(exponentialPoint(req));
          m.setExponentialHistogram(h);
        }
      }
      if (rnd.nextInt(10) == 0) m.addMetadata(kv("m", "d"));
      return m.build();
    }

    ExportMetricsServiceRequest request(int req) {
      ExportMetricsServiceRequest.Builder r = ExportMetricsServiceRequest.newBuilder();
      int resources = rnd.nextInt(3) + (req == 0 ? 1 : 0);
      for (int i = 0; i < resources; i++) {
        ResourceMetrics.Builder rm = ResourceMetrics.newBuilder().setSchemaUrl(rnd.nextBoolean() ? "" : "https://x");
        if (rnd.nextInt(6) > 0) rm.setResource(resource());
        int scopes = rnd.nextInt(3);
        for (int s = 0; s < scopes; s++) {
          ScopeMetrics.Builder sm = ScopeMetrics.newBuilder();
          if (rnd.nextInt(5) > 0) sm.setScope(scope());
          int metrics = rnd.nextInt(5);
          for (int m = 0; m < metrics; m++) sm.addMetrics(metric(req));
          rm.addScopeMetrics(sm);
        }
        r.addResourceMetrics(rm);
      }
      return r.build();
    }

    static KeyValue kv(String k, String v) {
      return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
    }
  }

  // ------------------------------------------------------------------ non-canonical encodings

  /**
   * Re-encodes a request in ways that keep its meaning under protobuf's rules: fields of a message
   * in another order (occurrences of one field keep their relative order), singular sub-messages
   * split into two occurrences (protobuf merges them), packed repeated 64-bit fields written
   * unpacked, unknown fields (varint, length-delimited, fixed, a group) added.
   */
  static final class Reencoder {
    private final Random rnd;

    /** Message kinds by (parent kind, field number). */
    private static final Map<String, String> CHILDREN = new LinkedHashMap<>();
    /** Singular message fields (may be split). */
    private static final java.util.Set<String> SINGULAR = java.util.Set.of("rm.1", "sm.1", "metric.5", "metric.7",
        "metric.9", "metric.10", "metric.11", "kv.2");
    /** Singular scalar fields: an earlier occurrence with another value may be added (the last one wins). */
    private static final java.util.Set<String> SCALARS = java.util.Set.of("scope.1", "scope.2", "metric.1",
        "metric.2", "metric.3", "sum.2", "sum.3", "hist.2", "ehist.2", "ndp.3", "ndp.4", "ndp.6", "ndp.8", "hdp.3",
        "hdp.4", "hdp.5", "hdp.10", "kv.1", "any.1", "any.3");
    /** Packed 64-bit repeated fields (may be unpacked). */
    private static final java.util.Set<String> PACKED64 = java.util.Set.of("hdp.6", "hdp.7");

    static {
      CHILDREN.put("req.1", "rm");
      CHILDREN.put("rm.1", "resource");
      CHILDREN.put("rm.2", "sm");
      CHILDREN.put("resource.1", "kv");
      CHILDREN.put("sm.1", "scope");
      CHILDREN.put("sm.2", "metric");
      CHILDREN.put("scope.3", "kv");
      CHILDREN.put("metric.5", "gauge");
      CHILDREN.put("metric.7", "sum");
      CHILDREN.put("metric.9", "hist");
      CHILDREN.put("metric.10", "ehist");
      CHILDREN.put("metric.11", "summary");
      CHILDREN.put("gauge.1", "ndp");
      CHILDREN.put("sum.1", "ndp");
      CHILDREN.put("hist.1", "hdp");
      CHILDREN.put("ehist.1", "ehdp");
      CHILDREN.put("summary.1", "sdp");
      CHILDREN.put("ndp.5", "exemplar");
      CHILDREN.put("ndp.7", "kv");
      CHILDREN.put("hdp.8", "exemplar");
      CHILDREN.put("hdp.9", "kv");
      CHILDREN.put("sdp.7", "kv");
      CHILDREN.put("ehdp.1", "kv");
      CHILDREN.put("exemplar.7", "kv");
      CHILDREN.put("kv.2", "any");
      CHILDREN.put("any.0", "none"); // "any" is a kind (for SCALARS), with no message children
    }

    private final boolean unknowns;

    Reencoder(Random rnd, boolean unknowns) {
      this.rnd = rnd;
      this.unknowns = unknowns;
    }

    byte[] request(byte[] wire) {
      return message("req", wire, 0, wire.length);
    }

    private record Field(int number, int wire, byte[] encoded) {}

    private byte[] message(String kind, byte[] b, int from, int to) {
      // fields in order, grouped by number
      Map<Integer, List<Field>> byNumber = new LinkedHashMap<>();
      WireCursor c = new WireCursor().reset(b, from, to);
      while (c.next()) {
        String key = kind + "." + c.field;
        List<Field> out = byNumber.computeIfAbsent(c.field, k -> new ArrayList<>());
        if (c.wire == WireCursor.LEN && CHILDREN.containsKey(key)) {
          byte[] inner = message(CHILDREN.get(key), b, c.start, c.end);
          if (SINGULAR.contains(key) && rnd.nextInt(3) == 0) {
            for (byte[] part : split(inner)) out.add(new Field(c.field, WireCursor.LEN, len(c.field, part)));
          } else {
            out.add(new Field(c.field, WireCursor.LEN, len(c.field, inner)));
          }
        } else if (c.wire == WireCursor.LEN && PACKED64.contains(key) && rnd.nextBoolean()) {
          for (int i = c.start; i < c.end; i += 8) {
            ByteArrayOutputStream f = new ByteArrayOutputStream();
            varint(f, (long) c.field << 3 | WireCursor.FIXED64);
            f.write(b, i, 8);
            out.add(new Field(c.field, WireCursor.FIXED64, f.toByteArray()));
          }
        } else {
          if (SCALARS.contains(key) && rnd.nextInt(4) == 0) out.add(decoy(c));
          out.add(new Field(c.field, c.wire, java.util.Arrays.copyOfRange(b, c.fieldStart, c.wire == WireCursor.VARINT
              ? varintEnd(b, c.fieldStart) : c.end)));
        }
      }
      if (rnd.nextInt(3) == 0 && unknowns) {
        ByteArrayOutputStream u = new ByteArrayOutputStream();
        varint(u, 900L << 3 | WireCursor.VARINT);
        varint(u, 12345);
        varint(u, 901L << 3 | WireCursor.LEN);
        varint(u, 2);
        u.write(7);
        u.write(8);
        varint(u, 902L << 3 | WireCursor.START_GROUP);
        varint(u, 1L << 3 | WireCursor.FIXED32);
        u.write(new byte[4], 0, 4);
        varint(u, 902L << 3 | WireCursor.END_GROUP);
        byNumber.computeIfAbsent(900, k -> new ArrayList<>()).add(new Field(900, 0, u.toByteArray()));
      }
      // a random interleaving that keeps each field's own order
      List<List<Field>> queues = new ArrayList<>();
      for (List<Field> q : byNumber.values()) queues.add(new ArrayList<>(q));
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      while (!queues.isEmpty()) {
        int i = rnd.nextInt(queues.size());
        List<Field> q = queues.get(i);
        Field f = q.remove(0);
        out.write(f.encoded, 0, f.encoded.length);
        if (q.isEmpty()) queues.remove(i);
      }
      return out.toByteArray();
    }

    /** The current field again, with another value of the same wire type. */
    private Field decoy(WireCursor c) {
      ByteArrayOutputStream f = new ByteArrayOutputStream();
      varint(f, (long) c.field << 3 | c.wire);
      switch (c.wire) {
        case WireCursor.VARINT -> varint(f, c.varint + 1);
        case WireCursor.FIXED64 -> f.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, 0, 8);
        case WireCursor.LEN -> {
          varint(f, 5);
          f.write("decoy".getBytes(StandardCharsets.UTF_8), 0, 5);
        }
        default -> throw new IllegalStateException("wire type " + c.wire);
      }
      return new Field(c.field, c.wire, f.toByteArray());
    }

    /** Splits a message's fields into two messages whose merge is the original. */
    private List<byte[]> split(byte[] inner) {
      List<byte[]> fields = new ArrayList<>();
      WireCursor c = new WireCursor().reset(inner, 0, inner.length);
      while (c.next()) {
        int end = c.wire == WireCursor.VARINT ? varintEnd(inner, c.fieldStart) : c.end;
        if (c.wire == WireCursor.START_GROUP) return List.of(inner); // keep groups whole
        fields.add(java.util.Arrays.copyOfRange(inner, c.fieldStart, end));
      }
      int cut = fields.isEmpty() ? 0 : rnd.nextInt(fields.size() + 1);
      ByteArrayOutputStream a = new ByteArrayOutputStream();
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      for (int i = 0; i < fields.size(); i++) (i < cut ? a : b).write(fields.get(i), 0, fields.get(i).length);
      return List.of(a.toByteArray(), b.toByteArray());
    }

    private static int varintEnd(byte[] b, int fieldStart) {
      int i = fieldStart;
      while (b[i] < 0) i++; // the tag
      i++;
      while (b[i] < 0) i++; // the value
      return i + 1;
    }

    private static byte[] len(int field, byte[] inner) {
      ByteArrayOutputStream f = new ByteArrayOutputStream();
      varint(f, (long) field << 3 | WireCursor.LEN);
      varint(f, inner.length);
      f.write(inner, 0, inner.length);
      return f.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, long v) {
      while ((v & ~0x7FL) != 0) {
        out.write((int) (v & 0x7F) | 0x80);
        v >>>= 7;
      }
      out.write((int) v);
    }
  }
}
