package io.mpac.collector.receiver.kafka;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Health;
import io.mpac.collector.component.Supervisor;
import java.time.Duration;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * {@code otelcol.receiver.kafka}: one consumer in the group {@code group_id}, reading the topics of
 * the signals that have an output, handing each record's OTLP request on ({@link ConsumerLoop}).
 * The consumer thread runs under the {@link Supervisor}: if it dies, it is restarted with a new
 * consumer, which resumes from the committed offsets (nothing is lost; what was handed on after the
 * last commit comes again).
 */
public final class KafkaReceiver implements Component {

  private final ComponentContext context;
  private final KafkaReceiverConfig config;
  private final ConsumerLoop loop;
  private final ReceiverMetrics metrics;
  private final Supervisor supervisor;
  private volatile Supervisor.Worker worker;
  private volatile boolean stopped;

  KafkaReceiver(ComponentContext context, KafkaReceiverConfig config) {
    this(context, config, () -> new KafkaConsumer<>(config.consumerProperties()));
  }

  KafkaReceiver(ComponentContext context, KafkaReceiverConfig config, Supplier<Consumer<byte[], byte[]>> consumers) {
    this.context = context;
    this.config = config;
    this.supervisor = new Supervisor(context);
    this.metrics = new ReceiverMetrics(context.meterRegistry(), context.tags());
    this.loop = new ConsumerLoop(config, consumers, metrics, context.logger());
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of();
  }

  @Override
  public synchronized void start() {
    if (stopped) throw new IllegalStateException(context.id() + " was shut down");
    metrics.gauges.register();
    if (config.topics().isEmpty()) {
      context.logger().warning("output sets no consumer: nothing is read from Kafka");
      return;
    }
    worker = supervisor.start(context.id() + "-consumer", loop);
  }

  @Override
  public void shutdown(Duration timeout) {
    Supervisor.Worker w;
    synchronized (this) {
      if (stopped) return;
      stopped = true;
      w = worker;
    }
    supervisor.stopRestarting();
    loop.stop();
    if (w != null) {
      try {
        w.join(timeout.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (w.isAlive()) context.logger().warning("the Kafka consumer did not stop within " + timeout);
    }
    metrics.gauges.remove();
  }

  @Override
  public Health health() {
    if (stopped) return Health.unhealthy("shut down");
    return supervisor.health();
  }
}
