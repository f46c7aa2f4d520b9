package io.mpac.collector.processor.batch;

import static io.mpac.collector.processor.batch.TestSupport.await;
import static io.mpac.collector.processor.batch.TestSupport.config;
import static io.mpac.collector.processor.batch.TestSupport.context;
import static io.mpac.collector.processor.batch.TestSupport.decode;
import static io.mpac.collector.processor.batch.TestSupport.traces;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.ClientMetadata;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.processor.batch.TestSupport.Sink;
import io.mpac.collector.processor.batch.TestSupport.Tagged;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class BatchProcessorTest {

  private static final Duration LONG = Duration.ofHours(1);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Sink sink = new Sink();
  private BatchProcessor processor;

  private BatchProcessor start(BatchProcessorConfig cfg) {
    processor = new BatchProcessor(context(registry), cfg);
    processor.start();
    return processor;
  }

  private BatchProcessor start(BatchProcessorConfig cfg, BatchTuning tuning) {
    processor = new BatchProcessor(context(registry), cfg, tuning);
    processor.start();
    return processor;
  }

  @AfterEach
  void stop() {
    if (processor != null) processor.shutdown(Duration.ofSeconds(5));
  }

  private double counter(String name) {
    return registry.get(name).tag("signal", "traces").counter().count();
  }

  private static List<Tagged> items(Iterable<OtlpRequest> batches) {
    List<Tagged> out = new ArrayList<>();
    for (OtlpRequest b : batches) out.addAll(decode(b));
    return out;
  }

  @Test
  void flushesWhenTheTimeoutPassesSinceTheFirstItem() throws Exception {
    start(config(Duration.ofMillis(100), 1000, 2000, sink));
    long t0 = System.nanoTime();
    for (int i = 0; i < 3; i++) processor.input().consume(traces(0, i * 10, 10));
    await(WAIT, () -> !sink.batches.isEmpty(), "a timeout flush");
    long elapsed = System.nanoTime() - t0;
    assertThat(elapsed).as("not before the timeout").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    assertThat(sink.batches).singleElement().extracting(OtlpRequest::itemCount).isEqualTo(30);
    assertThat(counter("otelcol.processor.batch.timeout.trigger.send")).isEqualTo(1);
    assertThat(counter("otelcol.processor.batch.batch.size.trigger.send")).isZero();
  }

  @Test
  void flushesWhenTheBatchReachesSendBatchSize() throws Exception {
    start(config(LONG, 20, 0, sink));
    processor.input().consume(traces(0, 0, 10));
    processor.input().consume(traces(0, 10, 10));
    processor.input().consume(traces(0, 20, 5));
    await(WAIT, () -> !sink.batches.isEmpty(), "a size flush");
    assertThat(sink.batches).singleElement().extracting(OtlpRequest::itemCount).isEqualTo(20);
    assertThat(counter("otelcol.processor.batch.batch.size.trigger.send")).isEqualTo(1);
    processor.shutdown(WAIT);
    assertThat(sink.batches).extracting(OtlpRequest::itemCount).containsExactly(20, 5);
    assertThat(items(sink.batches)).extracting(Tagged::seq).containsExactlyElementsOf(range(25));
  }

  @Test
  void oversizedInputIsSplitAtSendBatchMaxSize() throws Exception {
    start(config(LONG, 10, 15, sink));
    processor.input().consume(traces(0, 0, 40));
    await(WAIT, () -> sink.items() == 40, "three batches");
    assertThat(sink.batches).extracting(OtlpRequest::itemCount).containsExactly(15, 15, 10);
    List<Tagged> got = items(sink.batches);
    assertThat(got).extracting(Tagged::seq).containsExactlyElementsOf(range(40));
    assertThat(got).allSatisfy(t -> assertThat(t.service()).isEqualTo("p0"));
  }

  @Test
  void batchesAreFilledToTheMaximumAndTheRemainderCarriesOver() throws Exception {
    start(config(LONG, 20, 25, sink));
    processor.input().consume(traces(0, 0, 15));
    processor.input().consume(traces(1, 0, 15));
    await(WAIT, () -> !sink.batches.isEmpty(), "a size flush");
    assertThat(sink.batches).singleElement().extracting(OtlpRequest::itemCount).isEqualTo(25);
    processor.shutdown(WAIT);
    assertThat(sink.batches).extracting(OtlpRequest::itemCount).containsExactly(25, 5);
    List<Tagged> got = items(sink.batches);
    assertThat(got).hasSize(30).doesNotHaveDuplicates();
    assertThat(got).allSatisfy(t -> assertThat(t.service()).isEqualTo("p" + t.producer()));
  }

  @Test
  void shutdownFlushesEverythingPending() throws Exception {
    start(config(LONG, 1_000_000, 0, sink));
    for (int i = 0; i < 50; i++) processor.input().consume(traces(0, i * 7, 7));
    assertThat(sink.batches).isEmpty();
    processor.shutdown(WAIT);
    assertThat(sink.items()).isEqualTo(350);
    assertThat(items(sink.batches)).extracting(Tagged::seq).containsExactlyElementsOf(range(350));
    assertThatThrownBy(() -> processor.input().consume(traces(0, 0, 1))).isInstanceOf(ConsumeException.Refused.class)
        .hasMessageContaining("shutting down");
  }

  @Test
  void metadataKeysGiveOneBatchPerCombinationUpToTheLimit() throws Exception {
    BatchProcessorConfig cfg = new BatchProcessorConfig(LONG, 20, 0, List.of("X-Tenant"), 2,
        List.of(sink), List.of(), List.of());
    start(cfg);
    ClientMetadata a = new ClientMetadata(Map.of("x-tenant", List.of("a"), "other", List.of("ignored")));
    ClientMetadata b = new ClientMetadata(Map.of("x-tenant", List.of("b")));
    for (int i = 0; i < 2; i++) {
      processor.input().consume(traces(1, i * 10, 10, a));
      processor.input().consume(traces(2, i * 10, 10, b));
    }
    await(WAIT, () -> sink.batches.size() == 2, "one batch per tenant");
    for (OtlpRequest batch : sink.batches) {
      List<Tagged> got = decode(batch);
      assertThat(got).hasSize(20);
      int producer = got.get(0).producer();
      assertThat(got).allSatisfy(t -> assertThat(t.producer()).isEqualTo(producer));
      assertThat(batch.metadata().values()).isEqualTo(Map.of("x-tenant", List.of(producer == 1 ? "a" : "b")));
    }
    ClientMetadata c = new ClientMetadata(Map.of("x-tenant", List.of("c")));
    assertThatThrownBy(() -> processor.input().consume(traces(3, 0, 10, c)))
        .isInstanceOf(ConsumeException.Rejected.class).hasMessageContaining("metadata_cardinality_limit 2");
    assertThat(registry.get("otelcol.processor.refused.spans").counter().count()).isEqualTo(10);
    assertThat(registry.get("otelcol.processor.batch.metadata.cardinality").tag("signal", "traces").gauge().value())
        .isEqualTo(2);
    processor.input().consume(traces(1, 20, 10, a)); // known combinations still pass
  }

  @Test
  void refusesWhenPendingDataReachesTheBoundAndRecovers() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Sink inner = new Sink();
    OtlpConsumer blocking = new OtlpConsumer() {
      @Override
      public Set<Signal> signals() {
        return Set.copyOf(EnumSet.allOf(Signal.class));
      }

      @Override
      public void consume(OtlpRequest request) throws ConsumeException {
        try {
          release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        inner.consume(request);
      }
    };
    BatchTuning tuning = new BatchTuning(50, 1 << 20, Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofSeconds(30));
    start(config(LONG, 10, 10, blocking), tuning);
    long accepted = 0;
    ConsumeException.Refused refused = null;
    for (int i = 0; i < 100 && refused == null; i++) {
      try {
        processor.input().consume(traces(0, i * 10, 10));
        accepted += 10;
      } catch (ConsumeException.Refused e) {
        refused = e;
      }
    }
    assertThat(refused).as("refused once 50 items are pending").isNotNull();
    assertThat(refused.retryAfter()).isNotNull();
    assertThat(refused.getMessage()).contains("pipeline is full");
    assertThat(accepted).isEqualTo(50);
    assertThat(registry.get("otelcol.processor.refused.spans").counter().count()).isEqualTo(10);
    release.countDown();
    long total = accepted;
    await(WAIT, () -> inner.items() == total, "the held batches to drain");
    processor.input().consume(traces(0, 500, 10)); // accepted again
    processor.shutdown(WAIT);
    assertThat(inner.items()).isEqualTo(60);
  }

  @Test
  void refusedBatchesAreRetriedAndDeliveredOnce() throws Exception {
    sink.refusals = 3;
    start(config(LONG, 10, 0, sink));
    processor.input().consume(traces(0, 0, 10));
    await(WAIT, () -> !sink.batches.isEmpty(), "delivery after retries");
    assertThat(sink.batches).singleElement().extracting(OtlpRequest::itemCount).isEqualTo(10);
    assertThat(sink.attempts).isEqualTo(4);
    assertThat(counter("otelcol.processor.batch.send.refused")).isEqualTo(3);
    assertThat(registry.get("otelcol.processor.dropped.spans").counter().count()).isZero();
  }

  @Test
  void rejectedBatchesAreDroppedAndCounted() throws Exception {
    sink.reject = true;
    start(config(LONG, 10, 0, sink));
    processor.input().consume(traces(0, 0, 10));
    await(WAIT, () -> registry.get("otelcol.processor.dropped.spans").counter().count() == 10, "the drop");
    assertThat(counter("otelcol.processor.batch.send.failed")).isEqualTo(1);
    processor.shutdown(WAIT); // nothing left pending: returns at once
  }

  @Test
  void retriesStopAtTheShutdownDeadline() throws Exception {
    sink.refusals = Integer.MAX_VALUE;
    start(config(LONG, 1000, 0, sink));
    processor.input().consume(traces(0, 0, 10));
    long t0 = System.nanoTime();
    processor.shutdown(Duration.ofMillis(300));
    assertThat(System.nanoTime() - t0).isLessThan(TimeUnit.SECONDS.toNanos(5));
    assertThat(registry.get("otelcol.processor.dropped.spans").counter().count()).isEqualTo(10);
  }

  @Test
  void lifecycleEdges() throws Exception {
    BatchProcessor p = new BatchProcessor(context(registry), config(LONG, 10, 0, sink));
    assertThatThrownBy(() -> p.input().consume(traces(0, 0, 1))).isInstanceOf(ConsumeException.Refused.class)
        .hasMessageContaining("not started");
    p.shutdown(Duration.ofMillis(100)); // without start
    p.shutdown(Duration.ofMillis(100)); // twice
    assertThat(p.exports()).containsKey("input");
    assertThat(p.input().signals()).containsExactlyInAnyOrder(Signal.values());
  }

  @Test
  void aSignalWithoutConsumersIsAcceptedAndDiscarded() throws Exception {
    start(new BatchProcessorConfig(LONG, 10, 0, List.of(), 0, List.of(sink), List.of(), List.of()));
    processor.input().consume(TestSupport.logs(0, 0, 10));
    processor.shutdown(WAIT);
    assertThat(sink.batches).isEmpty();
  }

  private static List<Integer> range(int n) {
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(i);
    return out;
  }
}
