package io.mpac.collector.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.component.ComponentId;
import io.mpac.collector.livedebug.Subscription;
import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LokiEntry;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.Sample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How live debugging prints what it sampled. */
class LiveDebugRenderTest {

  private static final ComponentId FROM = new ComponentId("otelcol.exporter.loki", "l");
  private static final ComponentId TO = new ComponentId("loki.write", "w");

  @Test
  void spansAsTheDebugExporterPrintsThem() {
    String text = LiveDebugStream.render(new Subscription.Sample(FROM, TO, Signal.TRACES, 2,
        WebApiTest.spans("checkout", 2)));
    assertThat(text).startsWith("# otelcol.exporter.loki.l -> loki.write.w: 2 spans\nTraces resource_spans=1 spans=2")
        .contains("span name=\"checkout\"");
  }

  @Test
  void lokiEntriesAndPrometheusSamplesOnePerLine() {
    List<LokiEntry> entries = List.of(new LokiEntry(Labels.of("job", "api"), 1700000000000000000L, "GET /health 200"));
    assertThat(LiveDebugStream.render(new Subscription.Sample(FROM, TO, Signal.LOGS, 1, entries)))
        .isEqualTo("# otelcol.exporter.loki.l -> loki.write.w: 1 entries\n1700000000000000000 {job=\"api\"} GET /health 200\n");
    MetricsBatch batch = MetricsBatch.ofSamples(List.of(new Sample(
        io.mpac.collector.prometheus.Labels.of("__name__", "up", "job", "api"), 1700000000000L, 1.0)));
    assertThat(LiveDebugStream.render(new Subscription.Sample(FROM, TO, Signal.METRICS, 1, batch)))
        .startsWith("# otelcol.exporter.loki.l -> loki.write.w: 1 samples\n").contains("up").contains("1.0 1700000000000");
  }

  @Test
  void aHugeSampleIsCut() {
    List<LokiEntry> entries = new ArrayList<>();
    for (int i = 0; i < 2000; i++) entries.add(new LokiEntry(Labels.of("job", "api"), i, "x".repeat(100)));
    String text = LiveDebugStream.render(new Subscription.Sample(FROM, TO, Signal.LOGS, entries.size(), entries));
    assertThat(text.length()).isLessThan(LiveDebugStream.MAX_CHARS + 300);
    assertThat(text).contains("more characters)");
  }
}
