package io.mpac.collector.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.kafka.testing.KafkaBroker;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kafka tier end to end, with real processes: the OpenTelemetry SDK sends to collector A
 * ({@code otelcol.receiver.otlp} → {@code otelcol.exporter.kafka}), a real Kafka broker (KRaft,
 * child JVM, shared by the class) holds the topics, collector B ({@code otelcol.receiver.kafka} →
 * {@code otelcol.exporter.otlp}) writes to an independent OTLP sink that counts every span, log
 * record and data point by identity.
 */
class KafkaTierProcessTest {

  private static final int SDK_BATCH = 200;
  /** B's offset commit interval: what a kill -9 may re-deliver is what B handed on within it. */
  private static final String COMMIT_INTERVAL = "200ms";
  private static final int WRITER_CONSUMERS = 2;

  @TempDir static Path shared;
  static KafkaBroker broker;

  @TempDir Path dir;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaBroker.start(shared.resolve("broker"), 4);
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) broker.close();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /**
   * Collector A: OTLP in, Kafka out, a persistent sending queue. Timeouts are long (30 s) so that a
   * slow, shared test machine does not turn a late acknowledgement into a retry and a duplicate.
   */
  private Path gateway(String name, int receiverPort, String prefix, boolean byTraceId) throws IOException {
    return Files.writeString(dir.resolve(name + ".alloy"), """
        otelcol.receiver.otlp "in" {
          grpc {
            endpoint = "127.0.0.1:%d"
          }
          output {
            traces  = [otelcol.exporter.kafka.gateway.input]
            metrics = [otelcol.exporter.kafka.gateway.input]
            logs    = [otelcol.exporter.kafka.gateway.input]
          }
        }

        otelcol.storage.file "queue" {}

        otelcol.exporter.kafka "gateway" {
          brokers                = ["%s"]
          protocol_version       = "4.0.0"
          partition_traces_by_id = %s
          timeout                = "30s"
          traces {
            topic = "%s-spans"
          }
          metrics {
            topic = "%s-metrics"
          }
          logs {
            topic = "%s-logs"
          }
          producer {
            required_acks = -1
            compression   = "zstd"
          }
          retry_on_failure {
            initial_interval = "100ms"
            max_interval     = "1s"
            max_elapsed_time = "0s"
          }
          sending_queue {
            num_consumers = 2
            storage       = otelcol.storage.file.queue.handler
          }
        }
        """.formatted(receiverPort, broker.bootstrap(), byTraceId, prefix, prefix, prefix));
  }

  /** Collector B: Kafka in (commits only what was handed on), OTLP out to the sink, a persistent queue. */
  private Path writer(String name, int sinkPort, String prefix, String group, boolean allSignals) throws IOException {
    return writer(name, sinkPort, prefix, group, allSignals, "");
  }

  private Path writer(String name, int sinkPort, String prefix, String group, boolean allSignals, String instanceId)
      throws IOException {
    String outputs = allSignals ? """
            traces  = [otelcol.exporter.otlp.sink.input]
            metrics = [otelcol.exporter.otlp.sink.input]
            logs    = [otelcol.exporter.otlp.sink.input]
        """ : """
            traces  = [otelcol.exporter.otlp.sink.input]
        """;
    return Files.writeString(dir.resolve(name + ".alloy"), """
        otelcol.receiver.kafka "writer" {
          brokers            = ["%s"]
          protocol_version   = "4.0.0"
          group_id           = "%s"
          group_instance_id  = "%s"
          initial_offset     = "earliest"
          session_timeout    = "6s"
          heartbeat_interval = "1s"
          traces {
            topics = ["%s-spans"]
          }
          metrics {
            topics = ["%s-metrics"]
          }
          logs {
            topics = ["%s-logs"]
          }
          message_marking {
            after_execution = true
          }
          autocommit {
            interval = "%s"
          }
          output {
        %s  }
        }

        otelcol.storage.file "queue" {}

        otelcol.exporter.otlp "sink" {
          timeout = "30s"
          client {
            endpoint = "127.0.0.1:%d"
            tls {
              insecure = true
            }
          }
          retry_on_failure {
            initial_interval = "100ms"
            max_interval     = "1s"
            max_elapsed_time = "0s"
          }
          sending_queue {
            num_consumers = %d
            storage       = otelcol.storage.file.queue.handler
          }
        }
        """.formatted(broker.bootstrap(), group, instanceId, prefix, prefix, prefix, COMMIT_INTERVAL, outputs, sinkPort,
        WRITER_CONSUMERS));
  }

  /** Starts collectors at once (a JVM start takes seconds); if one fails, the others are stopped. */
  private static List<RunningCollector> startAll(List<Callable<RunningCollector>> starts) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(starts.size());
    try {
      List<RunningCollector> started = new ArrayList<>();
      Exception failed = null;
      for (Future<RunningCollector> f : pool.invokeAll(starts)) {
        try {
          started.add(f.get());
        } catch (ExecutionException e) {
          if (failed == null) failed = e;
        }
      }
      if (failed != null) {
        started.forEach(RunningCollector::close);
        throw failed;
      }
      return started;
    } finally {
      pool.shutdownNow();
    }
  }

  private static void closeAll(List<RunningCollector> collectors) {
    collectors.forEach(RunningCollector::close);
  }

  private static void await(Duration limit, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("condition not met within " + limit);
      Thread.sleep(100);
    }
  }

  /** One series of a collector's /metrics (0 when absent or unreachable). */
  private static double metric(RunningCollector c, String name, String componentId) {
    try {
      String body = c.get("/metrics").body();
      Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*component_id=\"" + Pattern.quote(componentId)
          + "\"[^}]*\\} ([0-9.eE+-]+)$").matcher(body);
      double sum = 0;
      while (m.find()) sum += Double.parseDouble(m.group(1));
      return sum;
    } catch (Exception e) {
      return 0;
    }
  }

  /** Sends spans with the SDK: {@code n} spans paced at about {@code perSecond}; returns their ids. */
  private static Set<String> sendSpans(int port, int n, String prefix, int perSecond) throws InterruptedException {
    Set<String> ids = new HashSet<>();
    OtlpGrpcSpanExporter exporter = OtlpGrpcSpanExporter.builder().setEndpoint("http://127.0.0.1:" + port)
        .setTimeout(Duration.ofSeconds(10)).build();
    SdkTracerProvider provider = SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(exporter)
        .setMaxExportBatchSize(SDK_BATCH).setMaxQueueSize(n + 1).setScheduleDelay(Duration.ofMillis(20)).build())
        .build();
    try {
      Tracer tracer = provider.get("kafka-tier-test");
      long t0 = System.nanoTime();
      for (int i = 0; i < n; i++) {
        Span s = tracer.spanBuilder(prefix + i).setAttribute("index", i).startSpan();
        ids.add(s.getSpanContext().getSpanId());
        s.end();
        if (perSecond > 0 && i % 100 == 99) {
          long due = t0 + (long) ((i + 1) * 1e9 / perSecond);
          long sleep = due - System.nanoTime();
          if (sleep > 0) TimeUnit.NANOSECONDS.sleep(sleep);
        }
      }
      assertThat(provider.forceFlush().join(60, TimeUnit.SECONDS).isSuccess()).as("the SDK exported every span").isTrue();
    } finally {
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }
    return ids;
  }

  /** Sends {@code n} log records (bodies {@code prefix + i}) with the SDK. */
  private static void sendLogs(int port, int n, String prefix) {
    OtlpGrpcLogRecordExporter exporter = OtlpGrpcLogRecordExporter.builder().setEndpoint("http://127.0.0.1:" + port)
        .setTimeout(Duration.ofSeconds(10)).build();
    SdkLoggerProvider provider = SdkLoggerProvider.builder().addLogRecordProcessor(BatchLogRecordProcessor
        .builder(exporter).setMaxExportBatchSize(SDK_BATCH).setMaxQueueSize(n + 1)
        .setScheduleDelay(Duration.ofMillis(20)).build()).build();
    try {
      Logger logger = provider.get("kafka-tier-test");
      for (int i = 0; i < n; i++) logger.logRecordBuilder().setBody(prefix + i).emit();
      assertThat(provider.forceFlush().join(60, TimeUnit.SECONDS).isSuccess()).as("the SDK exported every log").isTrue();
    } finally {
      provider.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  /** Records {@code n} counter series (attribute i) and exports them once, at shutdown: n data points. */
  private static void sendPoints(int port, int n) {
    OtlpGrpcMetricExporter exporter = OtlpGrpcMetricExporter.builder().setEndpoint("http://127.0.0.1:" + port)
        .setTimeout(Duration.ofSeconds(10)).build();
    SdkMeterProvider provider = SdkMeterProvider.builder().registerMetricReader(PeriodicMetricReader.builder(exporter)
        .setInterval(Duration.ofHours(1)).build()).build(); // n stays below the default cardinality limit (2000)
    LongCounter counter = provider.get("kafka-tier-test").counterBuilder("test.points").build();
    for (int i = 0; i < n; i++) counter.add(1, Attributes.of(AttributeKey.longKey("i"), (long) i));
    // shutdown collects and exports once (a flush before it would export a second, later point per series)
    assertThat(provider.shutdown().join(60, TimeUnit.SECONDS).isSuccess()).as("the SDK exported the points").isTrue();
  }

  @Test
  void everySpanLogRecordAndDataPointArrivesExactlyOnce() throws Exception {
    int receiverPort = freePort();
    // topics exist before the writer joins (as in production): a topic created mid-stream makes the group
    // rebalance, and what was handed on after the last successful commit may then come again
    for (String t : List.of("once-spans", "once-metrics", "once-logs")) broker.createTopic(t, 4);
    try (OtlpSink sink = new OtlpSink(0)) {
      Path aConfig = gateway("a", receiverPort, "once", true);
      Path bConfig = writer("b", sink.port(), "once", "once-writers", true);
      List<RunningCollector> both = startAll(List.of(() -> new RunningCollector(aConfig, dir.resolve("a"), Map.of()),
          () -> new RunningCollector(bConfig, dir.resolve("b"), Map.of())));
      try {
        RunningCollector a = both.get(0);
        RunningCollector b = both.get(1);
        Set<String> spans = sendSpans(receiverPort, 2_000, "once-", 0);
        sendLogs(receiverPort, 1_000, "log-");
        sendPoints(receiverPort, 500);
        await(Duration.ofSeconds(60), () -> sink.spans.size() >= 2_000 && sink.logRecords.size() >= 1_000
            && sink.points.size() >= 500);
        Thread.sleep(1_000); // anything extra would arrive now
        assertThat(sink.spans.keySet()).isEqualTo(spans);
        assertThat(sink.duplicates()).isZero();
        assertThat(sink.logRecords).hasSize(1_000);
        assertThat(sink.logDuplicates()).isZero();
        assertThat(sink.points).hasSize(500);
        assertThat(sink.pointDuplicates()).isZero();
        // partition_traces_by_id: one record per trace (every SDK span here is a trace of its own)
        assertThat(metric(a, "otelcol_exporter_kafka_records_produced_total", "otelcol.exporter.kafka.gateway"))
            .isGreaterThanOrEqualTo(2_000);
        assertThat(metric(b, "otelcol_receiver_accepted_spans_total", "otelcol.receiver.kafka.writer")).isEqualTo(2_000);
        assertThat(metric(b, "otelcol_receiver_kafka_records_malformed_total", "otelcol.receiver.kafka.writer")).isZero();
      } finally {
        closeAll(both);
      }
    }
  }

  @Test
  void aWriterKilledMidStreamLosesNothingAndDuplicatesStayWithinTheCommitWindow() throws Exception {
    int receiverPort = freePort();
    int n = 9_000;
    int perSecond = 3_000;
    try (OtlpSink sink = new OtlpSink(0);
        RunningCollector a = new RunningCollector(gateway("a", receiverPort, "kill", false), dir.resolve("a"), Map.of())) {
      // static membership: the restarted writer takes its partitions back without waiting out the session
      Path bConfig = writer("b", sink.port(), "kill", "kill-writers", false, "writer-1");
      Set<String>[] sent = new Set[1];
      Thread sender = new Thread(() -> {
        try {
          sent[0] = sendSpans(receiverPort, n, "kill-", perSecond);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      RunningCollector b = new RunningCollector(bConfig, dir.resolve("b"), Map.of());
      try {
        sender.start();
        await(Duration.ofSeconds(30), () -> sink.spans.size() >= 3_000);
        b.close(); // SIGKILL mid-stream: no drain, no final commit
      } finally {
        b.close();
      }
      long atKill = sink.spans.size();
      assertThat(atKill).isLessThan(n);
      Thread.sleep(1_000);
      try (RunningCollector b2 = new RunningCollector(bConfig, dir.resolve("b"), Map.of())) {
        sender.join(120_000);
        assertThat(sent[0]).hasSize(n);
        await(Duration.ofSeconds(60), () -> sink.spans.keySet().containsAll(sent[0]));
        Thread.sleep(1_000);
        assertThat(sink.spans.keySet()).isEqualTo(sent[0]);
        long duplicates = sink.duplicates();
        System.out.println("kill -9 of the writer at " + atKill + " of " + n + " spans: " + duplicates + " duplicates");
        // re-delivered: what B handed on after its last commit (≤ one commit interval at this rate, plus the
        // records of the poll in progress) and what its exporter had in flight (num_consumers requests)
        assertThat(duplicates).isLessThanOrEqualTo(perSecond + (long) WRITER_CONSUMERS * SDK_BATCH);
      }
    }
  }

  @Test
  void twoWritersInOneGroupSharePartitionsAndTogetherDeliverEverything() throws Exception {
    int receiverPort = freePort();
    broker.createTopic("pair-spans", 4);
    try (OtlpSink sink = new OtlpSink(0)) {
      Path aConfig = gateway("a", receiverPort, "pair", true);
      Path b1Config = writer("b1", sink.port(), "pair", "pair-writers", false);
      Path b2Config = writer("b2", sink.port(), "pair", "pair-writers", false);
      List<RunningCollector> all = startAll(List.of(() -> new RunningCollector(aConfig, dir.resolve("a"), Map.of()),
          () -> new RunningCollector(b1Config, dir.resolve("b1"), Map.of()),
          () -> new RunningCollector(b2Config, dir.resolve("b2"), Map.of())));
      try {
        RunningCollector b1 = all.get(1);
        RunningCollector b2 = all.get(2);
        String id = "otelcol.receiver.kafka.writer";
        await(Duration.ofSeconds(60), () -> metric(b1, "otelcol_receiver_kafka_partitions_assigned", id) >= 1
            && metric(b2, "otelcol_receiver_kafka_partitions_assigned", id) >= 1
            && metric(b1, "otelcol_receiver_kafka_partitions_assigned", id)
            + metric(b2, "otelcol_receiver_kafka_partitions_assigned", id) == 4);
        Set<String> spans = sendSpans(receiverPort, 4_000, "pair-", 0);
        await(Duration.ofSeconds(60), () -> sink.spans.keySet().containsAll(spans));
        Thread.sleep(1_000);
        assertThat(sink.spans.keySet()).isEqualTo(spans);
        double by1 = metric(b1, "otelcol_receiver_accepted_spans_total", id);
        double by2 = metric(b2, "otelcol_receiver_accepted_spans_total", id);
        assertThat(by1).isPositive();
        assertThat(by2).isPositive();
        assertThat(by1 + by2).as("each record was handed on by one writer, once").isEqualTo(4_000);
        assertThat(sink.duplicates()).isZero();
      } finally {
        closeAll(all);
      }
    }
  }

  /** How long the broker is down: issue #14 asks for 30 s. */
  private static final Duration OUTAGE = Duration.ofSeconds(30);

  @Test
  void aBrokerOutageIsQueuedByTheGatewayAndNothingAcceptedIsLost() throws Exception {
    int receiverPort = freePort();
    try (OtlpSink sink = new OtlpSink(0)) {
      Path aConfig = gateway("a", receiverPort, "outage", false);
      Path bConfig = writer("b", sink.port(), "outage", "outage-writers", false);
      List<RunningCollector> both = startAll(List.of(() -> new RunningCollector(aConfig, dir.resolve("a"), Map.of()),
          () -> new RunningCollector(bConfig, dir.resolve("b"), Map.of())));
      try {
        RunningCollector a = both.get(0);
        Set<String> before = sendSpans(receiverPort, 2_000, "before-", 0);
        await(Duration.ofSeconds(60), () -> sink.spans.keySet().containsAll(before));

        long outageStart = System.nanoTime();
        broker.stop();
        Set<String> during = sendSpans(receiverPort, 3_000, "during-", 1_000); // the SDK is answered by A
        String id = "otelcol.exporter.kafka.gateway";
        assertThat(metric(a, "otelcol_exporter_queue_size", id)).as("A holds what it accepted").isPositive();
        assertThat(sink.spans.keySet()).doesNotContainAnyElementsOf(during);
        long left = OUTAGE.toNanos() - (System.nanoTime() - outageStart);
        if (left > 0) TimeUnit.NANOSECONDS.sleep(left);
        broker.start();

        await(Duration.ofSeconds(90), () -> sink.spans.keySet().containsAll(during));
        Thread.sleep(1_000);
        Set<String> all = new HashSet<>(before);
        all.addAll(during);
        assertThat(sink.spans.keySet()).isEqualTo(all);
        System.out.println("broker outage: " + sink.duplicates() + " duplicates");
        // a request whose records were written but not acknowledged before the stop is sent again
        assertThat(sink.duplicates()).isLessThanOrEqualTo(2L * SDK_BATCH);
        await(Duration.ofSeconds(10), () -> metric(a, "otelcol_exporter_queue_size", id) == 0);
      } finally {
        closeAll(both);
      }
    }
  }
}
