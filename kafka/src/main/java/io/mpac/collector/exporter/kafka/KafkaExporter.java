package io.mpac.collector.exporter.kafka;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Health;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.exporter.OtlpRequestCodec;
import io.mpac.collector.exporter.PayloadInfo;
import io.mpac.collector.exporter.SendingQueue;
import io.mpac.collector.exporter.queue.QueueStore;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * {@code otelcol.exporter.kafka}: the shared {@link SendingQueue} (memory, or on disk with
 * {@code sending_queue { storage = ... }}) in front of a Kafka producer ({@link KafkaRecordSender}).
 * Exports {@code input} for all three signals.
 *
 * <p>Lifecycle: {@link #start()} opens the persistent queue if any, creates the producer (no broker
 * needs to be up: records wait, retried, in the queue) and starts the workers. {@link #shutdown}
 * drains the queue within the deadline (a persistent queue keeps the rest), then closes the producer.
 */
public final class KafkaExporter implements Component {

  private static final Set<Signal> ALL = Set.copyOf(EnumSet.allOf(Signal.class));

  private final ComponentContext context;
  private final KafkaExporterConfig config;
  private final KafkaRecordSender sender;
  private final OtlpConsumer input = new Input();
  private volatile SendingQueue<OtlpRequest> queue;
  private volatile boolean stopped;

  KafkaExporter(ComponentContext context, KafkaExporterConfig config) {
    this.context = context;
    this.config = config;
    this.sender = new KafkaRecordSender(config, context.meterRegistry(), context.tags());
    if (!config.queue().persistent()) queue = newQueue(null);
  }

  private SendingQueue<OtlpRequest> newQueue(QueueStore<OtlpRequest> store) {
    SendingQueue.Builder<OtlpRequest> b = SendingQueue.builder(context, sender, PayloadInfo.OTLP)
        .queue(config.queue()).retry(config.retry()).timeout(config.timeout());
    if (store != null) b.store(store);
    return b.build();
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of("input", input);
  }

  /** The {@code input} export. */
  public OtlpConsumer input() {
    return input;
  }

  @Override
  public synchronized void start() throws Exception {
    if (stopped) throw new IllegalStateException(context.id() + " was shut down");
    sender.start();
    if (queue == null) {
      QueueStore<OtlpRequest> store = config.queue().storage().openQueue(context, OtlpRequestCodec.INSTANCE,
          config.queue().diskLimits());
      queue = newQueue(store);
      context.logger().info("persistent sending queue in " + config.queue().storage().directoryOf(context));
    }
    queue.start();
    context.logger().info("exporting to Kafka " + sender.describe() + ", topics " + config.topics().get(Signal.TRACES)
        .topic() + " / " + config.topics().get(Signal.METRICS).topic() + " / " + config.topics().get(Signal.LOGS).topic());
  }

  @Override
  public void shutdown(Duration timeout) {
    SendingQueue<OtlpRequest> q;
    synchronized (this) {
      if (stopped) return;
      stopped = true;
      q = queue;
    }
    long t0 = System.nanoTime();
    if (q != null) q.shutdown(timeout);
    Duration left = timeout.minusNanos(System.nanoTime() - t0);
    sender.close(left.isNegative() ? Duration.ofMillis(100) : left);
  }

  @Override
  public Health health() {
    if (stopped) return Health.unhealthy("shut down");
    SendingQueue<OtlpRequest> q = queue;
    if (q == null) return Health.healthy("opening the persistent queue");
    Health workers = q.health();
    if (!workers.isHealthy()) return workers;
    return Health.healthy("queue " + q.queueSize() + "/" + q.queueCapacity());
  }

  private final class Input implements OtlpConsumer {
    @Override
    public Set<Signal> signals() {
      return ALL;
    }

    @Override
    public void consume(OtlpRequest request) throws ConsumeException {
      SendingQueue<OtlpRequest> q = queue;
      if (q == null) throw new ConsumeException.Refused(context.id() + " has not started yet");
      q.offer(request);
    }

    @Override
    public String toString() {
      return context.id() + ".input";
    }
  }
}
