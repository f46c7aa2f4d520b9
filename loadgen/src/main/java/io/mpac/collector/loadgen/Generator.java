package io.mpac.collector.loadgen;

import io.mpac.collector.pdata.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends OTLP requests at a fixed rate (or as fast as the server answers) from a few workers for a
 * bounded time, and reports what it achieved. Each worker sends synchronously, so {@code workers}
 * is also the number of requests in flight.
 */
public final class Generator {

  /** What to send, where and how fast. {@code itemsPerSecond <= 0} means as fast as possible. */
  public record Options(String endpoint, Protocol protocol, Signal signal, double itemsPerSecond, Duration duration,
      int itemsPerRequest, int workers, int attributesPerItem, int bodySize) {}

  public enum Protocol {
    GRPC("grpc"), HTTP_PROTOBUF("http/protobuf"), HTTP_JSON("http/json");

    public final String flag;

    Protocol(String flag) {
      this.flag = flag;
    }

    public static Protocol parse(String s) {
      for (Protocol p : values()) {
        if (p.flag.equals(s)) return p;
      }
      throw new IllegalArgumentException("unknown protocol \"" + s + "\" (grpc, http/protobuf, http/json)");
    }
  }

  /** What a run achieved. */
  public record Result(long requests, long items, long okItems, Duration elapsed, Map<String, Long> outcomes,
      long p50Micros, long p99Micros, long maxMicros) {

    public double itemsPerSecond() {
      return okItems / Math.max(1e-9, elapsed.toNanos() / 1e9);
    }

    public double requestsPerSecond() {
      return requests / Math.max(1e-9, elapsed.toNanos() / 1e9);
    }

    /** A short human-readable report. */
    public String report() {
      return String.format(java.util.Locale.ROOT,
          "sent %d requests (%d items) in %.1fs: %.0f requests/s, %.0f items/s accepted%n"
              + "outcomes: %s%nlatency: p50 %.2f ms, p99 %.2f ms, max %.2f ms%n",
          requests, items, elapsed.toNanos() / 1e9, requestsPerSecond(), itemsPerSecond(), outcomes,
          p50Micros / 1000.0, p99Micros / 1000.0, maxMicros / 1000.0);
    }
  }

  private final Options options;

  public Generator(Options options) {
    if (options.workers() < 1) throw new IllegalArgumentException("--workers must be at least 1");
    if (options.itemsPerRequest() < 1) throw new IllegalArgumentException("--items-per-request must be at least 1");
    this.options = options;
  }

  public Result run() throws InterruptedException {
    Payloads.Shape shape = new Payloads.Shape(options.signal(), options.itemsPerRequest(),
        options.attributesPerItem(), options.bodySize());
    boolean json = options.protocol() == Protocol.HTTP_JSON;
    Transport transport = options.protocol() == Protocol.GRPC
        ? new Transport.Grpc(options.endpoint(), options.signal())
        : new Transport.Http(options.endpoint(), options.signal(), json);
    LongAdder requests = new LongAdder();
    LongAdder okRequests = new LongAdder();
    Map<String, LongAdder> outcomes = new ConcurrentHashMap<>();
    LatencyHistogram latency = new LatencyHistogram();
    long[] maxMicros = new long[options.workers()];
    // Requests per second per worker; pacing by absolute schedule so a slow answer is caught up on.
    double perWorkerRate = options.itemsPerSecond() <= 0 ? 0
        : options.itemsPerSecond() / options.itemsPerRequest() / options.workers();
    // Payloads are built before the clock starts: building (JSON especially) is not load.
    // Protobuf spans carry their send time (the worker owns its arrays and sends synchronously),
    // so a null sink downstream can measure delivery latency; protobuf metric points too, so that a
    // resent request's points are not out of order or duplicates for a Prometheus backend.
    byte[][][] perWorker = new byte[options.workers()][][];
    SendStamp[][] perWorkerStamps = new SendStamp[options.workers()][];
    for (int w = 0; w < options.workers(); w++) {
      perWorker[w] = json ? Payloads.json(shape, 16, w) : Payloads.protobuf(shape, 16, w);
      perWorkerStamps[w] = json ? null : switch (options.signal()) {
        case TRACES -> Payloads.spanTimes(perWorker[w]);
        case METRICS -> Payloads.metricTimes(perWorker[w]);
        case LOGS -> null;
      };
    }
    long start = System.nanoTime();
    long end = start + options.duration().toNanos();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < options.workers(); w++) {
      int worker = w;
      byte[][] payloads = perWorker[w];
      SendStamp[] stamps = perWorkerStamps[w];
      Thread t = new Thread(() -> {
        long interval = perWorkerRate > 0 ? (long) (1e9 / perWorkerRate) : 0;
        long next = System.nanoTime();
        int i = 0;
        while (true) {
          long now = System.nanoTime();
          if (now >= end) break;
          if (interval > 0) {
            if (now < next) {
              LockSupport.parkNanos(Math.min(next - now, end - now));
              continue;
            }
            next += interval;
          }
          int p = i++ & 15;
          if (stamps != null) stamps[p].stamp(payloads[p], EpochClock.nowNanos());
          long t0 = System.nanoTime();
          String outcome = transport.send(payloads[p]);
          long micros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - t0);
          latency.recordMicros(micros);
          maxMicros[worker] = Math.max(maxMicros[worker], micros);
          requests.increment();
          if (outcome.equals("OK")) okRequests.increment();
          outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
        }
      }, "gen-" + w);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) t.join();
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    transport.close();
    Map<String, Long> byOutcome = new TreeMap<>();
    outcomes.forEach((k, v) -> byOutcome.put(k, v.sum()));
    long max = 0;
    for (long m : maxMicros) max = Math.max(max, m);
    long n = requests.sum();
    return new Result(n, n * options.itemsPerRequest(), okRequests.sum() * options.itemsPerRequest(), elapsed,
        byOutcome, latency.percentileMicros(0.50), latency.percentileMicros(0.99), max);
  }
}
