package io.mpac.collector.logging;

import io.mpac.collector.util.JsonStrings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One log event per line, as logfmt ({@code ts=... level=info msg="..."}) or JSON. Loggers named
 * {@code component.<id>} add {@code component_id=<id>}, as Alloy does.
 */
final class LineFormatter extends Formatter {

  private final boolean json;

  LineFormatter(boolean json) {
    this.json = json;
  }

  @Override
  public String format(LogRecord r) {
    String message = formatMessage(r);
    String level = level(r.getLevel());
    String logger = r.getLoggerName() == null ? "" : r.getLoggerName();
    String component = logger.startsWith("component.") ? logger.substring("component.".length()) : null;
    String error = null;
    if (r.getThrown() != null) {
      // Stack traces only at debug level: users see the cause, developers can ask for more.
      if (r.getLevel().intValue() <= Level.FINE.intValue()) {
        StringWriter sw = new StringWriter();
        r.getThrown().printStackTrace(new PrintWriter(sw));
        error = sw.toString();
      } else {
        error = String.valueOf(r.getThrown());
      }
    }
    StringBuilder sb = new StringBuilder(128);
    String ts = Instant.ofEpochMilli(r.getMillis()).toString();
    if (json) {
      sb.append("{\"ts\":").append(quote(ts)).append(",\"level\":").append(quote(level));
      if (component != null) sb.append(",\"component_id\":").append(quote(component));
      else if (!logger.isEmpty()) sb.append(",\"logger\":").append(quote(logger));
      sb.append(",\"msg\":").append(quote(message));
      if (error != null) sb.append(",\"err\":").append(quote(error));
      sb.append("}\n");
    } else {
      sb.append("ts=").append(ts).append(" level=").append(level);
      if (component != null) sb.append(" component_id=").append(component);
      else if (!logger.isEmpty()) sb.append(" logger=").append(logfmtValue(logger));
      sb.append(" msg=").append(quote(message));
      if (error != null) sb.append(" err=").append(quote(error));
      sb.append('\n');
    }
    return sb.toString();
  }

  private static String level(Level l) {
    int v = l.intValue();
    if (v >= Level.SEVERE.intValue()) return "error";
    if (v >= Level.WARNING.intValue()) return "warn";
    if (v >= Level.INFO.intValue()) return "info";
    return "debug";
  }

  private static String logfmtValue(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= ' ' || c == '"' || c == '=') return quote(s);
    }
    return s;
  }

  /** A JSON string literal, which is also a valid quoted logfmt value. */
  static String quote(String s) {
    return JsonStrings.quote(s);
  }
}
