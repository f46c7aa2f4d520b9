package io.mpac.collector.exporter.loki;

import io.mpac.collector.loki.Labels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The entries of one tenant waiting to be sent, grouped into streams by label set, and the chunks
 * they came from (so each chunk is acked once all its entries are settled). Worker-owned.
 */
final class Batch {

  private static final Comparator<QueuedEntry> BY_TIME = Comparator.comparingLong(QueuedEntry::timestampNanos);

  final String tenant;
  final long createdNanos;
  private final Map<Labels, StreamEntries> streams = new LinkedHashMap<>();
  private Labels lastLabels;
  private StreamEntries lastStream;
  private long bytes;
  private int entries;
  /** The chunks the entries came from, in order, with how many entries each gave (runs). */
  private HeldChunk[] owners = new HeldChunk[4];
  private int[] ownerCounts = new int[4];
  private int ownerRuns;

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

  /**
   * Adds the entry of {@code owner}; false (and not added) when it would open a stream past
   * {@code maxStreams} (0 = no limit).
   */
  boolean add(QueuedEntry q, long maxStreams, HeldChunk owner) {
    StreamEntries list;
    if (q.stream() == lastLabels) {
      list = lastStream;
    } else {
      list = streams.get(q.stream());
      if (list == null) {
        if (maxStreams > 0 && streams.size() >= maxStreams) return false;
        list = new StreamEntries();
        streams.put(q.stream(), list);
      }
      lastLabels = q.stream();
      lastStream = list;
    }
    list.add(q);
    bytes += q.size();
    entries++;
    if (ownerRuns > 0 && owners[ownerRuns - 1] == owner) {
      ownerCounts[ownerRuns - 1]++;
    } else {
      if (ownerRuns == owners.length) {
        owners = Arrays.copyOf(owners, ownerRuns * 2);
        ownerCounts = Arrays.copyOf(ownerCounts, ownerRuns * 2);
      }
      owners[ownerRuns] = owner;
      ownerCounts[ownerRuns++] = 1;
    }
    return true;
  }

  /** Calls {@code settled} once per run of entries from one chunk, with the run's length. */
  void forEachOwner(java.util.function.ObjIntConsumer<HeldChunk> settled) {
    for (int i = 0; i < ownerRuns; i++) settled.accept(owners[i], ownerCounts[i]);
  }

  /** The streams to send, each sorted by timestamp (stable: equal times keep their arrival order). */
  List<PushEncoder.Stream> streamsToSend() {
    List<PushEncoder.Stream> out = new ArrayList<>(streams.size());
    for (Map.Entry<Labels, StreamEntries> e : streams.entrySet()) {
      out.add(new PushEncoder.Stream(e.getKey().toString(), e.getValue().sorted()));
    }
    return out;
  }

  /** A stream's entries in arrival order, and whether that order is already by time. */
  private static final class StreamEntries {
    QueuedEntry[] entries = new QueuedEntry[16];
    int count;
    long lastTimestamp = Long.MIN_VALUE;
    boolean inOrder = true;

    void add(QueuedEntry q) {
      if (count == entries.length) entries = Arrays.copyOf(entries, count * 2);
      entries[count++] = q;
      long ts = q.timestampNanos();
      if (ts < lastTimestamp) inOrder = false;
      lastTimestamp = ts;
    }

    /** The entries sorted by time (stable); sorts only when some entry arrived out of order. */
    List<QueuedEntry> sorted() {
      if (!inOrder) {
        Arrays.sort(entries, 0, count, BY_TIME);
        inOrder = true;
      }
      return Arrays.asList(entries).subList(0, count);
    }
  }
}
