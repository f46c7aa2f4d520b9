package io.mpac.collector.exporter.loki;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A Loki push endpoint for tests on 127.0.0.1 and an ephemeral port. Records every request (headers
 * and decoded streams) and answers from a script of responses (then 204 for the rest).
 */
final class FakeLoki implements AutoCloseable {

  /** A scripted answer. */
  record Answer(int status, String body, Map<String, String> headers) {
    static Answer of(int status) {
      return new Answer(status, "", Map.of());
    }

    static Answer of(int status, String body) {
      return new Answer(status, body, Map.of());
    }
  }

  /** One request as received. */
  record Request(Map<String, List<String>> headers, byte[] body, List<PushDecoder.Stream> streams, int status) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey() != null && e.getKey().equalsIgnoreCase(name)) return e.getValue().get(0);
      }
      return null;
    }

    int entryCount() {
      return streams.stream().mapToInt(s -> s.entries().size()).sum();
    }
  }

  private final HttpServer server;
  private final ConcurrentLinkedQueue<Answer> script = new ConcurrentLinkedQueue<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final List<String> errors = new CopyOnWriteArrayList<>();

  FakeLoki() throws IOException {
    this(0);
  }

  /** A fake on a given port (to come "up" where a client already tries to connect). */
  FakeLoki(int port) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    server.createContext("/loki/api/v1/push", ex -> {
      try (ex) {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
          body = in.readAllBytes();
        }
        Answer a = script.poll();
        if (a == null) a = Answer.of(204);
        List<PushDecoder.Stream> streams = List.of();
        try {
          streams = PushDecoder.decodeSnappy(body);
        } catch (IOException | RuntimeException e) {
          errors.add("undecodable push: " + e);
          a = Answer.of(400, "undecodable");
        }
        requests.add(new Request(Map.copyOf(ex.getRequestHeaders()), body, streams, a.status()));
        a.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        byte[] text = a.body().getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(a.status(), a.status() == 204 || text.length == 0 ? -1 : text.length);
        if (text.length > 0 && a.status() != 204) {
          try (OutputStream out = ex.getResponseBody()) {
            out.write(text);
          }
        }
      }
    });
    server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(2));
    server.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/loki/api/v1/push");
  }

  /** Queues answers for the next requests. */
  FakeLoki answer(Answer... answers) {
    script.addAll(List.of(answers));
    return this;
  }

  List<Request> requests() {
    return new ArrayList<>(requests);
  }

  /** Entries in accepted (2xx) requests. */
  List<PushDecoder.Stream> acceptedStreams() {
    List<PushDecoder.Stream> out = new ArrayList<>();
    for (Request r : requests) if (r.status() >= 200 && r.status() < 300) out.addAll(r.streams());
    return out;
  }

  int acceptedEntries() {
    return acceptedStreams().stream().mapToInt(s -> s.entries().size()).sum();
  }

  List<String> errors() {
    return errors;
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }

  /** Polls {@code condition} every 5 ms until true or {@code millis} pass. */
  static boolean await(BooleanSupplier condition, long millis) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    for (int i = 0; i < 100_000 && System.nanoTime() < deadline; i++) {
      if (condition.getAsBoolean()) return true;
      Thread.sleep(5);
    }
    return condition.getAsBoolean();
  }
}
