package io.mpac.collector.exporter.queue;

/**
 * How much a {@link QueueStore} may hold, from offer to ack. Every limit applies at once; an offer
 * that would pass any of them is refused ({@link QueueStore.OfferResult#FULL}), except into an
 * empty store. {@link Long#MAX_VALUE} means "no limit of this kind".
 *
 * <p>The byte limit of a memory store bounds heap; of a persistent store, disk. Exporters derive a
 * memory store's byte limit from the JVM's max heap when the config gives none, so no config can
 * queue the process out of memory.
 *
 * @param maxCount payloads (the {@code requests} sizer)
 * @param maxItems items (the {@code items} sizer)
 * @param maxBytes bytes (the {@code bytes} sizer; heap or disk)
 */
public record QueueLimits(long maxCount, long maxItems, long maxBytes) {

  public static final long UNLIMITED = Long.MAX_VALUE;

  public QueueLimits {
    if (maxCount < 1 || maxItems < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("queue limits must be at least 1: " + maxCount + ", " + maxItems + ", "
          + maxBytes);
    }
  }

  /** True when a payload of {@code items} and {@code bytes} fits beside what {@code used} holds. */
  public boolean fits(QueueStore.Usage used, int items, long bytes) {
    if (used.count() == 0) return true;
    return used.count() + 1 <= maxCount
        && used.items() + items <= maxItems
        && used.bytes() + bytes <= maxBytes;
  }
}
