package io.mpac.collector.exporter.storage;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.exporter.queue.FileQueueStore;
import io.mpac.collector.exporter.queue.Lease;
import io.mpac.collector.exporter.queue.QueueLimits;
import io.mpac.collector.exporter.queue.QueueStore;
import io.mpac.collector.exporter.queue.RecoveryReport;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client's {@link FileQueueStore} as {@code otelcol.storage.file} hands it out: the store itself,
 * plus the client's persistent-queue metrics (removed when the store closes) and the rebound
 * compaction state. Every queue operation goes straight to the store.
 *
 * <table>
 *   <caption>Persistent queue metrics (tagged with the exporter's {@code component_id})</caption>
 *   <tr><td>{@code otelcol.exporter.queue.recovered.records}</td><td>requests found on disk at
 *       start, to be sent again</td></tr>
 *   <tr><td>{@code otelcol.exporter.queue.skipped.records}</td><td>damaged records skipped at
 *       start</td></tr>
 *   <tr><td>{@code otelcol.exporter.queue.skipped.bytes}</td><td>bytes of queue files skipped at
 *       start (damaged records, unusable segments)</td></tr>
 *   <tr><td>{@code otelcol.exporter.queue.skipped.segments}</td><td>segment files skipped whole</td></tr>
 *   <tr><td>{@code otelcol.exporter.queue.disk.bytes}</td><td>bytes of queue files on disk now</td></tr>
 *   <tr><td>{@code otelcol.exporter.queue.disk.limit.bytes}</td><td>the disk bound</td></tr>
 *   <tr><td>{@code otelcol.exporter.queue.write.failures}</td><td>offers refused because the write
 *       failed (disk full, I/O error)</td></tr>
 *   <tr><td>{@code otelcol.exporter.queue.undecodable.records}</td><td>records found unreadable
 *       when read back, skipped</td></tr>
 *   <tr><td>{@code otelcol.exporter.queue.compactions}</td><td>compactions run (on start, on rebound)</td></tr>
 *   <tr><td>{@code otelcol.exporter.queue.compacted.bytes}</td><td>disk reclaimed by compaction</td></tr>
 * </table>
 */
final class ObservedQueueStore<T> implements QueueStore<T> {

  static final String RECOVERED_RECORDS = "otelcol.exporter.queue.recovered.records";
  static final String SKIPPED_RECORDS = "otelcol.exporter.queue.skipped.records";
  static final String SKIPPED_BYTES = "otelcol.exporter.queue.skipped.bytes";
  static final String SKIPPED_SEGMENTS = "otelcol.exporter.queue.skipped.segments";
  static final String DISK_BYTES = "otelcol.exporter.queue.disk.bytes";
  static final String DISK_LIMIT = "otelcol.exporter.queue.disk.limit.bytes";
  static final String WRITE_FAILURES = "otelcol.exporter.queue.write.failures";
  static final String UNDECODABLE = "otelcol.exporter.queue.undecodable.records";
  static final String COMPACTED_BYTES = "otelcol.exporter.queue.compacted.bytes";
  static final String COMPACTIONS = "otelcol.exporter.queue.compactions";

  private final FileQueueStore<T> store;
  private final ComponentContext client;
  private final java.util.function.Consumer<ObservedQueueStore<?>> onClose;
  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private final Counter compacted;
  private final Counter compactions;
  private final AtomicBoolean closed = new AtomicBoolean();
  /** on_rebound: the queue grew past the "needed" threshold since its last compaction. */
  private volatile boolean reboundArmed;

  ObservedQueueStore(FileQueueStore<T> store, ComponentContext client,
      java.util.function.Consumer<ObservedQueueStore<?>> onClose) {
    this.store = store;
    this.client = client;
    this.onClose = onClose;
    this.registry = client.meterRegistry();
    Tags tags = client.tags();
    RecoveryReport r = store.recoveryReport();
    gauge(RECOVERED_RECORDS, r.recordsRecovered(), tags, "Requests found in the persistent queue at start");
    gauge(SKIPPED_RECORDS, r.recordsSkipped(), tags, "Damaged persistent queue records skipped at start");
    gauge(SKIPPED_BYTES, r.bytesSkipped(), tags, "Bytes of persistent queue files skipped at start");
    gauge(SKIPPED_SEGMENTS, r.segmentsSkipped(), tags, "Persistent queue segment files skipped whole at start");
    meters.add(Gauge.builder(DISK_BYTES, store, s -> s.usage().bytes()).tags(tags).strongReference(true)
        .description("Bytes of persistent queue files on disk").register(registry));
    long limit = store.limits().maxBytes();
    meters.add(Gauge.builder(DISK_LIMIT, () -> limit).tags(tags).strongReference(true)
        .description("The persistent queue's bound on disk bytes").register(registry));
    meters.add(FunctionCounter.builder(WRITE_FAILURES, store, s -> s.stats().writeFailures()).tags(tags)
        .description("Offers refused because the persistent queue could not write (disk full, I/O error)")
        .register(registry));
    meters.add(FunctionCounter.builder(UNDECODABLE, store, s -> s.stats().undecodableRecords()).tags(tags)
        .description("Persistent queue records that could not be read back, skipped").register(registry));
    compacted = Counter.builder(COMPACTED_BYTES).tags(tags).description("Disk bytes reclaimed by compaction")
        .register(registry);
    meters.add(compacted);
    compactions = Counter.builder(COMPACTIONS).tags(tags).description("Compactions of the persistent queue")
        .register(registry);
    meters.add(compactions);
  }

  private void gauge(String name, long value, Tags tags, String description) {
    meters.add(Gauge.builder(name, () -> value).tags(tags).strongReference(true).description(description)
        .register(registry));
  }

  ComponentContext client() {
    return client;
  }

  FileQueueStore<T> store() {
    return store;
  }

  /**
   * Rebound compaction (called by the storage's checker thread only): once the queue's disk use has
   * passed {@code needed}, compact it the first time it is below {@code trigger}.
   */
  synchronized void checkRebound(long needed, long trigger) throws IOException {
    if (closed.get()) return;
    long bytes = store.usage().bytes();
    if (bytes > needed) reboundArmed = true;
    if (reboundArmed && bytes < trigger) {
      reboundArmed = false;
      compact();
    }
  }

  boolean reboundArmed() {
    return reboundArmed;
  }

  /** Compacts now and counts what came back. Never concurrently with {@link #close()}. */
  synchronized FileQueueStore.CompactionResult compact() throws IOException {
    FileQueueStore.CompactionResult r = store.compact();
    compactions.increment();
    compacted.increment(r.bytesReclaimed());
    if (r.segmentsRewritten() > 0) {
      client.logger().info("persistent queue: compaction rewrote " + r.segmentsRewritten() + " segments, moved "
          + r.recordsMoved() + " records, reclaimed " + r.bytesReclaimed() + " bytes");
    }
    return r;
  }

  @Override
  public OfferResult offer(T payload, int items, long bytes, long waitNanos) throws InterruptedException {
    return store.offer(payload, items, bytes, waitNanos);
  }

  @Override
  public Lease<T> take(long maxWaitNanos) throws InterruptedException {
    return store.take(maxWaitNanos);
  }

  @Override
  public void ack(Lease<T> lease) {
    store.ack(lease);
  }

  @Override
  public void closeForOffers() {
    store.closeForOffers();
  }

  @Override
  public List<Lease<T>> abandon() {
    return store.abandon();
  }

  @Override
  public boolean finished() {
    return store.finished();
  }

  @Override
  public boolean persistent() {
    return true;
  }

  @Override
  public Usage usage() {
    return store.usage();
  }

  @Override
  public QueueLimits limits() {
    return store.limits();
  }

  /** Waits for a compaction in progress (the rebound checker's), then closes the store. */
  @Override
  public synchronized void close() {
    if (!closed.compareAndSet(false, true)) return;
    for (Meter m : meters) registry.remove(m);
    meters.clear();
    onClose.accept(this);
    store.close();
  }
}
