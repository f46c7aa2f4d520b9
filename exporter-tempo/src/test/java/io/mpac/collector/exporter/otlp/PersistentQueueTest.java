package io.mpac.collector.exporter.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.exporter.ExporterMetrics;
import io.mpac.collector.exporter.QueueConfig;
import io.mpac.collector.exporter.storage.FileStorageFactory;
import io.mpac.collector.exporter.storage.StorageHandler;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Node;
import io.mpac.collector.pipeline.Pipeline;
import io.mpac.collector.pipeline.PipelineBuilder;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sending_queue { storage = otelcol.storage.file.NAME.handler }} in both OTLP exporters, built
 * from Alloy syntax by the real parser and pipeline builder, against the independent gRPC backend.
 */
class PersistentQueueTest {

  private static final ComponentId GRPC = new ComponentId("otelcol.exporter.otlp", "tempo");
  private static final ComponentId HTTP = new ComponentId("otelcol.exporter.otlphttp", "tempo");

  @TempDir Path tmp;

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final List<Pipeline> running = new ArrayList<>();
  private SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterEach
  void tearDown() throws Exception {
    for (Pipeline p : List.copyOf(running)) stop(p, Duration.ofSeconds(1));
    for (AutoCloseable c : toClose) c.close();
  }

  private Pipeline build(String config) throws ConfigException {
    return new PipelineBuilder(new PipelineBuilder.Settings(new ComponentRegistry(List.of(new FileStorageFactory(),
        new OtlpGrpcExporterFactory(), new OtlpHttpExporterFactory())), Map.of(), tmp.resolve("data"), registry))
        .build(List.of(Parser.parse("test.alloy", config)), null);
  }

  private Pipeline start(String config) throws Exception {
    Pipeline p = build(config);
    running.add(p);
    for (Node n : p.nodes()) n.component().start(); // dependency order: the storage first
    return p;
  }

  private void stop(Pipeline p, Duration timeout) {
    if (!running.remove(p)) return;
    List<Node> reversed = new ArrayList<>(p.nodes());
    java.util.Collections.reverse(reversed);
    for (Node n : reversed) n.component().shutdown(timeout);
  }

  private String errors(String config) {
    try {
      build(config);
    } catch (ConfigException e) {
      return e.getMessage();
    }
    throw new AssertionError("config was accepted");
  }

  private static int closedPort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String config(int port, String queueExtra) {
    return """
        otelcol.storage.file "q" {
          directory = "%s"
        }

        otelcol.exporter.otlp "tempo" {
          client {
            endpoint = "127.0.0.1:%d"
            tls {
              insecure = true
            }
          }
          retry_on_failure {
            initial_interval = "50ms"
            max_interval     = "200ms"
            max_elapsed_time = "0s"
          }
          sending_queue {
            storage = otelcol.storage.file.q.handler
            %s
          }
        }
        """.formatted("DIR", port, queueExtra);
  }

  private String config(int port) {
    return config(port, "").replace("DIR", tmp.resolve("queues").toString());
  }

  private double count(String name, ComponentId id) {
    Counter c = registry.find(name).tag("component_id", id.toString()).counter();
    return c == null ? 0 : c.count();
  }

  private double gauge(String name, ComponentId id) {
    Gauge g = registry.find(name).tag("component_id", id.toString()).gauge();
    return g == null ? Double.NaN : g.value();
  }

  private static OtlpConsumer input(Pipeline p, ComponentId id) {
    return (OtlpConsumer) p.node(id).exports().get("input");
  }

