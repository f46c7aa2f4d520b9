package io.mpac.collector.exporter.queue;

import static io.mpac.collector.exporter.queue.FileQueueStoreTest.drain;
import static io.mpac.collector.exporter.queue.FileQueueStoreTest.kib;
import static io.mpac.collector.exporter.queue.FileQueueStoreTest.offer;
import static io.mpac.collector.exporter.queue.FileQueueStoreTest.payloads;
import static io.mpac.collector.exporter.queue.FileQueueStoreTest.small;
import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.exporter.queue.QueueStore.OfferResult;
import io.mpac.collector.exporter.queue.RecoveryReport.Problem;
import io.mpac.collector.exporter.queue.RecoveryReport.Reason;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each kind of damage a store can find at open: it opens, reports what it skipped, serves the rest. */
class FileQueueRecoveryTest {

  private static final QueueLimits UNLIMITED =
      new QueueLimits(QueueLimits.UNLIMITED, QueueLimits.UNLIMITED, QueueLimits.UNLIMITED);
  private static final int FRAME = 20;
  private static final int KIB_FRAME = FRAME + 1 + 990; // tag byte + kib(n)

  @TempDir Path dir;

  private final List<LogRecord> warnings = new ArrayList<>();
  private final Logger storeLog = Logger.getLogger(FileQueueStore.class.getName());
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      if (record.getLevel() == Level.WARNING) {
        synchronized (warnings) {
          warnings.add(record);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void captureWarnings() {
    storeLog.addHandler(capture);
  }

  @AfterEach
  void release() {
    storeLog.removeHandler(capture);
  }

  private FileQueueStore<String> open() throws IOException {
    return FileQueueStore.open(dir, TextCodec.INSTANCE, UNLIMITED, small());
  }

  /** Writes {@code n} kib records (4 per segment) and closes: segment 1 holds records 0..3 and so on. */
  private void write(int n) throws Exception {
    try (FileQueueStore<String> store = open()) {
      for (int i = 0; i < n; i++) offer(store, kib(i));
    }
  }

  private Path segment(long seq) {
    return dir.resolve(String.format("segment-%020d.log", seq));
  }

  private Path journal(long seq) {
    return dir.resolve(String.format("segment-%020d.acks", seq));
  }

  private static List<String> kibs(int... ns) {
    List<String> out = new ArrayList<>();
    for (int n : ns) out.add(kib(n));
    return out;
  }

  private String warningText() {
    synchronized (warnings) {
      return warnings.stream().map(LogRecord::getMessage).reduce("", (a, b) -> a + b + "\n");
    }
  }

  @Test
  void tornTailIsTruncatedAndTheRestServed() throws Exception {
    write(3);
    long size = Files.size(segment(1));
    try (RandomAccessFile f = new RandomAccessFile(segment(1).toFile(), "rw")) {
      f.setLength(size - 7);
    }
    try (FileQueueStore<String> store = open()) {
      RecoveryReport report = store.recoveryReport();
      long tornAt = 8 + 2L * KIB_FRAME;
      assertThat(report.problems()).containsExactly(new Problem(Reason.TORN_TAIL, segment(1), tornAt, KIB_FRAME - 7));
      assertThat(report.recordsSkipped()).isEqualTo(1);
      assertThat(report.bytesSkipped()).isEqualTo(KIB_FRAME - 7);
      assertThat(report.recordsRecovered()).isEqualTo(2);
      assertThat(Files.size(segment(1))).isEqualTo(tornAt);
      assertThat(warningText()).contains("TORN_TAIL in " + segment(1) + " at offset " + tornAt);
      assertThat(payloads(drain(store))).containsExactlyElementsOf(kibs(0, 1));
    }
  }

  @Test
  void headerCutShortIsATornTailToo() throws Exception {
    write(2);
    long size = Files.size(segment(1));
    try (RandomAccessFile f = new RandomAccessFile(segment(1).toFile(), "rw")) {
      f.setLength(size - KIB_FRAME + 5); // five bytes of the second record's header
    }
    try (FileQueueStore<String> store = open()) {
      assertThat(store.recoveryReport().problems()).extracting(Problem::reason).containsExactly(Reason.TORN_TAIL);
      assertThat(payloads(drain(store))).containsExactlyElementsOf(kibs(0));
    }
  }

  @Test
  void flippedBytesSkipTheRestOfTheSegmentOnly() throws Exception {
    write(8); // segments 1 (0..3) and 2 (4..7)
    long flipAt = 8 + KIB_FRAME + FRAME + 500; // in record 1's payload
    try (RandomAccessFile f = new RandomAccessFile(segment(1).toFile(), "rw")) {
      f.seek(flipAt);
      int b = f.read();
      f.seek(flipAt);
      f.write(b ^ 0x10);
    }
    try (FileQueueStore<String> store = open()) {
      RecoveryReport report = store.recoveryReport();
      long recordAt = 8 + KIB_FRAME;
      assertThat(report.problems())
          .containsExactly(new Problem(Reason.CHECKSUM_MISMATCH, segment(1), recordAt, 4L * KIB_FRAME + 8 - recordAt));
      assertThat(report.recordsSkipped()).isEqualTo(1);
      assertThat(warningText()).contains("CHECKSUM_MISMATCH in " + segment(1) + " at offset " + recordAt);
      assertThat(payloads(drain(store))).containsExactlyElementsOf(kibs(0, 4, 5, 6, 7));
    }
  }

  @Test
  void damageAfterOpenIsFoundAtReadAndSkipsTheRestOfTheSegment() throws Exception {
    // without the handoff every record is read back from disk, so the damage shows at read
    try (FileQueueStore<String> store = FileQueueStore.open(dir, TextCodec.INSTANCE, UNLIMITED,
        small().withHandoffBytes(0))) {
      for (int i = 0; i < 6; i++) offer(store, kib(i)); // segment 1: 0..3, segment 2: 4..5
      try (RandomAccessFile f = new RandomAccessFile(segment(1).toFile(), "rw")) {
        long at = 8 + KIB_FRAME + FRAME + 10; // record 1's payload
        f.seek(at);
        int b = f.read();
        f.seek(at);
        f.write(b ^ 0x01);
      }
      Lease<String> first = store.take(0);
      assertThat(first.payload()).isEqualTo(kib(0));
      assertThat(payloads(drain(store))).containsExactlyElementsOf(kibs(4, 5));
      assertThat(store.stats().corruptRecordsAtRead()).isEqualTo(3); // records 1, 2 and 3
      assertThat(store.usage().count()).isEqualTo(3); // kib(0), kib(4), kib(5) are in flight
      assertThat(warningText()).contains(segment(1) + " offset " + (8 + KIB_FRAME) + ": checksum mismatch");
      store.ack(first);
      assertThat(segment(1)).doesNotExist(); // nothing live is left in it
    }
  }

  @Test
  void damageAfterOpenToAHandedOverRecordIsFoundAtTheNextOpen() throws Exception {
    try (FileQueueStore<String> store = open()) {
      for (int i = 0; i < 6; i++) offer(store, kib(i)); // segment 1: 0..3, segment 2: 4..5
      flipPayloadByteOfRecord1();
      // the taker gets what was offered, from memory: the damaged copy on disk is not read
      assertThat(payloads(drain(store))).containsExactlyElementsOf(kibs(0, 1, 2, 3, 4, 5));
      assertThat(store.stats().handedOver()).isEqualTo(6);
      assertThat(store.stats().corruptRecordsAtRead()).isZero();
    } // closed with nothing acked: every record is on disk for the next open
    try (FileQueueStore<String> store = open()) {
      long recordAt = 8 + KIB_FRAME;
      assertThat(store.recoveryReport().problems())
          .containsExactly(new Problem(Reason.CHECKSUM_MISMATCH, segment(1), recordAt, 4L * KIB_FRAME + 8 - recordAt));
      assertThat(payloads(drain(store))).containsExactlyElementsOf(kibs(0, 4, 5));
    }
  }

  private void flipPayloadByteOfRecord1() throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(segment(1).toFile(), "rw")) {
      long at = 8 + KIB_FRAME + FRAME + 10;
      f.seek(at);
      int b = f.read();
      f.seek(at);
      f.write(b ^ 0x01);
    }
  }

