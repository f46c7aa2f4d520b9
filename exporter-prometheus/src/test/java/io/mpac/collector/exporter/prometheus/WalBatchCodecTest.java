package io.mpac.collector.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpac.collector.prometheus.Exemplar;
import io.mpac.collector.prometheus.HistogramSample;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.Metadata;
import io.mpac.collector.prometheus.MetricType;
import io.mpac.collector.prometheus.NativeHistogram;
import io.mpac.collector.prometheus.Sample;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WalBatchCodecTest {

  private final WalBatchCodec codec = new WalBatchCodec();

  private static WalBatch sample(Random r, int n) {
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Labels l = Labels.of("__name__", "m" + r.nextInt(5), "job", "j", "i", Integer.toString(r.nextInt(50)),
          "ü", "värde ✓");
      List<Exemplar> ex = r.nextInt(4) == 0
          ? List.of(new Exemplar(Labels.of("trace_id", Long.toHexString(r.nextLong())), r.nextDouble(), r.nextLong()))
          : List.of();
      double v = switch (r.nextInt(5)) {
        case 0 -> Sample.STALE_NAN;
        case 1 -> Double.NaN;
        case 2 -> Double.NEGATIVE_INFINITY;
        default -> r.nextGaussian() * 1e6;
      };
      samples.add(new Sample(l, r.nextLong(), v, ex));
    }
    List<HistogramSample> hs = List.of(
        new HistogramSample(Labels.of("__name__", "h"), new NativeHistogram(3, 1e-9, 4, 100, 12.5,
            new int[] {-2, 3, 5, 1}, new long[] {1, -1, 4, 0}, new int[] {0, 1}, new long[] {Long.MIN_VALUE},
            NativeHistogram.ResetHint.GAUGE, -5), List.of(new Exemplar(Labels.EMPTY, 1, 2))),
        new HistogramSample(Labels.of("__name__", "h", "x", "y"), NativeHistogram.stale(-4, 7), List.of()));
    List<Metadata> md = List.of(new Metadata("m0", MetricType.COUNTER, "help ✓", "seconds"),
        new Metadata("h", MetricType.HISTOGRAM, "", ""));
    return new WalBatch(r.nextLong(), samples, hs, md);
  }

  private static void assertSameBatch(WalBatch got, WalBatch want) {
    assertThat(got.appendedAtMs()).isEqualTo(want.appendedAtMs());
    assertThat(got.samples()).hasSize(want.samples().size());
    for (int i = 0; i < want.samples().size(); i++) {
      Sample a = got.samples().get(i);
      Sample b = want.samples().get(i);
      assertThat(a.labels()).isEqualTo(b.labels());
      assertThat(a.timestampMs()).isEqualTo(b.timestampMs());
      assertThat(Double.doubleToRawLongBits(a.value())).isEqualTo(Double.doubleToRawLongBits(b.value()));
      assertThat(a.exemplars()).isEqualTo(b.exemplars());
    }
    assertThat(got.histograms()).isEqualTo(want.histograms());
    assertThat(got.metadata()).isEqualTo(want.metadata());
  }

  @Test
  void roundTripKeepsEveryField() throws IOException {
    Random r = new Random(7);
    for (int round = 0; round < 50; round++) {
      WalBatch b = sample(r, r.nextInt(200));
      byte[] bytes = codec.encode(b);
      assertSameBatch(codec.decode(bytes, 0, bytes.length), b);
      // at an offset inside a larger buffer
      byte[] framed = new byte[bytes.length + 10];
      System.arraycopy(bytes, 0, framed, 7, bytes.length);
      assertSameBatch(codec.decode(framed, 7, bytes.length), b);
    }
    WalBatch empty = new WalBatch(1, List.of(), List.of(), List.of());
    byte[] e = codec.encode(empty);
    assertSameBatch(codec.decode(e, 0, e.length), empty);
  }

  @Test
  void decodingHandsOutTheSameLabelInstancesFromRecordToRecord() throws IOException {
    Labels a = Labels.of("__name__", "m", "job", "j");
    Labels b = Labels.of("__name__", "m", "job", "k");
    byte[] r1 = codec.encode(new WalBatch(1, List.of(new Sample(a, 1, 1), new Sample(b, 1, 2)), List.of(), List.of()));
    byte[] r2 = codec.encode(new WalBatch(2, List.of(new Sample(b, 2, 3), new Sample(a, 2, 4)), List.of(), List.of()));
    WalBatch d1 = codec.decode(r1, 0, r1.length);
    WalBatch d2 = codec.decode(r2, 0, r2.length);
    assertThat(d2.samples().get(1).labels()).isEqualTo(a).isSameAs(d1.samples().get(0).labels());
    assertThat(d2.samples().get(0).labels()).isEqualTo(b).isSameAs(d1.samples().get(1).labels());
  }

  @Test
  void repeatedLabelsAreWrittenOnce() {
    List<Sample> same = new ArrayList<>();
    Labels l = Labels.of("__name__", "a_rather_long_metric_name_for_the_test", "instance", "host-1234:9100");
    for (int i = 0; i < 1000; i++) same.add(new Sample(l, i, i));
    byte[] bytes = codec.encode(new WalBatch(0, same, List.of(), List.of()));
    assertThat(bytes.length).isLessThan(1000 * 20); // 17 bytes per sample plus one copy of the labels
  }

  @Test
  void truncatedRecordsAreRefusedWithIoException() {
    byte[] bytes = codec.encode(sample(new Random(1), 30));
    for (int len = 0; len < bytes.length; len++) {
      int l = len;
      assertThatThrownBy(() -> codec.decode(bytes, 0, l)).as("length " + len).isInstanceOf(IOException.class);
    }
  }

  @Test
  void garbageIsRefusedWithIoExceptionNeverAnythingElse() {
    Random r = new Random(3);
    for (int i = 0; i < 2000; i++) {
      byte[] junk = new byte[r.nextInt(200)];
      r.nextBytes(junk);
      assertThatThrownBy(() -> codec.decode(junk, 0, junk.length)).isInstanceOf(IOException.class);
    }
    // flipped bytes behind a valid header: an IOException or a record, never another exception
    byte[] good = codec.encode(sample(r, 40));
    int refused = 0;
    for (int i = 0; i < 3000; i++) {
      byte[] bad = Arrays.copyOf(good, good.length);
      for (int k = 0; k < 3; k++) bad[3 + r.nextInt(bad.length - 3)] ^= (byte) (1 + r.nextInt(255));
      try {
        codec.decode(bad, 0, bad.length);
      } catch (IOException e) {
        refused++;
      }
    }
    assertThat(refused).isPositive();
    // a huge count is refused before anything is allocated for it
    byte[] huge = {'R', 'W', 1, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
    assertThatThrownBy(() -> codec.decode(huge, 0, huge.length)).isInstanceOf(IOException.class)
        .hasMessageContaining("exceeds");
    assertThatThrownBy(() -> codec.decode(good, 0, good.length + 1)).isInstanceOf(IOException.class);
  }
}
