package io.mpac.collector.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LineFormatterTest {

  private static LogRecord record(Level level, String logger, String message) {
    LogRecord r = new LogRecord(level, message);
    r.setLoggerName(logger);
    r.setMillis(1_700_000_000_123L);
    return r;
  }

  @Test
  void logfmtLineWithComponentId() {
    String line = new LineFormatter(false).format(record(Level.WARNING, "component.otelcol.exporter.otlp.tempo", "send \"failed\""));
    assertThat(line).isEqualTo(
        "ts=2023-11-14T22:13:20.123Z level=warn component_id=otelcol.exporter.otlp.tempo msg=\"send \\\"failed\\\"\"\n");
  }

  @Test
  void jsonLineEscapesAndNamesTheLogger() {
    LogRecord r = record(Level.SEVERE, "controller", "line1\nline2");
    r.setThrown(new IllegalStateException("boom"));
    assertThat(new LineFormatter(true).format(r)).isEqualTo(
        "{\"ts\":\"2023-11-14T22:13:20.123Z\",\"level\":\"error\",\"logger\":\"controller\",\"msg\":\"line1\\nline2\","
            + "\"err\":\"java.lang.IllegalStateException: boom\"}\n");
  }

  @Test
  void levelsMapToAlloyNames() {
    assertThat(LogSetup.toJul("debug")).isEqualTo(Level.FINE);
    assertThat(LogSetup.toJul("error")).isEqualTo(Level.SEVERE);
    assertThat(new LineFormatter(false).format(record(Level.FINE, "x", "m"))).contains("level=debug");
    assertThat(new LineFormatter(false).format(record(Level.INFO, "x", "m"))).contains("level=info");
  }
}
