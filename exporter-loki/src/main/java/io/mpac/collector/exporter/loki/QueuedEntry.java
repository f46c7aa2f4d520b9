package io.mpac.collector.exporter.loki;

import com.google.protobuf.CodedOutputStream;
import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LokiEntry;
import java.util.Map;

/**
 * An entry as {@code loki.write} queues it: its final stream labels (external labels added,
 * internal {@code __} labels and empty values removed), the tenant its {@code __tenant_id__} label
 * asked for (or null), and its size for batching and queue accounting.
 *
 * @param size line plus structured-metadata bytes, as Loki counts them for {@code batch_size}
 */
record QueuedEntry(Labels stream, String tenant, LokiEntry entry, int size) {

  static int sizeOf(LokiEntry e) {
    int size = utf8Length(e.line());
    if (!e.structuredMetadata().isEmpty()) {
      for (Map.Entry<String, String> m : e.structuredMetadata().entrySet()) {
        size += m.getKey().length() + m.getValue().length();
      }
    }
    return Math.max(size, 1);
  }

  /** UTF-8 bytes of {@code s} (unpaired surrogates count as protobuf writes them). */
  static int utf8Length(String s) {
    int withPrefix = CodedOutputStream.computeStringSizeNoTag(s);
    for (int v = 1; v <= 5; v++) {
      if (CodedOutputStream.computeUInt32SizeNoTag(withPrefix - v) == v) return withPrefix - v;
    }
    return s.length();
  }
}
