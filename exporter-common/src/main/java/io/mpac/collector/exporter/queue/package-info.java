/**
 * Where exporters keep what waits to be sent. {@link io.mpac.collector.exporter.queue.QueueStore}
 * is the contract (offer, take a {@link io.mpac.collector.exporter.queue.Lease}, ack; byte, item
 * and count limits from {@link io.mpac.collector.exporter.queue.QueueLimits}); it has two
 * implementations:
 * <ul>
 *   <li>{@link io.mpac.collector.exporter.queue.MemoryQueueStore}: on the heap, lost when the
 *       process ends.
 *   <li>{@link io.mpac.collector.exporter.queue.FileQueueStore}: on disk, survives a crash of the
 *       process (and, with {@code fsync}, of the machine). Its class comment describes the file
 *       format, the duplicate bound after a crash, and what recovery skips and reports
 *       ({@link io.mpac.collector.exporter.queue.RecoveryReport}). Payloads reach the disk through
 *       a {@link io.mpac.collector.exporter.queue.RecordCodec}; options are in
 *       {@link io.mpac.collector.exporter.queue.FileQueueOptions}.
 * </ul>
 */
package io.mpac.collector.exporter.queue;
