package io.mpac.collector.exporter.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.exporter.queue.QueueStore.OfferResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Several producers and consumers on one store: every record is delivered exactly once. */
class FileQueueConcurrencyTest {

  private static final int PRODUCERS = 3;
  private static final int CONSUMERS = 3;

  @TempDir Path dir;

  @ParameterizedTest(name = "fsync={0}")
  @ValueSource(booleans = {false, true})
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void everyRecordIsDeliveredExactlyOnce(boolean fsync) throws Exception {
    int perProducer = fsync ? 300 : 3000;
    int total = PRODUCERS * perProducer;
    // a bound that makes producers wait for consumers now and then
    QueueLimits limits = new QueueLimits(QueueLimits.UNLIMITED, QueueLimits.UNLIMITED, 256 << 10);
    FileQueueOptions options = FileQueueOptions.defaults().withSegmentBytes(32 << 10).withFsync(fsync);
    Set<String> delivered = ConcurrentHashMap.newKeySet();
    List<String> duplicates = new ArrayList<>();
    AtomicLong taken = new AtomicLong();
    ExecutorService pool = Executors.newFixedThreadPool(PRODUCERS + CONSUMERS);
    try (FileQueueStore<String> store = FileQueueStore.open(dir, TextCodec.INSTANCE, limits, options)) {
      List<Future<?>> producers = new ArrayList<>();
      for (int p = 0; p < PRODUCERS; p++) {
        int producer = p;
        producers.add(pool.submit(() -> {
          for (int i = 0; i < perProducer; i++) {
            String payload = "p" + producer + "-" + i + "-" + "y".repeat((i * 31) % 1500);
            OfferResult r = store.offer(payload, 1, payload.length(), TimeUnit.SECONDS.toNanos(30));
            if (r != OfferResult.ACCEPTED) throw new AssertionError("offer " + payload.substring(0, 12) + ": " + r);
          }
          return null;
        }));
      }
      List<Future<?>> consumers = new ArrayList<>();
      for (int c = 0; c < CONSUMERS; c++) {
        consumers.add(pool.submit(() -> {
          while (taken.get() < total) {
            Lease<String> lease = store.take(TimeUnit.MILLISECONDS.toNanos(100));
            if (lease == null) continue;
            taken.incrementAndGet();
            if (!delivered.add(lease.payload())) {
              synchronized (duplicates) {
                duplicates.add(lease.payload());
              }
            }
            store.ack(lease);
          }
          return null;
        }));
      }
      for (Future<?> f : producers) f.get(100, TimeUnit.SECONDS);
      for (Future<?> f : consumers) f.get(100, TimeUnit.SECONDS);
      assertThat(duplicates).isEmpty();
      assertThat(delivered).hasSize(total);
      for (int p = 0; p < PRODUCERS; p++) {
        for (int i = 0; i < perProducer; i += 97) {
          assertThat(delivered).contains("p" + p + "-" + i + "-" + "y".repeat((i * 31) % 1500));
        }
      }
      assertThat(store.take(0)).isNull();
      assertThat(store.usage().count()).isZero();
      assertThat(store.usage().items()).isZero();
      assertThat(store.stats().segments()).isEqualTo(1); // all sealed segments were acked and deleted
      assertThat(store.stats().writeFailures()).isZero();
    } finally {
      pool.shutdownNow();
    }
    try (FileQueueStore<String> store = FileQueueStore.open(dir, TextCodec.INSTANCE, limits, options)) {
      assertThat(store.take(0)).isNull(); // every ack was journaled
    }
  }
}
