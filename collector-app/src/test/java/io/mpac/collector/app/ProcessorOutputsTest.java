package io.mpac.collector.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Controller;
import io.mpac.collector.pipeline.PipelineBuilder;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.proto.metrics.v1.Gauge;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code output} blocks of otelcol.processor.batch and otelcol.processor.memory_limiter, per
 * signal: batch → memory_limiter → otelcol.exporter.otlphttp, each signal wired by its own
 * {@code output} attribute, arrives at the signal's path of a local HTTP server.
 */
class ProcessorOutputsTest {

  @TempDir
  Path dir;

  @Test
  void everySignalFollowsItsOutputThroughBothProcessors() throws Exception {
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
    Path config = dir.resolve("outputs.alloy");
    Files.writeString(config, """
        otelcol.processor.batch "b" {
          timeout = "10ms"
          output {
            traces  = [otelcol.processor.memory_limiter.m.input]
            metrics = [otelcol.processor.memory_limiter.m.input]
            logs    = [otelcol.processor.memory_limiter.m.input]
          }
        }
        otelcol.processor.memory_limiter "m" {
          check_interval   = "1s"
          limit_percentage       = 99
          spike_limit_percentage = 1
          output {
            traces  = [otelcol.exporter.otlphttp.x.input]
            metrics = [otelcol.exporter.otlphttp.x.input]
            logs    = [otelcol.exporter.otlphttp.x.input]
          }
        }
        otelcol.exporter.otlphttp "x" {
          client {
            endpoint = "http://127.0.0.1:%d"
          }
        }
        """.formatted(server.getAddress().getPort()));
    Controller controller = new Controller(config, new PipelineBuilder(new PipelineBuilder.Settings(
        ComponentRegistry.fromClassPath(), Map.of(), dir.resolve("data"), new SimpleMeterRegistry())),
        Duration.ofSeconds(5), logging -> { });
    try {
      controller.start();
      OtlpConsumer batch = (OtlpConsumer) controller.current().node(new ComponentId("otelcol.processor.batch", "b"))
          .component().exports().get("input");
      batch.consume(new OtlpRequest(Signal.TRACES, traces(), 1));
      batch.consume(new OtlpRequest(Signal.METRICS, metrics(), 1));
      batch.consume(new OtlpRequest(Signal.LOGS, logs(), 1));
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (paths.size() < 3 && System.nanoTime() < end) Thread.sleep(10);
      assertThat(paths).containsExactlyInAnyOrder("/v1/traces", "/v1/metrics", "/v1/logs");
    } finally {
      controller.shutdown(Duration.ofSeconds(5));
      server.stop(0);
    }
  }

  private static byte[] traces() {
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(
        ScopeSpans.newBuilder().addSpans(Span.newBuilder().setName("s")
            .setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
            .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}))))).build().toByteArray();
  }

  private static byte[] metrics() {
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder().addScopeMetrics(
        ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("m").setGauge(Gauge.newBuilder()
            .addDataPoints(NumberDataPoint.newBuilder().setAsDouble(1).setTimeUnixNano(1)))))).build().toByteArray();
  }

  private static byte[] logs() {
    return ExportLogsServiceRequest.newBuilder().addResourceLogs(ResourceLogs.newBuilder().addScopeLogs(
        ScopeLogs.newBuilder().addLogRecords(LogRecord.newBuilder().setTimeUnixNano(1)))).build().toByteArray();
  }
}
