package io.mpac.collector.bench.outage;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.xerial.snappy.Snappy;

/**
 * Null backends for the outage benchmark (bench/outage-durability.sh) that count exactly what they
 * receive: a Loki push endpoint ({@code POST /loki/api/v1/push}, snappy + protobuf PushRequest)
 * counting log entries, and a Prometheus remote-write endpoint ({@code POST /api/v1/write}, snappy
 * + protobuf WriteRequest) counting samples. Each entry or sample is also fingerprinted (series or
 * stream labels + the item's bytes) so a second copy of the same item is counted as a duplicate
 * rather than as delivered. Samples of {@code target_info} (added by otelcol.exporter.prometheus,
 * not sent by the load generator) are counted apart.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.mpac.collector.bench.outage.CountingPushSink --loki-port P --rw-port Q</pre>
 *
 * Prints one status line a second: {@code loki requests=.. entries=.. duplicates=.. malformed=..}
 * and {@code rw requests=.. samples=.. duplicates=.. target_info=.. malformed=..}.
 */
public final class CountingPushSink {

  private final Counter loki = new Counter();
  private final Counter rw = new Counter();
  private final AtomicLong targetInfo = new AtomicLong();

  /** Counts of one endpoint; distinct items and duplicates by fingerprint. */
  static final class Counter {
    final AtomicLong requests = new AtomicLong();
    final AtomicLong items = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    private final Set<Long> seen = new HashSet<>();

    synchronized void item(long fingerprint) {
      if (seen.add(fingerprint)) items.incrementAndGet();
      else duplicates.incrementAndGet();
    }
  }

  public static void main(String[] args) throws Exception {
    int lokiPort = -1;
    int rwPort = -1;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--loki-port" -> lokiPort = Integer.parseInt(args[i + 1]);
        case "--rw-port" -> rwPort = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i] + " (use --loki-port P --rw-port Q)");
      }
    }
    if (lokiPort < 0 || rwPort < 0 || args.length != 4) {
      throw new IllegalArgumentException("usage: CountingPushSink --loki-port P --rw-port Q");
    }
    new CountingPushSink().run(lokiPort, rwPort);
  }

  private void run(int lokiPort, int rwPort) throws Exception {
    start(lokiPort, "/loki/api/v1/push", loki, this::countLoki);
    start(rwPort, "/api/v1/write", rw, this::countRemoteWrite);
    for (long tick = 0; tick < 24L * 3600; tick++) { // bounded: a day at most
      System.out.println("loki requests=" + loki.requests + " entries=" + loki.items + " duplicates=" + loki.duplicates
          + " malformed=" + loki.malformed);
      System.out.println("rw requests=" + rw.requests + " samples=" + rw.items + " duplicates=" + rw.duplicates
          + " target_info=" + targetInfo + " malformed=" + rw.malformed);
      System.out.flush();
      Thread.sleep(1000);
    }
  }

  private interface Decoder {
    void count(byte[] body) throws IOException;
  }

  private static void start(int port, String path, Counter counter, Decoder decoder) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.createContext(path, exchange -> handle(exchange, counter, decoder));
    server.start();
  }

  private static void handle(HttpExchange exchange, Counter counter, Decoder decoder) throws IOException {
    int status = 204;
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = Snappy.uncompress(in.readAllBytes());
      counter.requests.incrementAndGet();
      decoder.count(body);
    } catch (IOException | RuntimeException e) {
      counter.malformed.incrementAndGet();
      status = 400;
    }
    exchange.sendResponseHeaders(status, -1);
    exchange.close();
  }

  /** PushRequest{streams=1: StreamAdapter{labels=1, entries=2}}: one item per entry. */
  private void countLoki(byte[] body) throws IOException {
    CodedInputStream req = CodedInputStream.newInstance(body);
    for (int tag; (tag = req.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) != 1) { req.skipField(tag); continue; }
      CodedInputStream stream = CodedInputStream.newInstance(req.readByteArray());
      long labels = 0;
      java.util.List<byte[]> entries = new java.util.ArrayList<>();
      for (int t; (t = stream.readTag()) != 0; ) {
        switch (WireFormat.getTagFieldNumber(t)) {
          case 1 -> labels = fnv(stream.readByteArray(), FNV_OFFSET);
          case 2 -> entries.add(stream.readByteArray());
          default -> stream.skipField(t);
        }
      }
      for (byte[] entry : entries) loki.item(fnv(entry, labels));
    }
  }

  /** WriteRequest{timeseries=1: TimeSeries{labels=1, samples=2}}: one item per sample. */
  private void countRemoteWrite(byte[] body) throws IOException {
    CodedInputStream req = CodedInputStream.newInstance(body);
    for (int tag; (tag = req.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) != 1) { req.skipField(tag); continue; }
      CodedInputStream series = CodedInputStream.newInstance(req.readByteArray());
      long labels = FNV_OFFSET;
      boolean isTargetInfo = false;
      java.util.List<byte[]> samples = new java.util.ArrayList<>();
      for (int t; (t = series.readTag()) != 0; ) {
        switch (WireFormat.getTagFieldNumber(t)) {
          case 1 -> {
            byte[] label = series.readByteArray();
            labels = fnv(label, labels);
            if (isNameTargetInfo(label)) isTargetInfo = true;
          }
          case 2 -> samples.add(series.readByteArray());
          default -> series.skipField(t);
        }
      }
      if (isTargetInfo) { targetInfo.addAndGet(samples.size()); continue; }
      for (byte[] sample : samples) rw.item(fnv(sample, labels));
    }
  }

  private static boolean isNameTargetInfo(byte[] label) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(label);
    String name = null;
    String value = null;
    for (int t; (t = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(t)) {
        case 1 -> name = in.readString();
        case 2 -> value = in.readString();
        default -> in.skipField(t);
      }
    }
    return "__name__".equals(name) && "target_info".equals(value);
  }

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;

  /** FNV-1a 64 over bytes, continuing from seed: a fingerprint, 600k items collide with p ~ 1e-8. */
  private static long fnv(byte[] bytes, long seed) {
    long h = seed;
    for (byte b : bytes) {
      h ^= (b & 0xff);
      h *= 0x100000001b3L;
    }
    return h;
  }
}
