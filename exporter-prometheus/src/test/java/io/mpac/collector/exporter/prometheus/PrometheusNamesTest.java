package io.mpac.collector.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.exporter.prometheus.PrometheusNames.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The naming rules against the specification's and the translator's examples. */
class PrometheusNamesTest {

  @ParameterizedTest(name = "{0} [{1}] {2} -> {3}")
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      // examples from the specification / otlptranslator documentation
      "http.server.duration       | s        | HISTOGRAM             | http_server_duration_seconds",
      "requests.count             | 1        | MONOTONIC_COUNTER     | requests_count_total",
      "memory.usage               | By       | GAUGE                 | memory_usage_bytes",
      "cpu.utilization            | 1        | GAUGE                 | cpu_utilization_ratio",
      // unit mapping and per-units
      "system.network.io          | By/s     | MONOTONIC_COUNTER     | system_network_io_bytes_per_second_total",
      "speed                      | m/s      | GAUGE                 | speed_meters_per_second",
      "uptime                     | h        | GAUGE                 | uptime_hours",
      "mem                        | MiBy     | GAUGE                 | mem_mebibytes",
      "temp                       | Cel      | GAUGE                 | temp_celsius",
      "load                       | %        | GAUGE                 | load_percent",
      "latency                    | ms       | HISTOGRAM             | latency_milliseconds",
      // annotations are dropped, unknown units are kept as words
      "http.server.active_requests| {request}| NON_MONOTONIC_COUNTER | http_server_active_requests",
      "packets                    | {packet}/s | MONOTONIC_COUNTER   | packets_per_second_total",
      "jobs                       | jobs/{run} | GAUGE               | jobs",
      "queue.size                 | items    | GAUGE                 | queue_size_items",
      // unit 1: _ratio for gauges only
      "errors                     | 1        | NON_MONOTONIC_COUNTER | errors",
      "hits                       | 1        | HISTOGRAM             | hits",
      "cache.hit_ratio            | 1        | GAUGE                 | cache_hit_ratio",
      // existing suffix tokens are not repeated; total moves to the end
      "request_duration_seconds   | s        | HISTOGRAM             | request_duration_seconds",
      "foo_total                  |          | MONOTONIC_COUNTER     | foo_total",
      "total.foo                  | s        | MONOTONIC_COUNTER     | foo_seconds_total",
      "bytes.total.sent           | By       | MONOTONIC_COUNTER     | bytes_sent_total",
      // character handling: runs of invalid characters and underscores collapse, ':' is kept
      "a..b__c-d                  |          | GAUGE                 | a_b_c_d",
      "ns:metric.name             |          | GAUGE                 | ns:metric_name",
      "2xx.count                  |          | MONOTONIC_COUNTER     | _2xx_count_total",
      "Ünïcode.name               |          | GAUGE                 | n_code_name",
      "...                        |          | GAUGE                 | NULL",
  })
  void metricNamesWithSuffixes(String name, String unit, Kind kind, String expected) {
    assertThat(PrometheusNames.metricName(name, unit == null ? "" : unit, kind, true)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} [{1}] -> {2}")
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "http.server.duration  | s | http_server_duration",
      "requests.count        | 1 | requests_count",
      "a..b                  |   | a_b",
      "keep__double          |   | keep__double",
      "2xx                   |   | _2xx",
  })
  void metricNamesWithoutSuffixes(String name, String unit, String expected) {
    assertThat(PrometheusNames.metricName(name, unit == null ? "" : unit, Kind.MONOTONIC_COUNTER, false))
        .isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', nullValues = "NULL", value = {
      "http.method      | http_method",
      "service.name     | service_name",
      "foo..bar         | foo__bar",
      "2xx              | key_2xx",
      "_private         | key_private",
      "__reserved__     | __reserved__",
      "host-name/x      | host_name_x",
      "ok_label         | ok_label",
      "...              | NULL",
  })
  void labelNames(String key, String expected) {
    assertThat(PrometheusNames.labelName(key)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "0.005   | 0.005",
      "1       | 1",
      "2.5     | 2.5",
      "1000000 | 1000000",
      "1e-7    | 0.0000001",
      "0.1     | 0.1",
      "-3      | -3",
      "Infinity | +Inf",
  })
  void floatsAsPrometheusWritesThem(double v, String expected) {
    assertThat(PrometheusNames.formatFloat(v)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', value = {
      "s     | seconds",
      "By/s  | bytes_per_second",
      "1     | ''",
      "{req} | ''",
  })
  void unitNamesForMetadata(String unit, String expected) {
    assertThat(PrometheusNames.unitName(unit)).isEqualTo(expected);
  }
}
