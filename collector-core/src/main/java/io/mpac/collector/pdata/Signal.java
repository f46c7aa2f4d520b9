package io.mpac.collector.pdata;

/** The three OTLP signals, each with the unit its items are counted in. */
public enum Signal {
  TRACES("traces", "spans"),
  METRICS("metrics", "metric_points"),
  LOGS("logs", "log_records");

  private final String lowerName;
  private final String itemName;

  Signal(String lowerName, String itemName) {
    this.lowerName = lowerName;
    this.itemName = itemName;
  }

  /** "traces", "metrics" or "logs": the name used in config ({@code output { traces = ... }}). */
  public String lowerName() {
    return lowerName;
  }

  /** "spans", "metric_points" or "log_records": the suffix of the OTel Collector's item metrics. */
  public String itemName() {
    return itemName;
  }
}
