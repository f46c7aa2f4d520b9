package io.mpac.collector.bench.outage;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.xerial.snappy.Snappy;

/**
 * Null backends for the outage and soak benchmarks (bench/outage-durability.sh,
 * bench/soak-faults.sh) that count exactly what they accept: a Loki push endpoint ({@code POST /loki/api/v1/push}, snappy + protobuf PushRequest)
 * counting log entries, and a Prometheus remote-write endpoint ({@code POST /api/v1/write}, snappy
 * + protobuf WriteRequest) counting samples. Items carry no identity here (the load generator resends
 * 16 prebuilt requests, so log entries repeat), so a second copy shows as a count above what the
 * collector accepted. Samples of {@code target_info} (added by otelcol.exporter.prometheus, not
 * sent by the load generator) are counted apart.
 *
 * and, with {@code --otlp-port}, an OTLP/HTTP traces endpoint ({@code POST /v1/traces}, protobuf,
 * gzip or not) counting spans. With {@code --fault-seed S} every endpoint misbehaves on its own
 * {@link FaultSchedule} (seeds S, S+1, S+2) for {@code --fault-seconds} (default 1800), and only
 * requests answered 2xx are counted.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.mpac.collector.bench.outage.CountingPushSink --loki-port P --rw-port Q
 *     [--otlp-port R] [--fault-seed S --fault-seconds N]</pre>
 *
 * Prints one status line a second: {@code loki requests=.. entries=.. malformed=..},
 * {@code rw requests=.. samples=.. target_info=.. malformed=..} and (with an OTLP port)
 * {@code otlp requests=.. spans=.. malformed=..}, each with {@code faults=..} (requests answered
 * with a fault); the fault windows are printed first as {@code fault endpoint=.. start_ms=.. end_ms=.. kind=..}.
 */
public final class CountingPushSink {

  private final Counter loki = new Counter();
  private final Counter rw = new Counter();
  private final Counter otlp = new Counter();
  private final long started = System.nanoTime();
  private final AtomicLong targetInfo = new AtomicLong();

  /** Counts of one endpoint. */
  static final class Counter {
    final AtomicLong requests = new AtomicLong();
    final AtomicLong items = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();
    final AtomicLong faults = new AtomicLong();
  }

