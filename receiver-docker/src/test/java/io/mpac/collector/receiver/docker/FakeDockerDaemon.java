package io.mpac.collector.receiver.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.URLDecoder;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Docker Engine API server for tests, on a unix socket, written from the Engine API docs:
 * {@code /_ping}, {@code /version} (unversioned), {@code /v1.x/containers/json} with {@code
 * filters} (status, name, label, id), {@code /v1.x/networks}, {@code /v1.x/containers/{id}/json},
 * and {@code /v1.x/containers/{id}/logs} with {@code follow}, {@code since}, {@code timestamps}:
 * chunked transfer encoding, multiplexed frames (split across chunks on purpose) or raw TTY
 * output with CRLF, lines over 16 KiB stored and sent as several pieces each with its own
 * timestamp. Versioned paths older than {@code MinAPIVersion} get Docker's "too old" 400.
 * Containers can be added, stopped, started and removed; the daemon can be restarted.
 */
final class FakeDockerDaemon implements Closeable {

  static final ObjectMapper JSON = new ObjectMapper();
  static final int CHUNK = 16 * 1024;

  final Path socket;
  volatile String apiVersion = "1.47";
  volatile String minApiVersion = "1.24";
  final List<String> requests = Collections.synchronizedList(new ArrayList<>());
  private final Map<String, Container> containers = Collections.synchronizedMap(new LinkedHashMap<>());
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
  private volatile ServerSocketChannel server;
  private long clock = 1_714_557_600_000_000_000L; // 2024-05-01T10:00:00Z

  FakeDockerDaemon(Path dir) throws IOException {
    this.socket = dir.resolve("docker.sock");
    start();
  }

  String host() {
    return "unix://" + socket;
  }

  /** The next log timestamp: strictly increasing by one millisecond plus a few nanoseconds. */
  synchronized long nextTs() {
    clock += 1_000_123;
    return clock;
  }

  synchronized void start() throws IOException {
    Files.deleteIfExists(socket);
    ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    s.bind(UnixDomainSocketAddress.of(socket));
    server = s;
    Thread t = new Thread(() -> acceptLoop(s), "fake-dockerd-accept");
    t.setDaemon(true);
    t.start();
  }

  /** Stops listening and drops every connection (log streams end abruptly). */
  synchronized void stop() throws IOException {
    ServerSocketChannel s = server;
    server = null;
    if (s != null) s.close();
    for (SocketChannel c : open) c.close();
    open.clear();
    Files.deleteIfExists(socket);
  }

  void restart() throws IOException {
    stop();
    start();
  }

  @Override
  public void close() throws IOException {
    stop();
  }

  Container add(String id, String name, boolean tty, Map<String, String> labels) {
    Container c = new Container(id, name, tty, labels);
    containers.put(id, c);
    return c;
  }

  void remove(String id) {
    Container c = containers.remove(id);
    if (c != null) c.stop();
  }

  /** A fake container: its log and state. */
  final class Container {
    final String id;
    final String name;
    final boolean tty;
    final Map<String, String> labels;
    final List<Msg> log = new ArrayList<>();
    boolean running = true;
    String networkMode = "bridge";
    final Map<String, String> networks = new LinkedHashMap<>(Map.of("bridge", "172.17.0.2"));
    final List<int[]> ports = new ArrayList<>(); // {private, public}

    Container(String id, String name, boolean tty, Map<String, String> labels) {
      this.id = id;
      this.name = name;
      this.tty = tty;
      this.labels = labels;
    }

    /** Writes a line (split into 16 KiB pieces like Docker's log drivers). */
    void log(String stream, String text) {
      byte[] b = text.getBytes(StandardCharsets.UTF_8);
      synchronized (this) {
        for (int off = 0; off < b.length || off == 0; off += CHUNK) {
          int end = Math.min(b.length, off + CHUNK);
          log.add(new Msg(nextTs(), "stderr".equals(stream) ? 2 : 1,
              java.util.Arrays.copyOfRange(b, off, end), end < b.length));
          if (b.length == 0) break;
        }
        notifyAll();
      }
    }

    /** Writes a line with a given timestamp (to make several lines share one). */
    synchronized void logAt(long ts, String stream, String text) {
      log.add(new Msg(ts, "stderr".equals(stream) ? 2 : 1, text.getBytes(StandardCharsets.UTF_8), false));
      notifyAll();
    }

    synchronized void stop() {
      running = false;
      notifyAll();
    }

    synchronized void start() {
      running = true;
      notifyAll();
    }
  }

  record Msg(long ts, int stream, byte[] bytes, boolean partial) {}

  // ------------------------------------------------------------------ server

