package io.mpac.collector.exporter.loki;

/** The {@code level} label values for OTLP severity numbers (the translator's fixed table). */
final class Severity {

  private static final String[] LEVELS = {
    "UNSPECIFIED",
    "TRACE", "TRACE2", "TRACE3", "TRACE4",
    "DEBUG", "DEBUG2", "DEBUG3", "DEBUG4",
    "INFO", "INFO2", "INFO3", "INFO4",
    "WARN", "WARN2", "WARN3", "WARN4",
    "ERROR", "ERROR2", "ERROR3", "ERROR4",
    "FATAL", "FATAL2", "FATAL3", "FATAL4",
  };

  private Severity() {}

  /** The level for a severity number; empty for numbers outside the table (as the Go map lookup gives). */
  static String level(int severityNumber) {
    return severityNumber >= 0 && severityNumber < LEVELS.length ? LEVELS[severityNumber] : "";
  }
}
