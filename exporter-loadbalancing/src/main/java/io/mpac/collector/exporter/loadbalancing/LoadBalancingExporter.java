package io.mpac.collector.exporter.loadbalancing;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Health;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.exporter.otlp.GrpcEndpoint;
import io.mpac.collector.exporter.otlp.OtlpExporter;
import io.mpac.collector.exporter.otlp.OtlpGrpcExporterConfig;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

/**
 * {@code otelcol.exporter.loadbalancing}: one {@link OtlpExporter} (OTLP/gRPC, the
 * {@code protocol.otlp} settings) per back end, and a consistent-hash ring over them. Each request
 * is split by the routing key ({@link RequestRouter}) and every part is offered to its owner's
 * sending queue; a refused part makes the whole request refused (the sender retries it, so parts
 * already accepted may arrive twice: at-least-once, as everywhere in this collector).
 *
 * <p><b>Ring changes.</b> When the resolver's list changes, new back ends get an exporter and the
 * ring is swapped at once (one volatile write); a departing back end's exporter is shut down on a
 * background thread with {@code protocol.otlp.timeout} to drain. What it could not deliver by then
 * (a back end that is really gone) is handed back, counted as re-routed, and sent again through
 * the new ring by the re-router thread, which retries a refused part until it is accepted. So a
 * departing back end loses nothing; only its keys change owner.
 *
 * <p><b>Reload.</b> A config reload that changes the arguments replaces this component: the old
 * instance drains its back ends within the shutdown timeout and leaves what it could not deliver
 * to the next instance with the same id (it stops before the new one starts), which sends it
 * through its ring. If the collector exits instead, that remainder is lost, and logged.
 */
final class LoadBalancingExporter implements Component {

  /** Undelivered data a replaced instance leaves to its successor, by component id. */
  private static final Map<io.mpac.collector.component.ComponentId, Queue<OtlpRequest>> HANDOVER = new ConcurrentHashMap<>();
  private static final long REROUTE_BACKOFF_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final long REROUTE_BACKOFF_MAX_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** The ring and the exporters of its members, in the ring's member order. */
  private record Routing(HashRing ring, Backend[] backends) {
    static final Routing EMPTY = new Routing(new HashRing(List.of()), new Backend[0]);
  }

  /** One back end: its exporter and routed-items counters. */
  private record Backend(String endpoint, OtlpExporter exporter, Map<Signal, Counter> routed) {}

  private final ComponentContext context;
  private final LoadBalancingConfig config;
  private final RequestRouter router;
  private final LoadBalancerMetrics metrics;
  private final DnsResolver.Lookup lookup;
  private final OtlpConsumer input;
  private final Object lock = new Object();
  /** The back ends by endpoint (guarded by {@link #lock}). */
  private final Map<String, Backend> backends = new LinkedHashMap<>();
  private final LinkedBlockingQueue<OtlpRequest> reroute = new LinkedBlockingQueue<>();
  private final ExecutorService retirer;
  private volatile Routing routing = Routing.EMPTY;
  private volatile boolean stopped;
  private volatile DnsResolver dns;
  private Thread rerouter;

