package io.mpac.collector.logging;

import java.io.PrintStream;
import java.util.Locale;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Configures the collector's own logs (java.util.logging, which grpc-java and Netty also use) from
 * the {@code logging { level, format }} block: one line per event on stderr, logfmt or JSON.
 */
public final class LogSetup {

  private static final Object LOCK = new Object();
  private static Handler installed;

  private LogSetup() {}

  /** Applies a level ("error", "warn", "info", "debug") and a format ("logfmt", "json"). */
  public static void apply(String level, String format) {
    apply(level, format, System.err);
  }

  static void apply(String level, String format, PrintStream out) {
    synchronized (LOCK) {
      Logger root = LogManager.getLogManager().getLogger("");
      for (Handler h : root.getHandlers()) {
        if (h instanceof ConsoleHandler || h == installed) root.removeHandler(h);
      }
      Level jul = toJul(level);
      StreamHandler handler = new StreamHandler(out, "json".equals(format) ? new LineFormatter(true) : new LineFormatter(false)) {
        @Override
        public synchronized void publish(java.util.logging.LogRecord record) {
          super.publish(record);
          flush();
        }
      };
      handler.setLevel(jul);
      root.addHandler(handler);
      root.setLevel(jul);
      // Libraries are chatty at debug level; keep them at warnings unless debugging.
      Level libraries = jul.intValue() <= Level.FINE.intValue() ? Level.INFO : Level.WARNING;
      Logger.getLogger("io.grpc").setLevel(libraries);
      Logger.getLogger("io.netty").setLevel(libraries);
      installed = handler;
    }
  }

  static Level toJul(String level) {
    return switch (level == null ? "info" : level.toLowerCase(Locale.ROOT)) {
      case "error" -> Level.SEVERE;
      case "warn" -> Level.WARNING;
      case "debug" -> Level.FINE;
      default -> Level.INFO;
    };
  }
}
