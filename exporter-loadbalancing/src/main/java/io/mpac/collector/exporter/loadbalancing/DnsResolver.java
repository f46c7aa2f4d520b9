package io.mpac.collector.exporter.loadbalancing;

import io.mpac.collector.logging.RateLimitedLogger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code dns} resolver: resolves {@code hostname} now and every {@code interval} on its own
 * thread (never a Netty event loop; the JDK's lookup blocks), each lookup on a separate daemon
 * thread so one that hangs past {@code timeout} is abandoned rather than waited for. A failure
 * (unknown host, no address, timeout) keeps the last good list, is counted, and logged at most
 * every 30 s. Every change of the sorted address list is passed on as {@code ip:port} names.
 */
final class DnsResolver implements AutoCloseable {

  /** The name service; the JDK's by default (which honours {@code -Djdk.net.hosts.file}). */
  interface Lookup {
    InetAddress[] lookup(String hostname) throws UnknownHostException;
  }

  private final ResolverConfig.Dns config;
  private final Lookup lookup;
  private final Consumer<List<String>> onChange;
  private final Runnable onFailure;
  private final RateLimitedLogger rateLimited;
  private final String threadName;
  private ScheduledExecutorService scheduler;
  private final ExecutorService lookups;
  private List<String> last;
  private volatile String lastProblem;
  private volatile boolean closed;

  DnsResolver(ResolverConfig.Dns config, Lookup lookup, Consumer<List<String>> onChange, Runnable onFailure,
      Logger logger, String threadName) {
    this.config = config;
    this.lookup = lookup;
    this.onChange = onChange;
    this.onFailure = onFailure;
    this.rateLimited = new RateLimitedLogger(logger, Duration.ofSeconds(30), System::nanoTime);
    this.threadName = threadName;
    this.lookups = Executors.newCachedThreadPool(r -> daemon(r, threadName + "-lookup"));
  }

  synchronized void start() {
    if (scheduler != null) return;
    scheduler = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, threadName));
    scheduler.scheduleWithFixedDelay(this::resolveOnce, 0, config.interval().toNanos(), TimeUnit.NANOSECONDS);
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /** The last failure's description, or null when the last lookup succeeded. */
  String lastProblem() {
    return lastProblem;
  }

  /** One lookup; runs on the scheduler thread (tests call it directly). */
  synchronized void resolveOnce() {
    if (closed) return;
    List<String> found;
    try {
      Future<InetAddress[]> f = lookups.submit(() -> lookup.lookup(config.hostname()));
      InetAddress[] addresses;
      try {
        addresses = f.get(config.timeout().toNanos(), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        f.cancel(true);
        failed("resolving " + config.hostname() + " took longer than " + config.timeout().toMillis() + " ms");
        return;
      }
      found = names(addresses);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      failed("cannot resolve " + config.hostname() + ": " + cause);
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    } catch (RuntimeException e) {
      failed("cannot resolve " + config.hostname() + ": " + e);
      return;
    }
    if (found.isEmpty()) {
      failed(config.hostname() + " resolved to no address");
      return;
    }
    lastProblem = null;
    if (found.equals(last)) return;
    last = found;
    onChange.accept(found);
  }

  private void failed(String why) {
    lastProblem = why;
    onFailure.run();
    rateLimited.log(Level.WARNING, "dns", () -> why + (last == null ? "; no back end yet" : "; keeping the last good list of back ends " + last));
  }

  /** Sorted, distinct {@code ip:port} names (IPv6 in brackets). */
  private List<String> names(InetAddress[] addresses) {
    TreeSet<String> out = new TreeSet<>();
    if (addresses != null) {
      for (InetAddress a : addresses) {
        String ip = a.getHostAddress();
        int zone = ip.indexOf('%');
        if (zone >= 0) ip = ip.substring(0, zone);
        out.add((a instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + config.port());
      }
    }
    return new ArrayList<>(out);
  }

  @Override
  public void close() {
    closed = true;
    lookups.shutdownNow();
    ScheduledExecutorService s;
    synchronized (this) {
      s = scheduler;
    }
    if (s != null) s.shutdownNow();
  }
}