  @Test
  void unknownSegmentHeaderSkipsTheSegment() throws Exception {
    write(8);
    try (RandomAccessFile f = new RandomAccessFile(segment(2).toFile(), "rw")) {
      f.writeInt(0xCAFEBABE);
    }
    try (FileQueueStore<String> store = open()) {
      RecoveryReport report = store.recoveryReport();
      assertThat(report.problems()).extracting(Problem::reason).containsExactly(Reason.UNKNOWN_SEGMENT_HEADER);
      assertThat(report.segmentsSkipped()).isEqualTo(1);
      assertThat(payloads(drain(store))).containsExactlyElementsOf(kibs(0, 1, 2, 3));
    }
  }

  @Test
  void missingSegmentFileIsReportedAndTheOthersServed() throws Exception {
    write(12); // segments 1, 2, 3
    Files.delete(segment(2));
    try (FileQueueStore<String> store = open()) {
      RecoveryReport report = store.recoveryReport();
      assertThat(report.problems()).containsExactly(new Problem(Reason.MISSING_SEGMENT, segment(2), 0, 0));
      assertThat(report.segmentsSkipped()).isEqualTo(1);
      assertThat(report.recordsRecovered()).isEqualTo(8);
      assertThat(warningText()).contains("MISSING_SEGMENT in " + segment(2));
      assertThat(payloads(drain(store))).containsExactlyElementsOf(kibs(0, 1, 2, 3, 8, 9, 10, 11));
      assertThat(journal(2)).doesNotExist();
    }
  }

