package io.mpac.collector.processor.batch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mpac.collector.pdata.Signal;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Self-metrics of one signal's batcher, named after the OpenTelemetry Collector's
 * ({@code otelcol_processor_batch_*} and {@code otelcol_processor_{refused,dropped}_*} in
 * Prometheus), tagged with {@code component_id} and {@code signal}.
 */
final class BatchMetrics {

  /** The OpenTelemetry Collector's buckets for {@code batch_send_size}. */
  private static final double[] SIZE_BUCKETS = {10, 25, 50, 75, 100, 250, 500, 750, 1000, 2000, 3000, 4000, 5000,
      6000, 7000, 8000, 9000, 10000, 20000, 30000, 50000, 100000};

  final Counter sizeTrigger;
  final Counter timeoutTrigger;
  final DistributionSummary sendSize;
  final DistributionSummary sendSizeBytes;
  final Counter refused;
  final Counter dropped;
  final Counter sendRefused;
  final Counter sendFailed;

  BatchMetrics(MeterRegistry registry, Tags componentTags, Signal signal, Supplier<Number> cardinality,
      AtomicLong pendingItems) {
    Tags tags = componentTags.and("signal", signal.lowerName());
    sizeTrigger = Counter.builder("otelcol.processor.batch.batch.size.trigger.send")
        .description("Number of times the batch was sent due to a size trigger").tags(tags).register(registry);
    timeoutTrigger = Counter.builder("otelcol.processor.batch.timeout.trigger.send")
        .description("Number of times the batch was sent due to a timeout trigger (or shutdown)").tags(tags).register(registry);
    sendSize = DistributionSummary.builder("otelcol.processor.batch.batch.send.size")
        .description("Number of items in a batch that was sent").baseUnit("items").serviceLevelObjectives(SIZE_BUCKETS)
        .tags(tags).register(registry);
    sendSizeBytes = DistributionSummary.builder("otelcol.processor.batch.batch.send.size.bytes")
        .description("Encoded size of a batch that was sent").baseUnit("bytes").tags(tags).register(registry);
    Gauge.builder("otelcol.processor.batch.metadata.cardinality", cardinality)
        .description("Number of distinct metadata value combinations being batched").tags(tags).register(registry);
    Gauge.builder("otelcol.processor.batch.pending.items", pendingItems, AtomicLong::get)
        .description("Items accepted and not yet delivered").tags(tags).register(registry);
    refused = Counter.builder("otelcol.processor.refused." + signal.itemName())
        .description("Items the processor refused (back-pressure, cardinality limit, shutdown, malformed)")
        .tags(componentTags).register(registry);
    dropped = Counter.builder("otelcol.processor.dropped." + signal.itemName())
        .description("Items accepted and then given up on (downstream rejected them, retries ran out, shutdown deadline)")
        .tags(componentTags).register(registry);
    sendRefused = Counter.builder("otelcol.processor.batch.send.refused")
        .description("Send attempts the downstream consumer refused (retried)").tags(tags).register(registry);
    sendFailed = Counter.builder("otelcol.processor.batch.send.failed")
        .description("Batches that could not be delivered (dropped)").tags(tags).register(registry);
  }
}
