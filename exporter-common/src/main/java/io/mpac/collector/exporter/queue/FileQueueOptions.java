package io.mpac.collector.exporter.queue;

import io.mpac.collector.component.HeapBudget;
import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link FileQueueStore} writes.
 *
 * @param segmentBytes the size at which the store starts a new segment file (a record larger than
 *     this gets a segment of its own); 4 KiB to 1 GiB. Disk comes back one segment at a time, so
 *     smaller segments free space sooner and larger ones mean fewer files.
 * @param fsync when true, {@link QueueStore#offer} and {@link QueueStore#ack} return only once their
 *     bytes are forced to the device (one force serves every offer and ack waiting at that moment),
 *     so what was accepted survives a power loss; when false they return after the write system
 *     call, which survives a crash of the process (the kernel's page cache) but not of the machine
 * @param lockTimeout how long opening waits for another store (in this or another process) to
 *     release the directory before it fails with an {@link java.io.IOException} naming it
 * @param fileOps how files are opened (tests inject failures here)
 * @param handoffBytes how many bytes of records (as framed on disk) the store keeps on the heap
 *     after writing them, until they are taken: a taker that keeps up gets the payload it was
 *     offered instead of reading, checking and decoding the record again. The record is on disk
 *     all the same; this only spares the read. 0 turns it off (every record is read back).
 */
public record FileQueueOptions(long segmentBytes, boolean fsync, Duration lockTimeout, FileOps fileOps,
    long handoffBytes) {

  public static final long DEFAULT_SEGMENT_BYTES = 8L << 20;
  public static final long MIN_SEGMENT_BYTES = 4L << 10;
  public static final long MAX_SEGMENT_BYTES = 1L << 30;
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(1);
  /** The default {@link #handoffBytes()}: this share of the max heap (half an in-memory queue's). */
  public static final double HANDOFF_HEAP_SHARE = HeapBudget.EXPORTER_QUEUE / 2;

  public FileQueueOptions {
    if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
      throw new IllegalArgumentException("segment size must be between " + MIN_SEGMENT_BYTES + " and "
          + MAX_SEGMENT_BYTES + " bytes: " + segmentBytes);
    }
    Objects.requireNonNull(lockTimeout, "lockTimeout");
    if (lockTimeout.isNegative()) throw new IllegalArgumentException("lock timeout must not be negative: " + lockTimeout);
    Objects.requireNonNull(fileOps, "fileOps");
    if (handoffBytes < 0) throw new IllegalArgumentException("handoff bytes must not be negative: " + handoffBytes);
  }

  /** 8 MiB segments, no fsync, 1 s lock timeout, the real file system, a handoff of 5% of the max heap. */
  public static FileQueueOptions defaults() {
    return new FileQueueOptions(DEFAULT_SEGMENT_BYTES, false, DEFAULT_LOCK_TIMEOUT, FileOps.DEFAULT,
        HeapBudget.share(HANDOFF_HEAP_SHARE));
  }

  public FileQueueOptions withSegmentBytes(long bytes) {
    return new FileQueueOptions(bytes, fsync, lockTimeout, fileOps, handoffBytes);
  }

  public FileQueueOptions withFsync(boolean on) {
    return new FileQueueOptions(segmentBytes, on, lockTimeout, fileOps, handoffBytes);
  }

  public FileQueueOptions withLockTimeout(Duration timeout) {
    return new FileQueueOptions(segmentBytes, fsync, timeout, fileOps, handoffBytes);
  }

  public FileQueueOptions withFileOps(FileOps ops) {
    return new FileQueueOptions(segmentBytes, fsync, lockTimeout, ops, handoffBytes);
  }

  /** {@code 0}: every record is read back from disk. */
  public FileQueueOptions withHandoffBytes(long bytes) {
    return new FileQueueOptions(segmentBytes, fsync, lockTimeout, fileOps, bytes);
  }
}
