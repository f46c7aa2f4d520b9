package io.mpac.collector.exporter.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpac.collector.exporter.queue.QueueStore.OfferResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileQueueStoreTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final QueueLimits UNLIMITED =
      new QueueLimits(QueueLimits.UNLIMITED, QueueLimits.UNLIMITED, QueueLimits.UNLIMITED);

  @TempDir Path dir;

  static FileQueueStore<String> open(Path dir, QueueLimits limits, FileQueueOptions options) throws IOException {
    return FileQueueStore.open(dir, TextCodec.INSTANCE, limits, options);
  }

  static FileQueueStore<String> open(Path dir) throws IOException {
    return open(dir, UNLIMITED, FileQueueOptions.defaults());
  }

  /** 4 KiB segments: four records of {@link #kib(int)} per segment. */
  static FileQueueOptions small() {
    return FileQueueOptions.defaults().withSegmentBytes(4096);
  }

  /** A payload of about 1000 bytes that names {@code n}. */
  static String kib(int n) {
    String head = "record-" + n + ":";
    return head + "x".repeat(990 - head.length());
  }

  static void offer(QueueStore<String> store, String payload) throws InterruptedException {
    assertThat(store.offer(payload, 1, payload.length(), 0)).isEqualTo(OfferResult.ACCEPTED);
  }

  static List<Lease<String>> drain(QueueStore<String> store) throws InterruptedException {
    List<Lease<String>> out = new ArrayList<>();
    for (Lease<String> l; (l = store.take(0)) != null; ) out.add(l);
    return out;
  }

  static List<String> payloads(List<Lease<String>> leases) {
    return leases.stream().map(Lease::payload).toList();
  }

  static long files(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().endsWith(suffix)).count();
    }
  }

  @Test
  void roundTripKeepsPayloadItemsAndBytes() throws Exception {
    try (FileQueueStore<String> store = open(dir)) {
      assertThat(store.persistent()).isTrue();
      assertThat(store.offer("héllo", 7, 1234, 0)).isEqualTo(OfferResult.ACCEPTED);
      assertThat(store.usage().count()).isEqualTo(1);
      assertThat(store.usage().items()).isEqualTo(7);
      // on disk: the segment header, the record frame (20) and the codec's 1 + 6 bytes
      assertThat(store.usage().bytes()).isEqualTo(8 + 20 + 7);
      Lease<String> lease = store.take(SECOND);
      assertThat(lease.payload()).isEqualTo("héllo");
      assertThat(lease.items()).isEqualTo(7);
      assertThat(lease.bytes()).isEqualTo(1234);
      assertThat(lease.redelivered()).isFalse();
      assertThat(store.take(0)).isNull();
      store.ack(lease);
      assertThat(store.usage().count()).isZero();
      assertThat(store.usage().items()).isZero();
    }
  }

  @Test
  void oneTakerGetsFifoOrderAcrossSegments() throws Exception {
    List<String> offered = new ArrayList<>();
    try (FileQueueStore<String> store = open(dir, UNLIMITED, small())) {
      for (int i = 0; i < 60; i++) {
        String p = i % 3 == 0 ? kib(i) : "short-" + i;
        offered.add(p);
        offer(store, p);
      }
      assertThat(files(dir, ".log")).isGreaterThan(5);
      List<Lease<String>> taken = drain(store);
      assertThat(payloads(taken)).containsExactlyElementsOf(offered);
      assertThat(taken).extracting(Lease::id).doesNotHaveDuplicates();
    }
  }

  @Test
  void restartRedeliversExactlyTheUnacked() throws Exception {
    List<String> expected = new ArrayList<>();
    try (FileQueueStore<String> store = open(dir, UNLIMITED, small())) {
      for (int i = 0; i < 20; i++) offer(store, kib(i));
      List<Lease<String>> taken = new ArrayList<>();
      for (int i = 0; i < 10; i++) taken.add(store.take(0));
      for (int i = 0; i < 10; i++) {
        if (i % 2 == 1) store.ack(taken.get(i));
      }
      for (int i = 0; i < 20; i++) {
        if (i >= 10 || i % 2 == 0) expected.add(kib(i));
      }
    }
    try (FileQueueStore<String> store = open(dir, UNLIMITED, small())) {
      assertThat(store.recoveryReport().clean()).isTrue();
      assertThat(store.recoveryReport().recordsRecovered()).isEqualTo(15);
      assertThat(store.usage().count()).isEqualTo(15);
      List<Lease<String>> again = drain(store);
      assertThat(payloads(again)).containsExactlyElementsOf(expected);
      assertThat(again).allMatch(Lease::redelivered);
      again.forEach(store::ack);
      assertThat(store.usage().count()).isZero();
    }
    try (FileQueueStore<String> store = open(dir, UNLIMITED, small())) {
      assertThat(store.take(0)).isNull();
      assertThat(store.usage().count()).isZero();
      // every recovered segment was fully acked and deleted: only the new write segment is left
      assertThat(files(dir, ".log")).isEqualTo(1);
    }
  }

  @Test
  void outOfOrderAcksAreAllPersisted() throws Exception {
    try (FileQueueStore<String> store = open(dir, UNLIMITED, small())) {
      for (int i = 0; i < 12; i++) offer(store, kib(i));
      List<Lease<String>> taken = drain(store);
      int[] order = {7, 2, 11, 0, 5, 9, 3, 10, 1, 8, 4};
      for (int i : order) store.ack(taken.get(i));
      store.ack(taken.get(7)); // idempotent
      assertThat(store.usage().count()).isEqualTo(1);
    }
    try (FileQueueStore<String> store = open(dir, UNLIMITED, small())) {
      assertThat(payloads(drain(store))).containsExactly(kib(6));
    }
  }

  @Test
  void ackedSegmentsAreDeletedAndDiskComesBack() throws Exception {
    try (FileQueueStore<String> store = open(dir, UNLIMITED, small())) {
      for (int i = 0; i < 40; i++) offer(store, kib(i));
      assertThat(files(dir, ".log")).isEqualTo(10);
      long full = store.usage().bytes();
      assertThat(full).isGreaterThan(40 * 1000);
      List<Lease<String>> taken = drain(store);
      for (int i = 0; i < 20; i++) store.ack(taken.get(i));
      assertThat(files(dir, ".log")).isEqualTo(5);
      assertThat(store.usage().bytes()).isLessThan(full / 2 + 1000);
      for (int i = 20; i < 40; i++) store.ack(taken.get(i));
      // the segment being written stays (with its acked records) until the next one starts
      assertThat(files(dir, ".log")).isEqualTo(1);
      assertThat(store.usage().bytes()).isLessThan(4096 + 4 * 8 + 8);
      assertThat(store.stats().segments()).isEqualTo(1);
      long onDisk;
      try (Stream<Path> s = Files.list(dir)) {
        onDisk = s.filter(p -> !p.getFileName().toString().equals("lock")).mapToLong(p -> p.toFile().length()).sum();
      }
      assertThat(store.usage().bytes()).isEqualTo(onDisk);
    }
  }

  @Test
  void diskBoundRefusesThenAcceptsOnceSegmentsAreFreed() throws Exception {
    QueueLimits limits = new QueueLimits(QueueLimits.UNLIMITED, QueueLimits.UNLIMITED, 12_000);
    try (FileQueueStore<String> store = open(dir, limits, small())) {
      int accepted = 0;
      while (store.offer(kib(accepted), 1, 1000, 0) == OfferResult.ACCEPTED) accepted++;
      assertThat(accepted).isBetween(8, 12);
      assertThat(store.usage().bytes()).isLessThanOrEqualTo(12_000);
      assertThat(store.offer(kib(99), 1, 1000, 0)).isEqualTo(OfferResult.FULL);
      CompletableFuture<OfferResult> waiting = CompletableFuture.supplyAsync(() -> {
        try {
          return store.offer(kib(100), 1, 1000, 10 * SECOND);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      // acking one record frees no disk (its segment still holds live ones)
      List<Lease<String>> firstSegment = new ArrayList<>();
      for (int i = 0; i < 4; i++) firstSegment.add(store.take(0));
      store.ack(firstSegment.get(0));
      assertThat(store.offer(kib(101), 1, 1000, 0)).isEqualTo(OfferResult.FULL);
      for (Lease<String> l : firstSegment) store.ack(l);
      assertThat(waiting.get(10, TimeUnit.SECONDS)).isEqualTo(OfferResult.ACCEPTED);
      assertThat(store.usage().bytes()).isLessThanOrEqualTo(12_000);
    }
  }

  @Test
  void emptyStoreTakesAnOversizedPayload() throws Exception {
    QueueLimits limits = new QueueLimits(QueueLimits.UNLIMITED, QueueLimits.UNLIMITED, 1000);
    String big = "B".repeat(50_000);
    try (FileQueueStore<String> store = open(dir, limits, small())) {
      assertThat(store.offer(big, 1, big.length(), 0)).isEqualTo(OfferResult.ACCEPTED);
      assertThat(store.offer("small", 1, 5, 0)).isEqualTo(OfferResult.FULL);
    }
    try (FileQueueStore<String> store = open(dir, limits, small())) {
      Lease<String> lease = store.take(0);
      assertThat(lease.payload()).isEqualTo(big);
      assertThat(lease.redelivered()).isTrue();
      store.ack(lease);
      assertThat(store.offer("small", 1, 5, 0)).isEqualTo(OfferResult.ACCEPTED);
    }
  }

  @Test
  void countAndItemLimitsApply() throws Exception {
    try (FileQueueStore<String> store = open(dir, new QueueLimits(2, 10, QueueLimits.UNLIMITED), small())) {
      assertThat(store.offer("a", 4, 1, 0)).isEqualTo(OfferResult.ACCEPTED);
      assertThat(store.offer("b", 7, 1, 0)).isEqualTo(OfferResult.FULL);
      assertThat(store.offer("b", 6, 1, 0)).isEqualTo(OfferResult.ACCEPTED);
      assertThat(store.offer("c", 0, 1, 0)).isEqualTo(OfferResult.FULL);
    }
  }

  @Test
  void closeForOffersLetsTakersDrainThenFinish() throws Exception {
    try (FileQueueStore<String> store = open(dir)) {
      offer(store, "a");
      store.closeForOffers();
      assertThat(store.offer("b", 1, 1, 0)).isEqualTo(OfferResult.CLOSED);
      assertThat(store.finished()).isFalse();
      Lease<String> a = store.take(SECOND);
      assertThat(a.payload()).isEqualTo("a");
      assertThat(store.finished()).isTrue();
      long start = System.nanoTime();
      assertThat(store.take(10 * SECOND)).isNull();
      assertThat(System.nanoTime() - start).isLessThan(5 * SECOND); // returns at once, not after the wait
    }
  }

  @Test
  void abandonKeepsEverythingOnDisk() throws Exception {
    try (FileQueueStore<String> store = open(dir)) {
      offer(store, "a");
      offer(store, "b");
      assertThat(store.abandon()).isEmpty();
      assertThat(store.take(0)).isNull();
      assertThat(store.finished()).isTrue();
    }
    try (FileQueueStore<String> store = open(dir)) {
      assertThat(payloads(drain(store))).containsExactly("a", "b");
    }
  }

  @Test
  void afterCloseOffersAreClosedAndAcksDoNothing() throws Exception {
    FileQueueStore<String> store = open(dir);
    offer(store, "a");
    Lease<String> a = store.take(0);
    store.close();
    store.close(); // idempotent
    assertThat(store.offer("b", 1, 1, 0)).isEqualTo(OfferResult.CLOSED);
    assertThat(store.take(0)).isNull();
    store.ack(a); // after close: not journaled, so "a" comes back
    try (FileQueueStore<String> again = open(dir)) {
      assertThat(payloads(drain(again))).containsExactly("a");
    }
  }

  @Test
  void secondStoreOnADirectoryFailsClearlyAfterTheLockTimeout() throws Exception {
    try (FileQueueStore<String> first = open(dir)) {
      offer(first, "a");
      FileQueueOptions impatient = FileQueueOptions.defaults().withLockTimeout(Duration.ofMillis(200));
      long start = System.nanoTime();
      assertThatThrownBy(() -> open(dir, UNLIMITED, impatient))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("queue directory " + dir.toAbsolutePath())
          .hasMessageContaining("in use by another store")
          .hasMessageContaining("held by process " + ProcessHandle.current().pid());
      assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
      assertThat(payloads(drain(first))).containsExactly("a"); // the failed open touched nothing
    }
    try (FileQueueStore<String> second = open(dir, UNLIMITED, FileQueueOptions.defaults())) {
      assertThat(payloads(drain(second))).containsExactly("a");
    }
  }

  @Test
  void optionsRefuseNonsense() {
    assertThatThrownBy(() -> FileQueueOptions.defaults().withSegmentBytes(100))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("segment size");
    assertThatThrownBy(() -> FileQueueOptions.defaults().withLockTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lock timeout");
  }

  @Test
  void compactionMovesLiveRecordsOfMostlyAckedSegments() throws Exception {
    List<String> unacked = new ArrayList<>();
    try (FileQueueStore<String> store = open(dir, UNLIMITED, small())) {
      for (int i = 0; i < 40; i++) offer(store, kib(i));
      List<Lease<String>> taken = drain(store);
      for (int i = 0; i < 40; i++) {
        if (i % 4 == 1) unacked.add(kib(i));
        else store.ack(taken.get(i));
      }
      assertThat(files(dir, ".log")).isEqualTo(10); // one live record pins each segment
    }
    try (FileQueueStore<String> store = open(dir, UNLIMITED, small())) {
      long before = store.usage().bytes();
      FileQueueStore.CompactionResult result = store.compact();
      assertThat(result.segmentsRewritten()).isEqualTo(10);
      assertThat(result.recordsMoved()).isEqualTo(10);
      assertThat(result.bytesReclaimed()).isGreaterThan(20_000);
      assertThat(store.usage().bytes()).isEqualTo(before - result.bytesReclaimed());
      assertThat(store.usage().count()).isEqualTo(10);
      assertThat(files(dir, ".log")).isEqualTo(2); // the compacted segment and the write segment
      assertThat(store.compact().segmentsRewritten()).isZero(); // nothing left worth moving
      List<Lease<String>> leases = drain(store);
      assertThat(payloads(leases)).containsExactlyElementsOf(unacked);
      assertThat(leases).allMatch(Lease::redelivered);
      store.ack(leases.get(0));
    }
    try (FileQueueStore<String> store = open(dir, UNLIMITED, small())) {
      assertThat(store.recoveryReport().clean()).isTrue();
      assertThat(payloads(drain(store))).containsExactlyElementsOf(unacked.subList(1, unacked.size()));
    }
  }

  @Test
  void compactionLeavesSegmentsWithLeasesInFlight() throws Exception {
    try (FileQueueStore<String> store = open(dir, UNLIMITED, small())) {
      for (int i = 0; i < 8; i++) offer(store, kib(i));
      List<Lease<String>> taken = drain(store);
      for (int i = 1; i < 8; i++) store.ack(taken.get(i));
      assertThat(store.compact(1.0).segmentsRewritten()).isZero();
      store.ack(taken.get(0));
      assertThat(store.usage().count()).isZero();
    }
  }

  @Test
  void leftoversOfAnInterruptedCompactionAreRemoved() throws Exception {
    try (FileQueueStore<String> store = open(dir)) {
      offer(store, "a");
    }
    Files.write(dir.resolve("compact-1.tmp"), new byte[100]);
    try (FileQueueStore<String> store = open(dir)) {
      assertThat(store.recoveryReport().temporaryFilesRemoved()).isEqualTo(1);
      assertThat(dir.resolve("compact-1.tmp")).doesNotExist();
      Files.write(dir.resolve("compact-7.acks.tmp"), new byte[8]);
      assertThat(store.cleanupTemporaryFiles()).isEqualTo(1);
      assertThat(store.cleanupTemporaryFiles()).isZero();
      assertThat(payloads(drain(store))).containsExactly("a");
    }
  }

  @Test
  void fsyncStoreAcceptsConcurrentOffersAndKeepsThem() throws Exception {
    FileQueueOptions durable = small().withFsync(true);
    try (FileQueueStore<String> store = open(dir, UNLIMITED, durable)) {
      List<CompletableFuture<Void>> producers = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int base = t * 1000;
        producers.add(CompletableFuture.runAsync(() -> {
          try {
            for (int i = 0; i < 25; i++) offer(store, kib(base + i));
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        }));
      }
      CompletableFuture.allOf(producers.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
      List<Lease<String>> leases = drain(store);
      assertThat(leases).hasSize(100);
      for (int i = 0; i < 50; i++) store.ack(leases.get(i));
      assertThat(store.stats().syncFailures()).isZero();
    }
    try (FileQueueStore<String> store = open(dir, UNLIMITED, durable)) {
      assertThat(drain(store)).hasSize(50);
    }
  }
}
