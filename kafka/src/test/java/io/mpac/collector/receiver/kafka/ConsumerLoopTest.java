package io.mpac.collector.receiver.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.component.Supervisor;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.kafka.Encoding;
import io.mpac.collector.kafka.KafkaClientConfig;
import io.mpac.collector.kafka.KafkaSecurity;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.micrometer.core.instrument.Tags;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The consumer loop's marking and commit rules on kafka-clients' {@code MockConsumer}: which offsets
 * are committed when the output accepts, refuses or rejects, with and without
 * {@code message_marking} and {@code autocommit}, and across a rebalance.
 */
class ConsumerLoopTest {

  private static final TopicPartition P0 = new TopicPartition("t", 0);
  private static final TopicPartition P1 = new TopicPartition("t", 1);

  private final Recording mock = new Recording();

  /** Keeps every offset committed, whatever the mock does with its own state on a rebalance. */
  static final class Recording extends MockConsumer<byte[], byte[]> {
    final Map<TopicPartition, Long> commits = new java.util.concurrent.ConcurrentHashMap<>();

    Recording() {
      super("earliest");
    }

    @Override
    public void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets, Duration timeout) {
      offsets.forEach((tp, o) -> commits.merge(tp, o.offset(), Math::max));
      super.commitSync(offsets, timeout);
    }

