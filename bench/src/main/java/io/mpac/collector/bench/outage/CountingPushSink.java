package io.mpac.collector.bench.outage;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.xerial.snappy.Snappy;

/**
 * Null backends for the outage benchmark (bench/outage-durability.sh) that count exactly what they
 * receive: a Loki push endpoint ({@code POST /loki/api/v1/push}, snappy + protobuf PushRequest)
 * counting log entries, and a Prometheus remote-write endpoint ({@code POST /api/v1/write}, snappy
 * + protobuf WriteRequest) counting samples. Items carry no identity here (the load generator resends
 * 16 prebuilt requests, so log entries repeat), so a second copy shows as a count above what the
 * collector accepted. Samples of {@code target_info} (added by otelcol.exporter.prometheus, not
 * sent by the load generator) are counted apart.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.mpac.collector.bench.outage.CountingPushSink --loki-port P --rw-port Q</pre>
 *
 * Prints one status line a second: {@code loki requests=.. entries=.. malformed=..}
 * and {@code rw requests=.. samples=.. target_info=.. malformed=..}.
 */
public final class CountingPushSink {

  private final Counter loki = new Counter();
  private final Counter rw = new Counter();
  private final AtomicLong targetInfo = new AtomicLong();

  /** Counts of one endpoint. */
  static final class Counter {
    final AtomicLong requests = new AtomicLong();
    final AtomicLong items = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
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
      System.out.println("loki requests=" + loki.requests + " entries=" + loki.items + " malformed=" + loki.malformed);
      System.out.println("rw requests=" + rw.requests + " samples=" + rw.items
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
    long entries = 0;
    for (int tag; (tag = req.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) != 1) { req.skipField(tag); continue; }
      CodedInputStream stream = CodedInputStream.newInstance(req.readByteArray());
      for (int t; (t = stream.readTag()) != 0; ) {
        if (WireFormat.getTagFieldNumber(t) == 2) entries++;
        stream.skipField(t);
      }
    }
    loki.items.addAndGet(entries);
  }

  /** WriteRequest{timeseries=1: TimeSeries{labels=1, samples=2}}: one item per sample. */
  private void countRemoteWrite(byte[] body) throws IOException {
    CodedInputStream req = CodedInputStream.newInstance(body);
    for (int tag; (tag = req.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) != 1) { req.skipField(tag); continue; }
      CodedInputStream series = CodedInputStream.newInstance(req.readByteArray());
      boolean isTargetInfo = false;
      long samples = 0;
      for (int t; (t = series.readTag()) != 0; ) {
        switch (WireFormat.getTagFieldNumber(t)) {
          case 1 -> isTargetInfo |= isNameTargetInfo(series.readByteArray());
          case 2 -> { samples++; series.skipField(t); }
          default -> series.skipField(t);
        }
      }
      (isTargetInfo ? targetInfo : rw.items).addAndGet(samples);
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

}
