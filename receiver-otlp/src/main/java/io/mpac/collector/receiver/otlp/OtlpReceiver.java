package io.mpac.collector.receiver.otlp;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Health;
import io.mpac.collector.receiver.otlp.internal.ExportPipeline;
import io.mpac.collector.receiver.otlp.internal.GrpcServer;
import io.mpac.collector.receiver.otlp.internal.HttpServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * {@code otelcol.receiver.otlp}: receives OTLP traces, metrics and logs over gRPC and HTTP
 * (protobuf or JSON) and hands each request, validated and still encoded, to the consumers of
 * its {@code output} block.
 *
 * <pre>
 *   SDK --gRPC :4317--> GrpcServer --\
 *                                      ExportPipeline: validate + count --> output.{traces,metrics,logs}
 *   SDK --HTTP :4318--> HttpServer --/   (JSON converted to protobuf first)
 *            <-- OK / INVALID_ARGUMENT 400 / RESOURCE_EXHAUSTED 429 + retry delay --
 * </pre>
 *
 * <p>Lifecycle: the constructor does no I/O. {@link #start()} binds both servers and fails with
 * a message naming the component, address and transport if a port cannot be bound (the other
 * server is stopped again and the component reports unhealthy). {@link #shutdown} stops
 * accepting, answers requests still arriving with UNAVAILABLE/503, and waits for in-flight ones.
 */
public final class OtlpReceiver implements Component {

  private final ComponentContext context;
  private final ReceiverOtlpConfig config;
  private final ExportPipeline pipeline;
  private GrpcServer grpc;
  private HttpServer http;
  private volatile Health health = Health.unknown("not started");

  public OtlpReceiver(ComponentContext context, ReceiverOtlpConfig config) {
    this.context = context;
    this.config = config;
    this.pipeline = new ExportPipeline(config::consumer, context.meterRegistry(), context.tags(), context.logger());
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of();
  }

  @Override
  public synchronized void start() throws IOException {
    try {
      if (config.grpc() != null) {
        GrpcServer g = new GrpcServer(config.grpc(), pipeline);
        try {
          g.start();
        } catch (IOException | RuntimeException e) {
          throw bindFailure(config.grpc().endpoint(), "gRPC", e);
        }
        grpc = g;
      }
      if (config.http() != null) {
        HttpServer h = new HttpServer(config.http(), pipeline, context.logger(), context.id().toString());
        try {
          h.start();
        } catch (IOException | RuntimeException e) {
          throw bindFailure(config.http().endpoint(), "HTTP", e);
        }
        http = h;
      }
    } catch (IOException e) {
      health = Health.unhealthy(e.getMessage());
      shutdown(Duration.ofSeconds(1));
      health = Health.unhealthy(e.getMessage());
      throw e;
    }
    health = Health.healthy("listening" + (grpc != null ? " gRPC " + grpc.address() : "")
        + (http != null ? " HTTP " + http.address() : ""));
    context.logger().info(() -> context.id() + ": " + health.message());
  }

  private IOException bindFailure(String endpoint, String transport, Exception e) {
    String why = null;
    for (Throwable t = e; t != null && why == null; t = t.getCause()) {
      String m = t.getMessage();
      if (m != null && m.toLowerCase(Locale.ROOT).contains("address already in use")) why = "address already in use";
      else if (t instanceof BindException) why = m;
    }
    if (why == null) {
      Throwable root = e;
      while (root.getCause() != null) root = root.getCause();
      why = String.valueOf(root.getMessage());
    }
    return new IOException(context.id() + ": cannot listen on " + endpoint + " (" + transport + "): " + why, e);
  }

  @Override
  public synchronized void shutdown(Duration timeout) {
    pipeline.stopAccepting();
    long deadline = System.nanoTime() + timeout.toNanos();
    if (grpc != null) {
      grpc.shutdown(timeout);
      grpc = null;
    }
    if (http != null) {
      http.shutdown(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      http = null;
    }
    if (health.isHealthy()) health = Health.unknown("stopped");
  }

  @Override
  public Health health() {
    return health;
  }

  /** The gRPC server's bound address (its real port when configured with 0), or null. */
  public synchronized InetSocketAddress grpcAddress() {
    return grpc == null ? null : grpc.address();
  }

  /** The HTTP server's bound address, or null. */
  public synchronized InetSocketAddress httpAddress() {
    return http == null ? null : http.address();
  }

  public ReceiverOtlpConfig config() {
    return config;
  }
}
