package io.mpac.collector.processor.batch;

import java.time.Duration;

/**
 * Limits that are not Alloy arguments: how much data one signal may hold before producers are
 * refused, and how a batch the downstream consumer refuses is retried.
 *
 * @param maxPendingItems items accepted but not yet delivered, per signal, beyond which
 *     {@code consume} refuses (a request is always accepted when nothing is pending)
 * @param maxPendingBytes the same bound in encoded bytes
 * @param retryInitialBackoff first wait after the downstream consumer refused a batch
 * @param retryMaxBackoff longest wait between attempts (doubling from the initial one; a longer
 *     retry hint from downstream is capped at this)
 * @param retryMaxElapsed how long one batch is retried before it is dropped (and counted)
 */
record BatchTuning(long maxPendingItems, long maxPendingBytes, Duration retryInitialBackoff,
    Duration retryMaxBackoff, Duration retryMaxElapsed) {

  /** 16 MiB per signal: four maximum-size (4 MiB) gRPC requests. */
  static final long DEFAULT_MAX_PENDING_BYTES = 16L << 20;

  /** Ten maximum-size batches of items (or ten trigger-size batches, at least 10,000, without a max). */
  static BatchTuning defaults(BatchProcessorConfig config) {
    long unit = config.sendBatchMaxSize() > 0 ? config.sendBatchMaxSize() : Math.max(config.sendBatchSize(), 1000);
    return new BatchTuning(10 * unit, DEFAULT_MAX_PENDING_BYTES, Duration.ofMillis(10), Duration.ofSeconds(1),
        Duration.ofSeconds(30));
  }
}
