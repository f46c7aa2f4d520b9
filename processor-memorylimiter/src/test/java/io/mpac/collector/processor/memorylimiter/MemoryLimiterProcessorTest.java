package io.mpac.collector.processor.memorylimiter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(20)
class MemoryLimiterProcessorTest {

  private static final long MIB = 1L << 20;

  /** A heap whose readings the test sets; counts the collections asked for. */
  static final class FakeHeap implements HeapProbe {
    volatile long used;
    volatile long afterGc = -1;
    volatile long afterCollect;
    volatile long max = 1000 * MIB;
    volatile int collects;

    @Override
    public long used() {
      return used;
    }

    @Override
    public long usedAfterLastGc() {
      return afterGc;
    }

    @Override
    public long collections() {
      return afterGc < 0 ? 0 : 1;
    }

    @Override
    public long max() {
      return max;
    }

    @Override
    public long collect() {
      collects++;
      used = afterCollect;
      afterGc = afterCollect;
      return afterCollect;
    }
  }

  static final class Sink implements OtlpConsumer {
    final ConcurrentLinkedQueue<OtlpRequest> got = new ConcurrentLinkedQueue<>();
    volatile ConsumeException fail;

    @Override
    public Set<Signal> signals() {
      return Set.copyOf(EnumSet.allOf(Signal.class));
    }

    @Override
    public void consume(OtlpRequest request) throws ConsumeException {
      if (fail != null) throw fail;
      got.add(request);
    }
  }

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FakeHeap heap = new FakeHeap();
  private final Sink sink = new Sink();
  private MemoryLimiterProcessor processor;

  @AfterEach
  void stop() {
    if (processor != null) processor.shutdown(Duration.ofSeconds(5));
  }

  private ComponentContext context() {
    return new ComponentContext(new ComponentId("otelcol.processor.memory_limiter", "test"), Path.of("target", "storage"),
        registry, Logger.getLogger("component.otelcol.processor.memory_limiter.test"));
  }

  /** limit 200 MiB, spike 40 MiB: soft limit 160 MiB; checks only when the test calls check() (interval 1h). */
  private MemoryLimiterProcessor start(HeapProbe probe) {
    MemoryLimiterConfig config = new MemoryLimiterConfig(Duration.ofHours(1), 200 * MIB, 40 * MIB, 0, 0,
        List.of(sink), List.of(sink), List.of(sink));
    processor = new MemoryLimiterProcessor(context(), config, probe);
    processor.start();
    return processor;
  }

