package io.mpac.collector.prometheus;

/** A metric family's type, numbered as in remote write's {@code MetricMetadata.MetricType}. */
public enum MetricType {
  UNKNOWN(0), COUNTER(1), GAUGE(2), HISTOGRAM(3), GAUGEHISTOGRAM(4), SUMMARY(5), INFO(6), STATESET(7);

  private final int protoNumber;

  MetricType(int protoNumber) {
    this.protoNumber = protoNumber;
  }

  /** The enum number on the remote-write wire. */
  public int protoNumber() {
    return protoNumber;
  }
}