  LoadBalancingExporter(ComponentContext context, LoadBalancingConfig config, DnsResolver.Lookup lookup) {
    this.context = context;
    this.config = config;
    this.router = new RequestRouter(config.routingKey());
    this.lookup = lookup;
    this.metrics = new LoadBalancerMetrics(context.meterRegistry(), context.tags(), () -> routing.backends().length);
    this.input = new Input(config.routingKey().signals());
    this.retirer = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "lb-retire-" + context.id());
      t.setDaemon(true);
      return t;
    });
  }

  LoadBalancingExporter(ComponentContext context, LoadBalancingConfig config) {
    this(context, config, InetAddress::getAllByName);
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of("input", input);
  }

  OtlpConsumer input() {
    return input;
  }

  @Override
  public void start() throws Exception {
    synchronized (lock) {
      if (stopped) throw new IllegalStateException(context.id() + " was shut down");
    }
    metrics.start();
    Queue<OtlpRequest> left = HANDOVER.remove(context.id());
    if (left != null && !left.isEmpty()) {
      long items = left.stream().mapToLong(OtlpRequest::itemCount).sum();
      context.logger().info("re-routing " + items + " items the previous configuration could not deliver");
      reroute.addAll(left);
    }
    rerouter = new Thread(this::rerouteLoop, "lb-reroute-" + context.id());
    rerouter.setDaemon(true);
    rerouter.start();
    if (config.resolver() instanceof ResolverConfig.Static s) {
      updateMembers(s.hostnames());
    } else {
      ResolverConfig.Dns d = (ResolverConfig.Dns) config.resolver();
      dns = new DnsResolver(d, lookup, this::updateMembers, metrics.resolverFailures::increment, context.logger(),
          "lb-dns-" + context.id());
      dns.start();
      context.logger().info("resolving back ends from " + d.hostname() + " every " + d.interval().toMillis() + " ms");
    }
  }

  /** Makes {@code endpoints} the ring's members; called by the resolver (never an event loop). */
  void updateMembers(List<String> endpoints) {
    synchronized (lock) {
      if (stopped) return;
      Set<String> next = new TreeSet<>(endpoints);
      if (next.equals(backends.keySet())) return;
      List<String> added = new ArrayList<>();
      for (String e : next) {
        if (backends.containsKey(e)) continue;
        Backend b = newBackend(e);
        if (b != null) {
          backends.put(e, b);
          added.add(e);
        }
      }
      List<Backend> gone = new ArrayList<>();
      backends.entrySet().removeIf(en -> {
        if (next.contains(en.getKey())) return false;
        gone.add(en.getValue());
        return true;
      });
      List<String> members = new ArrayList<>(new TreeSet<>(backends.keySet()));
      Backend[] ordered = new Backend[members.size()];
      for (int i = 0; i < ordered.length; i++) ordered[i] = backends.get(members.get(i));
      routing = new Routing(new HashRing(members), ordered);
      metrics.ringChanges.increment();
      context.logger().info("back ends: " + members + (added.isEmpty() ? "" : ", added " + added)
          + (gone.isEmpty() ? "" : ", removed " + gone.stream().map(Backend::endpoint).toList()));
      for (Backend b : gone) retirer.execute(() -> retire(b));
    }
  }

  private Backend newBackend(String endpoint) {
    // Same id (every meter of a component carries its component_id); the back end's exporter
    // metrics get a "backend" tag through a registry that forwards to the collector's.
    CompositeMeterRegistry meters = new CompositeMeterRegistry();
    meters.config().commonTags("backend", endpoint);
    meters.add(context.meterRegistry());
    ComponentContext child = new ComponentContext(context.id(), context.storageDir(), meters, context.logger());
    OtlpGrpcExporterConfig template = config.otlp();
    OtlpGrpcExporterConfig own = new OtlpGrpcExporterConfig(template.timeout(),
        template.client().withEndpoint(GrpcEndpoint.parse(endpoint)), template.queue(), template.retry());
    OtlpExporter exporter = OtlpExporter.grpc(child, own, this::handBack);
    try {
      exporter.start();
    } catch (Exception e) {
      context.logger().log(Level.WARNING, "cannot start the exporter for back end " + endpoint
          + "; leaving it out of the ring: " + e.getMessage());
      exporter.shutdown(Duration.ZERO);
      return null;
    }
    return new Backend(endpoint, exporter, metrics.routedCounters(endpoint));
  }

  /** A departing back end: drain what it can within the OTLP timeout; the rest is handed back. */
  private void retire(Backend b) {
    b.exporter().shutdown(config.otlp().timeout());
    context.logger().info("back end " + b.endpoint() + " left the ring");
  }

  /** Undelivered data of a departing back end: sent again through the current ring. */
  private void handBack(OtlpRequest request) {
    metrics.rerouted(request.signal(), request.itemCount());
    reroute.add(request);
  }

  /** Sends handed-back data through the ring until accepted; a refused part waits and tries again. */
  private void rerouteLoop() {
    long backoff = REROUTE_BACKOFF_MIN_NANOS;
    while (!stopped) {
      OtlpRequest r;
      try {
        r = reroute.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        return;
      }
      if (r == null) continue;
      List<OtlpRequest> refused = new ArrayList<>();
      try {
        offer(r, refused);
      } catch (ConsumeException.Rejected e) {
        context.logger().warning("dropping " + r.itemCount() + " " + r.signal().itemName()
            + " while re-routing: " + e.getMessage());
        continue;
      } catch (ConsumeException e) {
        refused.add(r);
      }
      if (refused.isEmpty()) {
        backoff = REROUTE_BACKOFF_MIN_NANOS;
        continue;
      }
      reroute.addAll(refused);
      try {
        TimeUnit.NANOSECONDS.sleep(backoff);
      } catch (InterruptedException e) {
        return;
      }
      backoff = Math.min(backoff * 2, REROUTE_BACKOFF_MAX_NANOS);
    }
  }

  /**
   * Splits {@code request} over the ring and offers each part to its back end. Parts refused by
   * their back end go to {@code refused} (their first refusal is rethrown when {@code refused} is
   * null). A part refused because its back end just left the ring is routed once more through the
   * new ring.
   */
  private void offer(OtlpRequest request, List<OtlpRequest> refused) throws ConsumeException {
    Routing r = routing;
    if (r.ring().isEmpty()) {
      throw new ConsumeException.Refused(context.id() + " has no back end yet"
          + (dns != null && dns.lastProblem() != null ? " (" + dns.lastProblem() + ")" : ""));
    }
    OtlpRequest[] parts;
    try {
      parts = router.route(request, r.ring());
    } catch (InvalidProtocolBufferException e) {
      throw new ConsumeException.Rejected("cannot route an undecodable " + request.signal().lowerName()
          + " request: " + e.getMessage());
    }
    ConsumeException first = null;
    for (int i = 0; i < parts.length; i++) {
      OtlpRequest part = parts[i];
      if (part == null) continue;
      Backend b = r.backends()[i];
      try {
        b.exporter().input().consume(part);
        b.routed().get(part.signal()).increment(part.itemCount());
      } catch (ConsumeException e) {
        Routing now = routing;
        if (now != r && !contains(now, b) && retried(part, now)) continue;
        if (refused != null) {
          refused.add(part);
        } else if (first == null) {
          first = e;
        }
      }
    }
    if (first != null) throw first;
  }

  private static boolean contains(Routing r, Backend b) {
    for (Backend x : r.backends()) {
      if (x == b) return true;
    }
    return false;
  }

  /** One more try of a part whose back end left the ring meanwhile. */
  private boolean retried(OtlpRequest part, Routing now) {
    if (now.ring().isEmpty()) return false;
    List<OtlpRequest> refused = new ArrayList<>();
    try {
      offer(part, refused);
    } catch (ConsumeException e) {
      return false;
    }
    if (refused.isEmpty()) return true;
    reroute.addAll(refused); // accepted parts stay accepted; the rest waits for the re-router
    return true;
  }

  @Override
  public void shutdown(Duration timeout) {
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    List<Backend> all;
    synchronized (lock) {
      if (stopped) return;
      stopped = true;
      all = new ArrayList<>(backends.values());
      backends.clear();
    }
    if (dns != null) dns.close();
    if (rerouter != null) {
      rerouter.interrupt();
      try {
        rerouter.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<Thread> stopping = new ArrayList<>();
    for (Backend b : all) {
      Thread t = new Thread(() -> b.exporter().shutdown(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))),
          "lb-stop-" + b.endpoint());
      t.setDaemon(true);
      t.start();
      stopping.add(t);
    }
    retirer.shutdown();
    try {
      for (Thread t : stopping) t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 3000));
      retirer.awaitTermination(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 3000),
          TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    routing = Routing.EMPTY;
    metrics.close();
    List<OtlpRequest> left = new ArrayList<>();
    reroute.drainTo(left);
    if (!left.isEmpty()) {
      long items = left.stream().mapToLong(OtlpRequest::itemCount).sum();
      HANDOVER.computeIfAbsent(context.id(), k -> new ConcurrentLinkedQueue<>()).addAll(left);
      context.logger().warning("shutdown: " + items + " items could not be delivered in time; a reloaded"
          + " configuration of " + context.id() + " sends them, a collector exit loses them");
    }
  }

  @Override
  public Health health() {
    if (stopped) return Health.unhealthy("shut down");
    Routing r = routing;
    if (r.ring().isEmpty()) {
      String problem = dns == null ? null : dns.lastProblem();
      return Health.unhealthy("no back end" + (problem == null ? " resolved yet" : ": " + problem));
    }
    for (Backend b : r.backends()) {
      Health h = b.exporter().health();
      if (!h.isHealthy()) return Health.unhealthy("back end " + b.endpoint() + ": " + h.message());
    }
    String problem = dns == null ? null : dns.lastProblem();
    return Health.healthy(r.backends().length + " back ends" + (problem == null ? "" : "; last lookup: " + problem));
  }

  /** The current members, for tests. */
  List<String> members() {
    return routing.ring().members();
  }

  private final class Input implements OtlpConsumer {
    private final Set<Signal> signals;

    Input(Set<Signal> signals) {
      this.signals = signals;
    }

    @Override
    public Set<Signal> signals() {
      return signals;
    }

    @Override
    public void consume(OtlpRequest request) throws ConsumeException {
      if (stopped) throw new ConsumeException.Refused(context.id() + " is shutting down");
      if (request.itemCount() == 0) return;
      offer(request, null);
    }

    @Override
    public String toString() {
      return context.id() + ".input";
    }
  }
}
