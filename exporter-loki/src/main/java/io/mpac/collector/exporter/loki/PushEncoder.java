package io.mpac.collector.exporter.loki;

import com.google.protobuf.CodedOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Writes Loki's {@code logproto.PushRequest} (Loki {@code pkg/push/push.proto}) by hand:
 *
 * <pre>
 * PushRequest      { repeated StreamAdapter streams = 1; }
 * StreamAdapter    { string labels = 1; repeated EntryAdapter entries = 2; }
 * EntryAdapter     { google.protobuf.Timestamp timestamp = 1; string line = 2;
 *                    repeated LabelPairAdapter structuredMetadata = 3; }
 * LabelPairAdapter { string name = 1; string value = 2; }
 * Timestamp        { int64 seconds = 1; int32 nanos = 2; }
 * </pre>
 *
 * Sizes are computed once per entry and the message is written into a buffer the encoder keeps
 * and reuses for the next request (one encoder per endpoint worker; not thread-safe).
 */
final class PushEncoder {

  /** One stream of a request: its label text and its entries in the order to send. */
  record Stream(String labels, List<QueuedEntry> entries) {}

  private byte[] buf = new byte[64 * 1024];
  private int[] entrySizes = new int[1024];
  private int[] streamSizes = new int[16];

  /** The buffer the last {@link #encode} wrote to (its first bytes); overwritten by the next call. */
  byte[] buffer() {
    return buf;
  }

  /** Encodes {@code streams} into {@link #buffer()} and returns the length. */
  int encode(List<Stream> streams) {
    int entryCount = 0;
    for (Stream s : streams) entryCount += s.entries().size();
    if (entrySizes.length < entryCount) entrySizes = new int[Math.max(entryCount, entrySizes.length * 2)];
    if (streamSizes.length < streams.size()) streamSizes = new int[Math.max(streams.size(), streamSizes.length * 2)];
    int[] es = entrySizes;
    int total = 0;
    int k = 0;
    for (int si = 0; si < streams.size(); si++) {
      Stream s = streams.get(si);
      int size = CodedOutputStream.computeStringSize(1, s.labels());
      List<QueuedEntry> entries = s.entries();
      for (int i = 0, n = entries.size(); i < n; i++) {
        int e = entrySize(entries.get(i));
        es[k++] = e;
        size += 1 + CodedOutputStream.computeUInt32SizeNoTag(e) + e;
      }
      streamSizes[si] = size;
      total += 1 + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }
    if (buf.length < total) buf = new byte[Math.max(total, (int) Math.min(Integer.MAX_VALUE - 8, buf.length * 2L))];
    CodedOutputStream cos = CodedOutputStream.newInstance(buf, 0, total);
    try {
      k = 0;
      for (int si = 0; si < streams.size(); si++) {
        Stream s = streams.get(si);
        cos.writeTag(1, 2);
        cos.writeUInt32NoTag(streamSizes[si]);
        cos.writeString(1, s.labels());
        List<QueuedEntry> entries = s.entries();
        for (int i = 0, n = entries.size(); i < n; i++) {
          cos.writeTag(2, 2);
          cos.writeUInt32NoTag(es[k++]);
          writeEntry(cos, entries.get(i));
        }
      }
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return total;
  }

  /** Encodes into a new array of the exact size (tests and diagnostics). */
  static byte[] encodeToArray(List<Stream> streams) {
    PushEncoder e = new PushEncoder();
    int n = e.encode(streams);
    return java.util.Arrays.copyOf(e.buffer(), n);
  }

  private static long seconds(long nanos) {
    return Math.floorDiv(nanos, 1_000_000_000L);
  }

  private static int nanos(long nanos) {
    return (int) Math.floorMod(nanos, 1_000_000_000L);
  }

  private static int timestampSize(long ts) {
    long s = seconds(ts);
    int n = nanos(ts);
    return (s == 0 ? 0 : CodedOutputStream.computeInt64Size(1, s)) + (n == 0 ? 0 : CodedOutputStream.computeInt32Size(2, n));
  }

  private static int entrySize(QueuedEntry q) {
    int ts = timestampSize(q.timestampNanos());
    int size = 1 + CodedOutputStream.computeUInt32SizeNoTag(ts) + ts;
    byte[] line = q.line();
    if (line.length > 0) size += CodedOutputStream.computeByteArraySize(2, line);
    Map<String, String> md = q.structuredMetadata();
    if (!md.isEmpty()) {
      for (Map.Entry<String, String> m : md.entrySet()) {
        int ps = pairSize(m.getKey(), m.getValue());
        size += 1 + CodedOutputStream.computeUInt32SizeNoTag(ps) + ps;
      }
    }
    return size;
  }

  private static int pairSize(String name, String value) {
    return (name.isEmpty() ? 0 : CodedOutputStream.computeStringSize(1, name))
        + (value.isEmpty() ? 0 : CodedOutputStream.computeStringSize(2, value));
  }

  private static void writeEntry(CodedOutputStream cos, QueuedEntry q) throws IOException {
    long ts = q.timestampNanos();
    cos.writeTag(1, 2);
    cos.writeUInt32NoTag(timestampSize(ts));
    long s = seconds(ts);
    int n = nanos(ts);
    if (s != 0) cos.writeInt64(1, s);
    if (n != 0) cos.writeInt32(2, n);
    byte[] line = q.line();
    if (line.length > 0) cos.writeByteArray(2, line);
    Map<String, String> md = q.structuredMetadata();
    if (!md.isEmpty()) {
      for (Map.Entry<String, String> m : md.entrySet()) {
        cos.writeTag(3, 2);
        cos.writeUInt32NoTag(pairSize(m.getKey(), m.getValue()));
        if (!m.getKey().isEmpty()) cos.writeString(1, m.getKey());
        if (!m.getValue().isEmpty()) cos.writeString(2, m.getValue());
      }
    }
  }
}
