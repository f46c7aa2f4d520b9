package io.mpac.collector.exporter.otlp;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Health;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.exporter.OtlpRequestCodec;
import io.mpac.collector.exporter.PayloadInfo;
import io.mpac.collector.exporter.QueueConfig;
import io.mpac.collector.exporter.RetryConfig;
import io.mpac.collector.exporter.SendingQueue;
import io.mpac.collector.exporter.Timing;
import io.mpac.collector.exporter.queue.QueueStore;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * An OTLP exporter instance ({@code otelcol.exporter.otlp} or {@code otelcol.exporter.otlphttp}):
 * the shared {@link SendingQueue} in front of a gRPC or HTTP transport. Exports {@code input}, an
 * {@link OtlpConsumer} for all three signals.
 *
 * <p>Lifecycle: {@link #start()} builds the client (a TLS file that cannot be read fails here),
 * opens the persistent queue when {@code sending_queue { storage = ... }} is set (recovering what
 * the previous run left; another process holding it fails the start) and starts the workers; it
 * does not wait for the backend, which may come up later (the queue holds and retries).
 * {@link #shutdown(Duration)} drains the queue within the deadline (a persistent queue keeps the
 * rest on disk), then closes the client.
 */
public final class OtlpExporter implements Component {

  private static final Set<Signal> ALL = Set.copyOf(EnumSet.allOf(Signal.class));

  private final ComponentContext context;
  private final OtlpTransport transport;
  private final QueueConfig queueConfig;
  private final RetryConfig retry;
  private final Duration timeout;
  private final Timing timing;
  private final OtlpConsumer input;
  /** Where an in-memory queue hands what it could not deliver at shutdown, or null. */
  private final java.util.function.Consumer<OtlpRequest> handBack;
  /** Built at creation in memory; a persistent one at start, once its store is open. */
  private volatile SendingQueue<OtlpRequest> queue;
  private volatile boolean stopped;

  OtlpExporter(ComponentContext context, OtlpTransport transport, QueueConfig queueConfig, RetryConfig retry,
      Duration timeout, Timing timing) {
    this(context, transport, queueConfig, retry, timeout, timing, null);
  }

  private OtlpExporter(ComponentContext context, OtlpTransport transport, QueueConfig queueConfig, RetryConfig retry,
      Duration timeout, Timing timing, java.util.function.Consumer<OtlpRequest> handBack) {
    this.handBack = handBack;
    this.context = context;
    this.transport = transport;
    this.queueConfig = queueConfig;
    this.retry = retry;
    this.timeout = timeout;
    this.timing = timing;
    if (!queueConfig.persistent()) this.queue = newQueue(null);
    this.input = new Input();
  }

  private SendingQueue<OtlpRequest> newQueue(QueueStore<OtlpRequest> store) {
    SendingQueue.Builder<OtlpRequest> b = SendingQueue.builder(context, transport, PayloadInfo.OTLP)
        .queue(queueConfig).retry(retry).timeout(timeout).timing(timing);
    if (store != null) b.store(store);
    if (handBack != null) b.handBack(handBack);
    return b.build();
  }

  /** {@code otelcol.exporter.otlp}: OTLP/gRPC. */
  public static OtlpExporter grpc(ComponentContext context, OtlpGrpcExporterConfig config) {
    return grpc(context, config, Timing.SYSTEM);
  }

  static OtlpExporter grpc(ComponentContext context, OtlpGrpcExporterConfig config, Timing timing) {
    return new OtlpExporter(context, new OtlpGrpcSender(config.client()), config.queue(), config.retry(),
        config.timeout(), timing);
  }

  /**
   * An OTLP/gRPC exporter whose in-memory queue, at shutdown, hands every request it could not
   * deliver in time to {@code handBack} instead of dropping it: {@code otelcol.exporter.loadbalancing}
   * builds one per back end and re-routes what a departing back end still held.
   */
  public static OtlpExporter grpc(ComponentContext context, OtlpGrpcExporterConfig config,
      java.util.function.Consumer<OtlpRequest> handBack) {
    return new OtlpExporter(context, new OtlpGrpcSender(config.client()), config.queue(), config.retry(),
        config.timeout(), Timing.SYSTEM, java.util.Objects.requireNonNull(handBack));
  }

  /** {@code otelcol.exporter.otlphttp}: OTLP/HTTP. */
  public static OtlpExporter http(ComponentContext context, OtlpHttpExporterConfig config) {
    return new OtlpExporter(context, new OtlpHttpSender(config), config.queue(), config.retry(), config.timeout(),
        Timing.SYSTEM);
  }

  /** The {@code input} export. */
  public OtlpConsumer input() {
    return input;
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of("input", input);
  }

  @Override
  public synchronized void start() throws Exception {
    if (stopped) throw new IllegalStateException(context.id() + " was shut down");
    transport.start();
    if (queue == null) {
      QueueStore<OtlpRequest> store = queueConfig.storage().openQueue(context, OtlpRequestCodec.INSTANCE,
          queueConfig.diskLimits());
      queue = newQueue(store);
      context.logger().info("persistent sending queue in " + queueConfig.storage().directoryOf(context));
    }
    queue.start();
    context.logger().info("exporting to " + transport.describe());
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
    transport.close(left.isNegative() ? Duration.ofMillis(100) : left);
  }

  @Override
  public Health health() {
    if (stopped) return Health.unhealthy("shut down");
    SendingQueue<OtlpRequest> queue = this.queue;
    if (queue == null) return Health.healthy("opening the persistent queue");
    Health workers = queue.health();
    if (!workers.isHealthy()) return workers;
    return Health.healthy("queue " + queue.queueSize() + "/" + queue.queueCapacity());
  }

  /** The queue, for tests. */
  SendingQueue<OtlpRequest> sendingQueue() {
    return queue;
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
