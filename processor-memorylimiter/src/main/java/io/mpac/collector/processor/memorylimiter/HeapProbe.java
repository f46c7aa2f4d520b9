package io.mpac.collector.processor.memorylimiter;

/** Where the limiter reads heap use: the running JVM's ({@link JvmHeapProbe}), or a fake in tests. */
interface HeapProbe extends AutoCloseable {

  /** Starts listening (called by the processor's start); the default does nothing. */
  default void open() {}

  /** Stops listening; the default does nothing. */
  @Override
  default void close() {}

  /** Heap bytes in use now: live data plus garbage not yet collected. */
  long used();

  /** Heap bytes in use right after the most recent garbage collection, or -1 before the first. */
  long usedAfterLastGc();

  /** Garbage collections seen so far; tells whether {@link #usedAfterLastGc()} is fresh. */
  long collections();

  /** The JVM's max heap in bytes. */
  long max();

  /** Asks for a full garbage collection and returns the heap in use right after it. */
  long collect();
}
