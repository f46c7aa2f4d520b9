package io.mpac.collector.exporter.queue;

import static io.mpac.collector.exporter.queue.FileQueueStoreTest.kib;
import static io.mpac.collector.exporter.queue.FileQueueStoreTest.offer;
import static io.mpac.collector.exporter.queue.FileQueueStoreTest.payloads;
import static io.mpac.collector.exporter.queue.FileQueueStoreTest.small;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handoff: a record offered to a {@link FileQueueStore} is written to disk and also handed to
 * the taker from memory while the taker keeps up. Durability must not change: what was handed over
 * and not acked is on disk and comes back, exactly once, after a restart.
 */
class FileQueueHandoffTest {

  private static final QueueLimits UNLIMITED =
      new QueueLimits(QueueLimits.UNLIMITED, QueueLimits.UNLIMITED, QueueLimits.UNLIMITED);
  /** The disk frame of a {@link FileQueueStoreTest#kib} record: header + tag byte + 990 bytes. */
  private static final int KIB_FRAME = 20 + 1 + 990;

  @TempDir Path dir;

  private FileQueueStore<String> open(long handoffBytes) throws IOException {
    return FileQueueStore.open(dir, TextCodec.INSTANCE, UNLIMITED, small().withHandoffBytes(handoffBytes));
  }

  @Test
  void aTakerThatKeepsUpGetsTheOfferedPayloadItselfWithItsFigures() throws Exception {
    try (FileQueueStore<String> store = open(1 << 20)) {
      String payload = kib(1);
      assertThat(store.offer(payload, 7, 1234, 0)).isEqualTo(QueueStore.OfferResult.ACCEPTED);
      Lease<String> lease = store.take(0);
      assertThat(lease.payload()).isSameAs(payload); // not read back and decoded
      assertThat(lease.items()).isEqualTo(7);
      assertThat(lease.bytes()).isEqualTo(1234);
      assertThat(lease.redelivered()).isFalse();
      assertThat(store.stats().handedOver()).isEqualTo(1);
      assertThat(store.usage().count()).isEqualTo(1);
      store.ack(lease);
      assertThat(store.usage()).isEqualTo(new QueueStore.Usage(0, 0, store.usage().bytes()));
    }
  }

  @Test
  void withoutHandoffEveryRecordIsReadBackFromDisk() throws Exception {
    try (FileQueueStore<String> store = open(0)) {
      String payload = kib(1);
      offer(store, payload);
      Lease<String> lease = store.take(0);
      assertThat(lease.payload()).isEqualTo(payload).isNotSameAs(payload);
      assertThat(store.stats().handedOver()).isZero();
    }
  }

  @Test
  void theHandoffHoldsAtMostItsBytesAndTheRestIsReadFromDiskInOrder() throws Exception {
    try (FileQueueStore<String> store = open(2 * KIB_FRAME + KIB_FRAME / 2)) {
      List<String> offered = IntStream.range(0, 6).mapToObj(FileQueueStoreTest::kib).toList();
      for (String p : offered) offer(store, p);
      List<Lease<String>> first = takeAll(store);
      assertThat(payloads(first)).containsExactlyElementsOf(offered);
      assertThat(store.stats().handedOver()).isEqualTo(2); // records 0 and 1; 2..5 did not fit
      assertThat(first.get(0).payload()).isSameAs(offered.get(0));
      assertThat(first.get(2).payload()).isNotSameAs(offered.get(2));
      // taken records free the handoff: the next ones are handed over again
      for (int i = 6; i < 8; i++) offer(store, kib(i));
      assertThat(payloads(takeAll(store))).containsExactly(kib(6), kib(7));
      assertThat(store.stats().handedOver()).isEqualTo(4);
    }
  }

