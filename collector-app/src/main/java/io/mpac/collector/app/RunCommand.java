package io.mpac.collector.app;

import io.mpac.collector.component.schema.Units;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.logging.LogSetup;
import io.mpac.collector.pipeline.StartException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code run}: starts the collector and blocks until SIGTERM or SIGINT, then stops it gracefully
 * and returns 0. SIGHUP reloads the config; a bad config is logged and the pipeline keeps running.
 */
final class RunCommand {

  private static final Logger LOG = Logger.getLogger("run");

  private final PrintStream out;
  private final PrintStream err;

  RunCommand(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  int run(String[] args) {
    Flags flags = Flags.parse(args, AlloyCompatFlags.valued(
        Set.of("server.http.listen-addr", "server.http.ui-path-prefix", "storage.path", "shutdown.timeout")),
        AlloyCompatFlags.booleans(Set.of()));
    java.util.List<String> notes = AlloyCompatFlags.check(flags);
    String uiPrefix;
    try {
      uiPrefix = io.mpac.collector.admin.AdminServer.normalizePrefix(flags.get("server.http.ui-path-prefix", "/"));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--server.http.ui-path-prefix: " + e.getMessage());
    }
    Path config = Path.of(flags.onePositional("config file or directory"));
    InetSocketAddress listen = hostPort(flags.get("server.http.listen-addr", "127.0.0.1:12345"));
    Duration timeout;
    try {
      timeout = Units.parseDuration(flags.get("shutdown.timeout", "30s"));
    } catch (IllegalArgumentException e) {
      throw new UsageException("--shutdown.timeout: " + e.getMessage());
    }
    LogSetup.apply("info", "logfmt");
    notes.forEach(LOG::info);
    CollectorProcess collector = new CollectorProcess(new CollectorProcess.Options(
        config, listen, uiPrefix, Path.of(flags.get("storage.path", "data/")), timeout, System.getenv()));
    try {
      collector.start();
    } catch (ConfigException e) {
      for (Diagnostic d : e.diagnostics()) err.println(d);
      return 1;
    } catch (StartException | IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
    // Handlers go in only once running: a stop or reload before that has nothing to act on.
    CountDownLatch stop = new CountDownLatch(1);
    Signals.onStop(stop::countDown);
    Signals.onReload(() -> {
      try {
        collector.controller().reload();
      } catch (ConfigException e) {
        LOG.warning("reload rejected, the running pipeline is unchanged:\n" + e.getMessage());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "reload failed", e);
      }
    });
    LOG.info("mpac-collector " + Main.version() + " running; admin server on "
        + collector.adminAddress().getHostString() + ":" + collector.adminAddress().getPort()
        + ", UI at " + uiPrefix);
    try {
      stop.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    LOG.info("stopping (timeout " + Units.formatDuration(timeout) + ")");
    Signals.watchdog(timeout.plusSeconds(5));
    collector.close();
    LOG.info("stopped");
    return 0;
  }

  static InetSocketAddress hostPort(String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) throw new UsageException("expected HOST:PORT, got \"" + text + "\"");
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new UsageException("expected HOST:PORT, got \"" + text + "\"");
    }
    if (port < 0 || port > 65535) throw new UsageException("port out of range in \"" + text + "\"");
    return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
  }
}
