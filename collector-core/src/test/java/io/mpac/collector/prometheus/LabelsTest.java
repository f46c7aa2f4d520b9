package io.mpac.collector.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelsTest {

  @Test
  void sortedByNameLastWinsEmptyValuesDropped() {
    Labels l = Labels.of("job", "a", "__name__", "up", "Zone", "z", "job", "b", "empty", "");
    assertThat(l.toMap()).containsExactly(Map.entry("Zone", "z"), Map.entry("__name__", "up"), Map.entry("job", "b"));
    assertThat(l.metricName()).isEqualTo("up");
    assertThat(l.get("empty")).isNull();
    assertThat(l.toString()).isEqualTo("up{Zone=\"z\", job=\"b\"}");
  }

  @Test
  void withAndWithoutKeepOrderAndShareUnchanged() {
    Labels l = Labels.of("b", "2", "d", "4");
    assertThat(l.with("c", "3").toMap().keySet()).containsExactly("b", "c", "d");
    assertThat(l.with("a", "1").toMap().keySet()).containsExactly("a", "b", "d");
    assertThat(l.with("e", "5").toMap().keySet()).containsExactly("b", "d", "e");
    assertThat(l.with("b", "9").get("b")).isEqualTo("9");
    assertThat(l.with("b", "2")).isSameAs(l);
    assertThat(l.with("b", "")).isEqualTo(Labels.of("d", "4"));
    assertThat(l.without("x")).isSameAs(l);
  }

  @Test
  void equalityAndHashByContent() {
    Labels a = Labels.of("x", "1", "y", "2");
    Labels b = Labels.builder().set("y", "2").set("x", "1").build();
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(Labels.of("x", "1", "y", "3"));
  }

  @Test
  void reservedLabelsAreRemovedExceptTheName() {
    Labels l = Labels.of("__name__", "m", "__meta_x", "1", "__tmp", "2", "a", "3");
    assertThat(l.hasReservedLabels()).isTrue();
    assertThat(l.withoutReservedLabels()).isEqualTo(Labels.of("__name__", "m", "a", "3"));
    Labels clean = Labels.of("__name__", "m");
    assertThat(clean.withoutReservedLabels()).isSameAs(clean);
  }

  @Test
  void badInput() {
    assertThatThrownBy(() -> Labels.of("a")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Labels.of("", "v")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Labels.of("a", null)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void builderReuseAndRemove() {
    Labels.Builder b = Labels.builder().set("a", "1").set("b", "2").remove("a");
    assertThat(b.build()).isEqualTo(Labels.of("b", "2"));
    assertThat(b.reset().set("c", "3").build()).isEqualTo(Labels.of("c", "3"));
  }

  @Test
  void staleMarkerIsOneParticularNaN() {
    assertThat(Sample.isStaleNaN(Sample.STALE_NAN)).isTrue();
    assertThat(Sample.isStaleNaN(Double.NaN)).isFalse();
    assertThat(Double.doubleToRawLongBits(Sample.STALE_NAN)).isEqualTo(0x7ff0000000000002L);
    assertThat(new Sample(Labels.EMPTY, 1, Sample.STALE_NAN).isStale()).isTrue();
  }

  @Test
  void nativeHistogramChecksItsSchemaAndSpans() {
    assertThatThrownBy(() -> new NativeHistogram(9, 0, 0, 0, 0, null, null, null, null,
        NativeHistogram.ResetHint.UNKNOWN, 0)).hasMessageContaining("schema");
    assertThatThrownBy(() -> new NativeHistogram(0, 0, 0, 0, 0, new int[] {1}, null, null, null,
        NativeHistogram.ResetHint.UNKNOWN, 0)).hasMessageContaining("pairs");
    assertThat(Sample.isStaleNaN(NativeHistogram.stale(3, 5).sum())).isTrue();
  }

  @Test
  void memoBelongsToItsFirstOwnerAndIsNotPartOfEquality() {
    Labels l = Labels.of("a", "1");
    Object encoder = new Object();
    Object other = new Object();
    assertThat((Object) l.memo(encoder)).isNull();
    assertThat(l.memoize(encoder, "x")).isTrue();
    assertThat((String) l.memo(encoder)).isEqualTo("x");
    assertThat(l.memoize(other, "y")).isFalse();
    assertThat((Object) l.memo(other)).isNull();
    assertThat((String) l.memo(encoder)).isEqualTo("x");
    assertThat(l.memoize(encoder, "z")).isTrue();
    assertThat((String) l.memo(encoder)).isEqualTo("z");
    assertThat(l).isEqualTo(Labels.of("a", "1")).hasSameHashCodeAs(Labels.of("a", "1"));
  }
}
