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
