package io.mpac.collector.exporter.queue;

import java.util.List;

/**
 * Where an exporter keeps what waits to be sent: in memory ({@link MemoryQueueStore}) or on disk
 * ({@code FileQueueStore}, a persistent queue that survives restarts and crashes). Every send path
 * (the OTLP exporters' sending queue, {@code loki.write}'s endpoints, {@code prometheus.remote_write}'s
 * endpoints) puts one of these in front of its workers, so capacity accounting, back-pressure and
 * persistence exist once.
 *
 * <p>Life of a payload: {@link #offer} (room is reserved, in bytes and items; a persistent store
 * has written it by the time it returns) → {@link #take} (a worker now holds a {@link Lease}) →
 * {@link #ack} (delivered or dropped for good: its room is freed and a persistent store will never
 * hand it out again). A lease that is never acked (crash, shutdown deadline) is handed out again
 * by the next store opened on the same directory: delivery is at-least-once, and after a crash the
 * duplicates are at most the leases that were taken and not yet acked.
 *
 * <p>Room is held from offer to ack, so the bound covers what waits <em>and</em> what is in
 * flight. An empty store always takes one payload, however large, so that an oversized payload is
 * never refused forever.
 *
 * <p>Thread safety: every method may be called from any number of threads.
 *
 * @param <T> the payload type
 */
public interface QueueStore<T> extends AutoCloseable {

  /** What {@link #offer} did. */
  enum OfferResult {
    /** Queued (and, for a persistent store, written). */
    ACCEPTED,
    /** No room within the limits (or the disk is full): the caller refuses upstream (back-pressure). */
    FULL,
    /** The store is closed: no more offers. */
    CLOSED
  }

  /**
   * Adds a payload if it fits, waiting up to {@code waitNanos} for room (0: do not wait).
   *
   * @param items the payload's item count (spans, data points, log records; 1 for opaque payloads)
   * @param bytes the payload's size in bytes, for the byte bound
   */
  OfferResult offer(T payload, int items, long bytes, long waitNanos) throws InterruptedException;

  /**
   * The oldest payload nobody holds, waiting up to {@code maxWaitNanos} for one. Null when the wait
   * ran out, or once the store is closed and nothing is left to take ({@link #finished()}).
   */
  Lease<T> take(long maxWaitNanos) throws InterruptedException;

  /** The payload of {@code lease} is settled (delivered, or dropped and counted): free its room. Idempotent. */
  void ack(Lease<T> lease);

  /**
   * Stops taking offers and wakes every waiter; takers still get what is queued, then null.
   * Persistent stores keep what is on disk for the next start.
   */
  void closeForOffers();

  /**
   * Removes every payload nobody holds and returns them, so the caller can count them: for a
   * memory store these are lost. A persistent store returns an empty list: what it holds stays on
   * disk and is sent after the next start. After this, {@link #take} returns null.
   */
  List<Lease<T>> abandon();

  /** True once no more leases will be handed out: closed for offers and empty, or abandoned. */
  boolean finished();

  /** True when what the store accepted survives a restart of the process. */
  boolean persistent();

  /** Live figures: what is held (queued and in flight) against the limits. */
  Usage usage();

  /** The limits this store was opened with. */
  QueueLimits limits();

  /**
   * Releases files and threads. Does not ack anything: unacked payloads of a persistent store are
   * handed out again by the next store opened on the same directory. Idempotent.
   */
  @Override
  void close();

  /**
   * What a store holds.
   *
   * @param count payloads offered and not yet acked
   * @param items their items
   * @param bytes their bytes (for a persistent store: bytes on disk, including record framing and
   *     acked records not yet reclaimed)
   */
  record Usage(long count, long items, long bytes) {}
}
