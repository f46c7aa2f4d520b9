package io.mpac.collector.processor.batch;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Health;
import io.mpac.collector.component.Supervisor;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.FanoutConsumer;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code otelcol.processor.batch}: groups OTLP requests into batches per signal (and per metadata
 * combination with {@code metadata_keys}) and sends a batch downstream when it reaches
 * {@code send_batch_size} items, when {@code timeout} has passed since its first item, and on
 * shutdown. No batch exceeds {@code send_batch_max_size}; larger input is split at item
 * boundaries. Exports {@code input}, which accepts all three signals.
 *
 * <p>Each signal with at least one consumer has a {@link SignalBatcher}: callers of
 * {@code consume} never lock or wait; one worker thread per signal owns the batches. When more than
 * {@link BatchTuning#maxPendingItems()} items (or {@link BatchTuning#maxPendingBytes()} bytes) are
 * pending, {@code consume} throws {@link ConsumeException.Refused}, which receivers turn into
 * back-pressure. A signal without consumers is accepted and discarded, as in Alloy.
 *
 * <p>The workers run under a {@link Supervisor}: one that throws is restarted, and the component
 * is unhealthy, naming the worker, until it has recovered.
 */
public final class BatchProcessor implements Component {

  private static final Set<Signal> ALL_SIGNALS = Set.copyOf(EnumSet.allOf(Signal.class));

  private final ComponentContext context;
  private final EnumMap<Signal, SignalBatcher> batchers = new EnumMap<>(Signal.class);
  private final Supervisor supervisor;
  private final OtlpConsumer input = new Input();
  private volatile boolean started;
  private volatile boolean stopped;

  public BatchProcessor(ComponentContext context, BatchProcessorConfig config) {
    this(context, config, BatchTuning.defaults(config));
  }

  // Visible for testing
  BatchProcessor(ComponentContext context, BatchProcessorConfig config, BatchTuning tuning) {
    this.context = context;
    this.supervisor = new Supervisor(context);
    for (Signal signal : Signal.values()) {
      if (config.output(signal).isEmpty()) continue;
      OtlpConsumer next = FanoutConsumer.of(config.output(signal));
      batchers.put(signal, new SignalBatcher(signal, next, config, tuning, context.id().toString(),
          context.meterRegistry(), context.tags(), context.logger(), supervisor));
    }
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of("input", input);
  }

  /** The exported consumer. */
  public OtlpConsumer input() {
    return input;
  }

  @Override
  public synchronized void start() {
    if (started || stopped) return;
    started = true;
    batchers.values().forEach(SignalBatcher::start);
  }

  /** Stops accepting, sends every pending batch (retrying refusals until the deadline) and returns. */
  @Override
  public synchronized void shutdown(Duration timeout) {
    if (stopped) return;
    stopped = true;
    long deadline = System.nanoTime() + timeout.toNanos();
    batchers.values().forEach(b -> b.close(deadline));
    for (Map.Entry<Signal, SignalBatcher> e : batchers.entrySet()) {
      try {
        if (!e.getValue().awaitTermination(deadline)) {
          context.logger().warning("otelcol.processor.batch: the " + e.getKey().lowerName()
              + " worker did not stop within " + timeout);
        }
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    supervisor.stopRestarting();
    // a worker that died while stopping (and was not restarted) leaves its data counted as dropped
    batchers.values().forEach(SignalBatcher::dropLeftovers);
  }

  @Override
  public Health health() {
    if (stopped) return Health.unknown("stopped");
    if (!started) return Health.unknown("not started");
    Health workers = supervisor.health();
    return workers.isHealthy() ? Health.healthy("started") : workers;
  }

  private final class Input implements OtlpConsumer {
    @Override
    public Set<Signal> signals() {
      return ALL_SIGNALS;
    }

    @Override
    public void consume(OtlpRequest request) throws ConsumeException {
      SignalBatcher b = batchers.get(request.signal());
      if (b != null) b.consume(request);
    }

    @Override
    public String toString() {
      return context.id() + ".input";
    }
  }
}
