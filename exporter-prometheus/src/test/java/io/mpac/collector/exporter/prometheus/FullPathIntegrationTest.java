package io.mpac.collector.exporter.prometheus;

import static io.mpac.collector.exporter.prometheus.RealPrometheus.labels;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Controller;
import io.mpac.collector.pipeline.PipelineBuilder;
import io.mpac.collector.receiver.otlp.OtlpReceiver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleGauge;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.LongUpDownCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole metrics path as a user runs it: the real OpenTelemetry Java SDK exports over OTLP/gRPC
 * (its own {@link OtlpGrpcMetricExporter} behind a {@link PeriodicMetricReader}) to a collector
 * built by the pipeline runtime ({@link Controller}, factories found on the class path) from an
 * Alloy config file:
 *
 * <pre>
 * SDK ──OTLP/gRPC──▶ otelcol.receiver.otlp ─▶ otelcol.processor.batch ─▶ otelcol.exporter.prometheus
 *                                              ─▶ prometheus.remote_write ──remote write──▶ real Prometheus
 * </pre>
 *
 * PromQL over Prometheus' HTTP API must then return exactly the series a Prometheus user expects:
 * names (unit suffixes, {@code _total}, {@code _ratio}, histogram series), complete label sets
 * (dotted attributes sanitised, {@code job}/{@code instance}, scope labels, external labels),
 * values, and {@code target_info}. Skipped without a {@code prometheus} binary, failed under
 * {@code CI=true}.
 */
class FullPathIntegrationTest {

  private static RealPrometheus prometheus;

  @TempDir
  Path tmp;
  private Controller controller;
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
  void stopCollector() {
    if (controller != null) controller.shutdown(Duration.ofSeconds(5));
  }

  /** Starts the collector from an Alloy config file; returns the OTLP/gRPC endpoint it listens on. */
  private String startCollector() throws Exception {
    Path config = tmp.resolve("config.alloy");
    Files.writeString(config, """
        otelcol.receiver.otlp "in" {
          grpc {
            endpoint = "127.0.0.1:0"
          }
          output {
            metrics = [otelcol.processor.batch.default.input]
          }
        }

        otelcol.processor.batch "default" {
          timeout = "100ms"
          output {
            metrics = [otelcol.exporter.prometheus.default.input]
          }
        }

        otelcol.exporter.prometheus "default" {
          forward_to = [prometheus.remote_write.local.receiver]
        }

        prometheus.remote_write "local" {
          external_labels = { cluster = "it" }
          endpoint {
            url = "%s"
            queue_config {
              batch_send_deadline = "50ms"
              min_backoff         = "10ms"
            }
          }
        }
        """.formatted(prometheus.writeUrl()));
    controller = new Controller(config, new PipelineBuilder(new PipelineBuilder.Settings(
        ComponentRegistry.fromClassPath(), Map.of(), tmp.resolve("data"), registry)), Duration.ofSeconds(5),
        logging -> { });
    controller.start();
    OtlpReceiver receiver = (OtlpReceiver) controller.current()
        .node(new ComponentId("otelcol.receiver.otlp", "in")).component();
    return "http://127.0.0.1:" + receiver.grpcAddress().getPort();
  }

  /** The labels every application series carries, plus {@code more}. */
  private static Map<String, String> series(String name, String... more) {
    Map<String, String> m = labels("__name__", name, "cluster", "it", "job", "shop/checkout", "instance", "pod-7",
        "otel_scope_name", "io.mpac.fullpath", "otel_scope_version", "2.1.0");
    m.putAll(labels(more));
    return new TreeMap<>(m);
  }

