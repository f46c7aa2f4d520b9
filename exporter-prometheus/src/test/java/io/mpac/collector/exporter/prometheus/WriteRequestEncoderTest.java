package io.mpac.collector.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.prometheus.Exemplar;
import io.mpac.collector.prometheus.HistogramSample;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.Metadata;
import io.mpac.collector.prometheus.MetricType;
import io.mpac.collector.prometheus.NativeHistogram;
import io.mpac.collector.prometheus.Sample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The WriteRequest encoder (grouping with a reused table, the one-pass writer, the buffer it
 * reuses and grows) on random batches with fixed seeds, read back by the tests' independent
 * decoder ({@link RemoteWriteDecoder}): every series once, with its labels, its samples in time
 * order (values bit for bit, timestamps including 0 and negative ones), exemplars, histograms, and
 * the metadata.
 */
class WriteRequestEncoderTest {

  private static final double[] VALUES = {0.0, -0.0, 1.5, -3, Double.NaN, Sample.STALE_NAN, Double.POSITIVE_INFINITY,
      1e300, 42};
  private static final long[] TIMES = {0, 1, -1, 1_700_000_000_000L, Long.MIN_VALUE / 2, 127, 128};

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void randomBatchesDecodeToTheirSeries(long seed) throws Exception {
    Random rnd = new Random(seed);
    WriteRequestEncoder.GroupTable table = new WriteRequestEncoder.GroupTable();
    byte[][] buffer = {new byte[16]}; // tiny: must grow
    for (int round = 0; round < 20; round++) {
      List<Labels> pool = new ArrayList<>();
      int seriesCount = 1 + rnd.nextInt(40);
      for (int i = 0; i < seriesCount; i++) {
        pool.add(Labels.of("__name__", "m" + rnd.nextInt(5), "job", "j", "k", "v" + i, "ü", "ñ" + rnd.nextInt(3)));
      }
      List<Object> items = new ArrayList<>();
      Map<Labels, List<Object>> expected = new LinkedHashMap<>();
      int n = rnd.nextInt(300);
      for (int i = 0; i < n; i++) {
        Labels l = pool.get(rnd.nextInt(pool.size()));
        if (rnd.nextBoolean()) l = Labels.of(l.toMap()); // an equal set, another instance
        Object item;
        if (rnd.nextInt(10) == 0) {
          item = new HistogramSample(l, new NativeHistogram(3, 1e-128, rnd.nextInt(4), 7, 20.5,
              new int[] {-1, 1}, new long[] {2}, new int[] {6, 1}, new long[] {1}, NativeHistogram.ResetHint.UNKNOWN,
              TIMES[rnd.nextInt(TIMES.length)]), List.of());
        } else {
          List<Exemplar> ex = rnd.nextInt(8) == 0
              ? List.of(new Exemplar(Labels.of("trace_id", "ab" + i), 0.5, TIMES[rnd.nextInt(TIMES.length)])) : List.of();
          item = new Sample(l, TIMES[rnd.nextInt(TIMES.length)], VALUES[rnd.nextInt(VALUES.length)], ex);
        }
        items.add(item);
        expected.computeIfAbsent(l, k -> new ArrayList<>()).add(item);
      }
      List<Metadata> metadata = rnd.nextBoolean() ? List.of() : List.of(new Metadata("m1", MetricType.COUNTER,
          "help ü", "seconds"), new Metadata("m2", MetricType.GAUGE, "", ""));
      List<WriteRequestEncoder.SeriesGroup> groups = WriteRequestEncoder.group(items,
          WriteRequestEncoder::encodeLabels, true, table);
      int length = WriteRequestEncoder.encode(groups, metadata, buffer);
      RemoteWriteDecoder.WriteRequest got = RemoteWriteDecoder.decode(java.util.Arrays.copyOf(buffer[0], length));

      assertThat(got.timeseries()).hasSize(expected.size());
      int i = 0;
      for (Map.Entry<Labels, List<Object>> e : expected.entrySet()) {
        RemoteWriteDecoder.TimeSeries ts = got.timeseries().get(i++);
        assertThat(ts.labelMap()).isEqualTo(e.getKey().toMap());
        List<Sample> samples = e.getValue().stream().filter(o -> o instanceof Sample).map(o -> (Sample) o)
            .sorted(java.util.Comparator.comparingLong(Sample::timestampMs)).toList();
        assertThat(ts.samples()).hasSize(samples.size());
        for (int k = 0; k < samples.size(); k++) {
          assertThat(ts.samples().get(k).timestamp()).isEqualTo(samples.get(k).timestampMs());
          assertThat(Double.doubleToRawLongBits(ts.samples().get(k).value()))
              .isEqualTo(Double.doubleToRawLongBits(samples.get(k).value()));
        }
        long exemplars = samples.stream().mapToLong(s -> s.exemplars().size()).sum();
        assertThat(ts.exemplars()).hasSize((int) exemplars);
        long histograms = e.getValue().stream().filter(o -> o instanceof HistogramSample).count();
        assertThat(ts.histograms()).hasSize((int) histograms);
      }
      assertThat(got.metadata()).hasSize(metadata.size());
      for (int k = 0; k < metadata.size(); k++) {
        assertThat(got.metadata().get(k).family()).isEqualTo(metadata.get(k).familyName());
        assertThat(got.metadata().get(k).help()).isEqualTo(metadata.get(k).help());
      }
    }
  }
}
