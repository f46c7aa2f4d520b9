package io.mpac.collector.receiver.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A small Docker Engine API client: HTTP/1.1 over the daemon's unix socket (JDK 16+ unix-domain
 * {@link SocketChannel}) or TCP, one connection per request ({@code Connection: close}), JSON via
 * Jackson. Only what discovery and log following need: {@code /version}, {@code /containers/json},
 * {@code /networks}, {@code /containers/{id}/json} and the streaming {@code /containers/{id}/logs}.
 *
 * <p>API version negotiation: the first call asks the unversioned {@code /version} and then
 * prefixes every path with {@code /v<min(daemon ApiVersion, }{@value #MAX_API_VERSION}{@code )>};
 * a failed call forgets the version so that a daemon that restarted (maybe upgraded) is asked
 * again. Non-streaming calls are bounded by {@code timeout} (the connection is closed when it
 * expires); log streams have no read timeout and end when {@link LogStream#close()} is called.
 *
 * <p>Thread-safe.
 */
public final class DockerClient {

  /** The newest API version this client speaks; older daemons get their own version. */
  public static final String MAX_API_VERSION = "1.51";
  /** The oldest we accept: filters as JSON maps, {@code since} with nanoseconds. */
  public static final String MIN_API_VERSION = "1.24";

  static final ObjectMapper JSON = new ObjectMapper();

  private final DockerHost host;
  private final Duration timeout;
  private final ScheduledExecutorService timer;
  private volatile String apiVersion;

  /**
   * @param timer closes connections of calls that exceed {@code timeout}
   */
  public DockerClient(DockerHost host, Duration timeout, ScheduledExecutorService timer) {
    this.host = host;
    this.timeout = timeout;
    this.timer = timer;
  }

  public DockerHost host() {
    return host;
  }

  /** The negotiated API version, asking the daemon when not known yet. */
  public String apiVersion() throws IOException {
    String v = apiVersion;
    if (v != null) return v;
    JsonNode version = getJson("/version");
    String daemon = version.path("ApiVersion").asText("");
    String min = version.path("MinAPIVersion").asText("");
    if (daemon.isEmpty()) throw new IOException("daemon at " + host + " did not report an ApiVersion");
    if (!min.isEmpty() && compareVersions(min, MAX_API_VERSION) > 0) {
      throw new IOException("daemon at " + host + " requires API version " + min + " or newer; this client supports up to "
          + MAX_API_VERSION);
    }
    if (compareVersions(daemon, MIN_API_VERSION) < 0) {
      throw new IOException("daemon at " + host + " speaks API " + daemon + "; at least " + MIN_API_VERSION + " is needed");
    }
    v = compareVersions(daemon, MAX_API_VERSION) < 0 ? daemon : MAX_API_VERSION;
    apiVersion = v;
    return v;
  }

  /** {@code GET /containers/json} with the given filters ({@code name → values}). */
  public ArrayNode listContainers(Map<String, List<String>> filters) throws IOException {
    StringBuilder path = new StringBuilder("/containers/json");
    if (!filters.isEmpty()) {
      ObjectNode f = JSON.createObjectNode();
      filters.forEach((k, vs) -> {
        ArrayNode a = f.putArray(k);
        vs.forEach(a::add);
      });
      path.append("?filters=").append(URLEncoder.encode(f.toString(), StandardCharsets.UTF_8));
    }
    return asArray(getJson(versioned(path.toString())), "containers");
  }

  /** {@code GET /networks}. */
  public ArrayNode listNetworks() throws IOException {
    return asArray(getJson(versioned("/networks")), "networks");
  }

  /** {@code GET /containers/{id}/json}, or null when the container does not exist. */
  public JsonNode inspect(String id) throws IOException {
    HttpResponse r = send(versioned("/containers/" + encode(id) + "/json"), true);
    if (r.status == 404) {
      r.close();
      return null;
    }
    return parse(r, "/containers/" + id + "/json");
  }

  /**
   * Opens {@code /containers/{id}/logs} with follow, stdout, stderr and timestamps, from {@code
   * sinceNanos} (Unix nanoseconds, 0 for the beginning). The caller reads the stream on its own
   * thread and closes it.
   */
  public LogStream logs(String id, long sinceNanos, boolean tty) throws IOException {
    String path = versioned("/containers/" + encode(id) + "/logs?follow=1&stdout=1&stderr=1&timestamps=1"
        + (sinceNanos > 0 ? "&since=" + DockerTime.formatSince(sinceNanos) : ""));
    HttpResponse r = send(path, false);
    if (r.status != 200) {
      String body = r.readBodyText();
      if (r.status != 404) apiVersion = null;
      throw new DockerException(r.status, "GET " + path + ": " + r.status + " " + message(body));
    }
    return new LogStream(r, tty);
  }

  // ------------------------------------------------------------------ plumbing

  private String versioned(String path) throws IOException {
    return "/v" + apiVersion() + path;
  }

  private JsonNode getJson(String path) throws IOException {
    return parse(send(path, true), path);
  }

  private JsonNode parse(HttpResponse r, String path) throws IOException {
    String body = r.readBodyText();
    if (r.status / 100 != 2) {
      apiVersion = null; // e.g. "client version 1.43 is too old" after a daemon upgrade: negotiate again
      throw new DockerException(r.status, "GET " + path + ": " + r.status + " " + message(body));
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new IOException("GET " + path + ": response is not JSON: " + e.getMessage(), e);
    }
  }

  private static String message(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      if (n != null && n.hasNonNull("message")) return n.get("message").asText();
    } catch (IOException ignored) {
      // not JSON: show the text
    }
    return body.length() > 300 ? body.substring(0, 300) + "…" : body;
  }

  private static ArrayNode asArray(JsonNode n, String what) throws IOException {
    if (n instanceof ArrayNode a) return a;
    throw new IOException("expected a JSON array of " + what + ", got " + (n == null ? "nothing" : n.getNodeType()));
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /**
   * Sends {@code GET path} on a new connection and reads the status line and headers. With {@code
   * bounded}, the whole exchange must finish within the timeout (the connection is closed when it
   * does not, which fails the reading thread); otherwise only connecting and the headers are.
   */
  private HttpResponse send(String path, boolean bounded) throws IOException {
    SocketChannel ch;
    try {
      ch = host.connect();
    } catch (IOException e) {
      apiVersion = null;
      throw e;
    }
    ScheduledFuture<?> watchdog = timer.schedule(() -> closeQuietly(ch), timeout.toMillis(), TimeUnit.MILLISECONDS);
    boolean ok = false;
    try {
      OutputStream out = Channels.newOutputStream(ch);
      String req = "GET " + path + " HTTP/1.1\r\nHost: " + host.hostHeader()
          + "\r\nUser-Agent: mpac-collector\r\nAccept: application/json\r\nConnection: close\r\n\r\n";
      out.write(req.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = new BufferedInputStream(Channels.newInputStream(ch), 64 * 1024);
      String statusLine = HttpResponse.readLine(in);
      if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
        throw new IOException("GET " + path + ": bad status line \"" + statusLine + "\"");
      }
      String[] parts = statusLine.split(" ", 3);
      int status;
      try {
        status = Integer.parseInt(parts[1]);
      } catch (RuntimeException e) {
        throw new IOException("GET " + path + ": bad status line \"" + statusLine + "\"");
      }
      Map<String, String> headers = new HashMap<>();
      String line;
      while ((line = HttpResponse.readLine(in)) != null && !line.isEmpty()) {
        int colon = line.indexOf(':');
        if (colon > 0) headers.put(HttpResponse.lower(line.substring(0, colon).trim()), line.substring(colon + 1).trim());
      }
      InputStream body;
      if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
        body = new HttpResponse.Chunked(in);
      } else if (headers.containsKey("content-length")) {
        body = new HttpResponse.FixedLength(in, Long.parseLong(headers.get("content-length")));
      } else {
        body = in;
      }
      if (!bounded) watchdog.cancel(false);
      HttpResponse r = new HttpResponse(ch, status, headers, body, watchdog);
      ok = true;
      return r;
    } catch (IOException | RuntimeException e) {
      apiVersion = null;
      if (!ch.isOpen()) throw new IOException("GET " + path + ": no answer from " + host + " within " + timeout, e);
      throw e instanceof IOException io ? io : new IOException("GET " + path + ": " + e.getMessage(), e);
    } finally {
      if (!ok) {
        watchdog.cancel(false);
        closeQuietly(ch);
      }
    }
  }

  private static void closeQuietly(SocketChannel ch) {
    try {
      ch.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  /** Compares dotted versions numerically: 1.9 &lt; 1.10. */
  static int compareVersions(String a, String b) {
    String[] x = a.split("\\.");
    String[] y = b.split("\\.");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int p = i < x.length ? parseOr0(x[i]) : 0;
      int q = i < y.length ? parseOr0(y[i]) : 0;
      if (p != q) return Integer.compare(p, q);
    }
    return 0;
  }

  private static int parseOr0(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /** An HTTP error answer of the daemon. */
  public static final class DockerException extends IOException {
    private final int status;

    DockerException(int status, String message) {
      super(message);
      this.status = status;
    }

    public int status() {
      return status;
    }
  }
}