  @Test
  void fullyAckedSegmentsLeaveNoGapThatLooksMissing() throws Exception {
    try (FileQueueStore<String> store = open()) {
      for (int i = 0; i < 12; i++) offer(store, kib(i));
      List<Lease<String>> leases = drain(store);
      for (int i = 4; i < 8; i++) store.ack(leases.get(i)); // segment 2 is deleted, 1 and 3 stay
    }
    assertThat(segment(2)).doesNotExist();
    try (FileQueueStore<String> store = open()) {
      assertThat(store.recoveryReport().clean()).isTrue();
      assertThat(drain(store)).hasSize(8);
    }
  }

  @Test
  void missingAckJournalRedeliversTheWholeSegment() throws Exception {
    try (FileQueueStore<String> store = open()) {
      for (int i = 0; i < 4; i++) offer(store, kib(i));
      List<Lease<String>> leases = drain(store);
      store.ack(leases.get(0));
      store.ack(leases.get(2));
    }
    Files.delete(journal(1));
    try (FileQueueStore<String> store = open()) {
      RecoveryReport report = store.recoveryReport();
      assertThat(report.problems()).containsExactly(new Problem(Reason.MISSING_ACK_JOURNAL, journal(1), 0, 0));
      assertThat(report.recordsRecovered()).isEqualTo(4);
      assertThat(payloads(drain(store))).containsExactlyElementsOf(kibs(0, 1, 2, 3));
    }
  }

