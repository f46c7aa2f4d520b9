package io.mpac.collector.receiver.otlp;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Health;
import io.mpac.collector.component.InstanceGauges;
import io.mpac.collector.receiver.otlp.internal.ClientBudgets;
import io.mpac.collector.receiver.otlp.internal.ExportPipeline;
import io.mpac.collector.receiver.otlp.internal.GrpcServer;
import io.mpac.collector.receiver.otlp.internal.HttpServer;
import io.mpac.collector.receiver.otlp.internal.InFlightBudget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.mpac.collector.tls.FileReloader;
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
  private final InFlightBudget budget;
  private final FileReloader.Listener tlsReloads;
  private final ClientBudgets clients;
  private GrpcServer grpc;
  private HttpServer http;
  private volatile Health health = Health.unknown("not started");
  private final InstanceGauges gauges;

  public OtlpReceiver(ComponentContext context, ReceiverOtlpConfig config) {
    this.context = context;
    this.config = config;
    this.pipeline = new ExportPipeline(config::consumer, context.meterRegistry(), context.tags(), context.logger());
    this.gauges = new InstanceGauges(context.meterRegistry());
    this.budget = config.maxInFlightBytes() > 0 ? new InFlightBudget(config.maxInFlightBytes()) : InFlightBudget.shared();
    InFlightBudget b = budget;
    gauges.add(Gauge.builder("otelcol.receiver.in_flight.bytes", b, InFlightBudget::used).baseUnit("bytes")
        .description("Request bytes being received now, in the budget this receiver uses (shared by all OTLP "
            + "receivers unless max_in_flight_bytes is set)")
        .tags(context.tags()));
    gauges.add(Gauge.builder("otelcol.receiver.in_flight.limit", b, InFlightBudget::limit).baseUnit("bytes")
        .description("The size of that budget").tags(context.tags()));
    this.tlsReloads = tlsReloadListener();
    this.clients = new ClientBudgets(budget, config.perClientLimit(budget.limit()));
    gauges.add(Gauge.builder("otelcol.receiver.in_flight.client_limit", clients, ClientBudgets::perClient)
        .baseUnit("bytes").description("Bytes of that budget one client (remote address) may hold")
        .tags(context.tags()));
  }

  /**
   * Logs and counts certificate reloads ({@code reload_interval}, {@code client_ca_file_reload}):
   * {@code otelcol_receiver_tls_reloads_total{result="ok"|"failed"}}. Messages name the files,
   * never their contents.
   */
  private FileReloader.Listener tlsReloadListener() {
    Counter ok = Counter.builder("otelcol.receiver.tls.reloads").tags(context.tags()).tag("result", "ok")
        .description("TLS material re-read after its files changed (failed: the old material stays in use)")
        .register(context.meterRegistry());
    Counter failed = Counter.builder("otelcol.receiver.tls.reloads").tags(context.tags()).tag("result", "failed")
        .description("TLS material re-read after its files changed (failed: the old material stays in use)")
        .register(context.meterRegistry());
    return new FileReloader.Listener() {
      @Override
      public void reloaded(String what) {
        ok.increment();
        context.logger().info(what + " reloaded; new connections use it");
      }

      @Override
      public void failed(String what, String message) {
        failed.increment();
        context.logger().warning(what + " not reloaded, keeping the one in use: " + message);
      }
    };
  }

  /** The in-flight byte budget this receiver draws from. */
  public InFlightBudget budget() {
    return budget;
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of();
  }

  @Override
  public synchronized void start() throws IOException {
    try {
      if (config.grpc() != null) {
        GrpcServer g = new GrpcServer(config.grpc(), pipeline, budget, clients, tlsReloads);
        try {
          g.start();
        } catch (IOException | RuntimeException e) {
          throw bindFailure(config.grpc().endpoint(), "gRPC", e);
        }
        grpc = g;
      }
      if (config.http() != null) {
        HttpServer h = new HttpServer(config.http(), pipeline, context.logger(), context.id().toString(), budget,
            clients, tlsReloads);
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
    gauges.register();
    health = Health.healthy("listening" + (grpc != null ? " gRPC " + hostPort(grpc.address()) : "")
        + (http != null ? " HTTP " + hostPort(http.address()) : ""));
    context.logger().info(health.message()); // the log line carries the component id already
  }

  private static String hostPort(java.net.SocketAddress address) {
    return address instanceof java.net.InetSocketAddress a ? a.getHostString() + ":" + a.getPort() : String.valueOf(address);
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
    gauges.remove();
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
