package io.mpac.collector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The metric-name extractor the dashboard checks rely on. */
class PromQlTest {

  @Test
  void findsMetricsInsideFunctionsAggregationsAndBinaryOperators() {
    assertThat(PromQl.metricNames(
        "sum by (component_id) (rate(otelcol_receiver_accepted_spans_total{job=\"mpac-collector\", instance=~\"$instance\"}[$__rate_interval]))"))
        .containsExactly("otelcol_receiver_accepted_spans_total");
    assertThat(PromQl.metricNames(
        "max by (component_id) (otelcol_exporter_queue_size{job=\"x\"} / otelcol_exporter_queue_capacity{job=\"x\"}) > 0.8"))
        .containsExactly("otelcol_exporter_queue_capacity", "otelcol_exporter_queue_size");
    assertThat(PromQl.metricNames(
        "process_cpu_usage{job=\"a\"} * on(instance) group_left system_cpu_count{job=\"a\"}"))
        .containsExactly("process_cpu_usage", "system_cpu_count");
  }

  @Test
  void ignoresLabelValuesStringsDurationsAndKeywords() {
    assertThat(PromQl.metricNames(
        "histogram_quantile(0.95, sum by (le, span_name) (rate(traces_spanmetrics_latency_bucket{service=\"a b\", span_kind=~\"SPAN_KIND_SERVER|x\"}[5m] offset 1h)))"))
        .containsExactly("traces_spanmetrics_latency_bucket");
    assertThat(PromQl.metricNames("up{job=\"mpac-collector\"} == 0")).containsExactly("up");
    assertThat(PromQl.metricNames("sum(rate(traces_spanmetrics_calls_total{$__tags}[5m]))"))
        .containsExactly("traces_spanmetrics_calls_total");
  }

  @Test
  void readsGrafanaLabelValuesQueries() {
    assertThat(PromQl.metricNames("label_values(traces_spanmetrics_calls_total, service)"))
        .containsExactly("traces_spanmetrics_calls_total");
    assertThat(PromQl.metricNames("label_values(up{job=\"mpac-collector\"}, instance)")).containsExactly("up");
  }
}