  @Test
  void corruptAckEntryRedeliversThatRecord() throws Exception {
    try (FileQueueStore<String> store = open()) {
      for (int i = 0; i < 4; i++) offer(store, kib(i));
      List<Lease<String>> leases = drain(store);
      store.ack(leases.get(0));
      store.ack(leases.get(2));
    }
    try (RandomAccessFile f = new RandomAccessFile(journal(1).toFile(), "rw")) {
      f.seek(8 + 6); // the second entry's check
      f.write(0x55);
      f.setLength(16 + 3); // and a torn third entry
    }
    try (FileQueueStore<String> store = open()) {
      assertThat(store.recoveryReport().problems()).extracting(Problem::reason, Problem::offset)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(Reason.CORRUPT_ACK_ENTRY, 8L),
              org.assertj.core.groups.Tuple.tuple(Reason.CORRUPT_ACK_ENTRY, 16L));
      assertThat(payloads(drain(store))).containsExactlyElementsOf(kibs(1, 2, 3));
    }
  }

  @Test
  void undecodableRecordIsSkippedCountedAndNeverReturns() throws Exception {
    try (FileQueueStore<String> store = open()) {
      offer(store, "good-1");
    }
    try (FileQueueStore<String> other = FileQueueStore.open(dir, TextCodec.UNTAGGED, UNLIMITED, small())) {
      offer(other, "written-by-another-version");
    }
    try (FileQueueStore<String> store = open()) {
      offer(store, "good-2");
    }
    try (FileQueueStore<String> store = open()) {
      assertThat(store.recoveryReport().clean()).isTrue(); // checksums are fine; open does not decode
      assertThat(store.usage().count()).isEqualTo(3);
      List<Lease<String>> leases = drain(store);
      assertThat(payloads(leases)).containsExactly("good-1", "good-2");
      assertThat(store.stats().undecodableRecords()).isEqualTo(1);
      assertThat(store.usage().count()).isEqualTo(2);
      assertThat(warningText()).contains("cannot be decoded, skipped").contains(segment(2).toString());
    }
    try (FileQueueStore<String> store = open()) {
      assertThat(payloads(drain(store))).containsExactly("good-1", "good-2");
      assertThat(store.stats().undecodableRecords()).isZero();
    }
  }

  @Test
  void diskFullDuringWriteRollsBackAndRecovers() throws Exception {
    FailingFileOps disk = new FailingFileOps(Long.MAX_VALUE);
    FileQueueOptions options = small().withFileOps(disk);
    try (FileQueueStore<String> store = FileQueueStore.open(dir, TextCodec.INSTANCE, UNLIMITED, options)) {
      for (int i = 0; i < 3; i++) offer(store, kib(i));
      long sizeBefore = Files.size(segment(1));
      long usageBefore = store.usage().bytes();
      disk.refill(300); // the next record gets 300 of its bytes written, then the disk is full
      assertThat(store.offer(kib(3), 1, 1000, 0)).isEqualTo(OfferResult.FULL);
      assertThat(disk.failures()).isEqualTo(1);
      assertThat(store.stats().writeFailures()).isEqualTo(1);
      assertThat(Files.size(segment(1))).isEqualTo(sizeBefore); // the partial record is gone
      assertThat(store.usage().bytes()).isEqualTo(usageBefore);
      assertThat(store.usage().count()).isEqualTo(3);
      disk.refill(Long.MAX_VALUE);
      offer(store, kib(3)); // segment 1 is now full
      disk.refill(0); // the next segment cannot be created
      assertThat(store.offer(kib(4), 1, 1000, 0)).isEqualTo(OfferResult.FULL);
      assertThat(store.stats().writeFailures()).isEqualTo(2);
      assertThat(segment(2)).doesNotExist();
      disk.refill(Long.MAX_VALUE); // space comes back
      offer(store, kib(5));
      offer(store, kib(6));
      List<String> expected = kibs(0, 1, 2, 3, 5, 6);
      assertThat(payloads(drain(store))).containsExactlyElementsOf(expected);
    }
    try (FileQueueStore<String> store = open()) {
      assertThat(store.recoveryReport().clean()).isTrue();
      assertThat(drain(store)).hasSize(6);
    }
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty();
    }
  }
}
