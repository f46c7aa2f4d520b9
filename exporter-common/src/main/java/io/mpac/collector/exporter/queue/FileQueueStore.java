package io.mpac.collector.exporter.queue;

import io.mpac.collector.logging.RateLimitedLogger;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * A {@link QueueStore} on disk: what it accepted survives a restart and a crash of the process
 * (and, with {@link FileQueueOptions#fsync()}, of the machine).
 *
 * <h2>Files</h2>
 * One directory per store, used by one store at a time (a {@code lock} file held with
 * {@link FileChannel#tryLock()}; a second opener waits up to {@link FileQueueOptions#lockTimeout()}
 * and then fails with an {@link IOException} naming the directory).
 * <ul>
 *   <li>{@code segment-NNNNNNNNNNNNNNNNNNNN.log}: append-only records, numbered in FIFO order.
 *       An 8-byte header (magic {@code "MPQS"}, format version 1), then records, each framed as
 *       {@code int length, int crc32c, int items, long bytes, payload[length]} (big-endian). The
 *       CRC32C covers length, items, bytes and the payload, as written by the {@link RecordCodec}.
 *       A new segment starts when the current one would pass {@link FileQueueOptions#segmentBytes()};
 *       every open starts a new segment, so recovered segments are never written again.
 *   <li>{@code segment-NNNNNNNNNNNNNNNNNNNN.acks}: that segment's ack journal, one 8-byte entry per
 *       ack ({@code int offset of the record, int crc32c of the offset}), in ack order, so leases
 *       may be acked in any order. The entry {@code -1} marks a segment whose records are all
 *       acked; the segment file, then the journal, are deleted right after it. A segment is
 *       deleted as soon as all its records are acked and it is no longer the one being written.
 *   <li>{@code compact-*.tmp}: a compaction in progress; removed at open.
 * </ul>
 * A lease's {@link Lease#id()} is {@code segment number << 32 | offset}.
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>{@code offer} returns {@link OfferResult#ACCEPTED} only once the record is written with a
 *       {@code write} system call (fsync off) or forced to the device (fsync on; concurrent offers
 *       and acks share one force: group commit). {@code ack} returns once its journal entry is
 *       written (and forced, with fsync on).
 *   <li>Duplicate bound: after the process dies at any point (fsync off), or the machine (fsync on),
 *       the next store on the directory hands out again every record whose {@code offer} returned
 *       ACCEPTED and whose {@code ack} had not returned (plus, possibly, records whose offer was
 *       still running: written, but never reported accepted). The duplicates, records handed out
 *       before the crash and again after it, are therefore at most the leases taken and not acked
 *       (an ack in progress at the crash counts as not acked). Exceptions, all logged and counted:
 *       a journal write that failed
 *       ({@link Stats#ackWriteFailures()}), a missing or corrupt journal (conservative: redeliver),
 *       and a crash in the middle of {@link #compact} (the records being moved may come back twice,
 *       never zero times).
 *   <li>Records are handed out in the order they were accepted (FIFO for a single taker).
 *   <li>Disk bound: {@link Usage#bytes()} is the size of the segment and journal files, and
 *       {@link QueueLimits#maxBytes()} bounds it: an offer that would pass it returns
 *       {@link OfferResult#FULL}. A write that fails (disk full, I/O error) is truncated away, is
 *       counted ({@link Stats#writeFailures()}) and returns FULL; the store keeps working.
 *   <li>Heap does not grow with what is on disk: records are read back one at a time by a cursor.
 *       The store keeps a few counters per segment file, the leases in flight, the ack offsets
 *       of the one recovered segment being read, and the handoff (below).
 * </ul>
 *
 * <h2>Handoff</h2>
 * A record is always written before {@code offer} returns. The store also keeps the payload as
 * offered, up to {@link FileQueueOptions#handoffBytes()} of frames, until the read cursor reaches
 * it: a taker that keeps up then gets that object back without the read, checksum and decode of
 * bytes written a moment ago ({@link Stats#handedOver()} counts these). What was written is what
 * is on disk, so nothing changes for a restart: a handed-over record that is not acked comes back
 * from its segment like any other. Records that find the handoff full are read from disk; entries
 * the cursor has passed are dropped, and a compaction (which moves records) drops them all.
 * Payload objects must therefore not be changed after {@code offer}, as with any
 * {@link QueueStore}.
 *
 * <h2>Recovery</h2>
 * Open scans every segment in order, verifies every record's checksum and applies the journals.
 * Every unacked record becomes takeable again with {@link Lease#redelivered()} true. Damage is
 * skipped, logged (one WARNING line per problem with file and offset) and reported in
 * {@link #recoveryReport()}, never fatal: a torn tail record is truncated away; a record failing
 * its checksum hides the rest of its segment (the length field it would need to resync is not
 * trustworthy); a segment with an unknown header is skipped; a journal without its segment is
 * reported as lost records; a segment without its journal is handed out in full again. A record
 * the codec cannot decode is found when it is read, not at open (open does not decode): it is
 * logged, counted in {@link Stats#undecodableRecords()} and acked, and {@code take} moves on.
 *
 * @param <T> the payload type
 */
public final class FileQueueStore<T> implements QueueStore<T> {

  private static final Logger LOG = Logger.getLogger(FileQueueStore.class.getName());

  static final int SEGMENT_MAGIC = 0x4D505153; // "MPQS"
  static final int FORMAT_VERSION = 1;
  static final int SEGMENT_HEADER = 8;
  static final int RECORD_HEADER = 20;
  static final int ACK_ENTRY = 8;
  static final int SEGMENT_DONE = -1;
  static final String LOCK_FILE = "lock";
  private static final Pattern SEGMENT_NAME = Pattern.compile("segment-(\\d{20})\\.(log|acks)");
  private static final String TEMP_PREFIX = "compact-";
  private static final String TEMP_SUFFIX = ".tmp";
  private static final int MAX_PAYLOAD = Integer.MAX_VALUE - RECORD_HEADER - SEGMENT_HEADER;
  private static final int WRITE_BUFFER_MAX = 4 << 20;
  private static final int READ_AHEAD = 128 << 10;
  private static final int MAX_OPEN_JOURNALS = 16;
  private static final Set<StandardOpenOption> READ_WRITE = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE);
  private static final Set<StandardOpenOption> CREATE_NEW =
      Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW);
  private static final Set<StandardOpenOption> READ = Set.of(StandardOpenOption.READ);

  private final Path dir;
  private final RecordCodec<T> codec;
  private final QueueLimits limits;
  private final FileQueueOptions options;
  private final FileOps files;
  private final FileChannel lockChannel;
  private final FileLock fileLock;
  private final RecoveryReport recovery;
  private final RateLimitedLogger warnings =
      new RateLimitedLogger(LOG, Duration.ofSeconds(10), System::nanoTime);

  // Lock order: readLock -> appendLock -> ackLock -> lock (state). syncLock is taken alone.
  /** State: segments, counters, the read cursor, leases in flight. Never held during I/O on records. */
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  /** Serializes takers: the read cursor's I/O, the reader's channel and buffers. */
  private final ReentrantLock readLock = new ReentrantLock();
  /** Serializes writers: the write segment's channel and buffer. */
  private final ReentrantLock appendLock = new ReentrantLock();
  /** Serializes journal writes and segment deletion. */
  private final ReentrantLock ackLock = new ReentrantLock();

  // guarded by lock
  private final TreeMap<Long, Segment> segments = new TreeMap<>();
  /** Lease id -> items << 32 | frame bytes. */
  private final HashMap<Long, Long> inFlight = new HashMap<>();
  private long count;
  private long items;
  private long diskBytes;
  private long readable;
  private long pendingWrites;
  private Segment readSegment;
  private long readPosition;
  private boolean closed;
  private boolean abandoned;
  private boolean shutDown;
  /** Records written by this store and not yet read, in file order, at most {@link FileQueueOptions#handoffBytes()}. */
  private final ArrayDeque<Handoff<T>> handoff = new ArrayDeque<>();
  private long handoffBytes;

  // guarded by appendLock
  private Segment writeSegment;
  private FileChannel writeChannel;
  private boolean writeChannelBroken;
  private ByteBuffer writeBuffer = ByteBuffer.allocateDirect(64 << 10);
  private final ByteBuffer writeHeader = ByteBuffer.allocate(RECORD_HEADER);
  private final CRC32C writeCrc = new CRC32C();

  // guarded by readLock
  private Segment readChannelSegment;
  private FileChannel readChannel;
  private final ByteBuffer readHeader = ByteBuffer.allocate(RECORD_HEADER);
  /** Bytes [readAheadStart, readAheadStart + limit) of readAheadSegment: one pread serves several records. */
  private final ByteBuffer readAhead = ByteBuffer.allocateDirect(READ_AHEAD);
  private Segment readAheadSegment;
  private long readAheadStart;
  private final CRC32C readCrc = new CRC32C();

  // guarded by ackLock
  private final LinkedHashMap<Segment, FileChannel> journals = new LinkedHashMap<>(16, 0.75f, true);
  private final ByteBuffer ackBuffer = ByteBuffer.allocate(ACK_ENTRY);
  private final CRC32C ackCrc = new CRC32C();

  // group commit
  private final AtomicLong writeTickets = new AtomicLong();
  private final Set<FileChannel> unsynced = ConcurrentHashMap.newKeySet();
  private final ReentrantLock syncLock = new ReentrantLock();
  private final Condition syncDone = syncLock.newCondition();
  private long syncedTicket;
  private boolean syncing;

  private final AtomicLong writeFailures = new AtomicLong();
  private final AtomicLong ackWriteFailures = new AtomicLong();
  private final AtomicLong syncFailures = new AtomicLong();
  private final AtomicLong undecodableRecords = new AtomicLong();
  private final AtomicLong corruptRecordsAtRead = new AtomicLong();
  private final AtomicLong handedOver = new AtomicLong();

  /**
   * A record as it was offered, kept until the read cursor reaches it so the taker skips the read,
   * checksum and decode of what was written a moment ago.
   */
  private record Handoff<T>(Segment segment, long position, T payload, int items, long bytes, int frame) {}

  /** One segment file and its journal. Fields are guarded as the store's fields are. */
  private static final class Segment {
    final long seq;
    final Path log;
    final Path journal;
    boolean recovered;
    boolean sealed;
    boolean deleting;
    long firstRecord = SEGMENT_HEADER;
    /** End of the last record written (or verified at open): readers stop here. */
    long end = SEGMENT_HEADER;
    long fileBytes = SEGMENT_HEADER;
    long journalBytes;
    long liveCount;
    long liveBytes;
    long unread;
    long unreadItems;
    long inFlight;
    /** Sorted offsets acked before this open; loaded while the cursor is in a recovered segment. */
    int[] recoveredAcks;

    Segment(Path dir, long seq) {
      this.seq = seq;
      this.log = dir.resolve(String.format("segment-%020d.log", seq));
      this.journal = dir.resolve(String.format("segment-%020d.acks", seq));
    }
  }

  /**
   * Runtime failure counts, for the caller's metrics.
   *
   * @param writeFailures offers refused because the write failed (disk full, I/O error)
   * @param ackWriteFailures acks whose journal entry could not be written (the record will come
   *     back after a restart)
   * @param syncFailures forces that failed (fsync on): the offers waiting on them returned FULL
   *     although their records stay queued (a possible duplicate, never a loss)
   * @param undecodableRecords records the codec refused when they were read; skipped and acked
   * @param corruptRecordsAtRead records that failed their checksum when read after open (the disk
   *     changed under the store); the rest of their segment is skipped
   * @param segments segment files on disk
   * @param handedOver records taken from the handoff (as offered) instead of being read back from disk
   */
  public record Stats(long writeFailures, long ackWriteFailures, long syncFailures, long undecodableRecords,
      long corruptRecordsAtRead, int segments, long handedOver) {}

  /**
   * What {@link #compact} did.
   *
   * @param segmentsRewritten segment files whose live records were moved (then deleted or replaced)
   * @param recordsMoved live records copied
   * @param bytesReclaimed disk bytes freed
   */
  public record CompactionResult(int segmentsRewritten, long recordsMoved, long bytesReclaimed) {}

  private FileQueueStore(Path dir, RecordCodec<T> codec, QueueLimits limits, FileQueueOptions options,
      FileChannel lockChannel, FileLock fileLock) throws IOException {
    this.dir = dir;
    this.codec = codec;
    this.limits = limits;
    this.options = options;
    this.files = options.fileOps();
    this.lockChannel = lockChannel;
    this.fileLock = fileLock;
    this.recovery = recover();
  }

  /**
   * Opens (creating if needed) the store in {@code directory}, recovering what a previous store
   * left there.
   *
   * @throws IOException when the directory cannot be created or read, or another store holds it
   *     past {@link FileQueueOptions#lockTimeout()}
   */
  public static <T> FileQueueStore<T> open(Path directory, RecordCodec<T> codec, QueueLimits limits,
      FileQueueOptions options) throws IOException {
    Objects.requireNonNull(codec, "codec");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(options, "options");
    Path dir = directory.toAbsolutePath().normalize();
    Files.createDirectories(dir);
    Path lockPath = dir.resolve(LOCK_FILE);
    FileChannel lockChannel = FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    FileLock fileLock = null;
    try {
      fileLock = acquire(lockChannel, dir, options.lockTimeout());
      lockChannel.truncate(0);
      lockChannel.write(ByteBuffer.wrap((ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
      return new FileQueueStore<>(dir, codec, limits, options, lockChannel, fileLock);
    } catch (IOException | RuntimeException | Error e) {
      if (fileLock != null) fileLock.release();
      lockChannel.close();
      throw e;
    }
  }

  private static FileLock acquire(FileChannel channel, Path dir, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      FileLock held;
      try {
        held = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        held = null; // another store in this JVM has it
      }
      if (held != null) return held;
      long remaining = deadline - System.nanoTime();
      if (remaining <= 0) {
        String owner = "";
        try {
          ByteBuffer pid = ByteBuffer.allocate(32);
          channel.read(pid, 0);
          String text = new String(pid.array(), 0, pid.position(), StandardCharsets.US_ASCII).trim();
          if (!text.isEmpty()) owner = " (held by process " + text + ")";
        } catch (IOException ignored) {
          // the pid is only a hint
        }
        throw new IOException("queue directory " + dir + " is in use by another store" + owner
            + "; gave up after waiting " + timeout.toMillis() + " ms for " + dir.resolve(LOCK_FILE));
      }
      try {
        Thread.sleep(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(remaining), 50)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while waiting for the lock of queue directory " + dir);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // offer

  @Override
  public OfferResult offer(T payload, int payloadItems, long payloadBytes, long waitNanos)
      throws InterruptedException {
    // a codec that knows the length encodes straight into the write buffer; others make an array
    int known = codec.encodedLength(payload);
    byte[] data = known < 0 || RECORD_HEADER + (long) known > WRITE_BUFFER_MAX ? codec.encode(payload) : null;
    int length = data != null ? data.length : known;
    if (length > MAX_PAYLOAD) {
      throw new IllegalArgumentException("payload of " + length + " bytes is larger than a segment can hold");
    }
    long frame = RECORD_HEADER + (long) length;
    lock.lock();
    try {
      long remaining = waitNanos;
      while (!closed && !limits.fits(usageLocked(), payloadItems, frame)) {
        if (remaining <= 0) return OfferResult.FULL;
        remaining = notFull.awaitNanos(remaining);
      }
      if (closed) return OfferResult.CLOSED;
      count++;
      items += payloadItems;
      diskBytes += frame;
      pendingWrites++;
    } finally {
      lock.unlock();
    }
    long ticket;
    appendLock.lock();
    try {
      ticket = append(payload, data, payloadItems, payloadBytes, frame);
    } finally {
      appendLock.unlock();
    }
    if (ticket == CLOSED_TICKET) return OfferResult.CLOSED;
    if (ticket < 0) return OfferResult.FULL;
    if (options.fsync() && !awaitSynced(ticket)) return OfferResult.FULL;
    return OfferResult.ACCEPTED;
  }

  private static final long FAILED_TICKET = -1;
  private static final long CLOSED_TICKET = -2;

  /**
   * Writes one reserved record ({@code data}, or {@code payload} encoded into the write buffer when
   * {@code data} is null); returns its sync ticket, or {@link #FAILED_TICKET} (write failed) or
   * {@link #CLOSED_TICKET} (store closed) after giving the reservation back.
   */
  private long append(T payload, byte[] data, int payloadItems, long payloadBytes, long frame) {
    Segment segment = writeSegment;
    long start = -1;
    boolean shut;
    lock.lock();
    try {
      shut = shutDown;
    } finally {
      lock.unlock();
    }
    if (shut) {
      unreserve(payloadItems, frame);
      return CLOSED_TICKET;
    }
    try {
      if (writeChannelBroken || (segment.end > SEGMENT_HEADER && segment.end + frame > options.segmentBytes())) {
        segment = roll();
      }
      start = segment.end;
      if (data != null) {
        writeRecord(writeChannel, start, data, payloadItems, payloadBytes);
      } else {
        try {
          writeEncoded(writeChannel, start, payload, (int) frame, payloadItems, payloadBytes);
        } catch (RuntimeException e) { // the codec failed before anything was written
          unreserve(payloadItems, frame);
          throw e;
        }
      }
    } catch (IOException e) {
      if (start >= 0) {
        try {
          writeChannel.truncate(start);
        } catch (IOException t) {
          e.addSuppressed(t);
          writeChannelBroken = true; // leave the garbage behind: the next offer starts a new segment
        }
      }
      writeFailures.incrementAndGet();
      String file = segment.log.toString();
      warnings.log(Level.WARNING, "write:" + dir, () -> "queue write to " + file + " failed, offer refused: " + e);
      unreserve(payloadItems, frame);
      return FAILED_TICKET;
    }
    lock.lock();
    try {
      segment.end = start + frame;
      segment.fileBytes = segment.end;
      segment.liveCount++;
      segment.liveBytes += frame;
      segment.unread++;
      segment.unreadItems += payloadItems;
      readable++;
      pendingWrites--;
      if (handoffBytes + frame <= options.handoffBytes()) {
        handoff.addLast(new Handoff<>(segment, start, payload, payloadItems, payloadBytes, (int) frame));
        handoffBytes += frame;
      }
      notEmpty.signal();
    } finally {
      lock.unlock();
    }
    if (!options.fsync()) return 0;
    unsynced.add(writeChannel);
    return writeTickets.incrementAndGet();
  }

  private void unreserve(int payloadItems, long frame) {
    lock.lock();
    try {
      count--;
      items -= payloadItems;
      diskBytes -= frame;
      pendingWrites--;
      notFull.signalAll();
      notEmpty.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void writeRecord(FileChannel channel, long position, byte[] data, int payloadItems, long payloadBytes)
      throws IOException {
    int frame = RECORD_HEADER + data.length;
    if (writeBuffer.capacity() < frame && writeBuffer.capacity() < WRITE_BUFFER_MAX) {
      writeBuffer = ByteBuffer.allocateDirect(Math.min(WRITE_BUFFER_MAX, Integer.highestOneBit(frame - 1) << 1));
    }
    byte[] header = writeHeader.array();
    writeHeader.putInt(0, data.length).putInt(8, payloadItems).putLong(12, payloadBytes);
    writeCrc.reset();
    writeCrc.update(header, 0, 4);
    writeCrc.update(header, 8, RECORD_HEADER - 8);
    writeCrc.update(data, 0, data.length);
    writeHeader.putInt(4, (int) writeCrc.getValue());
    ByteBuffer buf = writeBuffer;
    buf.clear();
    buf.put(header);
    int copied = 0;
    long at = position;
    do {
      int chunk = Math.min(buf.remaining(), data.length - copied);
      buf.put(data, copied, chunk);
      copied += chunk;
      buf.flip();
      at = writeFully(channel, buf, at);
      buf.clear();
    } while (copied < data.length);
  }

  /** Encodes {@code payload} into the write buffer behind its header and writes the frame with one call. */
  private void writeEncoded(FileChannel channel, long position, T payload, int frame, int payloadItems,
      long payloadBytes) throws IOException {
    if (writeBuffer.capacity() < frame) {
      writeBuffer = ByteBuffer.allocateDirect(Math.min(WRITE_BUFFER_MAX, Integer.highestOneBit(frame - 1) << 1));
    }
    ByteBuffer buf = writeBuffer;
    buf.clear().position(RECORD_HEADER);
    codec.encodeInto(payload, buf);
    if (buf.position() != frame) {
      throw new IllegalStateException("codec " + codec.getClass().getName() + " wrote " + (buf.position() - RECORD_HEADER)
          + " bytes, not the " + (frame - RECORD_HEADER) + " it announced");
    }
    byte[] header = writeHeader.array();
    writeHeader.putInt(0, frame - RECORD_HEADER).putInt(8, payloadItems).putLong(12, payloadBytes);
    writeCrc.reset();
    writeCrc.update(header, 0, 4);
    writeCrc.update(header, 8, RECORD_HEADER - 8);
    buf.flip().position(RECORD_HEADER);
    writeCrc.update(buf); // the payload, read in place
    writeHeader.putInt(4, (int) writeCrc.getValue());
    buf.put(0, header).position(0);
    writeFully(channel, buf, position);
  }

  private static long writeFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
    long at = position;
    while (buf.hasRemaining()) at += channel.write(buf, at);
    return at;
  }

  /** Seals the write segment and starts the next one. Caller holds appendLock. */
  private Segment roll() throws IOException {
    Segment old = writeSegment;
    Segment next = new Segment(dir, old.seq + 1);
    FileChannel channel = createSegmentFiles(next);
    FileChannel oldChannel = writeChannel;
    writeChannel = channel;
    writeSegment = next;
    writeChannelBroken = false;
    if (options.fsync()) {
      try {
        oldChannel.force(false);
      } catch (IOException e) {
        syncFailures.incrementAndGet();
        warnings.log(Level.WARNING, "sync:" + dir, () -> "queue force of " + old.log + " failed: " + e);
      }
    }
    unsynced.remove(oldChannel);
    closeQuietly(oldChannel);
    boolean delete;
    lock.lock();
    try {
      segments.put(next.seq, next);
      diskBytes += next.fileBytes;
      old.sealed = true;
      delete = old.liveCount == 0 && !old.deleting;
      if (delete) old.deleting = true;
      notEmpty.signalAll(); // a reader parked at the old segment's end can move on
    } finally {
      lock.unlock();
    }
    if (delete) {
      ackLock.lock();
      try {
        deleteSegment(old);
      } finally {
        ackLock.unlock();
      }
    }
    return next;
  }

  /** Creates the segment file (with its header) and its empty journal; returns the open segment file. */
  private FileChannel createSegmentFiles(Segment segment) throws IOException {
    FileChannel channel = files.open(segment.log, CREATE_NEW);
    try {
      ByteBuffer header = ByteBuffer.allocate(SEGMENT_HEADER).putInt(SEGMENT_MAGIC).putInt(FORMAT_VERSION).flip();
      writeFully(channel, header, 0);
      files.open(segment.journal, CREATE_NEW).close();
      if (options.fsync()) {
        channel.force(true);
        forceDirectory();
      }
      return channel;
    } catch (IOException e) {
      closeQuietly(channel);
      Files.deleteIfExists(segment.journal);
      Files.deleteIfExists(segment.log);
      throw e;
    }
  }

  private void forceDirectory() {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // not every platform can open a directory; the files themselves are forced
    }
  }

  // ---------------------------------------------------------------------------------------------
  // group commit

  /** Waits until everything written up to {@code ticket} is forced; false when the force failed. */
  private boolean awaitSynced(long ticket) {
    syncLock.lock();
    try {
      while (syncedTicket < ticket) {
        if (syncing) {
          syncDone.awaitUninterruptibly();
          continue;
        }
        syncing = true;
        long target = writeTickets.get();
        syncLock.unlock();
        IOException failure = null;
        try {
          for (Iterator<FileChannel> it = unsynced.iterator(); it.hasNext(); ) {
            FileChannel channel = it.next();
            it.remove();
            try {
              channel.force(false);
            } catch (ClosedChannelException e) {
              // rolled or evicted: forced before it was closed
            } catch (IOException e) {
              failure = e;
            }
          }
        } finally {
          syncLock.lock();
          syncing = false;
          if (failure == null) syncedTicket = Math.max(syncedTicket, target);
          syncDone.signalAll();
        }
        if (failure != null) {
          syncFailures.incrementAndGet();
          IOException f = failure;
          warnings.log(Level.WARNING, "sync:" + dir, () -> "queue force in " + dir + " failed: " + f);
          return false;
        }
      }
      return true;
    } finally {
      syncLock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // take

  /** A record read from disk, before decoding; or, with {@code memory}, handed over as it was offered. */
  private record RawRecord<T>(long id, byte[] payload, int items, long bytes, boolean redelivered, Path file,
      long offset, T memory) {}

  @Override
  public Lease<T> take(long maxWaitNanos) throws InterruptedException {
    long start = System.nanoTime();
    long wait = Math.max(0, maxWaitNanos);
    while (true) {
      long remaining = wait - (System.nanoTime() - start);
      if (!readLock.tryLock(Math.max(0, remaining), TimeUnit.NANOSECONDS)) return null;
      RawRecord<T> raw;
      try {
        raw = readNext(start, wait);
      } finally {
        readLock.unlock();
      }
      if (raw == null) return null;
      if (raw.memory() != null) {
        handedOver.incrementAndGet();
        return new Lease<>(raw.id(), raw.memory(), raw.items(), raw.bytes(), false);
      }
      try {
        T payload = codec.decode(raw.payload(), 0, raw.payload().length);
        return new Lease<>(raw.id(), payload, raw.items(), raw.bytes(), raw.redelivered());
      } catch (IOException | RuntimeException e) {
        undecodableRecords.incrementAndGet();
        LOG.warning(() -> "queue record at " + raw.file() + " offset " + raw.offset()
            + " cannot be decoded, skipped: " + e);
        settle(raw.id());
      }
    }
  }

  /** Reads the next live record and marks it in flight. Caller holds readLock. */
  private RawRecord<T> readNext(long start, long wait) throws InterruptedException {
    while (true) {
      Segment segment;
      long position;
      long end;
      lock.lock();
      try {
        while (true) {
          if (abandoned) return null;
          if (readable > 0) {
            while (readPosition >= readSegment.end && readSegment.sealed) {
              Map.Entry<Long, Segment> next = segments.higherEntry(readSegment.seq);
              if (next == null) break;
              readSegment.recoveredAcks = null;
              readSegment = next.getValue();
              readPosition = readSegment.firstRecord;
            }
            if (readPosition < readSegment.end) break;
          }
          if (closed && readable == 0 && pendingWrites == 0) return null;
          long remaining = wait - (System.nanoTime() - start);
          if (remaining <= 0) return null;
          notEmpty.awaitNanos(remaining);
        }
        segment = readSegment;
        position = readPosition;
        end = segment.end;
        Handoff<T> h = handoffAt(segment, position);
        if (h != null) {
          long id = segment.seq << 32 | position;
          readPosition = position + h.frame();
          segment.unread--;
          segment.unreadItems -= h.items();
          segment.inFlight++;
          readable--;
          inFlight.put(id, (long) h.items() << 32 | h.frame());
          return new RawRecord<>(id, null, h.items(), h.bytes(), false, segment.log, position, h.payload());
        }
      } finally {
        lock.unlock();
      }
      RawRecord<T> raw = null;
      long next;
      String corruption = null;
      try {
        FileChannel channel = readChannelFor(segment);
        if (segment.recovered && segment.recoveredAcks == null) segment.recoveredAcks = loadAcks(segment, null);
        if (end - position < RECORD_HEADER) throw new IOException("record header cut short");
        readHeader.clear();
        if (buffered(segment, channel, position, RECORD_HEADER, end)) {
          readAhead.get((int) (position - readAheadStart), readHeader.array(), 0, RECORD_HEADER);
        } else {
          readFully(channel, readHeader, position);
        }
        int length = readHeader.getInt(0);
        int crc = readHeader.getInt(4);
        int recordItems = readHeader.getInt(8);
        long recordBytes = readHeader.getLong(12);
        if (length < 0 || position + RECORD_HEADER + length > end) {
          corruption = "impossible length " + length;
          next = end;
        } else {
          byte[] payload = new byte[length];
          if (buffered(segment, channel, position, RECORD_HEADER + length, end)) {
            readAhead.get((int) (position - readAheadStart) + RECORD_HEADER, payload, 0, length);
          } else {
            readFully(channel, ByteBuffer.wrap(payload), position + RECORD_HEADER);
          }
          readCrc.reset();
          readCrc.update(readHeader.array(), 0, 4);
          readCrc.update(readHeader.array(), 8, RECORD_HEADER - 8);
          readCrc.update(payload, 0, length);
          next = position + RECORD_HEADER + length;
          if ((int) readCrc.getValue() != crc) {
            corruption = "checksum mismatch";
            next = end;
          } else if (segment.recoveredAcks == null || Arrays.binarySearch(segment.recoveredAcks, (int) position) < 0) {
            raw = new RawRecord<>(segment.seq << 32 | position, payload, recordItems, recordBytes, segment.recovered,
                segment.log, position, null);
          }
        }
      } catch (IOException e) {
        corruption = "read failed: " + e;
        next = end;
      }
      lock.lock();
      try {
        if (readSegment != segment) continue; // defensive: only compact moves the cursor, under readLock
        readPosition = next;
        if (corruption != null) {
          // what remains unread in this segment is lost, including what was written since the
          // snapshot above: the cursor moves to the segment's current end
          readPosition = segment.end;
          corruptRecordsAtRead.addAndGet(segment.unread);
          count -= segment.unread;
          items -= segment.unreadItems;
          readable -= segment.unread;
          segment.liveCount -= segment.unread;
          segment.unread = 0;
          segment.unreadItems = 0;
          notFull.signalAll();
        } else if (raw != null) {
          segment.unread--;
          segment.unreadItems -= raw.items();
          segment.inFlight++;
          readable--;
          inFlight.put(raw.id(), (long) raw.items() << 32 | (RECORD_HEADER + raw.payload().length));
        }
      } finally {
        lock.unlock();
      }
      if (corruption != null) {
        String why = corruption;
        LOG.warning(() -> "queue segment " + segment.log + " offset " + position + ": " + why
            + "; the rest of the segment is skipped");
        maybeDelete(segment);
        continue;
      }
      if (raw != null) return raw;
    }
  }

  /**
   * The handed-over record at the read cursor, if the handoff holds it; drops entries the cursor
   * has passed (read from disk, or skipped). Caller holds lock.
   */
  private Handoff<T> handoffAt(Segment segment, long position) {
    Handoff<T> h;
    while ((h = handoff.peekFirst()) != null) {
      long seq = h.segment().seq;
      if (seq > segment.seq || (seq == segment.seq && h.position() > position)) return null;
      handoff.pollFirst();
      handoffBytes -= h.frame();
      if (seq == segment.seq && h.position() == position) return h;
    }
    return null;
  }

  /** Forgets every handed-over record (they are all on disk). Caller holds lock. */
  private void clearHandoff() {
    handoff.clear();
    handoffBytes = 0;
  }

  /**
   * Makes sure the read-ahead buffer holds {@code [position, position + need)} of the segment,
   * reading as much as fits below {@code end} (only published records: they never change). False
   * when {@code need} is larger than the buffer. Caller holds readLock.
   */
  private boolean buffered(Segment segment, FileChannel channel, long position, int need, long end)
      throws IOException {
    if (need > readAhead.capacity()) return false;
    if (readAheadSegment == segment && position >= readAheadStart
        && position + need <= readAheadStart + readAhead.limit()) {
      return true;
    }
    readAheadSegment = null;
    readAhead.clear().limit((int) Math.min(readAhead.capacity(), end - position));
    readFully(channel, readAhead, position);
    readAhead.position(0);
    readAheadSegment = segment;
    readAheadStart = position;
    return true;
  }

  private FileChannel readChannelFor(Segment segment) throws IOException {
    if (readChannelSegment != segment) {
      closeQuietly(readChannel);
      readChannel = null;
      readChannelSegment = null;
      readChannel = files.open(segment.log, READ);
      readChannelSegment = segment;
    }
    return readChannel;
  }

  private static void readFully(FileChannel channel, ByteBuffer buf, long position) throws IOException {
    long at = position;
    while (buf.hasRemaining()) {
      int n = channel.read(buf, at);
      if (n < 0) throw new IOException("unexpected end of file at offset " + at);
      at += n;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // ack

  @Override
  public void ack(Lease<T> lease) {
    settle(lease.id());
  }

  /** Journals the ack of {@code id} (if it is in flight) and frees its room. */
  private void settle(long id) {
    long ticket = 0;
    ackLock.lock();
    try {
      Segment segment;
      long packed;
      lock.lock();
      try {
        if (shutDown) return;
        Long value = inFlight.get(id);
        if (value == null) return;
        packed = value;
        segment = segments.get(id >>> 32);
      } finally {
        lock.unlock();
      }
      try {
        ticket = journal(segment, (int) id);
      } catch (IOException e) {
        ackWriteFailures.incrementAndGet();
        warnings.log(Level.WARNING, "ack:" + dir, () -> "queue ack journal " + segment.journal
            + " could not be written (the record will be sent again after a restart): " + e);
      }
      boolean delete;
      lock.lock();
      try {
        inFlight.remove(id);
        count--;
        items -= (int) (packed >>> 32);
        segment.liveCount--;
        segment.liveBytes -= (int) packed;
        segment.inFlight--;
        delete = segment.sealed && segment.liveCount == 0 && !segment.deleting;
        if (delete) segment.deleting = true;
        notFull.signalAll();
      } finally {
        lock.unlock();
      }
      if (delete) deleteSegment(segment);
    } finally {
      ackLock.unlock();
    }
    if (ticket > 0) awaitSynced(ticket);
  }

  /** Appends one entry to a segment's journal; returns a sync ticket (0 without fsync). Caller holds ackLock. */
  private long journal(Segment segment, int offset) throws IOException {
    FileChannel channel = journals.get(segment);
    if (channel == null) {
      channel = files.open(segment.journal, READ_WRITE);
      journals.put(segment, channel);
      if (journals.size() > MAX_OPEN_JOURNALS) {
        Iterator<Map.Entry<Segment, FileChannel>> eldest = journals.entrySet().iterator();
        FileChannel evicted = eldest.next().getValue();
        eldest.remove();
        if (options.fsync() && unsynced.remove(evicted)) evicted.force(false);
        closeQuietly(evicted);
      }
    }
    ackCrc.reset();
    ackBuffer.clear();
    ackBuffer.putInt(0, offset);
    ackCrc.update(ackBuffer.array(), 0, 4);
    ackBuffer.putInt(4, (int) ackCrc.getValue());
    long at;
    lock.lock();
    try {
      at = segment.journalBytes;
    } finally {
      lock.unlock();
    }
    try {
      writeFully(channel, ackBuffer, at);
    } catch (IOException e) {
      try {
        channel.truncate(at);
      } catch (IOException t) {
        e.addSuppressed(t);
      }
      throw e;
    }
    lock.lock();
    try {
      segment.journalBytes = at + ACK_ENTRY;
      diskBytes += ACK_ENTRY;
    } finally {
      lock.unlock();
    }
    if (!options.fsync()) return 0;
    unsynced.add(channel);
    return writeTickets.incrementAndGet();
  }

  private void maybeDelete(Segment segment) {
    boolean delete;
    lock.lock();
    try {
      delete = segment.sealed && segment.liveCount == 0 && !segment.deleting;
      if (delete) segment.deleting = true;
    } finally {
      lock.unlock();
    }
    if (!delete) return;
    ackLock.lock();
    try {
      deleteSegment(segment);
    } finally {
      ackLock.unlock();
    }
  }

  /**
   * Marks the journal done, deletes the segment, then the journal. A crash in between leaves a
   * done journal (cleaned at open) or a segment whose journal acks everything. Caller holds ackLock.
   */
  private void deleteSegment(Segment segment) {
    try {
      try {
        journal(segment, SEGMENT_DONE);
      } catch (IOException e) {
        // delete anyway (on a full disk the space is needed): a crash before the journal is gone
        // too would make the next open report this segment missing, though nothing in it was live
        warnings.log(Level.WARNING, "delete:" + dir, () -> "queue segment " + segment.log
            + " is fully acked but could not be marked done: " + e);
      }
      FileChannel channel = journals.remove(segment);
      if (channel != null) {
        unsynced.remove(channel);
        closeQuietly(channel);
      }
      Files.deleteIfExists(segment.log);
      Files.deleteIfExists(segment.journal);
    } catch (IOException e) {
      warnings.log(Level.WARNING, "delete:" + dir, () -> "queue segment " + segment.log + " could not be deleted: " + e);
      return;
    }
    lock.lock();
    try {
      if (segments.remove(segment.seq) == segment) diskBytes -= segment.fileBytes + segment.journalBytes;
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // life cycle and figures

  @Override
  public void closeForOffers() {
    lock.lock();
    try {
      closed = true;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Stops handing out leases. What is on disk stays there for the next store: returns an empty list. */
  @Override
  public List<Lease<T>> abandon() {
    lock.lock();
    try {
      closed = true;
      abandoned = true;
      clearHandoff();
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
    return List.of();
  }

  @Override
  public boolean finished() {
    lock.lock();
    try {
      return abandoned || (closed && readable == 0 && pendingWrites == 0);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean persistent() {
    return true;
  }

  @Override
  public Usage usage() {
    lock.lock();
    try {
      return usageLocked();
    } finally {
      lock.unlock();
    }
  }

  private Usage usageLocked() {
    return new Usage(count, items, diskBytes);
  }

  @Override
  public QueueLimits limits() {
    return limits;
  }

  /** What open found and skipped. */
  public RecoveryReport recoveryReport() {
    return recovery;
  }

  /** Failure counts since open, for the caller's metrics. */
  public Stats stats() {
    int files;
    lock.lock();
    try {
      files = segments.size();
    } finally {
      lock.unlock();
    }
    return new Stats(writeFailures.get(), ackWriteFailures.get(), syncFailures.get(), undecodableRecords.get(),
        corruptRecordsAtRead.get(), files, handedOver.get());
  }

  /** The store's directory. */
  public Path directory() {
    return dir;
  }

  @Override
  public void close() {
    lock.lock();
    try {
      if (shutDown) return;
      closed = true;
      abandoned = true;
      shutDown = true;
      clearHandoff();
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      lock.unlock();
    }
    readLock.lock();
    appendLock.lock();
    ackLock.lock();
    try {
      if (options.fsync()) {
        for (FileChannel channel : unsynced) {
          try {
            channel.force(false);
          } catch (IOException e) {
            syncFailures.incrementAndGet();
          }
        }
      }
      unsynced.clear();
      closeQuietly(readChannel);
      closeQuietly(writeChannel);
      journals.values().forEach(FileQueueStore::closeQuietly);
      journals.clear();
      try {
        fileLock.release();
      } catch (IOException ignored) {
        // closing the channel releases it too
      }
      closeQuietly(lockChannel);
    } finally {
      ackLock.unlock();
      appendLock.unlock();
      readLock.unlock();
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel == null) return;
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing left to do with it
    }
  }

  // ---------------------------------------------------------------------------------------------
  // recovery

  /** Counters of one open; each problem is logged as it is found. */
  private static final class RecoveryLog {
    final List<RecoveryReport.Problem> problems = new ArrayList<>();
    int segmentsRead;
    long recordsRecovered;
    int segmentsSkipped;
    long recordsSkipped;
    long bytesSkipped;
    int temporaryFilesRemoved;

    void problem(RecoveryReport.Reason reason, Path file, long offset, long bytes, String detail) {
      problems.add(new RecoveryReport.Problem(reason, file, offset, bytes));
      bytesSkipped += bytes;
      LOG.warning(() -> "queue recovery: " + reason + " in " + file + " at offset " + offset + ": " + detail);
    }

    RecoveryReport report() {
      return new RecoveryReport(segmentsRead, recordsRecovered, segmentsSkipped, recordsSkipped, bytesSkipped,
          temporaryFilesRemoved, problems);
    }
  }

  private RecoveryReport recover() throws IOException {
    RecoveryLog log = new RecoveryLog();
    log.temporaryFilesRemoved = cleanupTemporaryFiles();
    TreeSet<Long> seqs = new TreeSet<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        Matcher m = SEGMENT_NAME.matcher(entry.getFileName().toString());
        if (m.matches()) seqs.add(Long.parseLong(m.group(1)));
      }
    }
    ByteBuffer scratch = ByteBuffer.allocate(64 << 10);
    CRC32C crc = new CRC32C();
    long lastSeq = 0;
    for (long seq : seqs) {
      lastSeq = seq;
      Segment segment = new Segment(dir, seq);
      boolean hasLog = Files.exists(segment.log);
      boolean hasJournal = Files.exists(segment.journal);
      int[] acks = null;
      boolean done = false;
      if (hasJournal) {
        boolean[] doneMark = new boolean[1];
        acks = loadAcks(segment, new JournalScan(log, doneMark));
        done = doneMark[0];
      }
      if (done) {
        Files.deleteIfExists(segment.log);
        Files.deleteIfExists(segment.journal);
        continue;
      }
      if (!hasLog) {
        log.segmentsSkipped++;
        log.problem(RecoveryReport.Reason.MISSING_SEGMENT, segment.log, 0, 0,
            "the segment file is gone but its ack journal is not: its unacked records are lost");
        Files.deleteIfExists(segment.journal);
        continue;
      }
      log.segmentsRead++;
      boolean empty = scanSegment(segment, acks == null ? new int[0] : acks, log, scratch, crc);
      if (!hasJournal) {
        if (!empty) {
          log.problem(RecoveryReport.Reason.MISSING_ACK_JOURNAL, segment.journal, 0, 0,
              "the ack journal is gone: all " + segment.liveCount + " records of " + segment.log
                  + " will be sent again");
        }
        files.open(segment.journal, CREATE_NEW).close();
      }
      segment.journalBytes = Files.size(segment.journal);
      segment.recovered = true;
      segment.sealed = true;
      segment.unread = segment.liveCount;
      log.recordsRecovered += segment.liveCount;
      if (segment.liveCount == 0) {
        segment.deleting = true;
        segments.put(seq, segment); // so deleteSegment's bookkeeping balances
        diskBytes += segment.fileBytes + segment.journalBytes;
        deleteSegment(segment);
        continue;
      }
      segments.put(seq, segment);
      count += segment.liveCount;
      items += segment.unreadItems;
      readable += segment.liveCount;
      diskBytes += segment.fileBytes + segment.journalBytes;
    }
    Segment first = new Segment(dir, lastSeq + 1);
    writeChannel = createSegmentFiles(first);
    writeSegment = first;
    segments.put(first.seq, first);
    diskBytes += first.fileBytes;
    readSegment = segments.firstEntry().getValue();
    readPosition = readSegment.firstRecord;
    RecoveryReport report = log.report();
    if (!report.clean() || report.recordsRecovered() > 0) {
      LOG.info(() -> "queue " + dir + " opened: " + report.recordsRecovered() + " records to send again, "
          + report.problems().size() + " problems");
    }
    return report;
  }

  /** Where a journal read reports its problems (null while reading for the read cursor). */
  private record JournalScan(RecoveryLog log, boolean[] done) {}

  /** The sorted record offsets a journal acks; torn or corrupt entries are dropped (the record comes back). */
  private int[] loadAcks(Segment segment, JournalScan scan) throws IOException {
    byte[] all;
    try {
      all = Files.readAllBytes(segment.journal);
    } catch (NoSuchFileException e) {
      return new int[0];
    }
    int entries = all.length / ACK_ENTRY;
    int[] offsets = new int[entries];
    int n = 0;
    ByteBuffer buf = ByteBuffer.wrap(all);
    CRC32C crc = new CRC32C();
    for (int i = 0; i < entries; i++) {
      int offset = buf.getInt(i * ACK_ENTRY);
      crc.reset();
      crc.update(all, i * ACK_ENTRY, 4);
      if ((int) crc.getValue() != buf.getInt(i * ACK_ENTRY + 4)) {
        if (scan != null) {
          scan.log().problem(RecoveryReport.Reason.CORRUPT_ACK_ENTRY, segment.journal, (long) i * ACK_ENTRY, ACK_ENTRY,
              "ack entry fails its check: that record will be sent again");
        }
        continue;
      }
      if (offset == SEGMENT_DONE) {
        if (scan != null) scan.done()[0] = true;
        continue;
      }
      offsets[n++] = offset;
    }
    if (scan != null && all.length % ACK_ENTRY != 0) {
      long at = (long) entries * ACK_ENTRY;
      scan.log().problem(RecoveryReport.Reason.CORRUPT_ACK_ENTRY, segment.journal, at, all.length - at,
          "torn ack entry (its ack did not complete): truncated");
      try (FileChannel channel = files.open(segment.journal, READ_WRITE)) {
        channel.truncate(at);
      }
    }
    int[] sorted = Arrays.copyOf(offsets, n);
    Arrays.sort(sorted);
    return sorted;
  }

  /**
   * Verifies a recovered segment record by record, counting the unacked ones; truncates a torn
   * tail. Returns true when it holds no record at all.
   */
  private boolean scanSegment(Segment segment, int[] acks, RecoveryLog log, ByteBuffer scratch, CRC32C crc)
      throws IOException {
    try (FileChannel channel = files.open(segment.log, READ_WRITE)) {
      long size = channel.size();
      segment.fileBytes = size;
      ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER);
      if (size < SEGMENT_HEADER) {
        if (size > 0) {
          log.recordsSkipped++;
          log.problem(RecoveryReport.Reason.TORN_TAIL, segment.log, 0, size, "segment header cut short");
        }
        segment.end = size;
        return true;
      }
      header.limit(SEGMENT_HEADER);
      readFully(channel, header, 0);
      if (header.getInt(0) != SEGMENT_MAGIC || header.getInt(4) != FORMAT_VERSION) {
        log.segmentsSkipped++;
        log.problem(RecoveryReport.Reason.UNKNOWN_SEGMENT_HEADER, segment.log, 0, size,
            "not a queue segment of format version " + FORMAT_VERSION + ": skipped");
        segment.end = SEGMENT_HEADER;
        return true;
      }
      long position = SEGMENT_HEADER;
      long records = 0;
      while (position < size) {
        if (size - position < RECORD_HEADER) {
          tornTail(channel, segment, position, size, log);
          break;
        }
        header.clear();
        readFully(channel, header, position);
        int length = header.getInt(0);
        if (length < 0 || position + RECORD_HEADER + length > size) {
          tornTail(channel, segment, position, size, log);
          break;
        }
        crc.reset();
        crc.update(header.array(), 0, 4);
        crc.update(header.array(), 8, RECORD_HEADER - 8);
        long at = position + RECORD_HEADER;
        long left = length;
        while (left > 0) {
          scratch.clear();
          if (left < scratch.capacity()) scratch.limit((int) left);
          readFully(channel, scratch, at);
          crc.update(scratch.array(), 0, scratch.limit());
          at += scratch.limit();
          left -= scratch.limit();
        }
        if ((int) crc.getValue() != header.getInt(4)) {
          log.recordsSkipped++;
          log.problem(RecoveryReport.Reason.CHECKSUM_MISMATCH, segment.log, position, size - position,
              "record fails its CRC32C: it and the rest of the segment are skipped");
          break;
        }
        records++;
        if (Arrays.binarySearch(acks, (int) position) < 0) {
          segment.liveCount++;
          segment.liveBytes += RECORD_HEADER + length;
          segment.unreadItems += header.getInt(8);
        }
        position += RECORD_HEADER + length;
      }
      segment.end = position;
      return records == 0;
    }
  }

  private void tornTail(FileChannel channel, Segment segment, long position, long size, RecoveryLog log)
      throws IOException {
    log.recordsSkipped++;
    log.problem(RecoveryReport.Reason.TORN_TAIL, segment.log, position, size - position,
        "last record cut short (interrupted write): truncated");
    channel.truncate(position);
    segment.fileBytes = position;
  }

  /**
   * Deletes what an interrupted {@link #compact} left behind ({@code compact-*.tmp}). Open does
   * this too; returns how many files were removed.
   */
  public int cleanupTemporaryFiles() throws IOException {
    int removed = 0;
    readLock.lock(); // compaction holds it: never remove the files of one that is running
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, TEMP_PREFIX + "*" + TEMP_SUFFIX)) {
      for (Path entry : entries) {
        if (Files.deleteIfExists(entry)) {
          removed++;
          LOG.info(() -> "queue: removed " + entry + " left by an interrupted compaction");
        }
      }
    } finally {
      readLock.unlock();
    }
    return removed;
  }

  // ---------------------------------------------------------------------------------------------
  // compaction

  /** {@link #compact(double)} of segments at most half live. */
  public CompactionResult compact() throws IOException {
    return compact(0.5);
  }

  /**
   * Rewrites the live records of sealed segments in which at most {@code maxLiveShare} of the
   * bytes are still live (unacked) into one fresh file per run of consecutive such segments, so
   * their disk comes back. FIFO order is kept: the new file takes the place of the run's last
   * segment. Only segments with no lease in flight and no live record already read are moved
   * (typically recovered segments, or segments waiting behind a slow consumer). Takers wait while
   * it runs; offers and acks do not.
   *
   * <p>Crash safety: the new file is forced before anything is replaced; a crash midway may make
   * the moved records come back twice, never lose them; its temporary file is removed at open.
   */
  public CompactionResult compact(double maxLiveShare) throws IOException {
    if (!(maxLiveShare >= 0 && maxLiveShare <= 1)) {
      throw new IllegalArgumentException("live share must be between 0 and 1: " + maxLiveShare);
    }
    int rewritten = 0;
    long moved = 0;
    long reclaimed = 0;
    readLock.lock();
    try {
      for (List<Segment> run : compactionRuns(maxLiveShare)) {
        CompactionResult r = compactRun(run);
        rewritten += r.segmentsRewritten();
        moved += r.recordsMoved();
        reclaimed += r.bytesReclaimed();
      }
    } finally {
      readLock.unlock();
    }
    return new CompactionResult(rewritten, moved, reclaimed);
  }

  private List<List<Segment>> compactionRuns(double maxLiveShare) {
    List<List<Segment>> runs = new ArrayList<>();
    lock.lock();
    try {
      if (shutDown) return runs;
      List<Segment> run = new ArrayList<>();
      for (Segment s : segments.values()) {
        boolean candidate = s.sealed && !s.deleting && s.inFlight == 0 && s.unread == s.liveCount && s.liveCount > 0
            && s.liveBytes <= maxLiveShare * (s.fileBytes + s.journalBytes);
        if (candidate && !run.isEmpty() && run.get(0).recovered != s.recovered) {
          runs.add(run); // keep Lease.redelivered exact: never mix recovered records with new ones
          run = new ArrayList<>();
        }
        if (candidate) {
          run.add(s);
        } else if (!run.isEmpty()) {
          runs.add(run);
          run = new ArrayList<>();
        }
      }
      if (!run.isEmpty()) runs.add(run);
    } finally {
      lock.unlock();
    }
    return runs;
  }

  /** Moves the live records of {@code run} into a file that replaces its last segment. Caller holds readLock. */
  private CompactionResult compactRun(List<Segment> run) throws IOException {
    Segment last = run.get(run.size() - 1);
    Path temp = dir.resolve(TEMP_PREFIX + last.seq + TEMP_SUFFIX);
    Path tempJournal = dir.resolve(TEMP_PREFIX + last.seq + ".acks" + TEMP_SUFFIX);
    long expected = 0;
    for (Segment s : run) expected += s.liveCount;
    long copied = 0;
    long copiedItems = 0;
    long newSize;
    try (FileChannel out = files.open(temp, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE,
        StandardOpenOption.TRUNCATE_EXISTING))) {
      long at = writeFully(out, ByteBuffer.allocate(SEGMENT_HEADER).putInt(SEGMENT_MAGIC).putInt(FORMAT_VERSION).flip(), 0);
      ByteBuffer record = ByteBuffer.allocate(64 << 10);
      CRC32C crc = new CRC32C();
      for (Segment s : run) {
        int[] acks = loadAcks(s, null);
        try (FileChannel in = files.open(s.log, READ)) {
          long position = s.firstRecord;
          while (position < s.end) {
            record.clear().limit(RECORD_HEADER);
            readFully(in, record, position);
            int length = record.getInt(0);
            if (length < 0 || position + RECORD_HEADER + length > s.end) throw new IOException("bad record length");
            int frame = RECORD_HEADER + length;
            if (record.capacity() < frame) {
              record = ByteBuffer.allocate(frame).put(record.flip());
            }
            record.limit(frame).position(RECORD_HEADER);
            readFully(in, record, position + RECORD_HEADER);
            crc.reset();
            crc.update(record.array(), 0, 4);
            crc.update(record.array(), 8, frame - 8);
            if ((int) crc.getValue() != record.getInt(4)) {
              throw new IOException("checksum mismatch in " + s.log + " at offset " + position);
            }
            if (Arrays.binarySearch(acks, (int) position) < 0) {
              record.flip();
              at = writeFully(out, record, at);
              copied++;
              copiedItems += record.getInt(8);
            }
            position += frame;
          }
        }
      }
      out.force(true);
      newSize = at;
    } catch (IOException e) {
      Files.deleteIfExists(temp);
      warnings.log(Level.WARNING, "compact:" + dir, () -> "queue compaction of " + last.log + " abandoned: " + e);
      throw e;
    }
    if (copied != expected) {
      // the journal and memory disagree (an ack write failed): leave these segments as they are
      Files.deleteIfExists(temp);
      return new CompactionResult(0, 0, 0);
    }
    long before = 0;
    ackLock.lock();
    try {
      for (Segment s : run) {
        FileChannel channel = journals.remove(s);
        if (channel != null) {
          unsynced.remove(channel);
          closeQuietly(channel);
        }
        before += s.fileBytes + s.journalBytes;
      }
      // An empty journal first (a crash now: the last segment is sent again in full, a duplicate),
      // then the records (a crash now: the earlier segments' records exist twice, duplicates).
      files.open(tempJournal, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING)).close();
      Files.move(tempJournal, last.journal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      Files.move(temp, last.log, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      forceDirectory();
      readAheadSegment = null; // the last segment's file was replaced
      if (readChannelSegment == last) {
        closeQuietly(readChannel);
        readChannel = null;
        readChannelSegment = null;
      }
      long lastBefore;
      lock.lock();
      try {
        long liveBytes = 0;
        for (Segment s : run) {
          liveBytes += s.liveBytes;
          if (s != last) s.deleting = true;
        }
        lastBefore = last.fileBytes + last.journalBytes;
        last.end = newSize;
        last.fileBytes = newSize;
        last.journalBytes = 0;
        last.liveCount = copied;
        last.unread = copied;
        last.unreadItems = copiedItems;
        last.liveBytes = liveBytes;
        last.recoveredAcks = null;
        diskBytes += newSize - lastBefore;
        clearHandoff(); // the run's records moved: their positions no longer name them
        if (run.contains(readSegment)) {
          readSegment = last;
          readPosition = last.firstRecord;
        }
      } finally {
        lock.unlock();
      }
      for (Segment s : run) {
        if (s != last) deleteSegment(s);
      }
      return new CompactionResult(run.size(), copied, before - newSize);
    } finally {
      ackLock.unlock();
    }
  }
}
