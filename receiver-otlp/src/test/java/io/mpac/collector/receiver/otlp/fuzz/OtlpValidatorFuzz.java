package io.mpac.collector.receiver.otlp.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.mpac.collector.pdata.OtlpValidator;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.mpac.collector.testing.Fuzz;
import io.mpac.collector.testing.Mutator;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes {@link OtlpValidator} with mutations of the real SDK's requests. Whatever the bytes, it
 * either counts or throws {@code InvalidOtlpException}, nothing else; and whatever it accepts,
 * protobuf-java (the independent decoder) parses too, with the same item count.
 */
class OtlpValidatorFuzz {

  static int count(Signal s, byte[] b) throws InvalidProtocolBufferException {
    return switch (s) {
      case TRACES -> ExportTraceServiceRequest.parseFrom(b).getResourceSpansList().stream()
          .flatMap(r -> r.getScopeSpansList().stream()).mapToInt(x -> x.getSpansCount()).sum();
      case LOGS -> ExportLogsServiceRequest.parseFrom(b).getResourceLogsList().stream()
          .flatMap(r -> r.getScopeLogsList().stream()).mapToInt(x -> x.getLogRecordsCount()).sum();
      case METRICS -> ExportMetricsServiceRequest.parseFrom(b).getResourceMetricsList().stream()
          .flatMap(r -> r.getScopeMetricsList().stream()).flatMap(x -> x.getMetricsList().stream())
          .mapToInt(m -> switch (m.getDataCase()) {
            case GAUGE -> m.getGauge().getDataPointsCount();
            case SUM -> m.getSum().getDataPointsCount();
            case HISTOGRAM -> m.getHistogram().getDataPointsCount();
            case EXPONENTIAL_HISTOGRAM -> m.getExponentialHistogram().getDataPointsCount();
            case SUMMARY -> m.getSummary().getDataPointsCount();
            default -> 0;
          }).sum();
    };
  }

  @Test
  void traces() {
    fuzz(Signal.TRACES);
  }

  @Test
  void metrics() {
    fuzz(Signal.METRICS);
  }

  @Test
  void logs() {
    fuzz(Signal.LOGS);
  }

  private static final java.util.concurrent.atomic.AtomicLong ACCEPTED = new java.util.concurrent.atomic.AtomicLong();

  private static void fuzz(Signal signal) {
    ACCEPTED.set(0);
    Fuzz.run("validator-" + signal.lowerName(), seed -> Mutator.mutate(SdkSeeds.protobuf(signal), seed),
        input -> acceptsOnlyWhatProtobufJavaAccepts(signal, input));
    // Without accepted inputs the differential half would never run.
    assertThat(ACCEPTED.get()).as("inputs the validator accepted").isPositive();
    System.out.println("fuzz validator-" + signal.lowerName() + ": " + ACCEPTED.get() + " accepted and cross-checked");
  }

  static void acceptsOnlyWhatProtobufJavaAccepts(Signal signal, byte[] input) throws Exception {
    int items;
    try {
      items = OtlpValidator.validateAndCount(signal, input);
    } catch (OtlpValidator.InvalidOtlpException refused) {
      assertThat(refused.getMessage()).isNotBlank();
      return;
    }
    assertThat(count(signal, input)).as("items counted by protobuf-java").isEqualTo(items);
    ACCEPTED.incrementAndGet();
  }
}
