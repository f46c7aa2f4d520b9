package io.mpac.collector.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.component.Health;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.value.Values;
import io.mpac.collector.pipeline.Controller;
import io.mpac.collector.pipeline.Node;
import io.mpac.collector.pipeline.Pipeline;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The collector's own HTTP server (default {@code 127.0.0.1:12345}), shaped like Alloy's:
 * <ul>
 *   <li>{@code GET /-/ready}: 200 once the pipeline started, else 503;
 *   <li>{@code GET /-/healthy}: 200, or 500 naming the unhealthy components;
 *   <li>{@code GET /metrics}: Prometheus text format (JVM, process and component metrics);
 *   <li>{@code GET|POST /-/reload}: re-reads the config; 400 with the diagnostics if it is bad;
 *   <li>{@code GET /api/v0/components[/ID]}: components as JSON (id, kind, health, arguments,
 *       edges, counters), for a UI.
 * </ul>
 * Low traffic and off the data path, so the JDK's built-in server is enough.
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger("admin");

  /** Built on first use: Jackson's databind is a few hundred classes the data path never needs. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final Controller controller;
  private final PrometheusMeterRegistry registry;

  private AdminServer(HttpServer server, Controller controller, PrometheusMeterRegistry registry) {
    this.server = server;
    this.controller = controller;
    this.registry = registry;
    this.executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "admin-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/-/ready", this::ready);
    server.createContext("/-/healthy", this::healthy);
    server.createContext("/-/reload", this::reload);
    server.createContext("/metrics", this::metrics);
    server.createContext("/api/v0/components", this::components);
    server.createContext("/", this::notFound);
  }

  /** Binds and starts the server; throws with a clear message if the address is taken. */
  public static AdminServer start(InetSocketAddress address, Controller controller, PrometheusMeterRegistry registry)
      throws IOException {
    HttpServer server;
    try {
      server = HttpServer.create(address, 64);
    } catch (IOException e) {
      throw new IOException("cannot listen on " + address.getHostString() + ":" + address.getPort()
          + " (admin HTTP server): " + e.getMessage(), e);
    }
    AdminServer admin = new AdminServer(server, controller, registry);
    server.start();
    return admin;
  }

  /** The bound address (useful when started on port 0). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  private void ready(HttpExchange ex) throws IOException {
    if (!method(ex, "GET", "HEAD")) return;
    if (controller.isReady()) {
      send(ex, 200, "text/plain; charset=utf-8", "mpac-collector is ready.\n");
    } else {
      send(ex, 503, "text/plain; charset=utf-8", "mpac-collector is not ready.\n");
    }
  }

  private void healthy(HttpExchange ex) throws IOException {
    if (!method(ex, "GET", "HEAD")) return;
    Pipeline p = controller.current();
    List<String> unhealthy = new ArrayList<>();
    if (p != null) {
      for (Node n : p.nodes()) {
        if (!n.health().isHealthy()) unhealthy.add(n.id().toString());
      }
    }
    if (p == null) {
      send(ex, 500, "text/plain; charset=utf-8", "no pipeline is running\n");
    } else if (unhealthy.isEmpty()) {
      send(ex, 200, "text/plain; charset=utf-8", "All components are healthy.\n");
    } else {
      send(ex, 500, "text/plain; charset=utf-8", "unhealthy components: " + String.join(", ", unhealthy) + "\n");
    }
  }

  private void reload(HttpExchange ex) throws IOException {
    if (!method(ex, "GET", "POST")) return;
    try {
      controller.reload();
      send(ex, 200, "text/plain; charset=utf-8", "config reloaded\n");
    } catch (ConfigException e) {
      send(ex, 400, "text/plain; charset=utf-8", e.getMessage() + "\n");
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "reload failed", e);
      send(ex, 500, "text/plain; charset=utf-8", "reload failed: " + e.getMessage() + "\n");
    }
  }

  private void metrics(HttpExchange ex) throws IOException {
    if (!method(ex, "GET", "HEAD")) return;
    send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
  }

  private void components(HttpExchange ex) throws IOException {
    if (!method(ex, "GET", "HEAD")) return;
    Pipeline p = controller.current();
    String path = ex.getRequestURI().getPath();
    String prefix = "/api/v0/components";
    String wanted = path.length() > prefix.length() + 1 ? path.substring(prefix.length() + 1) : null;
    ArrayNode list = Json.MAPPER.createArrayNode();
    if (p != null) {
      for (Node n : p.nodes()) {
        if (wanted != null && !wanted.equals(n.id().toString())) continue;
        list.add(describe(n, p));
      }
    }
    if (wanted != null) {
      if (list.isEmpty()) {
        send(ex, 404, "application/json", "{\"error\":\"no component " + wanted.replace("\"", "") + "\"}");
      } else {
        send(ex, 200, "application/json", Json.MAPPER.writeValueAsString(list.get(0)));
      }
      return;
    }
    send(ex, 200, "application/json", Json.MAPPER.writeValueAsString(list));
  }

  private ObjectNode describe(Node n, Pipeline p) {
    ObjectNode o = Json.MAPPER.createObjectNode();
    o.put("id", n.id().toString());
    o.put("name", n.id().name());
    o.put("label", n.id().label());
    o.put("kind", n.kind());
    Health h = n.health();
    ObjectNode health = o.putObject("health");
    health.put("state", h.state().jsonName());
    health.put("message", h.message());
    health.put("updatedTime", h.updated().toString());
    o.set("arguments", Values.toJson(n.args().toValue()));
    ArrayNode to = o.putArray("referencesTo");
    n.references().forEach(r -> to.add(r.toString()));
    ArrayNode by = o.putArray("referencedBy");
    for (Node other : p.nodes()) {
      if (other.references().contains(n.id())) by.add(other.id().toString());
    }
    // Data flows against the reference direction: a receiver references its consumers.
    ArrayNode flow = o.putArray("dataFlowEdgesTo");
    n.references().forEach(r -> flow.add(r.toString()));
    ObjectNode counters = o.putObject("counters");
    counters(n.id()).forEach(counters::put);
    return o;
  }

  /** Every meter of a component, by Prometheus-style name, for a quick look in the UI. */
  private Map<String, Double> counters(ComponentId id) {
    Map<String, Double> out = new TreeMap<>();
    String idText = id.toString();
    for (Meter m : registry.getMeters()) {
      if (!idText.equals(m.getId().getTag("component_id"))) continue;
      String base = m.getId().getName().replace('.', '_');
      StringBuilder tags = new StringBuilder();
      m.getId().getTags().forEach(t -> {
        if (!t.getKey().equals("component_id")) {
          tags.append(tags.length() == 0 ? "{" : ",").append(t.getKey()).append('=').append(t.getValue());
        }
      });
      if (tags.length() > 0) tags.append('}');
      for (Measurement ms : m.measure()) {
        String suffix = switch (ms.getStatistic()) {
          case COUNT -> m.getId().getType() == Meter.Type.COUNTER ? "_total" : "_count";
          case TOTAL, TOTAL_TIME -> "_sum";
          case MAX -> "_max";
          default -> "";
        };
        out.merge(base + suffix + tags, ms.getValue(), Double::sum);
      }
    }
    return out;
  }

  private boolean method(HttpExchange ex, String... allowed) throws IOException {
    for (String a : allowed) {
      if (a.equals(ex.getRequestMethod())) return true;
    }
    ex.getResponseHeaders().set("Allow", String.join(", ", allowed));
    send(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
    return false;
  }

  private void notFound(HttpExchange ex) throws IOException {
    send(ex, 404, "text/plain; charset=utf-8", "404 page not found\n");
  }

  private static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    boolean head = "HEAD".equals(ex.getRequestMethod());
    ex.sendResponseHeaders(status, head ? -1 : bytes.length);
    if (!head) {
      try (OutputStream os = ex.getResponseBody()) {
        os.write(bytes);
      }
    }
    ex.close();
  }
}
