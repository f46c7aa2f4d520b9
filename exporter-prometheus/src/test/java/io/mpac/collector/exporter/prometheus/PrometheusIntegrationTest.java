package io.mpac.collector.exporter.prometheus;

import static io.mpac.collector.exporter.prometheus.RealPrometheus.labels;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Node;
import io.mpac.collector.pipeline.Pipeline;
import io.mpac.collector.pipeline.PipelineBuilder;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.Sample;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleGauge;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.internal.otlp.metrics.MetricsRequestMarshaler;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real OpenTelemetry Java SDK records metrics; its OTLP encoding goes through
 * {@code otelcol.exporter.prometheus} → {@code prometheus.remote_write} (built from an Alloy config)
 * into a real Prometheus, and PromQL over its HTTP API must return the exact names, labels and
 * values a Prometheus user expects.
 */
class PrometheusIntegrationTest {

  private static RealPrometheus prometheus;

  @TempDir
  Path tmp;
  private Pipeline pipeline;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeAll
  static void startPrometheus() throws Exception {
    prometheus = RealPrometheus.start();
  }

  @AfterAll
  static void stopPrometheus() {
    if (prometheus != null) prometheus.close();
  }

  @AfterEach
  void stopPipeline() {
    if (pipeline == null) return;
    List<Node> nodes = new ArrayList<>(pipeline.nodes());
    java.util.Collections.reverse(nodes); // sources first
    for (Node n : nodes) n.component().shutdown(Duration.ofSeconds(5));
  }

  /** Builds and starts the collector pipeline from Alloy config text; returns the exporter's input. */
  private OtlpConsumer collector(String exporterArgs) throws Exception {
    String config = """
        otelcol.exporter.prometheus "default" {
          forward_to = [prometheus.remote_write.local.receiver]
          %s
        }

        prometheus.remote_write "local" {
          external_labels = { cluster = "it" }
          endpoint {
            url                    = "%s"
            send_native_histograms = true
            queue_config {
              batch_send_deadline = "50ms"
              min_backoff         = "10ms"
            }
          }
        }
        """.formatted(exporterArgs, prometheus.writeUrl());
    pipeline = new PipelineBuilder(new PipelineBuilder.Settings(
        new ComponentRegistry(List.of(new PrometheusExporterFactory(), new RemoteWriteFactory())), Map.of(), tmp,
        registry)).build(List.of(Parser.parse("it.alloy", config)), null);
    for (Node n : pipeline.nodes()) n.component().start(); // sinks first
    return (OtlpConsumer) pipeline.node(new ComponentId("otelcol.exporter.prometheus", "default")).exports()
        .get("input");
  }

  /** A reader that collects on demand, with the chosen temporality. */
  private static final class Reader implements MetricReader {
    private final AggregationTemporality temporality;
    private volatile CollectionRegistration registration = CollectionRegistration.noop();

    Reader(AggregationTemporality temporality) {
      this.temporality = temporality;
    }

    @Override
    public void register(CollectionRegistration registration) {
      this.registration = registration;
    }

    Collection<MetricData> collect() {
      return registration.collectAllMetrics();
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType type) {
      return temporality;
    }

    @Override
    public CompletableResultCode forceFlush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  /** What the SDK's OTLP exporter would send for the reader's current data. */
  private static OtlpRequest export(Reader reader) throws Exception {
    Collection<MetricData> data = reader.collect();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MetricsRequestMarshaler.create(data).writeBinaryTo(out);
    int points = data.stream().mapToInt(m -> m.getData().getPoints().size()).sum();
    return new OtlpRequest(Signal.METRICS, out.toByteArray(), points);
  }

  private static Resource resource(String service) {
    return Resource.getDefault().merge(Resource.create(Attributes.of(
        AttributeKey.stringKey("service.name"), service,
        AttributeKey.stringKey("service.namespace"), "shop",
        AttributeKey.stringKey("service.instance.id"), "i-1",
        AttributeKey.stringKey("deployment.environment"), "it")));
  }

  private static Map<String, String> base(String service, String... more) {
    Map<String, String> m = labels("cluster", "it", "instance", "i-1", "job", "shop/" + service,
        "otel_scope_name", "it.meter", "otel_scope_version", "1.0.0");
    m.putAll(labels(more));
    return m;
  }

