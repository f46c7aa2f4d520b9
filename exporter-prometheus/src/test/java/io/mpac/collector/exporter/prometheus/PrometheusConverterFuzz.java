package io.mpac.collector.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.mpac.collector.testing.Fuzz;
import io.mpac.collector.testing.Mutator;
import io.mpac.collector.testing.TimeBound;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.internal.otlp.metrics.MetricsRequestMarshaler;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link OtlpToPrometheus} (OTLP metrics → remote-write samples, read from the wire bytes):
 * requests the real SDK encoded (counters, up-down counters, gauges, explicit and exponential
 * histograms, cumulative and delta), the differential test's generated requests, and byte-level
 * mutations of them. Property, per input and within a time bound: when protobuf-java refuses the
 * bytes, the converter either converts them or throws {@link WireCursor.MalformedException} (nothing
 * else); when it parses them, the converter gives exactly what the object-based translation ({@link
 * ObjectTranslation}) gives (samples with value bits, histograms, metadata, points, drop counts), and
 * the samples are bounded by the input: at most, per data point, its buckets or quantiles plus three
 * (sum, count, +Inf / created), plus one info series per resource and scope. Both sides commit, so
 * stream state (out-of-order checks, delta totals) carries from input to input.
 */
class PrometheusConverterFuzz {

  private static final long NOW_MS = 1_700_000_100_000L;
  private static final List<byte[]> SEEDS = seeds();

  @Test
  void defaults() {
    fuzz("prometheus-converter", OtlpToPrometheus.Options.DEFAULTS);
  }

  @Test
  void everyOptionOn() {
    fuzz("prometheus-converter-all-options", new OtlpToPrometheus.Options(true, true, true, true, true, true));
  }

  private static void fuzz(String target, OtlpToPrometheus.Options options) {
    ObjectTranslation reference = new ObjectTranslation(options, new SeriesStates(100_000));
    OtlpToPrometheus streaming = new OtlpToPrometheus(options, new SeriesStates(100_000));
    OtlpToPrometheus loose = new OtlpToPrometheus(options, new SeriesStates(100_000));
    Fuzz.run(target, seed -> Mutator.mutate(SEEDS, seed), TimeBound.of(Duration.ofSeconds(10), input -> {
      long nowNanos = NOW_MS * 1_000_000L;
      ExportMetricsServiceRequest parsed;
      try {
        parsed = ExportMetricsServiceRequest.parseFrom(input);
      } catch (InvalidProtocolBufferException refused) {
        try {
          loose.convert(input, nowNanos, NOW_MS).pending.commit();
        } catch (WireCursor.MalformedException expected) {
          // the documented refusal
        }
        return;
      }
      ObjectTranslation.Result want = reference.convert(parsed, nowNanos, NOW_MS);
      OtlpToPrometheus.Result got = streaming.convert(input, nowNanos, NOW_MS);
      StreamingTranslationTest.assertSame("input", want.batch, got.batch);
      assertThat(got.points).as("points").isEqualTo(want.points);
      assertThat(got.dropped).as("dropped").isEqualTo(want.dropped);
      assertThat((long) got.batch.samples().size() + got.batch.histograms().size()).as("samples bounded by the input")
          .isLessThanOrEqualTo(bound(parsed));
      want.pending.commit();
      got.pending.commit();
    }));
  }

  /**
   * Found by this fuzzer: a tag varint wider than 32 bits (here an unknown field) was refused, while
   * protobuf-java keeps its low 32 bits and parses the request.
   */
  @Test
  void aTagWiderThan32BitsReadsAsProtobufJavaReadsIt() throws Exception {
    byte[] input = {(byte) 0x80, (byte) 0xB1, (byte) 0xC3, (byte) 0xAD, 0x10, 0x02, // field 11934480, varint 2
        0x62, 0x08, 0x0A, 0x01, 0x6D, 0x12, 0x03, 0x0A, 0x01, 0x64}; // field 12 (unknown), 8 bytes
    ExportMetricsServiceRequest parsed = ExportMetricsServiceRequest.parseFrom(input);
    assertThat(parsed.getUnknownFields().asMap()).containsKeys(11934480, 12);
    OtlpToPrometheus.Result got = new OtlpToPrometheus(OtlpToPrometheus.Options.DEFAULTS, new SeriesStates(10))
        .convert(input, 0, NOW_MS);
    assertThat(got.points).isZero();
    assertThat(got.batch.samples()).isEmpty();
  }