  @Test
  void sdkExportsOverOtlpGrpcAndPrometheusHoldsExactlyTheExpectedSeries() throws Exception {
    String endpoint = startCollector();
    Resource resource = Resource.create(Attributes.builder()
        .put("service.name", "checkout")
        .put("service.namespace", "shop")
        .put("service.instance.id", "pod-7")
        .put("deployment.environment.name", "it")
        .put("host.name", "node-3")
        .build());
    OtlpGrpcMetricExporter exporter = OtlpGrpcMetricExporter.builder().setEndpoint(endpoint)
        .setTimeout(Duration.ofSeconds(10)).build();
    // an hour apart: only forceFlush() exports, so the test decides when data is sent
    PeriodicMetricReader reader = PeriodicMetricReader.builder(exporter).setInterval(Duration.ofHours(1)).build();
    try (SdkMeterProvider provider = SdkMeterProvider.builder().setResource(resource).registerMetricReader(reader)
        .build()) {
      Meter meter = provider.meterBuilder("io.mpac.fullpath").setInstrumentationVersion("2.1.0").build();
      LongCounter requests = meter.counterBuilder("http.server.requests").setUnit("{request}").build();
      LongUpDownCounter inFlight = meter.upDownCounterBuilder("http.server.active_requests").setUnit("{request}")
          .build();
      DoubleGauge memory = meter.gaugeBuilder("process.memory.usage").setUnit("By").build();
      DoubleGauge utilization = meter.gaugeBuilder("system.cpu.utilization").setUnit("1").build();
      DoubleHistogram duration = meter.histogramBuilder("http.server.request.duration").setUnit("s")
          .setExplicitBucketBoundariesAdvice(List.of(0.1, 0.5, 1.0)).build();

      Attributes get = Attributes.of(AttributeKey.stringKey("http.request.method"), "GET",
          AttributeKey.stringKey("http.route"), "/cart", AttributeKey.longKey("http.response.status_code"), 200L);
      Attributes post = Attributes.of(AttributeKey.stringKey("http.request.method"), "POST",
          AttributeKey.stringKey("http.route"), "/cart", AttributeKey.longKey("http.response.status_code"), 201L);
      requests.add(3, get);
      requests.add(2, get);
      requests.add(1, post);
      inFlight.add(10, Attributes.of(AttributeKey.stringKey("http.route"), "/cart"));
      inFlight.add(-3, Attributes.of(AttributeKey.stringKey("http.route"), "/cart"));
      memory.set(1_048_576, Attributes.of(AttributeKey.stringKey("jvm.memory.pool.name"), "G1 Eden Space"));
      utilization.set(0.25);
      for (double v : new double[] {0.05, 0.2, 0.3, 0.7, 2.0}) duration.record(v, get);

      assertThat(provider.forceFlush().join(15, TimeUnit.SECONDS).isSuccess()).as("OTLP export succeeded").isTrue();

      // this test's scope, plus target_info (which has no scope label); the SDK's own self-metrics
      // (scope io.opentelemetry.sdk.metrics, from its second collection on) are checked below
      String job = "{job=\"shop/checkout\", otel_scope_name=~\"io[.]mpac[.]fullpath|\"}";
      // 2 counter series + 1 up-down + 2 gauges + (3 bounds + Inf + sum + count) + target_info
      Map<String, RealPrometheus.Result> all = prometheus.awaitResults(job, 12, 30_000);

      Map<Map<String, String>, Double> expected = new java.util.HashMap<>();
      expected.put(series("http_server_requests_total", "http_request_method", "GET", "http_route", "/cart",
          "http_response_status_code", "200"), 5.0);
      expected.put(series("http_server_requests_total", "http_request_method", "POST", "http_route", "/cart",
          "http_response_status_code", "201"), 1.0);
      expected.put(series("http_server_active_requests", "http_route", "/cart"), 7.0);
      expected.put(series("process_memory_usage_bytes", "jvm_memory_pool_name", "G1 Eden Space"), 1_048_576.0);
      expected.put(series("system_cpu_utilization_ratio"), 0.25);
      String[] getLabels = {"http_request_method", "GET", "http_route", "/cart", "http_response_status_code", "200"};
      for (String[] b : new String[][] {{"0.1", "1"}, {"0.5", "3"}, {"1", "4"}, {"+Inf", "5"}}) {
        Map<String, String> l = series("http_server_request_duration_seconds_bucket", getLabels);
        l.put("le", b[0]);
        expected.put(l, Double.parseDouble(b[1]));
      }
      expected.put(series("http_server_request_duration_seconds_sum", getLabels), 3.25);
      expected.put(series("http_server_request_duration_seconds_count", getLabels), 5.0);
      // target_info: job, instance and the non-identifying resource attributes, no scope labels
      expected.put(labels("__name__", "target_info", "cluster", "it", "job", "shop/checkout", "instance", "pod-7",
          "deployment_environment_name", "it", "host_name", "node-3"), 1.0);

      Map<Map<String, String>, Double> actual = all.values().stream()
          .collect(Collectors.toMap(RealPrometheus.Result::labels, RealPrometheus.Result::number));
      assertThat(actual).containsExactlyInAnyOrderEntriesOf(expected);

      // PromQL over the histogram works as a Prometheus user expects
      assertThat(prometheus.awaitValue("histogram_quantile(0.5, sum by (le) "
          + "(http_server_request_duration_seconds_bucket{job=\"shop/checkout\"}))", 0.4, 10_000).number())
          .isEqualTo(0.4);
      assertThat(prometheus.awaitValue("sum(http_server_requests_total{job=\"shop/checkout\"})", 6, 10_000).number())
          .isEqualTo(6);
      assertThat(TestContexts.count(registry, "otelcol.exporter.sent.metric_points")).isEqualTo(6);

      // the next collection continues the same streams: newer samples win
      requests.add(4, get);
      inFlight.add(-7, Attributes.of(AttributeKey.stringKey("http.route"), "/cart"));
      duration.record(0.01, get);
      assertThat(provider.forceFlush().join(15, TimeUnit.SECONDS).isSuccess()).isTrue();
      prometheus.awaitValue("http_server_requests_total{job=\"shop/checkout\", http_request_method=\"GET\"}", 9,
          30_000);
      prometheus.awaitValue("http_server_active_requests{job=\"shop/checkout\"}", 0, 10_000);
      prometheus.awaitValue("http_server_request_duration_seconds_bucket{job=\"shop/checkout\", le=\"0.1\"}", 2,
          10_000);
      prometheus.awaitValue("http_server_request_duration_seconds_count{job=\"shop/checkout\"}", 6, 10_000);
      assertThat(prometheus.query(job)).hasSize(12); // no new series appeared

      // the SDK's self-metric (a scope without a version: no otel_scope_version label)
      Map<String, String> sdk = prometheus.awaitResults(
          "otel_sdk_metric_reader_collection_duration_seconds_count{job=\"shop/checkout\"}", 1, 10_000)
          .values().iterator().next().labels();
      assertThat(sdk).isEqualTo(labels("__name__", "otel_sdk_metric_reader_collection_duration_seconds_count",
          "cluster", "it", "job", "shop/checkout", "instance", "pod-7", "otel_scope_name", "io.opentelemetry.sdk.metrics",
          "otel_component_name", "periodic_metric_reader/0", "otel_component_type", "periodic_metric_reader"));
    }
  }
}