  public static void main(String[] args) throws Exception {
    String usage = "usage: CountingPushSink --loki-port P --rw-port Q [--otlp-port R] [--fault-seed S --fault-seconds N]";
    int lokiPort = -1;
    int rwPort = -1;
    int otlpPort = -1;
    Long faultSeed = null;
    long faultSeconds = 1800;
    if (args.length % 2 != 0) throw new IllegalArgumentException(usage);
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--loki-port" -> lokiPort = Integer.parseInt(args[i + 1]);
        case "--rw-port" -> rwPort = Integer.parseInt(args[i + 1]);
        case "--otlp-port" -> otlpPort = Integer.parseInt(args[i + 1]);
        case "--fault-seed" -> faultSeed = Long.parseLong(args[i + 1]);
        case "--fault-seconds" -> faultSeconds = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i] + " (" + usage + ")");
      }
    }
    if (lokiPort < 0 || rwPort < 0) throw new IllegalArgumentException(usage);
    new CountingPushSink().run(lokiPort, rwPort, otlpPort, faultSeed, faultSeconds * 1000);
  }

  private void run(int lokiPort, int rwPort, int otlpPort, Long seed, long horizonMs) throws Exception {
    FaultSchedule[] schedules = new FaultSchedule[3];
    String[] names = {"loki", "rw", "otlp"};
    for (int i = 0; i < 3; i++) {
      schedules[i] = seed == null ? FaultSchedule.none() : FaultSchedule.random(seed + i, horizonMs);
      for (FaultSchedule.Window w : schedules[i].windows()) {
        System.out.println("fault endpoint=" + names[i] + " start_ms=" + w.startMs() + " end_ms=" + w.endMs()
            + " kind=" + w.kind() + (w.retryAfterSeconds() > 0 ? " retry_after=" + w.retryAfterSeconds() : ""));
      }
    }
    start(lokiPort, "/loki/api/v1/push", loki, this::countLoki, schedules[0], false);
    start(rwPort, "/api/v1/write", rw, this::countRemoteWrite, schedules[1], false);
    if (otlpPort >= 0) start(otlpPort, "/v1/traces", otlp, this::countSpans, schedules[2], true);
    for (long tick = 0; tick < 24L * 3600; tick++) { // bounded: a day at most
      System.out.println("loki requests=" + loki.requests + " entries=" + loki.items + " malformed=" + loki.malformed
          + " faults=" + loki.faults);
      System.out.println("rw requests=" + rw.requests + " samples=" + rw.items
          + " target_info=" + targetInfo + " malformed=" + rw.malformed + " faults=" + rw.faults);
      if (otlpPort >= 0) {
        System.out.println("otlp requests=" + otlp.requests + " spans=" + otlp.items + " malformed=" + otlp.malformed
            + " faults=" + otlp.faults);
      }
      System.out.flush();
      Thread.sleep(1000);
    }
  }

  private interface Decoder {
    void count(byte[] body) throws IOException;
  }

  private void start(int port, String path, Counter counter, Decoder decoder, FaultSchedule faults, boolean otlpBody)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
    // stalled requests hold a thread each for 10 s
    server.setExecutor(Executors.newFixedThreadPool(32));
    server.createContext(path, exchange -> handle(exchange, counter, decoder, faults, otlpBody));
    server.start();
  }

  private void handle(HttpExchange exchange, Counter counter, Decoder decoder, FaultSchedule faults,
      boolean otlpBody) throws IOException {
    FaultSchedule.Fault fault = faults.at((System.nanoTime() - started) / 1_000_000);
    byte[] raw;
    try (InputStream in = exchange.getRequestBody()) {
      raw = in.readAllBytes();
    }
    if (fault.kind() != FaultSchedule.Kind.NONE) {
      counter.faults.incrementAndGet();
      answerFault(exchange, fault);
      return;
    }
    int status = otlpBody ? 200 : 204;
    try {
      byte[] body = otlpBody ? otlpBody(exchange, raw) : Snappy.uncompress(raw);
      counter.requests.incrementAndGet();
      decoder.count(body);
    } catch (IOException | RuntimeException e) {
      counter.malformed.incrementAndGet();
      status = 400;
    }
    if (status == 200) {
      // an empty ExportTraceServiceResponse: full success
      exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
      exchange.sendResponseHeaders(200, -1);
    } else {
      exchange.sendResponseHeaders(status, -1);
    }
    exchange.close();
  }

  private static void answerFault(HttpExchange exchange, FaultSchedule.Fault fault) throws IOException {
    switch (fault.kind()) {
      case ERROR_5XX -> exchange.sendResponseHeaders(503, -1);
      case TOO_MANY_REQUESTS -> {
        exchange.getResponseHeaders().set("Retry-After", Integer.toString(fault.retryAfterSeconds()));
        exchange.sendResponseHeaders(429, -1);
      }
      case DROP -> {
        // closing an exchange that sent no headers closes its connection: the client sees no answer
        exchange.close();
        return;
      }
      case STALL -> {
        try {
          Thread.sleep(FaultSchedule.STALL_MS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        exchange.sendResponseHeaders(503, -1);
      }
      case NONE -> throw new IllegalStateException("not a fault");
    }
    exchange.close();
  }

  private static byte[] otlpBody(HttpExchange exchange, byte[] raw) throws IOException {
    String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
    if (encoding == null || encoding.equalsIgnoreCase("identity")) return raw;
    if (!encoding.equalsIgnoreCase("gzip")) throw new IOException("unsupported Content-Encoding " + encoding);
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
      return in.readAllBytes();
    }
  }

  /** ExportTraceServiceRequest{resource_spans=1: ResourceSpans{scope_spans=2: ScopeSpans{spans=2}}}. */
  private void countSpans(byte[] body) throws IOException {
    long spans = 0;
    for (byte[] resource : fields(body, 1)) {
      for (byte[] scope : fields(resource, 2)) spans += fields(scope, 2).size();
    }
    otlp.items.addAndGet(spans);
  }

  /** The length-delimited values of field {@code number} of a message. */
  private static java.util.List<byte[]> fields(byte[] message, int number) throws IOException {
    java.util.List<byte[]> out = new java.util.ArrayList<>();
    CodedInputStream in = CodedInputStream.newInstance(message);
    for (int t; (t = in.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(t) == number && WireFormat.getTagWireType(t) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        out.add(in.readByteArray());
      } else {
        in.skipField(t);
      }
    }
    return out;
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
