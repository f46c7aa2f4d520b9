package io.mpac.collector.loadgen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricTimesTest {

  @Test
  void stampsEveryGeneratedGaugePointAndNothingElse() throws Exception {
    byte[][] requests = Payloads.protobuf(new Payloads.Shape(Signal.METRICS, 25, 3, 64), 2, 7);
    ExportMetricsServiceRequest before = ExportMetricsServiceRequest.parseFrom(requests[1]);
    MetricTimes times = Payloads.metricTimes(requests)[1];
    assertThat(times.points()).isEqualTo(25);

    long stamp = 1_765_000_000_123_456_789L;
    times.stamp(requests[1], stamp);

    ExportMetricsServiceRequest after = ExportMetricsServiceRequest.parseFrom(requests[1]);
    List<NumberDataPoint> points = after.getResourceMetrics(0).getScopeMetrics(0).getMetrics(0).getGauge().getDataPointsList();
    assertThat(points).hasSize(25).allSatisfy(p -> assertThat(p.getTimeUnixNano()).isEqualTo(stamp));
    // only the times changed: with them put back, the request is the one before
    ExportMetricsServiceRequest.Builder restored = after.toBuilder();
    var gauge = restored.getResourceMetricsBuilder(0).getScopeMetricsBuilder(0).getMetricsBuilder(0).getGaugeBuilder();
    for (int i = 0; i < 25; i++) {
      gauge.getDataPointsBuilder(i).setTimeUnixNano(before.getResourceMetrics(0).getScopeMetrics(0).getMetrics(0)
          .getGauge().getDataPoints(i).getTimeUnixNano());
    }
    assertThat(restored.build()).isEqualTo(before);
  }

  @Test
  void findsSumPointsAcrossResourcesAndRefusesAPointWithoutTime() throws Exception {
    Metric sum = Metric.newBuilder().setName("s").setSum(Sum.newBuilder()
        .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(5).setAsInt(1))
        .addDataPoints(NumberDataPoint.newBuilder().setTimeUnixNano(6).setAsInt(2))).build();
    ResourceMetrics rm = ResourceMetrics.newBuilder().addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(sum)).build();
    byte[] request = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(rm).addResourceMetrics(rm).build().toByteArray();
    MetricTimes times = MetricTimes.locate(request);
    assertThat(times.points()).isEqualTo(4);
    times.stamp(request, 99);
    ExportMetricsServiceRequest parsed = ExportMetricsServiceRequest.parseFrom(request);
    assertThat(parsed.getResourceMetricsList()).allSatisfy(r -> assertThat(r.getScopeMetrics(0).getMetrics(0).getSum()
        .getDataPointsList()).extracting(NumberDataPoint::getTimeUnixNano).containsExactly(99L, 99L));

    byte[] noTime = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("g").setGauge(
            io.opentelemetry.proto.metrics.v1.Gauge.newBuilder().addDataPoints(NumberDataPoint.newBuilder().setAsDouble(1))))))
        .build().toByteArray();
    assertThatThrownBy(() -> MetricTimes.locate(noTime)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no time_unix_nano");
    assertThatThrownBy(() -> MetricTimes.locate(new byte[] {0x0a, 0x7f})).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a well-formed");
  }
}
