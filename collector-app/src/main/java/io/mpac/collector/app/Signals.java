package io.mpac.collector.app;

import java.time.Duration;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * POSIX signal handling. The JDK's shutdown hooks would make SIGTERM exit with 143; handling the
 * signal ourselves lets a graceful stop exit 0, as orchestrators expect.
 */
@SuppressWarnings("sunapi")
final class Signals {

  private static final Logger LOG = Logger.getLogger("run");

  private Signals() {}

  /** Runs {@code action} on SIGTERM and SIGINT. */
  static void onStop(Runnable action) {
    handle("TERM", action);
    handle("INT", action);
  }

  /** Runs {@code action} on SIGHUP, off the signal thread. */
  static void onReload(Runnable action) {
    handle("HUP", () -> {
      Thread t = new Thread(action, "reload");
      t.setDaemon(true);
      t.start();
    });
  }

  /** If a graceful stop takes longer than {@code limit}, give up and exit 1 rather than hang. */
  static void watchdog(Duration limit) {
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(limit.toMillis());
        LOG.severe("shutdown did not finish within " + limit.toSeconds() + "s; exiting");
        Runtime.getRuntime().halt(1);
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    }, "shutdown-watchdog");
    t.setDaemon(true);
    t.start();
  }

  private static void handle(String name, Runnable action) {
    try {
      Signal.handle(new Signal(name), s -> action.run());
    } catch (IllegalArgumentException e) {
      LOG.fine("signal " + name + " not available here: " + e.getMessage());
    }
  }
}
