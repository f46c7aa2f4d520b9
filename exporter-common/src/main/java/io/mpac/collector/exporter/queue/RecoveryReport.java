package io.mpac.collector.exporter.queue;

import java.nio.file.Path;
import java.util.List;

/**
 * What a {@link FileQueueStore} found when it opened its directory: what it will hand out again and
 * what it had to skip. Every problem was also logged as one WARNING line with its file and offset.
 *
 * @param segmentsRead segment files found and scanned
 * @param recordsRecovered unacked records that will be handed out again (each with
 *     {@link Lease#redelivered()} true)
 * @param segmentsSkipped segment files that could not be used at all (missing, or a header this
 *     version does not know)
 * @param recordsSkipped records dropped because they were torn or failed their checksum (a corrupt
 *     record hides the rest of its segment, so this counts it once; the bytes tell the extent)
 * @param bytesSkipped bytes of segment files not used for these reasons
 * @param temporaryFilesRemoved leftovers of an interrupted compaction that were deleted
 * @param problems one entry per problem, in the order they were found
 */
public record RecoveryReport(
    int segmentsRead,
    long recordsRecovered,
    int segmentsSkipped,
    long recordsSkipped,
    long bytesSkipped,
    int temporaryFilesRemoved,
    List<Problem> problems) {

  public RecoveryReport {
    problems = List.copyOf(problems);
  }

  /** True when nothing was skipped. */
  public boolean clean() {
    return problems.isEmpty();
  }

  /** Why something was skipped. */
  public enum Reason {
    /** The last record of a segment was cut short (a write the crash interrupted): truncated away. */
    TORN_TAIL,
    /** A record failed its CRC32C (or its length is impossible): it and the rest of its segment are skipped. */
    CHECKSUM_MISMATCH,
    /** A segment's first bytes are not this format (another version or another program): the segment is skipped. */
    UNKNOWN_SEGMENT_HEADER,
    /** An ack journal names a segment file that is gone: its unacked records are lost. */
    MISSING_SEGMENT,
    /** A segment's ack journal is gone: every record of the segment is handed out again. */
    MISSING_ACK_JOURNAL,
    /** An ack journal entry is torn or fails its check: that record is handed out again. */
    CORRUPT_ACK_ENTRY
  }

  /**
   * One problem.
   *
   * @param reason what was wrong
   * @param file the file it was found in
   * @param offset where in the file
   * @param bytes how many bytes of the file were not used because of it
   */
  public record Problem(Reason reason, Path file, long offset, long bytes) {}
}
