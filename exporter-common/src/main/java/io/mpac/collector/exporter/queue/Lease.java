package io.mpac.collector.exporter.queue;

/**
 * A payload taken from a {@link QueueStore}: the taker holds it until it calls
 * {@link QueueStore#ack}. Leases are compared by identity of their store's {@code id}.
 *
 * @param id the store's identity for the payload (a persistent store: its position on disk)
 * @param payload what was offered (a persistent store: decoded from disk)
 * @param items the item count given at offer
 * @param bytes the size in bytes given at offer
 * @param redelivered true when the payload was read back from disk after a restart (it may have
 *     been delivered before the crash: a possible duplicate)
 */
public record Lease<T>(long id, T payload, int items, long bytes, boolean redelivered) {}