  private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("condition not met within 20s");
      Thread.sleep(10);
    }
  }

  @Test
  void bothExportersTakeTheHandlerAndShareOneStorage() throws Exception {
    Pipeline p = build("""
        otelcol.storage.file "q" {}

        otelcol.exporter.otlp "tempo" {
          client {
            endpoint = "127.0.0.1:4317"
          }
          sending_queue {
            storage = otelcol.storage.file.q.handler
            sizer      = "bytes"
            queue_size = 1048576
          }
        }

        otelcol.exporter.otlphttp "tempo" {
          client {
            endpoint = "http://127.0.0.1:4318"
          }
          sending_queue {
            storage = otelcol.storage.file.q.handler
          }
        }
        """);
    StorageHandler handler = (StorageHandler) p.node(new ComponentId("otelcol.storage.file", "q")).exports()
        .get("handler");
    QueueConfig grpc = OtlpGrpcExporterConfig.from(p.node(GRPC).args()).queue();
    QueueConfig http = OtlpHttpExporterConfig.from(p.node(HTTP).args()).queue();
    assertThat(grpc.storage()).isSameAs(handler);
    assertThat(http.storage()).isSameAs(handler);
    assertThat(grpc.diskLimits().maxBytes()).as("bytes sizer: queue_size bounds the disk").isEqualTo(1048576);
    assertThat(http.diskLimits().maxBytes()).isEqualTo(QueueConfig.DEFAULT_DISK_BYTES);
    assertThat(http.diskLimits().maxCount()).isEqualTo(1000);
    assertThat(p.node(GRPC).references()).contains(new ComponentId("otelcol.storage.file", "q"));
    assertThat(handler.toString()).isEqualTo("otelcol.storage.file.q.handler");
  }

  @Test
  void aWrongHandleOrADisabledQueueIsAPositionedError() {
    assertThat(errors("""
        otelcol.exporter.otlp "other" {
          client {
            endpoint = "127.0.0.1:4317"
          }
        }

        otelcol.exporter.otlp "tempo" {
          client {
            endpoint = "127.0.0.1:4317"
          }
          sending_queue {
            storage = otelcol.exporter.otlp.other.input
          }
        }
        """)).startsWith("test.alloy:12:15:").contains("otelcol.Handler");
    assertThat(errors("""
        otelcol.exporter.otlp "tempo" {
          client {
            endpoint = "127.0.0.1:4317"
          }
          sending_queue {
            storage = "/var/lib/queue"
          }
        }
        """)).startsWith("test.alloy:6:15:").contains("otelcol.Handler");
    assertThat(errors("""
        otelcol.storage.file "q" {}

        otelcol.exporter.otlphttp "tempo" {
          client {
            endpoint = "http://127.0.0.1:4318"
          }
          sending_queue {
            enabled = false
            storage = otelcol.storage.file.q.handler
          }
        }
        """)).contains("test.alloy:9:5: storage needs the queue");
  }

  @Test
  void whatWasNotDeliveredAtShutdownIsKeptOnDiskAndSentAfterTheNextStart() throws Exception {
    int port = closedPort(); // the backend is down
    Pipeline first = start(config(port));
    OtlpConsumer in = input(first, GRPC);
    for (int r = 0; r < 30; r++) in.consume(TestData.tracesRequest(r, 10));
    await(() -> count(ExporterMetrics.RETRIES, GRPC) > 0);
    Path queueDir = tmp.resolve("queues").resolve(GRPC.toString());
    try (Stream<Path> files = Files.list(queueDir)) {
      assertThat(files.filter(f -> f.toString().endsWith(".log")).mapToLong(f -> f.toFile().length()).sum())
          .as("accepted requests are on disk").isGreaterThan(30 * 10 * 40);
    }
    assertThat(gauge(ExporterMetrics.QUEUE_SIZE, GRPC)).isEqualTo(30);
    stop(first, Duration.ofMillis(300));
    assertThat(count(ExporterMetrics.KEPT + "spans", GRPC)).isEqualTo(300);
    assertThat(count(ExporterMetrics.SEND_FAILED + "spans", GRPC)).isZero();
    assertThat(count(ExporterMetrics.SENT + "spans", GRPC)).isZero();

    registry = new SimpleMeterRegistry();
    FakeOtlpGrpcBackend backend = new FakeOtlpGrpcBackend(port);
    toClose.add(backend);
    start(config(port));
    assertThat(gauge("otelcol.exporter.queue.recovered.records", GRPC)).isEqualTo(30);
    await(() -> backend.spanCount() >= 300 && count(ExporterMetrics.SENT + "spans", GRPC) == 300);
    assertThat(backend.spans).hasSize(300);
    assertThat(backend.allExactlyOnce()).as("a clean shutdown leaves no duplicate").isTrue();
    for (int r = 0; r < 30; r++) {
      for (int i = 0; i < 10; i++) {
        assertThat(backend.spans).containsKey(TestData.hex(TestData.spanId(r, i)));
      }
    }
    await(() -> gauge(ExporterMetrics.QUEUE_SIZE, GRPC) == 0);
  }

  @Test
  void aFullPersistentQueueRefusesWithBackPressure() throws Exception {
    int port = closedPort();
    Pipeline p = start(config(port, "queue_size = 3\n    num_consumers = 1")
        .replace("DIR", tmp.resolve("queues").toString()));
    OtlpConsumer in = input(p, GRPC);
    for (int r = 0; r < 3; r++) in.consume(TestData.tracesRequest(r, 5));
    assertThatThrownBy(() -> in.consume(TestData.tracesRequest(3, 5)))
        .isInstanceOf(ConsumeException.Refused.class).hasMessageContaining("full");
    assertThat(count(ExporterMetrics.ENQUEUE_FAILED + "spans", GRPC)).isEqualTo(5);
    assertThat(gauge(ExporterMetrics.QUEUE_CAPACITY, GRPC)).isEqualTo(3);
  }

  @Test
  void theHttpExporterKeepsItsQueueToo() throws Exception {
    int port = closedPort();
    String cfg = """
        otelcol.storage.file "q" {
          directory = "%s"
        }

        otelcol.exporter.otlphttp "tempo" {
          client {
            endpoint = "http://127.0.0.1:%d"
          }
          retry_on_failure {
            initial_interval = "50ms"
          }
          sending_queue {
            storage = otelcol.storage.file.q.handler
          }
        }
        """.formatted(tmp.resolve("queues"), port);
    Pipeline first = start(cfg);
    for (int r = 0; r < 4; r++) input(first, HTTP).consume(TestData.tracesRequest(r, 3));
    stop(first, Duration.ofMillis(200));
    assertThat(count(ExporterMetrics.KEPT + "spans", HTTP)).isEqualTo(12);

    registry = new SimpleMeterRegistry();
    start(cfg);
    assertThat(gauge("otelcol.exporter.queue.recovered.records", HTTP)).isEqualTo(4);
    assertThat(Files.isDirectory(tmp.resolve("queues").resolve(HTTP.toString()))).isTrue();
  }
}