    @Override
    public synchronized void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets,
        org.apache.kafka.clients.consumer.OffsetCommitCallback callback) {
      offsets.forEach((tp, o) -> commits.merge(tp, o.offset(), Math::max));
      super.commitAsync(offsets, callback);
    }
  }
  private final Output out = new Output();
  private ConsumerLoop loop;
  private Supervisor supervisor;

  enum Mode { ACCEPT, REFUSE, REJECT }

  static final class Output implements OtlpConsumer {
    volatile Mode mode = Mode.ACCEPT;
    final List<OtlpRequest> got = Collections.synchronizedList(new ArrayList<>());
    volatile int calls;

    @Override
    public Set<Signal> signals() {
      return Set.of(Signal.values());
    }

    @Override
    public void consume(OtlpRequest r) throws ConsumeException {
      calls++;
      switch (mode) {
        case REFUSE -> throw new ConsumeException.Refused("full");
        case REJECT -> throw new ConsumeException.Rejected("bad");
        default -> got.add(r);
      }
    }
  }

  @AfterEach
  void stop() throws InterruptedException {
    if (loop != null) loop.stop();
    if (supervisor != null) supervisor.stopRestarting();
    Thread.sleep(100);
  }

  private void start(boolean afterExecution, boolean includeUnsuccessful, boolean autocommit, Duration interval) {
    KafkaClientConfig client = new KafkaClientConfig(List.of("127.0.0.1:9"), "4.0.0", "test", KafkaSecurity.NONE);
    KafkaReceiverConfig config = new KafkaReceiverConfig(client, "g", "", List.of(), "earliest", Duration.ofSeconds(1),
        Duration.ofSeconds(10), new KafkaReceiverConfig.Fetch(1 << 20, Duration.ofMillis(10), 1 << 20, 1), "",
        autocommit, interval, afterExecution, includeUnsuccessful,
        Map.of("t", new KafkaReceiverConfig.TopicSource(Signal.TRACES, Encoding.OTLP_PROTO)), Map.of(Signal.TRACES, out));
    ComponentContext ctx = new ComponentContext(new ComponentId("otelcol.receiver.kafka", "t"), Path.of("unused"),
        new SimpleMeterRegistry(), Logger.getLogger("loop-test"));
    loop = new ConsumerLoop(config, () -> mock, new ReceiverMetrics(ctx.meterRegistry(), Tags.empty()), ctx.logger());
    mock.schedulePollTask(() -> {
      mock.rebalance(List.of(P0, P1));
      mock.updateBeginningOffsets(Map.of(P0, 0L, P1, 0L));
    });
    supervisor = new Supervisor(ctx);
    supervisor.start("loop-test", loop);
  }

  private void record(TopicPartition tp, long offset, long seed) {
    byte[] value = Spans.request(seed, 1, 1, 5).bytes();
    mock.schedulePollTask(() -> mock.addRecord(new ConsumerRecord<>(tp.topic(), tp.partition(), offset, null, value)));
  }

  private Long committed(TopicPartition tp) {
    return mock.commits.get(tp);
  }

  private static void await(BooleanSupplier c) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("condition not met within 10 s");
      Thread.sleep(20);
    }
  }

  @Test
  void afterExecutionCommitsOnlyWhatTheOutputAccepted() throws Exception {
    out.mode = Mode.REFUSE;
    start(true, false, true, Duration.ofMillis(20));
    record(P0, 0, 1);
    record(P0, 1, 2);
    await(() -> out.calls >= 3);
    Thread.sleep(200);
    assertThat(committed(P0)).as("refused: nothing committed").isNull();
    out.mode = Mode.ACCEPT;
    await(() -> out.got.size() == 2);
    await(() -> Long.valueOf(2).equals(committed(P0)));
  }

  @Test
  void withoutAfterExecutionRecordsAreMarkedWhenPolledAsInAlloy() throws Exception {
    out.mode = Mode.REFUSE;
    start(false, false, true, Duration.ofMillis(20));
    record(P0, 0, 1);
    await(() -> Long.valueOf(1).equals(committed(P0)));
    assertThat(out.got).isEmpty();
  }

  @Test
  void aRejectionHoldsThePartitionUnlessIncludeUnsuccessful() throws Exception {
    out.mode = Mode.REJECT;
    start(true, false, true, Duration.ofMillis(20));
    record(P0, 0, 1);
    await(() -> out.calls >= 2); // retried: the partition waits
    Thread.sleep(200);
    assertThat(committed(P0)).isNull();
  }

  @Test
  void includeUnsuccessfulMarksRejectedRecords() throws Exception {
    out.mode = Mode.REJECT;
    start(true, true, true, Duration.ofMillis(20));
    record(P0, 0, 1);
    record(P0, 1, 2);
    await(() -> Long.valueOf(2).equals(committed(P0)));
    assertThat(out.calls).isEqualTo(2); // each offered once, then skipped
  }

  @Test
  void withoutAutocommitEveryHandedOnBatchIsCommittedAtOnce() throws Exception {
    start(true, false, false, Duration.ofHours(1)); // autocommit { enable = false }: the interval would never come
    record(P1, 0, 1);
    await(() -> Long.valueOf(1).equals(committed(P1)));
  }

  @Test
  void revokedPartitionsCommitWhatWasMarkedAndForgetWhatWasHeld() throws Exception {
    start(true, false, true, Duration.ofHours(1)); // commits only at the revocation
    record(P0, 0, 1);
    await(() -> out.got.size() == 1);
    out.mode = Mode.REFUSE;
    byte[] a = Spans.request(2, 1, 1, 5).bytes();
    byte[] b = Spans.request(3, 1, 1, 5).bytes();
    mock.schedulePollTask(() -> { // both in one poll: both are held behind the refusal
      mock.addRecord(new ConsumerRecord<>("t", 0, 1L, null, a));
      mock.addRecord(new ConsumerRecord<>("t", 1, 0L, null, b));
    });
    await(() -> out.calls >= 4);
    assertThat(committed(P0)).isNull();
    mock.schedulePollTask(() -> mock.rebalance(List.of(P1)));
    await(() -> Long.valueOf(1).equals(committed(P0))); // the accepted record, not the held one
    out.mode = Mode.ACCEPT;
    await(() -> out.got.size() == 2);
    Thread.sleep(200);
    assertThat(out.got).hasSize(2); // P0@1 went with its partition; P1@0 was handed on
    assertThat(Spans.spanIds(out.got.get(1).bytes())).isEqualTo(Spans.spanIds(Spans.request(3, 1, 1, 5).bytes()));
  }
}
