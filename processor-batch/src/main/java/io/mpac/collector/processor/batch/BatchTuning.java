package io.mpac.collector.processor.batch;

import io.mpac.collector.component.HeapBudget;
import java.time.Duration;

/**
 * Limits that are not Alloy arguments: how much data one signal may hold before producers are
 * refused, and how a batch the downstream consumer refuses is retried.
 *
 * @param maxPendingItems items accepted but not yet delivered, per signal, beyond which
 *     {@code consume} refuses (a request is always accepted when nothing is pending)
 * @param maxPendingBytes the same bound in encoded bytes (by default a share of the max heap)
 * @param retryInitialBackoff first wait after the downstream consumer refused a batch
 * @param retryMaxBackoff longest wait between attempts (doubling from the initial one; a longer
 *     retry hint from downstream is capped at this)
 * @param retryMaxElapsed how long one batch is retried before it is dropped (and counted)
 */
record BatchTuning(long maxPendingItems, long maxPendingBytes, Duration retryInitialBackoff,
    Duration retryMaxBackoff, Duration retryMaxElapsed) {

  /**
   * Items: ten maximum-size batches (or ten trigger-size batches, at least 10,000, without a max).
   * Bytes: {@link HeapBudget#BATCH_PENDING} of the max heap per signal (at least 1 MiB), so that
   * the three signals of one batch processor together hold about 15% of the heap at most.
   */
  static BatchTuning defaults(BatchProcessorConfig config) {
    long unit = config.sendBatchMaxSize() > 0 ? config.sendBatchMaxSize() : Math.max(config.sendBatchSize(), 1000);
    return new BatchTuning(10 * unit, HeapBudget.share(HeapBudget.BATCH_PENDING), Duration.ofMillis(10),
        Duration.ofSeconds(1), Duration.ofSeconds(30));
  }
}
