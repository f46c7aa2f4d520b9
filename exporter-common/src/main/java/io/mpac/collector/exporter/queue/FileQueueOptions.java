package io.mpac.collector.exporter.queue;

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
 */
public record FileQueueOptions(long segmentBytes, boolean fsync, Duration lockTimeout, FileOps fileOps) {

  public static final long DEFAULT_SEGMENT_BYTES = 8L << 20;
  public static final long MIN_SEGMENT_BYTES = 4L << 10;
  public static final long MAX_SEGMENT_BYTES = 1L << 30;
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(1);

  public FileQueueOptions {
    if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
      throw new IllegalArgumentException("segment size must be between " + MIN_SEGMENT_BYTES + " and "
          + MAX_SEGMENT_BYTES + " bytes: " + segmentBytes);
    }
    Objects.requireNonNull(lockTimeout, "lockTimeout");
    if (lockTimeout.isNegative()) throw new IllegalArgumentException("lock timeout must not be negative: " + lockTimeout);
    Objects.requireNonNull(fileOps, "fileOps");
  }

  /** 8 MiB segments, no fsync, 1 s lock timeout, the real file system. */
  public static FileQueueOptions defaults() {
    return new FileQueueOptions(DEFAULT_SEGMENT_BYTES, false, DEFAULT_LOCK_TIMEOUT, FileOps.DEFAULT);
  }

  public FileQueueOptions withSegmentBytes(long bytes) {
    return new FileQueueOptions(bytes, fsync, lockTimeout, fileOps);
  }

  public FileQueueOptions withFsync(boolean on) {
    return new FileQueueOptions(segmentBytes, on, lockTimeout, fileOps);
  }

  public FileQueueOptions withLockTimeout(Duration timeout) {
    return new FileQueueOptions(segmentBytes, fsync, timeout, fileOps);
  }

  public FileQueueOptions withFileOps(FileOps ops) {
    return new FileQueueOptions(segmentBytes, fsync, lockTimeout, ops);
  }
}
