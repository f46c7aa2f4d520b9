package io.mpac.collector.exporter.otlp;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Health;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.exporter.PayloadInfo;
import io.mpac.collector.exporter.QueueConfig;
import io.mpac.collector.exporter.RetryConfig;
import io.mpac.collector.exporter.SendingQueue;
import io.mpac.collector.exporter.Timing;
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
 * <p>Lifecycle: {@link #start()} builds the client (a TLS file that cannot be read fails here) and
 * starts the workers; it does not wait for the backend, which may come up later (the queue holds
 * and retries). {@link #shutdown(Duration)} drains the queue within the deadline, then closes the
 * client.
 */
public final class OtlpExporter implements Component {

  private static final Set<Signal> ALL = Set.copyOf(EnumSet.allOf(Signal.class));

  private final ComponentContext context;
  private final OtlpTransport transport;
  private final SendingQueue<OtlpRequest> queue;
  private final OtlpConsumer input;
  private volatile boolean stopped;

  OtlpExporter(ComponentContext context, OtlpTransport transport, QueueConfig queueConfig, RetryConfig retry,
      Duration timeout, Timing timing) {
    this.context = context;
    this.transport = transport;
    this.queue = SendingQueue.builder(context, transport, PayloadInfo.OTLP).queue(queueConfig).retry(retry)
        .timeout(timeout).timing(timing).build();
    this.input = new Input();
  }

  /** {@code otelcol.exporter.otlp}: OTLP/gRPC. */
  public static OtlpExporter grpc(ComponentContext context, OtlpGrpcExporterConfig config) {
    return grpc(context, config, Timing.SYSTEM);
  }

  static OtlpExporter grpc(ComponentContext context, OtlpGrpcExporterConfig config, Timing timing) {
    return new OtlpExporter(context, new OtlpGrpcSender(config.client()), config.queue(), config.retry(),
        config.timeout(), timing);
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
  public void start() throws Exception {
    transport.start();
    queue.start();
    context.logger().info("exporting to " + transport.describe());
  }

  @Override
  public void shutdown(Duration timeout) {
    if (stopped) return;
    stopped = true;
    long t0 = System.nanoTime();
    queue.shutdown(timeout);
    Duration left = timeout.minusNanos(System.nanoTime() - t0);
    transport.close(left.isNegative() ? Duration.ofMillis(100) : left);
  }

  @Override
  public Health health() {
    if (stopped) return Health.unhealthy("shut down");
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
      queue.offer(request);
    }

    @Override
    public String toString() {
      return context.id() + ".input";
    }
  }
}
