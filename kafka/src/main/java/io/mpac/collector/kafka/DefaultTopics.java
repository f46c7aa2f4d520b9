package io.mpac.collector.kafka;

import io.mpac.collector.pdata.Signal;

/** Alloy's default topic of each signal, the same for the exporter and the receiver. */
public final class DefaultTopics {

  private DefaultTopics() {}

  public static String of(Signal s) {
    return switch (s) {
      case TRACES -> "otlp_spans";
      case METRICS -> "otlp_metrics";
      case LOGS -> "otlp_logs";
    };
  }
}