  @Test
  void sdkMetricsArriveWithTheNamesLabelsAndValuesPrometheusUsersExpect() throws Exception {
    OtlpConsumer input = collector("");
    Reader reader = new Reader(AggregationTemporality.CUMULATIVE);
    try (SdkMeterProvider provider = SdkMeterProvider.builder().setResource(resource("checkout"))
        .registerMetricReader(reader).build()) {
      Meter meter = provider.meterBuilder("it.meter").setInstrumentationVersion("1.0.0").build();
      LongCounter requests = meter.counterBuilder("http.server.requests").setUnit("{request}").build();
      LongUpDownCounter queue = meter.upDownCounterBuilder("queue.items").setUnit("{item}").build();
      DoubleGauge memory = meter.gaugeBuilder("process.memory.usage").setUnit("By").build();
      DoubleGauge cpu = meter.gaugeBuilder("system.cpu.utilization").setUnit("1").build();
      DoubleHistogram duration = meter.histogramBuilder("http.server.request.duration").setUnit("s")
          .setExplicitBucketBoundariesAdvice(List.of(0.1, 0.5, 1.0)).build();

      Attributes get = Attributes.of(AttributeKey.stringKey("http.request.method"), "GET",
          AttributeKey.stringKey("http.route"), "/cart");
      requests.add(3, get);
      requests.add(2, get);
      queue.add(10);
      queue.add(-3);
      memory.set(1_048_576);
      cpu.set(0.25);
      for (double v : new double[] {0.05, 0.2, 0.3, 0.7, 2.0}) duration.record(v, get);

      input.consume(export(reader));

      String job = "job=\"shop/checkout\"";
      Map<String, RealPrometheus.Result> counter = prometheus.awaitResults("http_server_requests_total{" + job + "}",
          1, 20_000);
      RealPrometheus.Result c = counter.values().iterator().next();
      assertThat(c.labels()).isEqualTo(base("checkout", "__name__", "http_server_requests_total",
          "http_request_method", "GET", "http_route", "/cart"));
      assertThat(c.number()).isEqualTo(5);

      assertThat(prometheus.awaitValue("queue_items{" + job + "}", 7, 10_000).labels())
          .isEqualTo(base("checkout", "__name__", "queue_items"));
      assertThat(prometheus.awaitValue("process_memory_usage_bytes{" + job + "}", 1_048_576, 10_000).labels())
          .containsEntry("__name__", "process_memory_usage_bytes");
      assertThat(prometheus.awaitValue("system_cpu_utilization_ratio{" + job + "}", 0.25, 10_000).labels())
          .containsEntry("__name__", "system_cpu_utilization_ratio");

      Map<String, Double> buckets = prometheus.awaitResults("http_server_request_duration_seconds_bucket{" + job + "}",
          4, 10_000).values().stream().collect(Collectors.toMap(r -> r.labels().get("le"), RealPrometheus.Result::number));
      assertThat(buckets).containsExactlyInAnyOrderEntriesOf(Map.of("0.1", 1.0, "0.5", 3.0, "1", 4.0, "+Inf", 5.0));
      assertThat(prometheus.awaitValue("http_server_request_duration_seconds_count{" + job + "}", 5, 10_000).labels())
          .isEqualTo(base("checkout", "__name__", "http_server_request_duration_seconds_count",
              "http_request_method", "GET", "http_route", "/cart"));
      assertThat(prometheus.awaitValue("http_server_request_duration_seconds_sum{" + job + "}", 3.25, 10_000)
          .number()).isEqualTo(3.25);
      assertThat(prometheus.awaitValue(
          "histogram_quantile(0.5, sum by (le) (http_server_request_duration_seconds_bucket{" + job + "}))",
          0.4, 10_000).number()).isEqualTo(0.4); // rank 2.5 of 5 in (0.1, 0.5] holding ranks 1..3: 0.1 + 0.4 * 1.5/2

      RealPrometheus.Result target = prometheus.awaitResults("target_info{" + job + "}", 1, 10_000).values()
          .iterator().next();
      assertThat(target.number()).isEqualTo(1);
      assertThat(target.labels()).containsEntry("__name__", "target_info").containsEntry("job", "shop/checkout")
          .containsEntry("instance", "i-1").containsEntry("cluster", "it")
          .containsEntry("deployment_environment", "it").containsEntry("telemetry_sdk_language", "java")
          .containsEntry("telemetry_sdk_name", "opentelemetry")
          .doesNotContainKeys("service_name", "service_namespace", "service_instance_id");

      // the counter goes on: the next export's sample is newer and wins
      requests.add(4, get);
      input.consume(export(reader));
      prometheus.awaitValue("http_server_requests_total{" + job + "}", 9, 20_000);

      // every series of the job, by name: nothing unexpected arrived
      Map<String, RealPrometheus.Result> all = prometheus.query("{" + job + "}");
      assertThat(all.values().stream().map(r -> r.labels().get("__name__")).collect(Collectors.toSet()))
          .containsExactlyInAnyOrder("http_server_requests_total", "queue_items", "process_memory_usage_bytes",
              "system_cpu_utilization_ratio", "http_server_request_duration_seconds_bucket",
              "http_server_request_duration_seconds_count", "http_server_request_duration_seconds_sum",
              "target_info");
    }
  }

