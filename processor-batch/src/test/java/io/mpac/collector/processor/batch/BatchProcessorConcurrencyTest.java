package io.mpac.collector.processor.batch;

import static io.mpac.collector.processor.batch.TestSupport.config;
import static io.mpac.collector.processor.batch.TestSupport.context;
import static io.mpac.collector.processor.batch.TestSupport.decode;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.processor.batch.TestSupport.Sink;
import io.mpac.collector.processor.batch.TestSupport.Tagged;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Many producers through one batcher: every item delivered exactly once, in each producer's order,
 * no batch above send_batch_max_size, and shutdown flushes what is left.
 */
class BatchProcessorConcurrencyTest {

  private static final int PRODUCERS = 8;
  private static final int ITEMS_PER_PRODUCER = 100_000;
  private static final int ITEMS_PER_REQUEST = 10;

  @Test
  @Timeout(60)
  void eightProducersEveryItemExactlyOnceInOrder() throws Exception {
    // 1005 is not a multiple of 10, so batches end inside a request and the worker splits it
    run(Signal.TRACES, 1000, 1005, Duration.ofMillis(200));
  }

  @Test
  @Timeout(60)
  void logsWithShortTimeoutAndNoMaximum() throws Exception {
    run(Signal.LOGS, 997, 0, Duration.ofMillis(5));
  }

  private void run(Signal signal, int size, int max, Duration timeout) throws Exception {
    Sink sink = new Sink();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    BatchProcessorConfig cfg = config(timeout, size, max, sink);
    // a tight bound, so that back-pressure (Refused, then retry by the producer) is exercised too
    BatchTuning tuning = new BatchTuning(20_000, 4L << 20, Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofSeconds(30));
    BatchProcessor p = new BatchProcessor(context(registry), cfg, tuning);
    p.start();

    CountDownLatch go = new CountDownLatch(1);
    AtomicLong refusals = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int id = 0; id < PRODUCERS; id++) {
      int producer = id;
      Thread t = new Thread(() -> {
        try {
          go.await();
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
          for (int seq = 0; seq < ITEMS_PER_PRODUCER; seq += ITEMS_PER_REQUEST) {
            OtlpRequest r = signal == Signal.TRACES ? TestSupport.traces(producer, seq, ITEMS_PER_REQUEST)
                : TestSupport.logs(producer, seq, ITEMS_PER_REQUEST);
            while (true) {
              try {
                p.input().consume(r);
                break;
              } catch (ConsumeException.Refused e) {
                refusals.incrementAndGet();
                if (System.nanoTime() - deadline > 0) throw new AssertionError("producer starved");
                LockSupport.parkNanos(100_000);
              }
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "producer-" + id);
      threads.add(t);
      t.start();
    }
    go.countDown();
    for (Thread t : threads) t.join(TimeUnit.SECONDS.toMillis(50));
    assertThat(failure.get()).isNull();
    p.shutdown(Duration.ofSeconds(10));

    int[] nextSeq = new int[PRODUCERS];
    long total = 0;
    for (OtlpRequest batch : sink.batches) {
      if (max > 0) assertThat(batch.itemCount()).isLessThanOrEqualTo(max);
      List<Tagged> items = decode(batch);
      assertThat(items).hasSize(batch.itemCount());
      for (Tagged t : items) {
        // plain checks: AssertJ per item would dominate the run time
        if (t.seq() != nextSeq[t.producer()]) {
          throw new AssertionError("producer " + t.producer() + ": got seq " + t.seq() + ", expected " + nextSeq[t.producer()]);
        }
        if (!t.service().equals("p" + t.producer())) throw new AssertionError("resource lost for " + t);
        nextSeq[t.producer()]++;
        total++;
      }
    }
    for (int id = 0; id < PRODUCERS; id++) assertThat(nextSeq[id]).as("producer %d delivered", id).isEqualTo(ITEMS_PER_PRODUCER);
    assertThat(total).isEqualTo((long) PRODUCERS * ITEMS_PER_PRODUCER);
    assertThat(registry.get("otelcol.processor.batch.batch.send.size").tag("signal", signal.lowerName())
        .summary().totalAmount()).isEqualTo(total);
    assertThat(registry.get("otelcol.processor.dropped." + signal.itemName()).counter().count()).isZero();
    assertThat(registry.get("otelcol.processor.refused." + signal.itemName()).counter().count())
        .isEqualTo(refusals.get() * ITEMS_PER_REQUEST);
  }
}
