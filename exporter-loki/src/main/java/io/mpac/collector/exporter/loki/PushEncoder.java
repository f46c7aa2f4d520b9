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
 * Sizes are computed once per entry and the message is written into one exact-size array.
 */
final class PushEncoder {

  private PushEncoder() {}

  /** One stream of a request: its label text and its entries in the order to send. */
  record Stream(String labels, List<QueuedEntry> entries) {}

  static byte[] encode(List<Stream> streams) {
    int total = 0;
    int entryCount = 0;
    for (Stream s : streams) entryCount += s.entries().size();
    int[] entrySizes = new int[entryCount];
    int[] streamSizes = new int[streams.size()];
    int k = 0;
    for (int si = 0; si < streams.size(); si++) {
      Stream s = streams.get(si);
      int size = CodedOutputStream.computeStringSize(1, s.labels());
      for (QueuedEntry q : s.entries()) {
        int es = entrySize(q);
        entrySizes[k++] = es;
        size += 1 + CodedOutputStream.computeUInt32SizeNoTag(es) + es;
      }
      streamSizes[si] = size;
      total += 1 + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
    }
    byte[] out = new byte[total];
    CodedOutputStream cos = CodedOutputStream.newInstance(out);
    try {
      k = 0;
      for (int si = 0; si < streams.size(); si++) {
        Stream s = streams.get(si);
        cos.writeTag(1, 2);
        cos.writeUInt32NoTag(streamSizes[si]);
        cos.writeString(1, s.labels());
        for (QueuedEntry q : s.entries()) {
          cos.writeTag(2, 2);
          cos.writeUInt32NoTag(entrySizes[k++]);
          writeEntry(cos, q);
        }
      }
      cos.checkNoSpaceLeft();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
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
    int ts = timestampSize(q.entry().timestampNanos());
    int size = 1 + CodedOutputStream.computeUInt32SizeNoTag(ts) + ts;
    byte[] line = q.line();
    if (line.length > 0) size += CodedOutputStream.computeByteArraySize(2, line);
    for (Map.Entry<String, String> m : q.entry().structuredMetadata().entrySet()) {
      int ps = pairSize(m.getKey(), m.getValue());
      size += 1 + CodedOutputStream.computeUInt32SizeNoTag(ps) + ps;
    }
    return size;
  }

  private static int pairSize(String name, String value) {
    return (name.isEmpty() ? 0 : CodedOutputStream.computeStringSize(1, name))
        + (value.isEmpty() ? 0 : CodedOutputStream.computeStringSize(2, value));
  }

  private static void writeEntry(CodedOutputStream cos, QueuedEntry q) throws IOException {
    long ts = q.entry().timestampNanos();
    cos.writeTag(1, 2);
    cos.writeUInt32NoTag(timestampSize(ts));
    long s = seconds(ts);
    int n = nanos(ts);
    if (s != 0) cos.writeInt64(1, s);
    if (n != 0) cos.writeInt32(2, n);
    byte[] line = q.line();
    if (line.length > 0) cos.writeByteArray(2, line);
    for (Map.Entry<String, String> m : q.entry().structuredMetadata().entrySet()) {
      cos.writeTag(3, 2);
      cos.writeUInt32NoTag(pairSize(m.getKey(), m.getValue()));
      if (!m.getKey().isEmpty()) cos.writeString(1, m.getKey());
      if (!m.getValue().isEmpty()) cos.writeString(2, m.getValue());
    }
  }
}