  /**
   * Found by this fuzzer: a 10-byte varint whose last byte has both its continuation bit and its low
   * bit set is one protobuf-java reads (as that 64-bit value) and the converter refused; one whose
   * last byte has the continuation bit and not the low bit is refused by both.
   */
  @Test
  void aTenByteVarintEndsAsInProtobufJava() throws Exception {
    byte[] quirk = {0x28, -1, -1, -1, -1, -1, -1, -1, -1, -1, (byte) 0x81}; // field 5 (unknown), varint
    assertThat(ExportMetricsServiceRequest.parseFrom(quirk).getUnknownFields().getField(5).getVarintList())
        .containsExactly(-1L);
    OtlpToPrometheus converter = new OtlpToPrometheus(OtlpToPrometheus.Options.DEFAULTS, new SeriesStates(10));
    assertThat(converter.convert(quirk, 0, NOW_MS).points).isZero();
    byte[] tooLong = {0x28, -1, -1, -1, -1, -1, -1, -1, -1, -1, (byte) 0x80, 0x00};
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ExportMetricsServiceRequest.parseFrom(tooLong))
        .isInstanceOf(InvalidProtocolBufferException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> converter.convert(tooLong, 0, NOW_MS))
        .isInstanceOf(WireCursor.MalformedException.class);
  }

  /**
   * Found by the 1,000,000-input run (seed 1485965): a length prefix longer than 32 bits, which
   * protobuf-java reads keeping its low 32 bits (here 0: an empty resource_metrics), was refused.
   */
  @Test
  void aLengthWiderThan32BitsReadsAsProtobufJavaReadsIt() throws Exception {
    byte[] input = {0x0A, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x2F};
    assertThat(ExportMetricsServiceRequest.parseFrom(input).getResourceMetricsCount()).isEqualTo(1);
    OtlpToPrometheus.Result got = new OtlpToPrometheus(OtlpToPrometheus.Options.DEFAULTS, new SeriesStates(10))
        .convert(input, 0, NOW_MS);
    assertThat(got.points).isZero();
  }

  /** Per point its buckets / quantiles + 3, plus an info series per resource and scope. */
  private static long bound(ExportMetricsServiceRequest req) {
    long n = 0;
    for (ResourceMetrics rm : req.getResourceMetricsList()) {
      n++;
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        n++;
        for (Metric m : sm.getMetricsList()) {
          switch (m.getDataCase()) {
            case GAUGE -> n += m.getGauge().getDataPointsCount() * 3L;
            case SUM -> n += m.getSum().getDataPointsCount() * 3L;
            case HISTOGRAM -> {
              for (var p : m.getHistogram().getDataPointsList()) n += p.getExplicitBoundsCount() + 1 + 3;
            }
            case EXPONENTIAL_HISTOGRAM -> n += m.getExponentialHistogram().getDataPointsCount() * 3L;
            case SUMMARY -> {
              for (var p : m.getSummary().getDataPointsList()) n += p.getQuantileValuesCount() + 3;
            }
            default -> { }
          }
        }
      }
    }
    return n;
  }

  // ---- seeds ----

  private static List<byte[]> seeds() {
    List<byte[]> out = new ArrayList<>();
    for (AggregationTemporality t : AggregationTemporality.values()) out.addAll(sdk(t));
    StreamingTranslationTest.Generator gen = new StreamingTranslationTest.Generator(new Random(15));
    for (int i = 0; i < 12; i++) out.add(gen.request(i).toByteArray());
    return List.copyOf(out);
  }

  /** Two collections of an SDK meter provider, as its OTLP exporter encodes them. */
  private static List<byte[]> sdk(AggregationTemporality temporality) {
    Reader reader = new Reader(temporality);
    List<byte[]> out = new ArrayList<>();
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("service.name"), "checkout", AttributeKey.stringKey("service.namespace"), "shop",
        AttributeKey.stringKey("service.instance.id"), "i-1")));
    try (SdkMeterProvider provider = SdkMeterProvider.builder().setResource(resource).registerMetricReader(reader)
        .registerView(InstrumentSelector.builder().setName("latency.exp").build(),
            View.builder().setAggregation(Aggregation.base2ExponentialBucketHistogram(20, 20)).build())
        .build()) {
      Meter meter = provider.meterBuilder("fuzz.meter").setInstrumentationVersion("1.0.0").build();
      LongCounter requests = meter.counterBuilder("http.server.requests").setUnit("{request}").build();
      var queue = meter.upDownCounterBuilder("queue.items").setUnit("{item}").build();
      var memory = meter.gaugeBuilder("process.memory.usage").setUnit("By").build();
      DoubleHistogram duration = meter.histogramBuilder("http.server.request.duration").setUnit("s")
          .setExplicitBucketBoundariesAdvice(List.of(0.1, 0.5, 1.0)).build();
      DoubleHistogram exp = meter.histogramBuilder("latency.exp").setUnit("ms").build();
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 5; i++) {
          Attributes a = Attributes.of(AttributeKey.stringKey("http.route"), "/cart/" + (i % 2),
              AttributeKey.longKey("http.status_code"), 200L + i);
          requests.add(1 + i, a);
          queue.add(i - 2);
          memory.set(1_048_576.0 * (i + 1), a);
          duration.record(0.05 * (i + 1) * (round + 1), a);
          exp.record(0.3 * (i + 1) + round, a);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
          MetricsRequestMarshaler.create(reader.registration.collectAllMetrics()).writeBinaryTo(bytes);
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
        out.add(bytes.toByteArray());
      }
    }
    return out;
  }

  /** A reader that collects on demand, with the chosen temporality. */
  private static final class Reader implements MetricReader {
    private final AggregationTemporality temporality;
    volatile CollectionRegistration registration = CollectionRegistration.noop();

    Reader(AggregationTemporality temporality) {
      this.temporality = temporality;
    }

    @Override
    public void register(CollectionRegistration registration) {
      this.registration = registration;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType type) {
      return temporality;
    }

    @Override
    public CompletableResultCode forceFlush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
