package io.mpac.collector.exporter.loki;

import io.mpac.collector.loki.Labels;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The entries of one tenant waiting to be sent, grouped into streams by label set. Worker-owned. */
final class Batch {

  private static final Comparator<QueuedEntry> BY_TIME = Comparator.comparingLong(q -> q.entry().timestampNanos());

  final String tenant;
  final long createdNanos;
  private final Map<Labels, List<QueuedEntry>> streams = new LinkedHashMap<>();
  private long bytes;
  private int entries;

  Batch(String tenant, long createdNanos) {
    this.tenant = tenant;
    this.createdNanos = createdNanos;
  }

  boolean isEmpty() {
    return entries == 0;
  }

  long bytes() {
    return bytes;
  }

  int entries() {
    return entries;
  }

  int streamCount() {
    return streams.size();
  }

  /** Adds the entry; false (and not added) when it would open a stream past {@code maxStreams} (0 = no limit). */
  boolean add(QueuedEntry q, long maxStreams) {
    List<QueuedEntry> list = streams.get(q.stream());
    if (list == null) {
      if (maxStreams > 0 && streams.size() >= maxStreams) return false;
      list = new ArrayList<>();
      streams.put(q.stream(), list);
    }
    list.add(q);
    bytes += q.size();
    entries++;
    return true;
  }

  /** The streams to send, each sorted by timestamp (stable: equal times keep their arrival order). */
  List<PushEncoder.Stream> streamsToSend() {
    List<PushEncoder.Stream> out = new ArrayList<>(streams.size());
    for (Map.Entry<Labels, List<QueuedEntry>> e : streams.entrySet()) {
      List<QueuedEntry> list = e.getValue();
      list.sort(BY_TIME);
      out.add(new PushEncoder.Stream(e.getKey().toString(), list));
    }
    return out;
  }
}
