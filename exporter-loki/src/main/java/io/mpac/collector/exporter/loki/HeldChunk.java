package io.mpac.collector.exporter.loki;

import io.mpac.collector.exporter.queue.Lease;

/**
 * A chunk an endpoint's worker took from its queue and has not yet settled: its entries sit in
 * batches (possibly of several tenants and requests). When the last of them is delivered or dropped
 * for good, the chunk is acked. Worker-owned.
 */
final class HeldChunk {

  final Lease<EntryChunk> lease;
  /** Entries not yet delivered or dropped. */
  int pending;
  /** Times a worker crashed while holding it (a chunk that keeps crashing the worker is dropped). */
  int crashes;

  HeldChunk(Lease<EntryChunk> lease) {
    this.lease = lease;
    this.pending = lease.payload().size();
  }

  EntryChunk chunk() {
    return lease.payload();
  }
}
