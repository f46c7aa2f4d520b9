package io.mpac.collector.processor.batch;

import static io.mpac.collector.processor.batch.TestSupport.await;
import static io.mpac.collector.processor.batch.TestSupport.config;
import static io.mpac.collector.processor.batch.TestSupport.decode;
import static io.mpac.collector.processor.batch.TestSupport.traces;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.component.Health;
import io.mpac.collector.component.Supervisor;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.processor.batch.TestSupport.Tagged;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

/** The batch worker under the Supervisor: restarted, counted, reported, and nothing it held is lost or doubled. */
@Timeout(30)
class BatchSupervisionTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  /** Not an Exception: escapes the worker's own error handling, as a bug would. */
  static final class Boom extends Error {
    Boom() {
      super("boom (test)");
    }
  }

  /** Records batches; throws {@link Boom} on its first {@code failures} calls. */
  static final class FailingSink implements OtlpConsumer {
    final ConcurrentLinkedQueue<OtlpRequest> batches = new ConcurrentLinkedQueue<>();
    final AtomicInteger calls = new AtomicInteger();
    volatile int failures;

    @Override
    public Set<Signal> signals() {
      return Set.copyOf(EnumSet.allOf(Signal.class));
    }

    @Override
    public void consume(OtlpRequest request) {
      if (calls.incrementAndGet() <= failures) throw new Boom();
      batches.add(request);
    }

    long items() {
      return batches.stream().mapToLong(OtlpRequest::itemCount).sum();
    }
  }

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final FailingSink sink = new FailingSink();
  private BatchProcessor processor;
  private String componentId;

  @AfterEach
  void stop() {
    if (processor != null) processor.shutdown(Duration.ofSeconds(5));
  }

  private BatchProcessor start(Duration timeout, TestInfo info) {
    ComponentId id = new ComponentId("otelcol.processor.batch", info.getTestMethod().orElseThrow().getName());
    componentId = id.toString();
    processor = new BatchProcessor(new ComponentContext(id, Path.of("target", "storage"), registry,
        Logger.getLogger("component." + id)), config(timeout, 1000, 2000, sink));
    processor.start();
    return processor;
  }

  private double restarts() {
    return registry.get(Supervisor.RESTARTS_METRIC).counter().count();
  }

  private double dropped() {
    return registry.get("otelcol.processor.dropped.spans").counter().count();
  }

  private List<Tagged> delivered() {
    List<Tagged> out = new ArrayList<>();
    for (OtlpRequest b : sink.batches) out.addAll(decode(b));
    return out;
  }

  private static void assertExactlyOnce(List<Tagged> items, int from, int to) {
    Set<Integer> seqs = new HashSet<>();
    for (Tagged t : items) assertThat(seqs.add(t.seq())).as("seq %d delivered once", t.seq()).isTrue();
    assertThat(seqs).hasSize(to - from);
    for (int s = from; s < to; s++) assertThat(seqs).contains(s);
  }

  @Test
  void anInjectedFaultRestartsTheWorkerAndEveryItemIsDeliveredOnce(TestInfo info) throws Exception {
    start(Duration.ofMillis(300), info);
    String worker = "batch-traces-" + componentId;
    for (int i = 0; i < 30; i++) processor.input().consume(traces(0, i * 10, 10));
    // the worker holds these 300 spans (below send_batch_size) when the fault fires at its next checkpoint
    Supervisor.injectFault(worker);
    await(WAIT, () -> restarts() == 1, "the worker's restart");
    Health down = processor.health();
    assertThat(down.state()).isEqualTo(Health.State.UNHEALTHY);
    assertThat(down.message()).contains(worker).contains("InjectedFault");
    for (int i = 30; i < 60; i++) processor.input().consume(traces(0, i * 10, 10));
    await(WAIT, () -> sink.items() >= 600, "600 spans at the sink");
    await(WAIT, () -> processor.health().isHealthy(), "recovery");
    assertThat(restarts()).isEqualTo(1);
    assertThat(dropped()).isZero();
    assertExactlyOnce(delivered(), 0, 600);
  }

  @Test
  void aBatchWhoseSendKilledTheWorkerIsSentAgainOnce(TestInfo info) throws Exception {
    sink.failures = 1;
    start(Duration.ofMillis(20), info);
    processor.input().consume(traces(0, 0, 10));
    await(WAIT, () -> sink.items() >= 10, "the batch after the restart");
    assertThat(restarts()).isEqualTo(1);
    assertThat(sink.calls.get()).isEqualTo(2);
    assertThat(dropped()).isZero();
    assertExactlyOnce(delivered(), 0, 10);
  }

  @Test
  void aBatchThatKillsTheWorkerTwiceIsDroppedAndCountedAndTheWorkerGoesOn(TestInfo info) throws Exception {
    sink.failures = 2;
    start(Duration.ofMillis(20), info);
    processor.input().consume(traces(0, 0, 10));
    // the crash handler drops it; the second restart is counted just after
    await(WAIT, () -> dropped() == 10 && restarts() == 2, "the poisonous batch to be dropped, two restarts");
    processor.input().consume(traces(0, 10, 10));
    await(WAIT, () -> sink.items() >= 10, "the next batch");
    assertExactlyOnce(delivered(), 10, 20);
    assertThat(registry.get("otelcol.processor.batch.pending.items").gauge().value()).isZero();
  }
}
