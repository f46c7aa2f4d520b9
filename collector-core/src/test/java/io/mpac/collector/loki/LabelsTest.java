package io.mpac.collector.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpac.collector.consumer.ConsumeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabelsTest {

  @Test
  void sortsByNameAndPrintsPrometheusForm() {
    Labels l = Labels.of("level", "INFO", "job", "shop/api", "exporter", "OTLP");
    assertThat(l.toString()).isEqualTo("{exporter=\"OTLP\", job=\"shop/api\", level=\"INFO\"}");
    assertThat(l.size()).isEqualTo(3);
    assertThat(l.name(0)).isEqualTo("exporter");
    assertThat(l.get("job")).isEqualTo("shop/api");
    assertThat(l.get("nope")).isNull();
  }

  @Test
  void escapesValuesLikeGo() {
    Labels l = Labels.of("a", "x\"y\\z\n\t\u0001");
    assertThat(l.toString()).isEqualTo("{a=\"x\\\"y\\\\z\\n\\t\\u0001\"}");
  }

  @Test
  void equalityAndOrderAreByContent() {
    Labels a = Labels.of(Map.of("b", "2", "a", "1"));
    Labels b = Labels.builder().put("a", "1").put("b", "2").build();
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(Labels.of("a", "1"));
    assertThat(Labels.of("a", "1").compareTo(a)).isNegative();
    assertThat(Labels.of("a", "2").compareTo(Labels.of("a", "1"))).isPositive();
  }

  @Test
  void mergeLetsTheArgumentWin() {
    Labels ext = Labels.of("env", "dev", "job", "x");
    assertThat(ext.merge(Labels.of("job", "api")).toMap()).containsExactly(Map.entry("env", "dev"), Map.entry("job", "api"));
    assertThat(ext.with("a", "b").without("env").toString()).isEqualTo("{a=\"b\", job=\"x\"}");
  }

  @Test
  void cleanedDropsInternalAndEmptyLabels() {
    Labels l = Labels.of("__tenant_id__", "t1", "__path__", "/x", "level", "", "job", "api");
    assertThat(l.needsCleaning()).isTrue();
    assertThat(l.cleaned().toString()).isEqualTo("{job=\"api\"}");
    Labels clean = Labels.of("_a", "1");
    assertThat(clean.cleaned()).isSameAs(clean);
  }

  @Test
  void rejectsNullsAndOddArguments() {
    assertThatThrownBy(() -> Labels.of("a")).isInstanceOf(IllegalArgumentException.class);
    Map<String, String> m = new LinkedHashMap<>();
    m.put("a", null);
    assertThatThrownBy(() -> Labels.of(m)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void entryCopiesMetadataAndFanoutDeliversToAll() throws Exception {
    Map<String, String> md = new LinkedHashMap<>();
    md.put("trace_id", "abc");
    LokiEntry e = new LokiEntry(Labels.of("job", "x"), 5, "line", md);
    md.put("later", "x");
    assertThat(e.structuredMetadata()).containsOnlyKeys("trace_id");
    assertThatThrownBy(() -> e.structuredMetadata().put("y", "z")).isInstanceOf(UnsupportedOperationException.class);

    List<LokiEntry> got = new ArrayList<>();
    LogsReceiver ok = got::addAll;
    LogsReceiver refusing = entries -> {
      throw new ConsumeException.Refused("full");
    };
    LogsFanout.of(List.of()).push(List.of(e));
    LogsFanout.of(List.of(ok, ok)).push(List.of(e));
    assertThat(got).hasSize(2);
    assertThatThrownBy(() -> LogsFanout.of(List.of(refusing, ok)).push(List.of(e)))
        .isInstanceOf(ConsumeException.Refused.class);
    assertThat(got).hasSize(3);
    assertThat(ok.handleKind()).isEqualTo("LogsReceiver");
  }
}