  private void acceptLoop(ServerSocketChannel s) {
    while (s.isOpen()) {
      try {
        SocketChannel c = s.accept();
        open.add(c);
        Thread t = new Thread(() -> serve(c), "fake-dockerd-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(SocketChannel c) {
    try (c) {
      InputStream in = new BufferedInputStream(Channels.newInputStream(c));
      OutputStream out = Channels.newOutputStream(c);
      String requestLine = HttpResponse.readLine(in);
      if (requestLine == null) return;
      String line;
      while ((line = HttpResponse.readLine(in)) != null && !line.isEmpty()) {
        // headers are not needed
      }
      String target = requestLine.split(" ")[1];
      requests.add(target);
      route(target, out);
    } catch (IOException | RuntimeException e) {
      // connection dropped (daemon restart, client closed)
    } finally {
      open.remove(c);
    }
  }

  private void route(String target, OutputStream out) throws IOException {
    int q = target.indexOf('?');
    String path = q < 0 ? target : target.substring(0, q);
    Map<String, String> query = new HashMap<>();
    if (q >= 0) {
      for (String kv : target.substring(q + 1).split("&")) {
        int eq = kv.indexOf('=');
        query.put(URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8),
            eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    if (path.equals("/_ping")) {
      respond(out, 200, "text/plain", "OK");
      return;
    }
    if (path.equals("/version")) {
      respond(out, 200, "application/json", "{\"Version\":\"27.0.0-fake\",\"ApiVersion\":\"" + apiVersion
          + "\",\"MinAPIVersion\":\"" + minApiVersion + "\",\"Os\":\"linux\"}");
      return;
    }
    if (!path.startsWith("/v")) {
      respond(out, 404, "application/json", "{\"message\":\"page not found\"}");
      return;
    }
    int slash = path.indexOf('/', 1);
    String version = path.substring(2, slash);
    path = path.substring(slash);
    if (DockerClient.compareVersions(version, minApiVersion) < 0) {
      respond(out, 400, "application/json", "{\"message\":\"client version " + version
          + " is too old. Minimum supported API version is " + minApiVersion
          + ", please upgrade your client to a newer version\"}");
      return;
    }
    if (DockerClient.compareVersions(version, apiVersion) > 0) {
      respond(out, 400, "application/json", "{\"message\":\"client version " + version
          + " is too new. Maximum supported API version is " + apiVersion + "\"}");
      return;
    }
    if (path.equals("/containers/json")) {
      respond(out, 200, "application/json", listContainers(query.get("filters")).toString());
    } else if (path.equals("/networks")) {
      respond(out, 200, "application/json", "[{\"Name\":\"bridge\",\"Id\":\"net-bridge\",\"Scope\":\"local\","
          + "\"Internal\":false,\"Ingress\":false,\"Labels\":{\"com.example.tier\":\"dev\"}},"
          + "{\"Name\":\"backend\",\"Id\":\"net-backend\",\"Scope\":\"local\",\"Internal\":true,\"Ingress\":false,\"Labels\":{}}]");
    } else if (path.startsWith("/containers/") && path.endsWith("/json")) {
      Container c = containers.get(path.substring("/containers/".length(), path.length() - "/json".length()));
      if (c == null) {
        respond(out, 404, "application/json", "{\"message\":\"No such container\"}");
        return;
      }
      synchronized (c) {
        respond(out, 200, "application/json", "{\"Id\":\"" + c.id + "\",\"Name\":\"/" + c.name + "\",\"Config\":{\"Tty\":"
            + c.tty + "},\"State\":{\"Running\":" + c.running + "}}");
      }
    } else if (path.startsWith("/containers/") && path.endsWith("/logs")) {
      Container c = containers.get(path.substring("/containers/".length(), path.length() - "/logs".length()));
      if (c == null) {
        respond(out, 404, "application/json", "{\"message\":\"No such container\"}");
        return;
      }
      streamLogs(c, query, out);
    } else {
      respond(out, 404, "application/json", "{\"message\":\"page not found\"}");
    }
  }

  private ArrayNode listContainers(String filtersJson) throws IOException {
    Map<String, List<String>> filters = new HashMap<>();
    if (filtersJson != null && !filtersJson.isEmpty()) {
      JsonNode f = JSON.readTree(filtersJson);
      f.fields().forEachRemaining(e -> {
        List<String> vs = new ArrayList<>();
        if (e.getValue().isArray()) {
          e.getValue().forEach(v -> vs.add(v.asText()));
        } else {
          e.getValue().fieldNames().forEachRemaining(vs::add); // legacy {"running": true} form
        }
        filters.put(e.getKey(), vs);
      });
    }
    ArrayNode out = JSON.createArrayNode();
    List<Container> all;
    synchronized (containers) {
      all = new ArrayList<>(containers.values());
    }
    for (Container c : all) {
      synchronized (c) {
        if (!matches(c, filters)) continue;
        ObjectNode n = out.addObject();
        n.put("Id", c.id);
        n.putArray("Names").add("/" + c.name);
        ObjectNode labels = n.putObject("Labels");
        c.labels.forEach(labels::put);
        n.put("State", c.running ? "running" : "exited");
        n.putObject("HostConfig").put("NetworkMode", c.networkMode);
        ObjectNode nets = n.putObject("NetworkSettings").putObject("Networks");
        c.networks.forEach((name, ip) -> nets.putObject(name).put("NetworkID", "net-" + name).put("IPAddress", ip));
        ArrayNode ports = n.putArray("Ports");
        for (int[] p : c.ports) {
          ObjectNode pn = ports.addObject().put("PrivatePort", p[0]).put("Type", "tcp");
          if (p[1] > 0) pn.put("PublicPort", p[1]).put("IP", "0.0.0.0");
        }
      }
    }
    return out;
  }

  private static boolean matches(Container c, Map<String, List<String>> filters) {
    for (Map.Entry<String, List<String>> f : filters.entrySet()) {
      boolean any = false;
      for (String v : f.getValue()) {
        any |= switch (f.getKey()) {
          case "status" -> v.equals(c.running ? "running" : "exited");
          case "name" -> c.name.contains(v);
          case "id" -> c.id.startsWith(v);
          case "label" -> {
            int eq = v.indexOf('=');
            yield eq < 0 ? c.labels.containsKey(v) : v.substring(eq + 1).equals(c.labels.get(v.substring(0, eq)));
          }
          default -> false;
        };
      }
      if (!any) return false;
    }
    return true;
  }

  private void streamLogs(Container c, Map<String, String> query, OutputStream out) throws IOException {
    boolean follow = "1".equals(query.get("follow")) || "true".equals(query.get("follow"));
    boolean timestamps = "1".equals(query.get("timestamps")) || "true".equals(query.get("timestamps"));
    long since = 0;
    String s = query.getOrDefault("since", "");
    if (!s.isEmpty()) {
      int dot = s.indexOf('.');
      since = dot < 0 ? Long.parseLong(s) * 1_000_000_000L
          : Long.parseLong(s.substring(0, dot)) * 1_000_000_000L + Long.parseLong((s.substring(dot + 1) + "000000000").substring(0, 9));
    }
    out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker." + (c.tty ? "raw" : "multiplexed")
        + "-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    int idx = 0;
    int frameNo = 0;
    while (true) {
      List<Msg> batch = new ArrayList<>();
      boolean running;
      synchronized (c) {
        while (idx < c.log.size()) batch.add(c.log.get(idx++));
        running = c.running;
        if (batch.isEmpty() && follow && running) {
          try {
            c.wait(50);
          } catch (InterruptedException e) {
            return;
          }
          continue;
        }
      }
      for (Msg m : batch) {
        if (m.ts < since) continue;
        ByteArrayOutputStream payload = new ByteArrayOutputStream();
        if (timestamps) payload.write((DockerTime.format(m.ts) + " ").getBytes(StandardCharsets.US_ASCII));
        payload.write(m.bytes);
        if (!m.partial) payload.write(c.tty ? "\r\n".getBytes(StandardCharsets.US_ASCII) : new byte[] {'\n'});
        byte[] p = payload.toByteArray();
        byte[] frame;
        if (c.tty) {
          frame = p;
        } else {
          frame = new byte[8 + p.length];
          frame[0] = (byte) m.stream;
          frame[4] = (byte) (p.length >>> 24);
          frame[5] = (byte) (p.length >>> 16);
          frame[6] = (byte) (p.length >>> 8);
          frame[7] = (byte) p.length;
          System.arraycopy(p, 0, frame, 8, p.length);
        }
        // Split some frames over two chunks, at varying points, as proxies and the daemon may.
        int split = (frameNo++ % 3 == 0 && frame.length > 3) ? 1 + frameNo % (frame.length - 2) : frame.length;
        chunk(out, frame, 0, split);
        if (split < frame.length) chunk(out, frame, split, frame.length - split);
      }
      out.flush();
      if (!follow || !running) break;
    }
    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static void chunk(OutputStream out, byte[] b, int off, int len) throws IOException {
    out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(b, off, len);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  private static void respond(OutputStream out, int status, String type, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    out.write(("HTTP/1.1 " + status + " X\r\nContent-Type: " + type + "\r\nContent-Length: " + b.length
        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(b);
    out.flush();
  }
}
