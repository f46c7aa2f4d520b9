package io.mpac.collector.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.pipeline.Controller;
import io.mpac.collector.pipeline.Node;
import io.mpac.collector.pipeline.Pipeline;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
 *   <li>{@code GET /api/v0/web/components[/ID]}: components as JSON with Alloy's field names
 *       ({@code /api/v0/components} is an alias);
 *   <li>{@code GET /api/v0/web/debug/ID}: live debugging stream (needs {@code livedebugging});
 *   <li>{@code GET /api/v0/web/flows}: data-flow edges with item counts, for the graph's rates;
 *   <li>{@code GET /} (or the UI path prefix): the UI, a page served from the jar.
 * </ul>
 * The API is also served under the UI path prefix, where the page looks for it. Secrets never
 * leave: arguments are rendered from config values in which every secret is sealed.
 * Low traffic and off the data path, so the JDK's built-in server is enough.
 */
public final class AdminServer implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger("admin");
  private static final String WEB_API = "api/v0/web/";

  /** Built on first use: Jackson's databind is a few hundred classes the data path never needs. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  private final HttpServer server;
  private final ExecutorService executor;
  private final Controller controller;
  private final PrometheusMeterRegistry registry;
  private final String uiPrefix;
  private final ComponentsView view;
  private final LiveDebugStream liveDebug;

  private AdminServer(HttpServer server, Controller controller, PrometheusMeterRegistry registry, String uiPrefix) {
    this.server = server;
    this.controller = controller;
    this.registry = registry;
    this.uiPrefix = uiPrefix;
    this.view = new ComponentsView(registry, controller.flows());
    this.liveDebug = new LiveDebugStream(controller.flows());
    // Live debugging streams hold a thread each (at most LiveDebugStream.MAX_STREAMS).
    this.executor = Executors.newFixedThreadPool(2 + LiveDebugStream.MAX_STREAMS, r -> {
      Thread t = new Thread(r, "admin-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/-/ready", this::ready);
    server.createContext("/-/healthy", this::healthy);
    server.createContext("/-/reload", this::reload);
    server.createContext("/metrics", this::metrics);
    server.createContext("/api/v0/components", ex -> webApi(ex, "components" + rest(ex, "/api/v0/components")));
    server.createContext("/" + WEB_API, ex -> webApi(ex, rest(ex, "/" + WEB_API)));
    if (!uiPrefix.equals("/")) {
      server.createContext(uiPrefix + WEB_API, ex -> webApi(ex, rest(ex, uiPrefix + WEB_API)));
    }
    server.createContext("/", this::ui);
  }

  /** Binds and starts the server with the UI at {@code /}. */
  public static AdminServer start(InetSocketAddress address, Controller controller, PrometheusMeterRegistry registry)
      throws IOException {
    return start(address, controller, registry, "/");
  }

  /**
   * Binds and starts the server; throws with a clear message if the address is taken.
   *
   * @param uiPrefix where the UI is served: {@code "/"} or a path such as {@code "/alloy/"}
   */
  public static AdminServer start(InetSocketAddress address, Controller controller, PrometheusMeterRegistry registry,
      String uiPrefix) throws IOException {
    String prefix = normalizePrefix(uiPrefix);
    HttpServer server;
    try {
      server = HttpServer.create(address, 64);
    } catch (IOException e) {
      throw new IOException("cannot listen on " + address.getHostString() + ":" + address.getPort()
          + " (admin HTTP server): " + e.getMessage(), e);
    }
    AdminServer admin = new AdminServer(server, controller, registry, prefix);
    server.start();
    return admin;
  }

  /**
   * {@code "alloy"}, {@code "/alloy"} and {@code "/alloy/"} all mean {@code "/alloy/"}; refuses
   * characters that do not belong in a path.
   */
  public static String normalizePrefix(String prefix) {
    String p = prefix == null || prefix.isBlank() ? "/" : prefix.trim();
    if (!p.startsWith("/")) p = "/" + p;
    if (!p.endsWith("/")) p = p + "/";
    if (!p.matches("[/A-Za-z0-9._~-]+") || p.contains("//") || p.contains("/../") || p.contains("/./")) {
      throw new IllegalArgumentException("invalid UI path prefix \"" + prefix
          + "\": use letters, digits, '.', '_', '~', '-' and '/' only, e.g. /alloy/");
    }
    return p;
  }

  /** The bound address (useful when started on port 0). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** Where the UI is served, e.g. {@code "/"} or {@code "/alloy/"}. */
  public String uiPrefix() {
    return uiPrefix;
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
      LOG.warning("reload rejected, the running pipeline is unchanged:\n" + e.getMessage());
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

  private static String rest(HttpExchange ex, String context) {
    String path = ex.getRequestURI().getPath();
    return path.length() > context.length() ? path.substring(context.length()) : "";
  }

  /** The Alloy-compatible API; {@code route} is what follows {@code api/v0/web/}. */
  private void webApi(HttpExchange ex, String route) throws IOException {
    if (!method(ex, "GET", "HEAD")) return;
    Pipeline p = controller.current();
    if (route.equals("components") || route.equals("components/")) {
      json(ex, 200, view.list(p));
    } else if (route.startsWith("components/")) {
      String id = route.substring("components/".length());
      ObjectNode detail = view.detail(p, id);
      if (detail == null) {
        json(ex, 404, Json.MAPPER.createObjectNode().put("error", "no component " + id));
      } else {
        json(ex, 200, detail);
      }
    } else if (route.equals("flows")) {
      json(ex, 200, view.flows(p));
    } else if (route.startsWith("debug/")) {
      String id = route.substring("debug/".length());
      Node n = p == null ? null : p.nodes().stream().filter(x -> x.id().toString().equals(id)).findFirst().orElse(null);
      if (n == null) {
        send(ex, 404, "text/plain; charset=utf-8", "no component " + id + "\n");
      } else if (!p.liveDebugging()) {
        send(ex, 503, "text/plain; charset=utf-8",
            "live debugging is disabled; add livedebugging { enabled = true } to the config\n");
      } else {
        liveDebug.stream(ex, n.id());
      }
    } else {
      send(ex, 404, "text/plain; charset=utf-8", "404 page not found\n");
    }
  }

  /** The UI under its prefix; anything else is a 404. */
  private void ui(HttpExchange ex) throws IOException {
    if (!method(ex, "GET", "HEAD")) return;
    String path = ex.getRequestURI().getPath();
    if (path.equals(uiPrefix.substring(0, uiPrefix.length() - 1)) && !uiPrefix.equals("/")) {
      ex.getResponseHeaders().set("Location", uiPrefix);
      send(ex, 308, "text/plain; charset=utf-8", "moved to " + uiPrefix + "\n");
      return;
    }
    if (!path.startsWith(uiPrefix)) {
      notFound(ex);
      return;
    }
    String name = path.substring(uiPrefix.length());
    if (name.isEmpty()) name = "index.html";
    if (name.startsWith("ui/")) name = name.substring(3);
    UiAssets.Asset asset = name.contains("/") ? null : UiAssets.get(name, uiPrefix);
    if (asset == null) {
      notFound(ex);
      return;
    }
    ex.getResponseHeaders().set("Cache-Control", "no-cache");
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    // Everything the page needs comes from here: no CDN, no inline code.
    ex.getResponseHeaders().set("Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'");
    send(ex, 200, asset.contentType(), asset.bytes());
  }

  private static void json(HttpExchange ex, int status, Object body) throws IOException {
    send(ex, status, "application/json", Json.MAPPER.writeValueAsString(body));
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

  static void send(HttpExchange ex, int status, String contentType, String body) throws IOException {
    send(ex, status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  static void send(HttpExchange ex, int status, String contentType, byte[] bytes) throws IOException {
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