  private static OtlpRequest spans(int n) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    for (int i = 0; i < n; i++) ss.addSpans(Span.newBuilder().setName("s" + i));
    byte[] bytes = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ss))
        .build().toByteArray();
    return new OtlpRequest(Signal.TRACES, bytes, n);
  }

  private double counter(String name) {
    return registry.get(name).counter().count();
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  @Test
  void belowTheSoftLimitDataPassesAndIsCounted() throws Exception {
    heap.used = 100 * MIB;
    start(heap);
    processor.input().consume(spans(7));
    assertThat(sink.got).singleElement().extracting(OtlpRequest::itemCount).isEqualTo(7);
    assertThat(counter("otelcol.processor.accepted.spans")).isEqualTo(7);
    assertThat(counter("otelcol.processor.refused.spans")).isZero();
    assertThat(gauge("mpac.processor.memory_limiter.state")).isZero();
    assertThat(gauge("mpac.processor.memory_limiter.soft.limit")).isEqualTo(160.0 * MIB);
    assertThat(processor.health().isHealthy()).isTrue();
    assertThat(processor.health().message()).startsWith("accepting data").contains("soft limit 160 MiB");
  }

  @Test
  void aboveTheSoftLimitDataIsRefusedWithARetryHintAndTheComponentStaysHealthy() throws Exception {
    heap.used = 100 * MIB;
    start(heap);
    heap.used = 170 * MIB;
    heap.afterCollect = 170 * MIB; // a collection does not help: live data
    processor.check();
    ConsumeException.Refused r = catchThrowableOfType(() -> processor.input().consume(spans(5)), ConsumeException.Refused.class);
    assertThat(r.retryAfter()).isEqualTo(Duration.ofHours(1));
    assertThat(r.getMessage()).contains("above the soft limit (160 MiB)");
    assertThat(sink.got).isEmpty();
    assertThat(counter("otelcol.processor.refused.spans")).isEqualTo(5);
    assertThat(counter("otelcol.processor.accepted.spans")).isZero();
    assertThat(gauge("mpac.processor.memory_limiter.state")).isEqualTo(1);
    assertThat(processor.health().isHealthy()).isTrue();
    assertThat(processor.health().message()).startsWith("refusing data").contains("heap in use 170 MiB");
    // the hot path throws the published refusal: no allocation per refused request
    ConsumeException.Refused again = catchThrowableOfType(() -> processor.input().consume(spans(1)), ConsumeException.Refused.class);
    assertThat(again).isSameAs(r);
  }

  @Test
  void backBelowTheSoftLimitDataPassesAgain() throws Exception {
    heap.used = 170 * MIB;
    heap.afterCollect = 170 * MIB;
    start(heap);
    assertThatThrownBy(() -> processor.input().consume(spans(1))).isInstanceOf(ConsumeException.Refused.class);
    heap.used = 150 * MIB;
    heap.afterGc = 150 * MIB;
    processor.check();
    processor.input().consume(spans(2));
    assertThat(sink.got).hasSize(1);
    assertThat(gauge("mpac.processor.memory_limiter.state")).isZero();
  }

  @Test
  void aboveTheHardLimitACollectionIsForcedAndItsResultDecides() throws Exception {
    heap.used = 100 * MIB;
    start(heap);
    heap.used = 250 * MIB;
    heap.afterGc = 250 * MIB;
    heap.afterCollect = 90 * MIB; // the collection frees most of it
    processor.check();
    assertThat(heap.collects).isEqualTo(1);
    assertThat(counter("mpac.processor.memory_limiter.forced.gcs")).isEqualTo(1);
    assertThat(processor.state()).isEqualTo(MemoryLimiterProcessor.State.ACCEPTING);
    processor.input().consume(spans(1));
    assertThat(sink.got).hasSize(1);
  }

  @Test
  void forcedCollectionsAreRateLimited() throws Exception {
    heap.used = 100 * MIB;
    start(heap);
    heap.used = 250 * MIB;
    heap.afterGc = 250 * MIB;
    heap.afterCollect = 250 * MIB; // live data: collecting does not help
    for (int i = 0; i < 5; i++) processor.check();
    assertThat(heap.collects).as("one collection per %s at most", MemoryLimiterProcessor.HARD_GC_INTERVAL).isEqualTo(1);
    assertThat(processor.state()).isEqualTo(MemoryLimiterProcessor.State.HARD_LIMITED);
    assertThat(gauge("mpac.processor.memory_limiter.state")).isEqualTo(2);
  }

  @Test
  void garbageAboveTheLimitIsNotCountedWhenTheLastCollectionLeftLittle() throws Exception {
    heap.used = 100 * MIB;
    start(heap);
    heap.used = 900 * MIB; // young garbage since the last collection
    heap.afterGc = 60 * MIB;
    processor.check();
    assertThat(heap.collects).isZero();
    assertThat(processor.state()).isEqualTo(MemoryLimiterProcessor.State.ACCEPTING);
    assertThat(gauge("mpac.processor.memory_limiter.heap.in.use")).isEqualTo(60.0 * MIB);
  }

  @Test
  void downstreamRefusalsPassThroughUncounted() {
    heap.used = 10 * MIB;
    start(heap);
    ConsumeException.Refused downstream = new ConsumeException.Refused("queue full", Duration.ofSeconds(2));
    sink.fail = downstream;
    assertThatThrownBy(() -> processor.input().consume(spans(3))).isSameAs(downstream);
    assertThat(counter("otelcol.processor.accepted.spans")).isZero();
    assertThat(counter("otelcol.processor.refused.spans")).as("refused by the limiter itself").isZero();
  }

  @Test
  void percentagesAreOfTheMaxHeap() throws Exception {
    heap.max = 1000 * MIB;
    heap.used = 650 * MIB;
    heap.afterCollect = 650 * MIB;
    processor = new MemoryLimiterProcessor(context(), new MemoryLimiterConfig(Duration.ofHours(1), 0, 0, 80, 20,
        List.of(sink), List.of(), List.of()), heap);
    processor.start();
    assertThat(gauge("mpac.processor.memory_limiter.hard.limit")).isEqualTo(800.0 * MIB);
    assertThat(processor.state()).as("650 MiB is above 60%% of 1000 MiB").isEqualTo(MemoryLimiterProcessor.State.SOFT_LIMITED);
  }

  @Test
  void theCheckerThreadMeasuresEveryInterval() throws Exception {
    heap.used = 10 * MIB;
    processor = new MemoryLimiterProcessor(context(), new MemoryLimiterConfig(Duration.ofMillis(5), 200 * MIB, 40 * MIB,
        0, 0, List.of(sink), List.of(), List.of()), heap);
    processor.start();
    heap.used = 180 * MIB;
    heap.afterCollect = 180 * MIB;
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (processor.state() == MemoryLimiterProcessor.State.ACCEPTING && System.nanoTime() < deadline) Thread.sleep(5);
    assertThat(processor.state()).isEqualTo(MemoryLimiterProcessor.State.SOFT_LIMITED);
    processor.shutdown(Duration.ofSeconds(5));
    assertThat(processor.health().message()).isEqualTo("stopped");
  }

  @Test
  void theJvmProbeReportsTheHeapAfterACollection() throws Exception {
    try (JvmHeapProbe probe = new JvmHeapProbe()) {
      probe.open();
      assertThat(probe.max()).isPositive();
      assertThat(probe.used()).isPositive().isLessThanOrEqualTo(probe.max());
      long before = probe.collections();
      long after = probe.collect();
      assertThat(after).isPositive();
      // notifications arrive on a JMX thread shortly after the collection
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (probe.collections() == before && System.nanoTime() < deadline) Thread.sleep(5);
      assertThat(probe.collections()).isGreaterThan(before);
      assertThat(probe.usedAfterLastGc()).isPositive().isLessThanOrEqualTo(probe.max());
    }
  }
}
