package io.mpac.collector.exporter.loki;

/**
 * The entries of one {@code push}, as one endpoint's queue holds them: the unit of
 * {@link io.mpac.collector.exporter.queue.QueueStore#offer offer} and
 * {@link io.mpac.collector.exporter.queue.QueueStore#ack ack}. A chunk is acked once every entry
 * of it was delivered or dropped for good.
 *
 * @param entries the prepared entries (never empty; not copied: nobody changes them once queued)
 * @param bytes their {@link QueuedEntry#size() sizes} summed (the memory bound counts these)
 * @param writtenAtMillis wall-clock time the chunk was accepted; with the WAL, a chunk older than
 *     {@code max_segment_age} when it is read is dropped, as Alloy deletes such segments
 */
record EntryChunk(QueuedEntry[] entries, long bytes, long writtenAtMillis) {

  static EntryChunk of(QueuedEntry[] entries, long writtenAtMillis) {
    long bytes = 0;
    for (QueuedEntry q : entries) bytes += q.size();
    return new EntryChunk(entries, bytes, writtenAtMillis);
  }

  int size() {
    return entries.length;
  }
}
