package io.mpac.collector.loadgen;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.util.Arrays;
import java.util.function.LongConsumer;

/**
 * Send-time stamps in encoded OTLP trace requests, for measuring the latency a collector adds.
 *
 * <p>Writing side ({@link #locate}, {@link #stamp}): the positions of every span's
 * {@code start_time_unix_nano} (field 7, fixed64) and {@code end_time_unix_nano} (field 8, fixed64)
 * are found once, by a tag walk over a prebuilt request. Just before each send, {@link #stamp}
 * overwrites them in place: start = the send time, end = the send time plus the span's original
 * duration. That costs 16 byte writes per span and no encoding. The caller must own the array and
 * not be sending it concurrently.
 *
 * <p>Reading side ({@link #forEachFirstStart}): the start time of the first span of each
 * {@code ResourceSpans}, by a tag walk that decodes nothing else. The generator sends one resource
 * per request and a collector's batch concatenates requests without coalescing their resources, so
 * this yields one sample per generator request, whether it arrives alone or in a batch.
 *
 * <p>Field numbers: ExportTraceServiceRequest.resource_spans = 1, ResourceSpans.scope_spans = 2,
 * ScopeSpans.spans = 2, Span.start_time_unix_nano = 7, Span.end_time_unix_nano = 8.
 */
public final class SpanTimes implements SendStamp {

  private static final int START_TIME = 7;
  private static final int END_TIME = 8;
  private static final int START_TIME_TAG = tag(START_TIME, WireFormat.WIRETYPE_FIXED64);
  private static final int END_TIME_TAG = tag(END_TIME, WireFormat.WIRETYPE_FIXED64);

  private final int[] startOffsets;
  private final int[] endOffsets; // -1 where the span has no end time
  private final long[] durations;

  private SpanTimes(int[] startOffsets, int[] endOffsets, long[] durations) {
    this.startOffsets = startOffsets;
    this.endOffsets = endOffsets;
    this.durations = durations;
  }

  /**
   * Finds the time fields of every span in an encoded {@code ExportTraceServiceRequest}.
   *
   * @throws IllegalArgumentException if the bytes are not a well-formed request, or a span has no
   *     start time on the wire (a zero start time is not encoded, so there is nothing to overwrite)
   */
  public static SpanTimes locate(byte[] request) {
    Collector c = new Collector();
    try {
      CodedInputStream in = CodedInputStream.newInstance(request);
      forEachField(in, 1, () -> forEachField(in, 2, () -> forEachField(in, 2, () -> c.span(in))));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a well-formed ExportTraceServiceRequest: " + e.getMessage(), e);
    }
    return c.build();
  }

  /** The number of spans found. */
  public int spans() {
    return startOffsets.length;
  }

  /** Sets every span's start time to {@code epochNanos}, and its end time to that plus the span's original duration. */
  @Override
  public void stamp(byte[] request, long epochNanos) {
    for (int i = 0; i < startOffsets.length; i++) {
      putFixed64(request, startOffsets[i], epochNanos);
      if (endOffsets[i] >= 0) putFixed64(request, endOffsets[i], epochNanos + durations[i]);
    }
  }

  /**
   * Calls {@code sink} with the start time of the first span of every {@code ResourceSpans} of an
   * encoded trace request (resources without spans are skipped).
   *
   * @return false if the bytes are not well-formed (samples already delivered stay delivered)
   */
  public static boolean forEachFirstStart(byte[] request, LongConsumer sink) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(request);
      while (!in.isAtEnd()) {
        int tag = in.readTag();
        if (!isMessage(tag, 1)) {
          in.skipField(tag);
          continue;
        }
        int limit = in.pushLimit(in.readRawVarint32());
        long start = firstStartInResource(in);
        in.popLimit(limit);
        if (start != Long.MIN_VALUE) sink.accept(start);
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Reads one {@code ResourceSpans} up to its first span and skips the rest of it. Returns that
   * span's start time (0 if it has none), or {@link Long#MIN_VALUE} if the resource has no span.
   */
  private static long firstStartInResource(CodedInputStream in) throws IOException {
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      if (!isMessage(tag, 2)) {
        in.skipField(tag);
        continue;
      }
      int scopeLimit = in.pushLimit(in.readRawVarint32());
      long start = firstStartInScope(in);
      in.skipRawBytes(in.getBytesUntilLimit());
      in.popLimit(scopeLimit);
      if (start != Long.MIN_VALUE) {
        in.skipRawBytes(in.getBytesUntilLimit());
        return start;
      }
    }
    return Long.MIN_VALUE;
  }

  private static long firstStartInScope(CodedInputStream in) throws IOException {
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      if (!isMessage(tag, 2)) {
        in.skipField(tag);
        continue;
      }
      int spanLimit = in.pushLimit(in.readRawVarint32());
      long start = 0;
      while (!in.isAtEnd()) {
        int f = in.readTag();
        if (f == START_TIME_TAG) {
          start = in.readFixed64();
        } else {
          in.skipField(f);
        }
      }
      in.popLimit(spanLimit);
      return start;
    }
    return Long.MIN_VALUE;
  }

  private static boolean isMessage(int tag, int field) {
    return tag == tag(field, WireFormat.WIRETYPE_LENGTH_DELIMITED);
  }

  private static int tag(int field, int wireType) {
    return (field << 3) | wireType;
  }

  private interface Body {
    void read() throws IOException;
  }

  /** Runs {@code body} inside every length-delimited occurrence of {@code field}, skipping other fields. */
  private static void forEachField(CodedInputStream in, int field, Body body) throws IOException {
    while (!in.isAtEnd()) {
      int tag = in.readTag();
      if (!isMessage(tag, field)) {
        in.skipField(tag);
        continue;
      }
      int limit = in.pushLimit(in.readRawVarint32());
      body.read();
      in.popLimit(limit);
    }
  }

  private static void putFixed64(byte[] b, int offset, long v) {
    for (int i = 0; i < 8; i++) b[offset + i] = (byte) (v >>> (8 * i)); // little-endian
  }

  /** Accumulates the offsets of the spans met during {@link #locate}. */
  private static final class Collector {
    private int[] starts = new int[16];
    private int[] ends = new int[16];
    private long[] durations = new long[16];
    private int n;

    void span(CodedInputStream in) throws IOException {
      int startOffset = -1;
      int endOffset = -1;
      long start = 0;
      long end = 0;
      while (!in.isAtEnd()) {
        int tag = in.readTag();
        if (tag == START_TIME_TAG) {
          startOffset = in.getTotalBytesRead();
          start = in.readFixed64();
        } else if (tag == END_TIME_TAG) {
          endOffset = in.getTotalBytesRead();
          end = in.readFixed64();
        } else {
          in.skipField(tag);
        }
      }
      if (startOffset < 0) throw new IllegalArgumentException("span " + n + " has no start_time_unix_nano to stamp");
      if (n == starts.length) {
        starts = Arrays.copyOf(starts, n * 2);
        ends = Arrays.copyOf(ends, n * 2);
        durations = Arrays.copyOf(durations, n * 2);
      }
      starts[n] = startOffset;
      ends[n] = endOffset;
      durations[n] = endOffset < 0 ? 0 : end - start;
      n++;
    }

    SpanTimes build() {
      return new SpanTimes(Arrays.copyOf(starts, n), Arrays.copyOf(ends, n), Arrays.copyOf(durations, n));
    }
  }
}
