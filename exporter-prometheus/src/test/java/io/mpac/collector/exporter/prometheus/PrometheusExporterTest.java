package io.mpac.collector.exporter.prometheus;

import static io.mpac.collector.exporter.prometheus.Otlp.T0_MS;
import static io.mpac.collector.exporter.prometheus.Otlp.counter;
import static io.mpac.collector.exporter.prometheus.Otlp.exemplar;
import static io.mpac.collector.exporter.prometheus.Otlp.gauge;
import static io.mpac.collector.exporter.prometheus.Otlp.histogram;
import static io.mpac.collector.exporter.prometheus.Otlp.histogramPoint;
import static io.mpac.collector.exporter.prometheus.Otlp.kv;
import static io.mpac.collector.exporter.prometheus.Otlp.nanos;
import static io.mpac.collector.exporter.prometheus.Otlp.otlp;
import static io.mpac.collector.exporter.prometheus.Otlp.point;
import static io.mpac.collector.exporter.prometheus.Otlp.request;
import static io.mpac.collector.exporter.prometheus.Otlp.resource;
import static io.mpac.collector.exporter.prometheus.Otlp.service;
import static io.mpac.collector.exporter.prometheus.Otlp.sum;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.prometheus.HistogramSample;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.Metadata;
import io.mpac.collector.prometheus.MetricType;
import io.mpac.collector.prometheus.NativeHistogram;
import io.mpac.collector.prometheus.Sample;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogram;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.Summary;
import io.opentelemetry.proto.metrics.v1.SummaryDataPoint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The OTLP → Prometheus translation, through the component, against a recording receiver. */
class PrometheusExporterTest {

  private static final AggregationTemporality CUMULATIVE = AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE;
  private static final AggregationTemporality DELTA = AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final TestContexts.Recording receiver = new TestContexts.Recording();

  private PrometheusExporter exporter(PrometheusExporterConfig config) {
    return new PrometheusExporter(TestContexts.context("otelcol.exporter.prometheus", "test", registry), config);
  }

  private PrometheusExporter exporter() {
    return exporter(PrometheusExporterConfig.defaults(List.of(receiver)));
  }

  private PrometheusExporterConfig.Builder config() {
    return new PrometheusExporterConfig.Builder(List.of(receiver));
  }

  /** Samples by their text form (labels), for exact assertions. */
  private Map<String, Double> byLabels() {
    return receiver.samples().stream().collect(Collectors.toMap(s -> s.labels().toString(), Sample::value,
        (a, b) -> b, TreeMap::new));
  }

  private Sample only(String metric) {
    List<Sample> found = receiver.samples().stream().filter(s -> metric.equals(s.labels().metricName())).toList();
    assertThat(found).as(metric).hasSize(1);
    return found.get(0);
  }

  @Test
  void gaugeGetsUnitSuffixSanitisedLabelsJobInstanceAndScope() throws Exception {
    exporter().consume(otlp(request(service(), gauge("memory.usage", "By", point(T0_MS, 1234, kv("http.method", "GET"),
        kv("2xx", "yes"))))));
    Sample s = only("memory_usage_bytes");
    assertThat(s.labels().toMap()).containsExactly(
        Map.entry("__name__", "memory_usage_bytes"), Map.entry("http_method", "GET"), Map.entry("instance", "i-1"),
        Map.entry("job", "shop/checkout"), Map.entry("key_2xx", "yes"), Map.entry("otel_scope_name", "io.shop"),
        Map.entry("otel_scope_version", "1.2.0"));
    assertThat(s.value()).isEqualTo(1234);
    assertThat(s.timestampMs()).isEqualTo(T0_MS);
    assertThat(receiver.batches.get(0).metadata())
        .contains(new Metadata("memory_usage_bytes", MetricType.GAUGE, "memory.usage help", "bytes"));
  }

  @Test
  void targetInfoOncePerResourceWithoutIdentifyingAttributes() throws Exception {
    exporter().consume(otlp(request(service(), gauge("a", "", point(T0_MS, 1)), gauge("b", "", point(T0_MS + 5, 2)))));
    Sample t = only("target_info");
    assertThat(t.labels().toMap()).containsExactly(Map.entry("__name__", "target_info"),
        Map.entry("deployment_environment", "prod"), Map.entry("instance", "i-1"), Map.entry("job", "shop/checkout"));
    assertThat(t.value()).isEqualTo(1.0);
    assertThat(t.timestampMs()).isEqualTo(T0_MS + 5); // the resource's newest point
  }

