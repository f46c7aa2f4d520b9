package io.mpac.collector.exporter.prometheus;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A remote-write endpoint for tests on 127.0.0.1 and an ephemeral port. Records every request
 * (headers and decoded body) and answers from a script of responses (then 204).
 */
final class FakeRemoteWriteServer implements AutoCloseable {

  record Received(Map<String, List<String>> headers, RemoteWriteDecoder.WriteRequest request, byte[] rawBody) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) return e.getValue().get(0);
      }
      return null;
    }
  }

  record Response(int status, String body, Map<String, String> headers) {
    static Response of(int status, String body) {
      return new Response(status, body, Map.of());
    }
  }

  private final HttpServer server;
  final List<Received> received = new CopyOnWriteArrayList<>();
  /** Every attempt, including failed ones. */
  final AtomicInteger attempts = new AtomicInteger();
  private final ConcurrentLinkedQueue<Response> script = new ConcurrentLinkedQueue<>();
  final List<Throwable> errors = new CopyOnWriteArrayList<>();
  /** When set, a request it matches is answered 503 (and not recorded as received). */
  volatile java.util.function.Predicate<RemoteWriteDecoder.WriteRequest> unavailableFor;
  /** How long each request takes to answer (a slow endpoint). */
  volatile long delayMillis;
  /** Requests being answered now, and the most at once. */
  final AtomicInteger inFlight = new AtomicInteger();
  final AtomicInteger maxInFlight = new AtomicInteger();

  FakeRemoteWriteServer() throws IOException {
    this(0);
  }

  FakeRemoteWriteServer(int port) throws IOException {
    this(port, 4);
  }

  /** With {@code threads} requests answered at once at most. */
  FakeRemoteWriteServer(int port, int threads) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
    server.createContext("/api/v1/write", this::handle);
    server.setExecutor(Executors.newFixedThreadPool(threads));
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + port() + "/api/v1/write");
  }

  /** Answers the next requests with these responses, in order. */
  void respond(Response... responses) {
    script.addAll(List.of(responses));
  }

  private void handle(HttpExchange ex) throws IOException {
    attempts.incrementAndGet();
    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    boolean answered = false;
    try (InputStream in = ex.getRequestBody()) {
      long delay = delayMillis;
      if (delay > 0) {
        try {
          Thread.sleep(delay);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] body = in.readAllBytes();
      Response r = script.poll();
      java.util.function.Predicate<RemoteWriteDecoder.WriteRequest> refuse = unavailableFor;
      if (r == null && refuse != null) {
        try {
          if (refuse.test(RemoteWriteDecoder.decodeSnappy(body))) r = Response.of(503, "held by the test");
        } catch (IOException | RuntimeException e) {
          errors.add(e);
        }
      }
      if (r == null || (r.status() >= 200 && r.status() < 300)) {
        try {
          received.add(new Received(Map.copyOf(ex.getRequestHeaders()), RemoteWriteDecoder.decodeSnappy(body), body));
        } catch (IOException | RuntimeException e) {
          errors.add(e);
          r = Response.of(400, "cannot decode: " + e);
        }
      }
      if (r == null) r = Response.of(204, "");
      r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
      byte[] out = r.body().getBytes(StandardCharsets.UTF_8);
      // no longer in flight once the client may send its next request
      answered = true;
      inFlight.decrementAndGet();
      ex.sendResponseHeaders(r.status(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) ex.getResponseBody().write(out);
    } finally {
      if (!answered) inFlight.decrementAndGet();
      ex.close();
    }
  }

  /** All time series received so far, in order. */
  List<RemoteWriteDecoder.TimeSeries> series() {
    return received.stream().flatMap(r -> r.request().timeseries().stream()).toList();
  }

  long sampleCount() {
    return series().stream().mapToLong(t -> t.samples().size()).sum();
  }

  static void await(BooleanSupplier condition, long timeoutMillis, String what) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(10);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
