package io.mpac.collector.receiver.otlp.bench;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.receiver.otlp.OtlpReceiver;
import io.mpac.collector.receiver.otlp.ReceiverOtlpConfig;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Throughput benchmark (not a test): the receiver runs in a child JVM ({@link Server}) with a
 * consumer that only counts; this process drives it over OTLP/gRPC and OTLP/HTTP protobuf with
 * 100-span requests, a bounded number in flight, for a fixed time, and reports requests/s,
 * spans/s and the receiver process's CPU time per span (its
 * {@code OperatingSystemMXBean.getProcessCpuTime()} before and after; the client's CPU is not in
 * it). Arguments: {@code [seconds per transport, default 10] [requests in flight, default 16]}.
 *
 * <pre>
 *   mvn -q -o test-compile -pl receiver-otlp -am
 *   mvn -q -o dependency:build-classpath -pl receiver-otlp -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp.txt
 *   java -cp receiver-otlp/target/test-classes:receiver-otlp/target/classes:collector-core/target/classes:$(cat /tmp/cp.txt) \
 *       io.mpac.collector.receiver.otlp.bench.ReceiverBenchmark 10 16
 * </pre>
 */
public final class ReceiverBenchmark {

  static final int SPANS = 100;

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int inFlight = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process server = new ProcessBuilder(java, "-Xms512m", "-Xmx512m", "-cp", System.getProperty("java.class.path"),
        Server.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    BufferedReader in = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    PrintWriter out = new PrintWriter(server.getOutputStream(), true, StandardCharsets.UTF_8);
    try {
      String[] ports = in.readLine().split(" ");
      int grpcPort = Integer.parseInt(ports[1]);
      int httpPort = Integer.parseInt(ports[2]);
      byte[] body = request(new Random(1));
      System.out.printf("request: %d spans, %d bytes; %d s per transport after %d s warm-up; %d in flight; %d cores%n",
          SPANS, body.length, seconds, 5, inFlight, Runtime.getRuntime().availableProcessors());

      validatorOnly(body);

      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort).usePlaintext().build();
      Driver grpc = done -> ClientCalls.futureUnaryCall(channel.newCall(METHOD, CallOptions.DEFAULT), body)
          .addListener(done, Runnable::run);
      run("gRPC", grpc, seconds, inFlight, in, out);
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/v1/traces"))
          .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      Driver http = done -> client.sendAsync(request, HttpResponse.BodyHandlers.discarding())
          .whenComplete((r, e) -> {
            if (e == null && r.statusCode() != 200) System.err.println("HTTP " + r.statusCode());
            done.run();
          });
      run("HTTP/protobuf", http, seconds, inFlight, in, out);
    } finally {
      out.println("QUIT");
      server.waitFor(10, TimeUnit.SECONDS);
      server.destroy();
    }
  }

  /** The validation pass alone, in this process, single-threaded: the floor of the receiver's cost. */
  static void validatorOnly(byte[] body) throws Exception {
    long sink = 0;
    for (long end = System.nanoTime() + 2_000_000_000L; System.nanoTime() < end; ) {
      sink += io.mpac.collector.pdata.OtlpValidator.validateAndCount(Signal.TRACES, body);
    }
    long n = 0;
    long t0 = System.nanoTime();
    for (long end = t0 + 3_000_000_000L; System.nanoTime() < end; n++) {
      sink += io.mpac.collector.pdata.OtlpValidator.validateAndCount(Signal.TRACES, body);
    }
    double perRequest = (System.nanoTime() - t0) / (double) n;
    System.out.printf("%-14s %9.0f req/s %11.0f spans/s   %6.0f ns/span (one thread; checksum %d)%n", "validator only",
        1e9 / perRequest, 1e9 * SPANS / perRequest, perRequest / SPANS, sink % 7);
  }

  interface Driver {
    void send(Runnable done);
  }

  static void run(String name, Driver driver, int seconds, int inFlight, BufferedReader in, PrintWriter out)
      throws Exception {
    drive(driver, 5, inFlight); // warm-up
    long[] before = cpu(in, out);
    long t0 = System.nanoTime();
    long requests = drive(driver, seconds, inFlight);
    double elapsed = (System.nanoTime() - t0) / 1e9;
    long[] after = cpu(in, out);
    long spans = after[1] - before[1];
    double cpuNanos = after[0] - before[0];
    System.out.printf("%-14s %9.0f req/s %11.0f spans/s   receiver CPU %6.0f ns/span (%.2f cores busy)%n",
        name, requests / elapsed, spans / elapsed, cpuNanos / Math.max(1, spans), cpuNanos / 1e9 / elapsed);
  }

  /** Sends for {@code seconds} with at most {@code inFlight} outstanding; returns completed requests. */
  static long drive(Driver driver, int seconds, int inFlight) throws InterruptedException {
    Semaphore permits = new Semaphore(inFlight);
    AtomicLong completed = new AtomicLong();
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < end) {
      if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) continue;
      driver.send(() -> {
        completed.incrementAndGet();
        permits.release();
      });
    }
    permits.tryAcquire(inFlight, 30, TimeUnit.SECONDS); // drain
    return completed.get();
  }

  static long[] cpu(BufferedReader in, PrintWriter out) throws IOException {
    out.println("CPU");
    String[] parts = in.readLine().split(" ");
    return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2])};
  }

  static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }
  };

  static final MethodDescriptor<byte[], byte[]> METHOD = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY)
      .setFullMethodName("opentelemetry.proto.collector.trace.v1.TraceService/Export")
      .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

  static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  /** A typical SDK batch: one resource, one scope, 100 server spans with 6 attributes each. */
  static byte[] request(Random r) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder()
        .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.spring-webmvc-6.0").setVersion("2.10.0"));
    byte[] trace = new byte[16];
    byte[] id = new byte[8];
    for (int i = 0; i < SPANS; i++) {
      r.nextBytes(trace);
      r.nextBytes(id);
      Span.Builder s = Span.newBuilder().setTraceId(ByteString.copyFrom(trace)).setSpanId(ByteString.copyFrom(id))
          .setName("GET /api/v1/orders/{id}").setKind(Span.SpanKind.SPAN_KIND_SERVER)
          .setStartTimeUnixNano(1_700_000_000_000_000_000L + i).setEndTimeUnixNano(1_700_000_000_050_000_000L + i)
          .addAttributes(kv("http.request.method", "GET")).addAttributes(kv("http.route", "/api/v1/orders/{id}"))
          .addAttributes(kv("url.path", "/api/v1/orders/" + r.nextInt(100000)))
          .addAttributes(kv("server.address", "orders.internal")).addAttributes(kv("user_agent.original", "okhttp/4.12"))
          .addAttributes(KeyValue.newBuilder().setKey("http.response.status_code")
              .setValue(AnyValue.newBuilder().setIntValue(200)))
          .setStatus(Status.newBuilder());
      if (i > 0) s.setParentSpanId(ByteString.copyFrom(id));
      ss.addSpans(s);
    }
    return ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(kv("service.name", "orders"))
            .addAttributes(kv("deployment.environment", "prod")).addAttributes(kv("host.name", "ip-10-0-0-1")))
        .addScopeSpans(ss)).build().toByteArray();
  }

  /** The receiver process: prints its ports, answers "CPU" with its CPU time and spans seen. */
  public static final class Server {
    public static void main(String[] args) throws Exception {
      AtomicLong spans = new AtomicLong();
      OtlpConsumer counting = new OtlpConsumer() {
        @Override
        public Set<Signal> signals() {
          return EnumSet.allOf(Signal.class);
        }

        @Override
        public void consume(OtlpRequest request) {
          spans.addAndGet(request.itemCount());
        }
      };
      ReceiverOtlpConfig config = new ReceiverOtlpConfig(ReceiverOtlpConfig.Grpc.of("127.0.0.1", 0),
          ReceiverOtlpConfig.Http.of("127.0.0.1", 0), counting, counting, counting);
      Logger logger = Logger.getLogger("bench");
      logger.setLevel(java.util.logging.Level.WARNING);
      OtlpReceiver receiver = new OtlpReceiver(new ComponentContext(new ComponentId("otelcol.receiver.otlp", "bench"),
          Path.of("target"), new SimpleMeterRegistry(), logger), config);
      receiver.start();
      System.out.println("PORTS " + receiver.grpcAddress().getPort() + " " + receiver.httpAddress().getPort());
      System.out.flush();
      com.sun.management.OperatingSystemMXBean os =
          (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
      BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null && !line.equals("QUIT")) {
        if (line.equals("CPU")) {
          System.out.println("CPU " + os.getProcessCpuTime() + " " + spans.get());
          System.out.flush();
        }
      }
      receiver.shutdown(Duration.ofSeconds(2));
    }
  }
}