  @Test
  void targetInfoKeepsIdentifyingAttributesWhenAsked() throws Exception {
    exporter(config().keepIdentifying(true).build()).consume(otlp(request(service(), gauge("a", "", point(T0_MS, 1)))));
    assertThat(only("target_info").labels().toMap()).containsKeys("service_name", "service_namespace",
        "service_instance_id", "job", "instance");
  }

  @Test
  void targetInfoOffAndResourceWithOnlyIdentityWritesNone() throws Exception {
    exporter(config().includeTargetInfo(false).build())
        .consume(otlp(request(service(), gauge("a", "", point(T0_MS, 1)))));
    exporter().consume(otlp(request(resource(kv("service.name", "solo")), gauge("b", "", point(T0_MS, 1)))));
    assertThat(receiver.samples()).noneMatch(s -> "target_info".equals(s.labels().metricName()));
    // job without namespace, no instance label when service.instance.id is absent
    assertThat(only("b").labels().toMap()).containsEntry("job", "solo").doesNotContainKey("instance");
  }

  @Test
  void monotonicCumulativeSumIsACounterWithExemplars() throws Exception {
    NumberDataPoint p = point(T0_MS, 7, kv("route", "/a")).toBuilder()
        .addExemplars(exemplar(T0_MS - 10, 0.25, "0102030405060708090a0b0c0d0e0f10", "1112131415161718")).build();
    exporter().consume(otlp(request(service(), counter("http.requests", "{request}", p))));
    Sample s = only("http_requests_total");
    assertThat(s.value()).isEqualTo(7);
    assertThat(s.exemplars()).hasSize(1);
    assertThat(s.exemplars().get(0).labels().toMap()).containsExactly(
        Map.entry("span_id", "1112131415161718"), Map.entry("trace_id", "0102030405060708090a0b0c0d0e0f10"));
    assertThat(s.exemplars().get(0).value()).isEqualTo(0.25);
    assertThat(s.exemplars().get(0).timestampMs()).isEqualTo(T0_MS - 10);
    assertThat(receiver.batches.get(0).metadata()).extracting(Metadata::type).contains(MetricType.COUNTER);
  }

  @Test
  void nonMonotonicCumulativeSumIsAGauge() throws Exception {
    exporter().consume(otlp(request(service(), sum("queue.depth", "{item}", false, CUMULATIVE, point(T0_MS, -3)))));
    assertThat(only("queue_depth").value()).isEqualTo(-3);
  }

  @Test
  void histogramBecomesCumulativeBucketsSumAndCount() throws Exception {
    HistogramDataPoint p = histogramPoint(T0_MS, 12.5, List.of(0.005, 0.5, 1.0), List.of(1L, 2L, 0L, 3L),
        kv("route", "/a")).toBuilder()
        .addExemplars(exemplar(T0_MS, 0.5, "0102030405060708090a0b0c0d0e0f10", "1112131415161718")) // le 0.5
        .addExemplars(exemplar(T0_MS, 7, "0102030405060708090a0b0c0d0e0f11", "1112131415161719"))   // +Inf
        .build();
    exporter(config().includeTargetInfo(false).includeScopeLabels(false).build())
        .consume(otlp(request(service(), histogram("http.server.duration", "s", CUMULATIVE, p))));
    assertThat(byLabels()).containsExactly(
        Map.entry("http_server_duration_seconds_bucket{instance=\"i-1\", job=\"shop/checkout\", le=\"+Inf\", route=\"/a\"}", 6.0),
        Map.entry("http_server_duration_seconds_bucket{instance=\"i-1\", job=\"shop/checkout\", le=\"0.005\", route=\"/a\"}", 1.0),
        Map.entry("http_server_duration_seconds_bucket{instance=\"i-1\", job=\"shop/checkout\", le=\"0.5\", route=\"/a\"}", 3.0),
        Map.entry("http_server_duration_seconds_bucket{instance=\"i-1\", job=\"shop/checkout\", le=\"1\", route=\"/a\"}", 3.0),
        Map.entry("http_server_duration_seconds_count{instance=\"i-1\", job=\"shop/checkout\", route=\"/a\"}", 6.0),
        Map.entry("http_server_duration_seconds_sum{instance=\"i-1\", job=\"shop/checkout\", route=\"/a\"}", 12.5));
    Map<String, Integer> exemplarsByLe = receiver.samples().stream().filter(s -> !s.exemplars().isEmpty())
        .collect(Collectors.toMap(s -> s.labels().get("le"), s -> s.exemplars().size()));
    assertThat(exemplarsByLe).containsOnly(Map.entry("0.5", 1), Map.entry("+Inf", 1));
  }

