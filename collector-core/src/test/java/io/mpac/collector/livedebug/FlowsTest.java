package io.mpac.collector.livedebug;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FlowsTest {

  private static final ComponentId RECEIVER = new ComponentId("otelcol.receiver.otlp", "in");
  private static final ComponentId BATCH = new ComponentId("otelcol.processor.batch", "b");
  private static final ComponentId EXPORTER = new ComponentId("otelcol.exporter.otlp", "out");

  private final List<OtlpRequest> received = new ArrayList<>();
  private final OtlpConsumer sink = new OtlpConsumer() {
    @Override
    public Set<Signal> signals() {
      return EnumSet.allOf(Signal.class);
    }

    @Override
    public void consume(OtlpRequest request) {
      received.add(request);
    }
  };

  private static OtlpRequest request(Signal s, int items) {
    return new OtlpRequest(s, new byte[0], items);
  }

  @Test
  void edgesCountItemsPerSignalAndPassEverythingOn() throws Exception {
    Flows flows = new Flows();
    TappedConsumer tapped = new TappedConsumer(sink, flows.edge(RECEIVER, BATCH));
    tapped.consume(request(Signal.TRACES, 3));
    tapped.consume(request(Signal.LOGS, 4));
    tapped.consume(request(Signal.TRACES, 5));
    Edge e = flows.edge(RECEIVER, BATCH);
    assertThat(e.items(Signal.TRACES)).isEqualTo(8);
    assertThat(e.items(Signal.LOGS)).isEqualTo(4);
    assertThat(e.items(Signal.METRICS)).isZero();
    assertThat(received).hasSize(3);
    assertThat(tapped.signals()).isEqualTo(sink.signals());
  }

  @Test
  void aViewerIsBoundedAndDetachesOnClose() throws Exception {
    Flows flows = new Flows();
    TappedConsumer out = new TappedConsumer(sink, flows.edge(BATCH, EXPORTER));
    Edge edge = flows.edge(BATCH, EXPORTER);
    assertThat(edge.watched()).isFalse();
    try (Subscription s = flows.watch(BATCH, 4, 1_000_000)) {
      assertThat(edge.watched()).isTrue();
      for (int i = 0; i < 100; i++) out.consume(request(Signal.TRACES, 1));
      assertThat(s.held()).isEqualTo(4);
      assertThat(s.skipped()).isEqualTo(96);
      Subscription.Sample first = s.poll(1, TimeUnit.SECONDS);
      assertThat(first.from()).isEqualTo(BATCH);
      assertThat(first.to()).isEqualTo(EXPORTER);
    }
    assertThat(edge.watched()).isFalse();
  }

  @Test
  void theRateLimitSkipsWhatComesTooSoon() throws Exception {
    Flows flows = new Flows();
    TappedConsumer out = new TappedConsumer(sink, flows.edge(BATCH, EXPORTER));
    try (Subscription s = flows.watch(BATCH, 16, 1)) {
      for (int i = 0; i < 10; i++) out.consume(request(Signal.TRACES, 1));
      assertThat(s.held()).isEqualTo(1); // one a second
      assertThat(s.skipped()).isEqualTo(9);
    }
  }

  @Test
  void lokiAndPrometheusEdgesAreCountedAndWatchedToo() throws Exception {
    Flows flows = new Flows();
    List<Object> got = new ArrayList<>();
    io.mpac.collector.loki.LogsReceiver loki = got::add;
    io.mpac.collector.prometheus.MetricsReceiver prom = new io.mpac.collector.prometheus.MetricsReceiver() {
      @Override
      public void append(io.mpac.collector.prometheus.MetricsBatch batch) {
        got.add(batch);
      }

      @Override
      public io.mpac.collector.consumer.ConsumeException.Refused wouldRefuse(int samples) {
        return new io.mpac.collector.consumer.ConsumeException.Refused("full");
      }
    };
    TappedLogsReceiver logs = new TappedLogsReceiver(loki, flows.edge(BATCH, EXPORTER));
    TappedMetricsReceiver metrics = new TappedMetricsReceiver(prom, flows.edge(BATCH, RECEIVER));
    try (Subscription s = flows.watch(BATCH, 8, 1_000_000)) {
      var entries = List.of(new io.mpac.collector.loki.LokiEntry(io.mpac.collector.loki.Labels.of("job", "a"), 1, "hello"),
          new io.mpac.collector.loki.LokiEntry(io.mpac.collector.loki.Labels.of("job", "a"), 2, "world"));
      logs.push(entries);
      var batch = io.mpac.collector.prometheus.MetricsBatch.ofSamples(List.of(new io.mpac.collector.prometheus.Sample(
          io.mpac.collector.prometheus.Labels.of("__name__", "up"), 5, 1.0)));
      metrics.append(batch);
      assertThat(got).containsExactly(entries, batch);
      assertThat(flows.edge(BATCH, EXPORTER).items(Signal.LOGS)).isEqualTo(2);
      assertThat(flows.edge(BATCH, RECEIVER).items(Signal.METRICS)).isEqualTo(1);
      assertThat(metrics.wouldRefuse(10)).isNotNull(); // the hint passes through
      Subscription.Sample first = s.poll(1, TimeUnit.SECONDS);
      assertThat(first.payload()).isSameAs(entries);
      assertThat(first.itemCount()).isEqualTo(2);
      assertThat(s.poll(1, TimeUnit.SECONDS).payload()).isSameAs(batch);
    }
  }

  @Test
  void aSinkIsWatchedOnWhatItReceives() {
    Flows flows = new Flows();
    Edge in = flows.edge(BATCH, EXPORTER);
    Edge other = flows.edge(RECEIVER, BATCH);
    try (Subscription s = flows.watch(EXPORTER, 4, 5)) {
      assertThat(in.watched()).isTrue();
      assertThat(other.watched()).isFalse();
    }
    try (Subscription s = flows.watch(BATCH, 4, 5)) {
      assertThat(in.watched()).isTrue(); // what the batch processor sends on
      assertThat(other.watched()).isFalse(); // not what it receives
    }
  }
}
