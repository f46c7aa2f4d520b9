package io.mpac.collector.exporter.otlp;

import static io.mpac.collector.exporter.ExporterTestArgs.block;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.grpc.InsecureServerCredentials;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.exporter.ExporterTestArgs;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Exporter arguments decoded by name and seen at the server: {@code client.authority} (the
 * {@code :authority} of every call), {@code metrics_endpoint} and {@code logs_endpoint} (the paths
 * requests go to), {@code client.keepalive.ping_without_stream} (read into the channel settings).
 */
class OtlpExporterArgumentsTest {

  private final ComponentContext context = new ComponentContext(new ComponentId("otelcol.exporter.otlp", "args"),
      Path.of("unused"), new SimpleMeterRegistry(), Logger.getLogger("component.otelcol.exporter.otlp.args"));

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("condition not met within 20s");
      Thread.sleep(5);
    }
  }

  @Test
  void authorityIsTheAuthorityOfEveryCall() throws Exception {
    List<String> authorities = new CopyOnWriteArrayList<>();
    ServerInterceptor capture = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata md,
          ServerCallHandler<Q, R> next) {
        authorities.add(call.getAuthority());
        return next.startCall(call, md);
      }
    };
    TraceServiceGrpc.TraceServiceImplBase traces = new TraceServiceGrpc.TraceServiceImplBase() {
      @Override
      public void export(ExportTraceServiceRequest req, StreamObserver<ExportTraceServiceResponse> out) {
        out.onNext(ExportTraceServiceResponse.getDefaultInstance());
        out.onCompleted();
      }
    };
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), InsecureServerCredentials.create())
        .addService(ServerInterceptors.intercept(traces, capture)).build().start();
    OtlpExporter exporter = null;
    try {
      Map<String, Object> client = new LinkedHashMap<>();
      client.put("endpoint", "127.0.0.1:" + server.getPort());
      client.put("tls", block(Map.of("insecure", true)));
      client.put("authority", "tempo.internal.example");
      client.put("keepalive", block(Map.of("ping_wait", "30s", "ping_without_stream", true)));
      OtlpGrpcExporterConfig c = OtlpGrpcExporterConfig.from(ExporterTestArgs.decode("otelcol.exporter.otlp",
          OtlpGrpcExporterConfig.SCHEMA, Map.of("client", block(client))));
      assertThat(c.client().keepalive().pingWithoutStream()).isTrue();
      exporter = OtlpExporter.grpc(context, c);
      exporter.start();
      exporter.input().consume(TestData.tracesRequest(1, 3));
      await(() -> !authorities.isEmpty());
      assertThat(authorities).allMatch(a -> a.equals("tempo.internal.example"));
    } finally {
      if (exporter != null) exporter.shutdown(Duration.ofSeconds(2));
      server.shutdownNow();
    }
  }

  @Test
  void perSignalEndpointsAreWhereRequestsGo() throws Exception {
    List<String> paths = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", ex -> {
      paths.add(ex.getRequestURI().getPath());
      ex.getRequestBody().readAllBytes();
      ex.getResponseHeaders().add("Content-Type", "application/x-protobuf");
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    server.start();
    OtlpExporter exporter = null;
    try {
      String base = "http://127.0.0.1:" + server.getAddress().getPort();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("client", block(Map.of("endpoint", base)));
      body.put("metrics_endpoint", base + "/custom/m");
      body.put("logs_endpoint", base + "/custom/l");
      OtlpHttpExporterConfig c = OtlpHttpExporterConfig.from(
          ExporterTestArgs.decode("otelcol.exporter.otlphttp", OtlpHttpExporterConfig.SCHEMA, body));
      assertThat(c.url(Signal.TRACES).getPath()).isEqualTo("/v1/traces");
      exporter = OtlpExporter.http(new ComponentContext(new ComponentId("otelcol.exporter.otlphttp", "args"),
          Path.of("unused"), new SimpleMeterRegistry(), Logger.getLogger("args")), c);
      exporter.start();
      exporter.input().consume(TestData.metricsRequest(2));
      exporter.input().consume(TestData.logsRequest(2));
      await(() -> paths.size() >= 2);
      assertThat(paths).containsExactlyInAnyOrder("/custom/m", "/custom/l");
    } finally {
      if (exporter != null) exporter.shutdown(Duration.ofSeconds(2));
      server.stop(0);
    }
  }
}