  @Test
  void handedOverRecordsNotAckedComeBackExactlyOnceAfterARestart() throws Exception {
    List<String> notAcked = new ArrayList<>();
    try (FileQueueStore<String> store = open(1 << 20)) {
      for (int i = 0; i < 10; i++) offer(store, kib(i)); // three segments
      List<Lease<String>> leases = takeAll(store);
      assertThat(store.stats().handedOver()).isEqualTo(10);
      for (Lease<String> l : leases) {
        if (leases.indexOf(l) % 2 == 1) store.ack(l);
        else notAcked.add(l.payload());
      }
      for (int i = 10; i < 12; i++) offer(store, kib(i)); // offered, never taken
      notAcked.add(kib(10));
      notAcked.add(kib(11));
    } // close acks nothing: what was not acked must all come back
    try (FileQueueStore<String> store = open(1 << 20)) {
      assertThat(store.recoveryReport().clean()).isTrue();
      assertThat(store.recoveryReport().recordsRecovered()).isEqualTo(notAcked.size());
      List<Lease<String>> again = takeAll(store);
      assertThat(payloads(again)).containsExactlyElementsOf(notAcked);
      assertThat(again).allMatch(Lease::redelivered);
      assertThat(store.stats().handedOver()).isZero(); // recovered records are read from disk
      again.forEach(store::ack);
    }
    try (FileQueueStore<String> store = open(1 << 20)) {
      assertThat(store.recoveryReport().recordsRecovered()).isZero();
      assertThat(store.take(0)).isNull();
    }
  }

  @Test
  void compactionWhileRecordsWaitInTheHandoffKeepsOrderAndCount() throws Exception {
    try (FileQueueStore<String> store = open(1 << 20)) {
      for (int i = 0; i < 8; i++) offer(store, kib(i)); // segment 1: 0..3, segment 2: 4..7
      for (int i = 0; i < 3; i++) store.ack(store.take(0)); // segment 1: only record 3 is live
      offer(store, kib(8)); // segment 2 is sealed, segment 3 is written
      assertThat(store.compact().segmentsRewritten()).isGreaterThanOrEqualTo(1);
      // record 3 now sits at the start of the rewritten file; 4..8 must still come once each, in order
      List<Lease<String>> rest = takeAll(store);
      assertThat(payloads(rest)).containsExactly(kib(3), kib(4), kib(5), kib(6), kib(7), kib(8));
      assertThat(store.take(0)).isNull();
    }
  }

  /** {@link TextCodec} that says how long its encoding is, so the store encodes into its write buffer. */
  private static final class SizedTextCodec implements RecordCodec<String> {
    int lie;

    @Override
    public byte[] encode(String payload) {
      return TextCodec.INSTANCE.encode(payload);
    }

    @Override
    public String decode(byte[] buf, int offset, int length) throws IOException {
      return TextCodec.INSTANCE.decode(buf, offset, length);
    }

    @Override
    public int encodedLength(String payload) {
      return 1 + payload.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + lie;
    }

    @Override
    public void encodeInto(String payload, java.nio.ByteBuffer out) {
      out.put(TextCodec.TAG).put(payload.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  @Test
  void aCodecThatKnowsItsLengthIsWrittenInPlaceInTheSameFormat() throws Exception {
    SizedTextCodec sized = new SizedTextCodec();
    List<String> offered = IntStream.range(0, 9).mapToObj(i -> i == 4 ? "ü".repeat(3000) : kib(i)).toList();
    try (FileQueueStore<String> store = FileQueueStore.open(dir, sized, UNLIMITED, small().withHandoffBytes(0))) {
      for (String p : offered) offer(store, p);
      assertThat(payloads(takeAll(store))).containsExactlyElementsOf(offered); // read back, checksums verified
      sized.lie = 1; // announces one byte more than it writes: refused, nothing reserved, nothing written
      long bytes = store.usage().bytes();
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.offer("short", 1, 5, 0))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("announced");
      assertThat(store.usage().count()).isEqualTo(offered.size());
      assertThat(store.usage().bytes()).isEqualTo(bytes);
    }
    // the plain codec reads what was written in place: the format did not change
    try (FileQueueStore<String> store = FileQueueStore.open(dir, TextCodec.INSTANCE, UNLIMITED, small())) {
      assertThat(store.recoveryReport().clean()).isTrue();
      assertThat(payloads(takeAll(store))).containsExactlyElementsOf(offered);
    }
  }

  private static List<Lease<String>> takeAll(QueueStore<String> store) throws InterruptedException {
    List<Lease<String>> out = new ArrayList<>();
    for (Lease<String> l; (l = store.take(0)) != null; ) out.add(l);
    return out;
  }
}