  @Test
  void deltaCountersAndHistogramsAreAccumulatedToCumulative() throws Exception {
    OtlpConsumer input = collector("include_target_info = false");
    Reader reader = new Reader(AggregationTemporality.DELTA);
    try (SdkMeterProvider provider = SdkMeterProvider.builder().setResource(resource("billing"))
        .registerMetricReader(reader).build()) {
      Meter meter = provider.meterBuilder("it.meter").setInstrumentationVersion("1.0.0").build();
      LongCounter invoices = meter.counterBuilder("invoices.created").build();
      DoubleHistogram amount = meter.histogramBuilder("invoice.amount").setExplicitBucketBoundariesAdvice(
          List.of(10.0, 100.0)).build();
      invoices.add(3);
      amount.record(5);
      input.consume(export(reader));
      String job = "job=\"shop/billing\"";
      prometheus.awaitValue("invoices_created_total{" + job + "}", 3, 20_000);
      invoices.add(4);
      amount.record(50);
      amount.record(500);
      input.consume(export(reader));
      RealPrometheus.Result total = prometheus.awaitValue("invoices_created_total{" + job + "}", 7, 20_000);
      assertThat(total.labels()).isEqualTo(base("billing", "__name__", "invoices_created_total"));
      prometheus.awaitValue("invoice_amount_count{" + job + "}", 3, 10_000);
      prometheus.awaitValue("invoice_amount_sum{" + job + "}", 555, 10_000);
      Map<String, Double> buckets = prometheus.awaitResults("invoice_amount_bucket{" + job + "}", 3, 10_000).values()
          .stream().collect(Collectors.toMap(r -> r.labels().get("le"), RealPrometheus.Result::number));
      prometheus.awaitValue("invoice_amount_bucket{le=\"+Inf\", " + job + "}", 3, 10_000);
      assertThat(prometheus.query("invoice_amount_bucket{" + job + "}").values().stream()
          .collect(Collectors.toMap(r -> r.labels().get("le"), RealPrometheus.Result::number)))
          .containsExactlyInAnyOrderEntriesOf(Map.of("10", 1.0, "100", 2.0, "+Inf", 3.0));
      assertThat(buckets).containsKeys("10", "100", "+Inf");
      assertThat(prometheus.query("target_info{" + job + "}")).isEmpty();
    }
  }

  @Test
  void exponentialHistogramsArriveAsNativeHistograms() throws Exception {
    OtlpConsumer input = collector("");
    Reader reader = new Reader(AggregationTemporality.CUMULATIVE);
    try (SdkMeterProvider provider = SdkMeterProvider.builder().setResource(resource("uploads"))
        .registerMetricReader(reader)
        .registerView(InstrumentSelector.builder().setName("payload.size").build(),
            View.builder().setAggregation(Aggregation.base2ExponentialBucketHistogram()).build())
        .build()) {
      Meter meter = provider.meterBuilder("it.meter").setInstrumentationVersion("1.0.0").build();
      DoubleHistogram payload = meter.histogramBuilder("payload.size").setUnit("By").build();
      for (double v : new double[] {100, 200, 300}) payload.record(v);
      input.consume(export(reader));
      String job = "job=\"shop/uploads\"";
      prometheus.awaitValue("histogram_count(payload_size_bytes{" + job + "})", 3, 20_000);
      prometheus.awaitValue("histogram_sum(payload_size_bytes{" + job + "})", 600, 10_000);
      double median = prometheus.query("histogram_quantile(0.5, payload_size_bytes{" + job + "})").values()
          .iterator().next().number();
      assertThat(median).isBetween(180.0, 220.0); // exponential buckets: within a bucket's width of 200
    }
  }

  @Test
  void outOfOrderSampleIsRejectedByPrometheusAndReportedClearly() throws Exception {
    collector("");
    RemoteWrite rw = (RemoteWrite) pipeline.node(new ComponentId("prometheus.remote_write", "local")).component();
    List<String> logs = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.logging.Handler h = new java.util.logging.Handler() {
      @Override
      public void publish(java.util.logging.LogRecord r) {
        logs.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger("component.prometheus.remote_write.local");
    logger.addHandler(h);
    try {
      Labels series = Labels.of("__name__", "ooo_test", "job", "ooo");
      long now = System.currentTimeMillis();
      rw.append(MetricsBatch.ofSamples(List.of(new Sample(series, now, 2))));
      prometheus.awaitValue("ooo_test", 2, 20_000);
      rw.append(MetricsBatch.ofSamples(List.of(new Sample(series, now - 60_000, 1))));
      FakeRemoteWriteServer.await(() -> logs.stream().anyMatch(l -> l.contains("out of order sample")), 20_000,
          "the out-of-order log line");
      assertThat(logs).anySatisfy(l -> assertThat(l).contains("HTTP 400").contains("out of order sample")
          .contains("not retried"));
      assertThat(TestContexts.count(registry, "prometheus.remote.storage.samples.failed")).isEqualTo(1);
      assertThat(TestContexts.count(registry, "prometheus.remote.storage.samples.retried")).isZero();
      assertThat(prometheus.query("ooo_test").values().iterator().next().number()).isEqualTo(2);
    } finally {
      logger.removeHandler(h);
    }
  }
}