  @Test
  void summaryBecomesQuantilesSumAndCount() throws Exception {
    Metric m = Metric.newBuilder().setName("rpc.latency").setUnit("ms").setSummary(Summary.newBuilder()
        .addDataPoints(SummaryDataPoint.newBuilder().setTimeUnixNano(nanos(T0_MS)).setCount(10).setSum(55)
            .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.5).setValue(4))
            .addQuantileValues(SummaryDataPoint.ValueAtQuantile.newBuilder().setQuantile(0.99).setValue(9)))).build();
    exporter(config().includeTargetInfo(false).includeScopeLabels(false).build())
        .consume(otlp(request(resource(kv("service.name", "s")), m)));
    assertThat(byLabels()).containsExactly(
        Map.entry("rpc_latency_milliseconds_count{job=\"s\"}", 10.0),
        Map.entry("rpc_latency_milliseconds_sum{job=\"s\"}", 55.0),
        Map.entry("rpc_latency_milliseconds{job=\"s\", quantile=\"0.5\"}", 4.0),
        Map.entry("rpc_latency_milliseconds{job=\"s\", quantile=\"0.99\"}", 9.0));
  }

  @Test
  void noRecordedValueFlagBecomesStaleMarkerOnEverySeries() throws Exception {
    HistogramDataPoint p = histogramPoint(T0_MS, 1, List.of(1.0), List.of(1L, 0L)).toBuilder().setFlags(1).build();
    NumberDataPoint g = point(T0_MS, 5).toBuilder().setFlags(1).build();
    exporter(config().includeTargetInfo(false).build()).consume(otlp(request(service(),
        histogram("h", "", CUMULATIVE, p), gauge("g", "", g))));
    assertThat(receiver.samples()).hasSize(5) // _sum, _count, le=1, le=+Inf, g
        .allSatisfy(s -> assertThat(Sample.isStaleNaN(s.value())).as(s.labels().toString()).isTrue());
  }

  @Test
  void deltaSumsAccumulateAndRefusedRequestsDoNotCount() throws Exception {
    PrometheusExporter e = exporter(config().includeTargetInfo(false).build());
    var first = otlp(request(service(), sum("jobs.done", "", true, DELTA, point(T0_MS, 5))));
    var second = otlp(request(service(), sum("jobs.done", "", true, DELTA, point(T0_MS + 1000, 3))));
    e.consume(first);
    receiver.refuseWith = new ConsumeException.Refused("full");
    assertThatThrownBy(() -> e.consume(second)).isInstanceOf(ConsumeException.Refused.class);
    receiver.refuseWith = null;
    e.consume(second); // the client's retry
    assertThat(receiver.samples()).extracting(Sample::value).containsExactly(5.0, 8.0);
    assertThat(receiver.samples()).extracting(s -> s.labels().metricName()).containsOnly("jobs_done_total");
    assertThat(TestContexts.count(registry, "otelcol.exporter.enqueue.failed.metric_points")).isEqualTo(1);
    assertThat(TestContexts.count(registry, "otelcol.exporter.sent.metric_points")).isEqualTo(2);
  }

  @Test
  void deltaHistogramsAccumulatePerBucket() throws Exception {
    PrometheusExporter e = exporter(config().includeTargetInfo(false).includeScopeLabels(false).build());
    e.consume(otlp(request(service(), histogram("lat", "s", DELTA,
        histogramPoint(T0_MS, 1.5, List.of(1.0, 2.0), List.of(1L, 1L, 0L))))));
    e.consume(otlp(request(service(), histogram("lat", "s", DELTA,
        histogramPoint(T0_MS + 1000, 10, List.of(1.0, 2.0), List.of(0L, 1L, 2L))))));
    Map<String, Double> last = receiver.batches.get(1).samples().stream()
        .collect(Collectors.toMap(s -> s.labels().metricName() + (s.labels().get("le") == null ? ""
            : "{le=" + s.labels().get("le") + "}"), Sample::value));
    assertThat(last).containsExactlyInAnyOrderEntriesOf(Map.of(
        "lat_seconds_sum", 11.5, "lat_seconds_count", 5.0, "lat_seconds_bucket{le=1}", 1.0,
        "lat_seconds_bucket{le=2}", 3.0, "lat_seconds_bucket{le=+Inf}", 5.0));
  }

  @Test
  void olderPointThanOneAlreadyWrittenIsSkippedAndCounted() throws Exception {
    PrometheusExporter e = exporter(config().includeTargetInfo(false).build());
    e.consume(otlp(request(service(), gauge("g", "", point(T0_MS + 1000, 1)))));
    e.consume(otlp(request(service(), gauge("g", "", point(T0_MS, 2)))));
    e.consume(otlp(request(service(), gauge("g", "", point(T0_MS + 1000, 1))))); // same time again: passes
    assertThat(receiver.samples()).extracting(Sample::value).containsExactly(1.0, 1.0);
    assertThat(TestContexts.count(registry, "otelcol.exporter.prometheus.dropped.metric_points", "reason",
        "out_of_order")).isEqualTo(1);
  }

  @Test
  void collidingLabelNamesJoinValuesInKeyOrder() throws Exception {
    exporter(config().includeTargetInfo(false).build()).consume(otlp(request(service(),
        gauge("g", "", point(T0_MS, 1, kv("a_b", "second"), kv("a.b", "first"))))));
    assertThat(only("g").labels().get("a_b")).isEqualTo("first;second");
  }

  @Test
  void resourceToTelemetryConversionCopiesResourceAttributes() throws Exception {
    exporter(config().includeTargetInfo(false).resourceToTelemetry(true).build()).consume(otlp(request(service(),
        gauge("g", "", point(T0_MS, 1, kv("deployment.environment", "from-point"))))));
    assertThat(only("g").labels().toMap()).containsEntry("deployment_environment", "prod")
        .containsEntry("service_name", "checkout").containsEntry("job", "shop/checkout");
  }

  @Test
  void scopeInfoAndNoScopeLabels() throws Exception {
    exporter(config().includeTargetInfo(false).includeScopeInfo(true).includeScopeLabels(false).build())
        .consume(otlp(request(service(), gauge("g", "", point(T0_MS, 1)))));
    assertThat(only("g").labels().toMap()).doesNotContainKeys("otel_scope_name", "otel_scope_version");
    assertThat(only("otel_scope_info").labels().toMap()).containsEntry("otel_scope_name", "io.shop")
        .containsEntry("otel_scope_version", "1.2.0").containsEntry("job", "shop/checkout");
  }

  @Test
  void withoutSuffixesNamesAreOnlySanitised() throws Exception {
    exporter(config().includeTargetInfo(false).addMetricSuffixes(false).build()).consume(otlp(request(service(),
        counter("http.requests", "s", point(T0_MS, 1)), gauge("cpu.utilization", "1", point(T0_MS, 0.5)))));
    assertThat(receiver.samples()).extracting(s -> s.labels().metricName())
        .containsExactlyInAnyOrder("http_requests", "cpu_utilization");
  }

  @Test
  void exponentialHistogramBecomesNativeHistogram() throws Exception {
    ExponentialHistogramDataPoint p = ExponentialHistogramDataPoint.newBuilder().setTimeUnixNano(nanos(T0_MS))
        .setScale(3).setCount(7).setSum(20).setZeroCount(1)
        .setPositive(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(-2)
            .addAllBucketCounts(List.of(2L, 0L, 3L)))
        .setNegative(ExponentialHistogramDataPoint.Buckets.newBuilder().setOffset(5).addBucketCounts(1)).build();
    Metric m = Metric.newBuilder().setName("lat").setUnit("s").setExponentialHistogram(ExponentialHistogram
        .newBuilder().setAggregationTemporality(CUMULATIVE).addDataPoints(p)).build();
    exporter(config().includeTargetInfo(false).build()).consume(otlp(request(service(), m)));
    List<HistogramSample> hs = receiver.batches.get(0).histograms();
    assertThat(hs).hasSize(1);
    NativeHistogram h = hs.get(0).histogram();
    assertThat(hs.get(0).labels().metricName()).isEqualTo("lat_seconds");
    assertThat(h.schema()).isEqualTo(3);
    assertThat(h.count()).isEqualTo(7);
    assertThat(h.sum()).isEqualTo(20);
    assertThat(h.zeroCount()).isEqualTo(1);
    // OTLP indexes -2 and 0 → Prometheus -1 and 1: two spans, the gap (empty bucket) left out
    assertThat(h.positiveSpans()).containsExactly(-1, 1, 1, 1);
    assertThat(h.positiveDeltas()).containsExactly(2L, 1L);
    assertThat(h.negativeSpans()).containsExactly(6, 1);
    assertThat(h.negativeDeltas()).containsExactly(1L);
  }

  @Test
  void exponentialHistogramScaleAbove8IsDownscaled() {
    // scale 10 → 8: OTLP indexes 0..7 merge by 4 into 0 and 1
    var layout = NativeHistograms.layout(0, List.of(1L, 1L, 1L, 1L, 2L, 2L, 2L, 2L), 2);
    assertThat(layout.spans()).containsExactly(1, 2);
    assertThat(layout.deltas()).containsExactly(4L, 4L);
    // negative indexes floor: -1 >> 2 = -1
    assertThat(NativeHistograms.layout(-1, List.of(5L), 2).spans()).containsExactly(0, 1);
  }

  @Test
  void deltaExponentialAndUnspecifiedTemporalityAreDroppedAndCounted() throws Exception {
    Metric m = Metric.newBuilder().setName("x").setExponentialHistogram(ExponentialHistogram.newBuilder()
        .setAggregationTemporality(DELTA).addDataPoints(ExponentialHistogramDataPoint.newBuilder()
            .setTimeUnixNano(nanos(T0_MS)).setSum(1).setCount(1))).build();
    Metric unspecified = sum("y", "", true, AggregationTemporality.AGGREGATION_TEMPORALITY_UNSPECIFIED,
        point(T0_MS, 1));
    exporter(config().includeTargetInfo(false).build()).consume(otlp(request(service(), m, unspecified)));
    assertThat(receiver.batches).allMatch(b -> b.samples().isEmpty() && b.histograms().isEmpty());
    assertThat(TestContexts.count(registry, "otelcol.exporter.prometheus.dropped.metric_points", "reason",
        "delta_exponential_histogram")).isEqualTo(1);
    assertThat(TestContexts.count(registry, "otelcol.exporter.prometheus.dropped.metric_points", "reason",
        "unspecified_temporality")).isEqualTo(1);
  }

  @Test
  void badInputIsRejected() {
    PrometheusExporter e = exporter();
    assertThatThrownBy(() -> e.consume(new OtlpRequest(Signal.METRICS, new byte[] {(byte) 0xff, 1, 2}, 1)))
        .isInstanceOf(ConsumeException.Rejected.class).hasMessageContaining("cannot decode");
    assertThatThrownBy(() -> e.consume(new OtlpRequest(Signal.TRACES, new byte[0], 0)))
        .isInstanceOf(ConsumeException.Rejected.class).hasMessageContaining("metrics only");
  }

  @Test
  void receiverRejectionIsPassedOnAndCounted() throws Exception {
    receiver.refuseWith = new ConsumeException.Rejected("nope");
    PrometheusExporter e = exporter();
    assertThatThrownBy(() -> e.consume(otlp(request(service(), gauge("g", "", point(T0_MS, 1))))))
        .isInstanceOf(ConsumeException.Rejected.class);
    assertThat(TestContexts.count(registry, "otelcol.exporter.send.failed.metric_points")).isEqualTo(1);
  }

  @Test
  void gcForgetsStreamsNotSeenWithinGcFrequency() throws Exception {
    PrometheusExporter e = exporter(config().gcFrequency(Duration.ofNanos(1)).build());
    e.consume(otlp(request(service(), gauge("g", "", point(T0_MS, 1)))));
    assertThat(e.states().size()).isPositive();
    Thread.sleep(2);
    assertThat(e.gcNow()).isPositive();
    assertThat(e.states().size()).isZero();
  }

  @Test
  void intValuesAndPointsWithoutTimestamp() throws Exception {
    NumberDataPoint p = NumberDataPoint.newBuilder().setAsInt(42).build();
    long before = System.currentTimeMillis();
    exporter(config().includeTargetInfo(false).build()).consume(otlp(request(service(), gauge("g", "", p))));
    assertThat(only("g").value()).isEqualTo(42);
    assertThat(only("g").timestampMs()).isBetween(before, System.currentTimeMillis());
  }

  @Test
  void labelsAreSortedAndFreeOfEmptyValues() throws Exception {
    exporter().consume(otlp(request(service(), gauge("g", "", point(T0_MS, 1, kv("zeta", "z"), kv("alpha", ""),
        kv("Upper", "u"))))));
    Labels l = only("g").labels();
    for (int i = 1; i < l.size(); i++) assertThat(l.name(i - 1).compareTo(l.name(i))).isNegative();
    assertThat(l.toMap()).doesNotContainKey("alpha").containsEntry("Upper", "u");
  }
}
