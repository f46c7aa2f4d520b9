package io.mpac.collector.exporter.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Metadata;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.exporter.ExporterMetrics;
import io.mpac.collector.exporter.QueueConfig;
import io.mpac.collector.exporter.RetryConfig;
import io.mpac.collector.exporter.SendOutcome;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * otelcol.exporter.otlp against an independent OTLP/gRPC server (generated stubs, protobuf-java
 * decoding). Every test ends with exact counts: each span delivered exactly once, or dropped and
 * counted for a stated reason.
 */
class OtlpGrpcExporterTest {

  private static final String ID = "otelcol.exporter.otlp.tempo";
  /** Short backoff so fault tests run in well under a second each. */
  private static final RetryConfig FAST_RETRY = new RetryConfig(true, Duration.ofMillis(20), 1.5, 0.2,
      Duration.ofMillis(200), Duration.ZERO);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ComponentContext context = new ComponentContext(new ComponentId("otelcol.exporter.otlp", "tempo"),
      Path.of("unused"), registry, Logger.getLogger("component." + ID));
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private OtlpExporter exporter;

  @AfterEach
  void tearDown() throws Exception {
    if (exporter != null) exporter.shutdown(Duration.ofSeconds(2));
    for (AutoCloseable c : toClose) c.close();
  }

  private FakeOtlpGrpcBackend backend(int port) throws Exception {
    FakeOtlpGrpcBackend b = new FakeOtlpGrpcBackend(port);
    toClose.add(b);
    return b;
  }

  private OtlpExporter start(int port, Duration timeout, QueueConfig queue, RetryConfig retry,
      Map<String, String> headers) throws Exception {
    OtlpGrpcExporterConfig.Client client = OtlpGrpcExporterConfig.Client.plaintext("127.0.0.1:" + port)
        .withHeaders(headers);
    exporter = OtlpExporter.grpc(context, new OtlpGrpcExporterConfig(timeout, client, queue, retry));
    exporter.start();
    return exporter;
  }

  private OtlpExporter start(int port, QueueConfig queue) throws Exception {
    return start(port, Duration.ofSeconds(5), queue, FAST_RETRY, Map.of());
  }

  private double count(String name) {
    Counter c = registry.find(name).tag("component_id", ID).counter();
    return c == null ? 0 : c.count();
  }

  private double sent() {
    return count(ExporterMetrics.SENT + "spans");
  }

  private double failed() {
    return count(ExporterMetrics.SEND_FAILED + "spans");
  }

  private double dropped(ExporterMetrics.DropReason reason) {
    Counter c = registry.find(ExporterMetrics.DROPPED + "spans").tag("reason", reason.tag()).counter();
    return c == null ? 0 : c.count();
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("condition not met within 20s");
      Thread.sleep(5);
    }
  }

  private static QueueConfig queue(int consumers, long size) {
    return new QueueConfig(true, consumers, size, QueueConfig.Sizer.REQUESTS, false);
  }

  @Test
  void deliversEverySpanExactlyOnceWithHeadersAndGzip() throws Exception {
    FakeOtlpGrpcBackend b = backend(0);
    OtlpConsumer input = start(b.port(), Duration.ofSeconds(5), queue(4, 1000), FAST_RETRY,
        Map.of("X-Scope-OrgID", "team-a")).input();
    assertThat(input.signals()).containsExactlyInAnyOrder(Signal.TRACES, Signal.METRICS, Signal.LOGS);
    List<Thread> producers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int base = t * 25;
      Thread th = new Thread(() -> {
        for (int i = 0; i < 25; i++) {
          try {
            input.consume(TestData.tracesRequest(base + i, 20));
          } catch (ConsumeException e) {
            throw new AssertionError(e);
          }
        }
      });
      producers.add(th);
      th.start();
    }
    for (Thread th : producers) th.join(10_000);
    input.consume(TestData.metricsRequest(7));
    input.consume(TestData.logsRequest(9));
    // the backend counts a request before it answers, the exporter after the answer: wait for both
    await(() -> sent() == 2000 && b.metricPoints.get() == 7 && b.logRecords.get() == 9
        && count(ExporterMetrics.SENT + "log_records") == 9 && count(ExporterMetrics.SENT + "metric_points") == 7);
    assertThat(b.spanCount()).isEqualTo(2000);
    assertThat(b.spans).hasSize(2000);
    assertThat(b.allExactlyOnce()).isTrue();
    assertThat(b.calls.get()).isEqualTo(100);
    assertThat(failed()).isZero();
    assertThat(count(ExporterMetrics.SENT + "metric_points")).isEqualTo(7);
    assertThat(count(ExporterMetrics.SENT + "log_records")).isEqualTo(9);
    Metadata md = b.headers.get(0);
    assertThat(md.get(Metadata.Key.of("x-scope-orgid", Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("team-a");
    assertThat(md.get(Metadata.Key.of("grpc-encoding", Metadata.ASCII_STRING_MARSHALLER))).isEqualTo("gzip");
  }

  @Test
  void backendDownAtStartAndUpLaterLosesNothing() throws Exception {
    int port;
    try (FakeOtlpGrpcBackend probe = new FakeOtlpGrpcBackend(0)) {
      port = probe.port(); // a port that is free now and nobody listens on
    }
    OtlpConsumer input = start(port, queue(2, 1000)).input();
    for (int i = 0; i < 10; i++) input.consume(TestData.tracesRequest(i, 5));
    await(() -> count(ExporterMetrics.RETRIES) >= 10); // the exporter is retrying against a dead port
    assertThat(sent()).isZero();
    FakeOtlpGrpcBackend b = backend(port);
    await(() -> sent() == 50);
    assertThat(b.spanCount()).isEqualTo(50);
    assertThat(b.allExactlyOnce()).isTrue();
    assertThat(failed()).isZero();
  }

  @Test
  void aBackendThatStartsLateIsReachedOnTheExportersRetryNotOnGrpcsGrownBackoff() throws Exception {
    // a listener that accepts and drops connections: each is one of the channel's connect attempts
    // failing, so grpc-java's own reconnect backoff grows (1 s, 1.6 s, 2.6 s, 4.1 s, 6.6 s, ...)
    ServerSocket refusing = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    int port = refusing.getLocalPort();
    AtomicInteger attempts = new AtomicInteger();
    Thread acceptor = new Thread(() -> {
      while (!refusing.isClosed()) {
        try (Socket s = refusing.accept()) {
          attempts.incrementAndGet();
        } catch (IOException e) {
          return; // closed
        }
      }
    }, "refusing-acceptor");
    acceptor.setDaemon(true);
    acceptor.start();
    OtlpConsumer input = start(port, queue(1, 1000)).input();
    input.consume(TestData.tracesRequest(0, 5));
    // five failed attempts: without the reset, grpc-java would wait about 6.6 s (+-20%) for the next
    await(() -> attempts.get() >= 5);
    refusing.close();
    acceptor.join(5_000);
    long upAt = System.nanoTime();
    FakeOtlpGrpcBackend b = backend(port);
    await(() -> sent() == 5);
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - upAt);
    // the exporter retries every 200 ms at most (FAST_RETRY): it reconnects on its next retry
    assertThat(tookMillis).as("delivered %d ms after the backend came up", tookMillis).isLessThan(3_000);
    assertThat(b.spanCount()).isEqualTo(5);
    assertThat(b.allExactlyOnce()).isTrue();
    assertThat(failed()).isZero();
  }

  @Test
  void unavailableForTheFirstCallsIsRetried() throws Exception {
    FakeOtlpGrpcBackend b = backend(0);
    b.behaviour = call -> call <= 3 ? FakeOtlpGrpcBackend.Answer.error(Status.UNAVAILABLE.withDescription("starting"))
        : null;
    OtlpConsumer input = start(b.port(), queue(1, 100)).input();
    for (int i = 0; i < 5; i++) input.consume(TestData.tracesRequest(i, 4));
    await(() -> sent() == 20);
    assertThat(b.calls.get()).isEqualTo(8);
    assertThat(count(ExporterMetrics.RETRIES)).isEqualTo(3);
    assertThat(b.spanCount()).isEqualTo(20);
    assertThat(b.allExactlyOnce()).isTrue();
    assertThat(failed()).isZero();
  }

  @Test
  void resourceExhaustedWithRetryInfoWaitsTheServersDelay() throws Exception {
    FakeOtlpGrpcBackend b = backend(0);
    b.behaviour = call -> call == 1
        ? FakeOtlpGrpcBackend.Answer.throttled(Status.RESOURCE_EXHAUSTED.withDescription("RATE_LIMITED: slow down"),
            400)
        : null;
    OtlpConsumer input = start(b.port(), queue(1, 100)).input();
    input.consume(TestData.tracesRequest(1, 6));
    await(() -> sent() == 6);
    assertThat(b.calls.get()).isEqualTo(2);
    long gapMillis = TimeUnit.NANOSECONDS.toMillis(b.callTimesNanos.get(1) - b.callTimesNanos.get(0));
    assertThat(gapMillis).isGreaterThanOrEqualTo(400); // backoff alone would be ~20ms
    assertThat(b.allExactlyOnce()).isTrue();
  }

  @Test
  void resourceExhaustedWithoutRetryInfoIsDropped() throws Exception {
    FakeOtlpGrpcBackend b = backend(0);
    b.behaviour = call -> FakeOtlpGrpcBackend.Answer.error(Status.RESOURCE_EXHAUSTED.withDescription("too big"));
    OtlpConsumer input = start(b.port(), queue(1, 100)).input();
    input.consume(TestData.tracesRequest(1, 6));
    await(() -> failed() == 6);
    assertThat(dropped(ExporterMetrics.DropReason.PERMANENT)).isEqualTo(6);
    assertThat(b.calls.get()).isEqualTo(1);
  }

  @Test
  void invalidArgumentIsDroppedNotRetriedAndCounted() throws Exception {
    FakeOtlpGrpcBackend b = backend(0);
    b.behaviour = call -> call == 2 ? FakeOtlpGrpcBackend.Answer.error(
        Status.INVALID_ARGUMENT.withDescription("trace id must be 16 bytes")) : null;
    OtlpConsumer input = start(b.port(), queue(1, 100)).input();
    for (int i = 0; i < 3; i++) input.consume(TestData.tracesRequest(i, 10));
    await(() -> sent() + failed() == 30);
    assertThat(sent()).isEqualTo(20);
    assertThat(failed()).isEqualTo(10);
    assertThat(dropped(ExporterMetrics.DropReason.PERMANENT)).isEqualTo(10);
    assertThat(b.calls.get()).isEqualTo(3); // the rejected request was not retried
    assertThat(count(ExporterMetrics.RETRIES)).isZero();
    assertThat(b.spanCount()).isEqualTo(20);
  }

  @Test
  void slowBackendPastTheTimeoutIsRetriedAndDeliveredOnce() throws Exception {
    FakeOtlpGrpcBackend b = backend(0);
    b.behaviour = call -> call == 1 ? FakeOtlpGrpcBackend.Answer.slow(2_000) : null;
    OtlpConsumer input = start(b.port(), Duration.ofMillis(300), queue(1, 100), FAST_RETRY, Map.of()).input();
    input.consume(TestData.tracesRequest(1, 8));
    await(() -> sent() == 8);
    assertThat(b.calls.get()).isEqualTo(2);
    assertThat(count(ExporterMetrics.RETRIES)).isEqualTo(1);
    assertThat(b.spanCount()).isEqualTo(8); // the timed-out call was cancelled, the server kept nothing
    assertThat(b.allExactlyOnce()).isTrue();
  }

  @Test
  void partialSuccessCountsRejectedSpansAsDropped() throws Exception {
    FakeOtlpGrpcBackend b = backend(0);
    b.behaviour = call -> FakeOtlpGrpcBackend.Answer.partial(3);
    OtlpConsumer input = start(b.port(), queue(1, 100)).input();
    input.consume(TestData.tracesRequest(1, 10));
    await(() -> sent() == 7);
    assertThat(dropped(ExporterMetrics.DropReason.PARTIAL_SUCCESS)).isEqualTo(3);
    assertThat(b.calls.get()).isEqualTo(1); // never retried
  }

  @Test
  void fullQueueRefusesUpstreamAndRecoversWhenTheBackendDoes() throws Exception {
    FakeOtlpGrpcBackend b = backend(0);
    AtomicBoolean down = new AtomicBoolean(true);
    b.behaviour = call -> down.get() ? FakeOtlpGrpcBackend.Answer.error(Status.UNAVAILABLE) : null;
    OtlpConsumer input = start(b.port(), queue(1, 4)).input();
    // one request is with the worker (retrying), three wait in the queue: with the one in flight
    // that is queue_size = 4 (room is held until a request is settled); the fifth is refused
    input.consume(TestData.tracesRequest(0, 5));
    await(() -> b.calls.get() >= 1);
    for (int i = 1; i <= 3; i++) input.consume(TestData.tracesRequest(i, 5));
    assertThatThrownBy(() -> input.consume(TestData.tracesRequest(4, 5)))
        .isInstanceOf(ConsumeException.Refused.class).hasMessageContaining("full");
    assertThat(count(ExporterMetrics.ENQUEUE_FAILED + "spans")).isEqualTo(5);
    assertThat(registry.find(ExporterMetrics.QUEUE_SIZE).gauge().value()).isEqualTo(4);
    down.set(false);
    await(() -> sent() == 20);
    input.consume(TestData.tracesRequest(4, 5)); // the client's retry now gets in
    await(() -> sent() == 25);
    assertThat(b.spans).hasSize(25);
    assertThat(b.allExactlyOnce()).isTrue();
    assertThat(failed()).isZero();
  }

  @Test
  void shutdownDrainsAFullQueueWithinTheDeadline() throws Exception {
    FakeOtlpGrpcBackend b = backend(0);
    b.behaviour = call -> FakeOtlpGrpcBackend.Answer.slow(5);
    OtlpExporter e = start(b.port(), queue(2, 1000));
    for (int i = 0; i < 100; i++) e.input().consume(TestData.tracesRequest(i, 3));
    long t0 = System.nanoTime();
    e.shutdown(Duration.ofSeconds(10));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(10_000);
    assertThat(sent()).isEqualTo(300);
    assertThat(b.spanCount()).isEqualTo(300);
    assertThat(b.allExactlyOnce()).isTrue();
    assertThat(e.sendingQueue().lostAtShutdown()).isEmpty();
    assertThat(e.health().isHealthy()).isFalse();
  }

  @Test
  void shutdownWithTheBackendDownCountsWhatWasLost() throws Exception {
    FakeOtlpGrpcBackend b = backend(0);
    b.behaviour = call -> FakeOtlpGrpcBackend.Answer.error(Status.UNAVAILABLE);
    RetryConfig slowRetry = new RetryConfig(true, Duration.ofSeconds(5), 1.5, 0.5, Duration.ofSeconds(30),
        Duration.ZERO);
    OtlpExporter e = start(b.port(), Duration.ofSeconds(5), queue(2, 1000), slowRetry, Map.of());
    for (int i = 0; i < 100; i++) e.input().consume(TestData.tracesRequest(i, 3));
    long t0 = System.nanoTime();
    e.shutdown(Duration.ofMillis(500));
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(3_000);
    assertThat(sent()).isZero();
    assertThat(failed()).isEqualTo(300);
    assertThat(dropped(ExporterMetrics.DropReason.SHUTDOWN)).isEqualTo(300);
    assertThat(e.sendingQueue().lostAtShutdown()).isEqualTo(Map.of("spans", 300L));
    assertThat(b.spanCount()).isZero();
    assertThatThrownBy(() -> e.input().consume(TestData.tracesRequest(999, 1)))
        .isInstanceOf(ConsumeException.Refused.class);
  }

  @Test
  void aServerWithoutTheOtlpServiceIsAPermanentFailureWithAHint() throws Exception {
    // A gRPC server that serves nothing answers UNIMPLEMENTED: wrong port, wrong protocol.
    io.grpc.Server empty = io.grpc.netty.NettyServerBuilder
        .forAddress(new java.net.InetSocketAddress("127.0.0.1", 0), io.grpc.InsecureServerCredentials.create())
        .build().start();
    toClose.add(() -> empty.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
    OtlpGrpcSender sender = new OtlpGrpcSender(OtlpGrpcExporterConfig.Client.plaintext("127.0.0.1:" + empty.getPort()));
    sender.start();
    try {
      SendOutcome o = sender.send(TestData.tracesRequest(1, 1), Duration.ofSeconds(5));
      assertThat(o).isInstanceOfSatisfying(SendOutcome.Permanent.class,
          p -> assertThat(p.reason()).startsWith("UNIMPLEMENTED").contains("does not serve OTLP").contains("4317"));
    } finally {
      sender.close(Duration.ofSeconds(1));
    }
    OtlpConsumer input = start(empty.getPort(), queue(1, 10)).input();
    input.consume(TestData.tracesRequest(2, 4));
    await(() -> failed() == 4);
    assertThat(dropped(ExporterMetrics.DropReason.PERMANENT)).isEqualTo(4);
    assertThat(count(ExporterMetrics.RETRIES)).isZero();
  }

  @Test
  void tlsByDefaultAgainstAPlaintextBackendSaysHowToFixIt() throws Exception {
    FakeOtlpGrpcBackend b = backend(0);
    OtlpGrpcExporterConfig.Client tlsClient = OtlpGrpcExporterConfig.Client.plaintext("127.0.0.1:" + b.port())
        .withTls(true, io.mpac.collector.exporter.tls.OtlpTls.DEFAULTS);
    OtlpGrpcSender sender = new OtlpGrpcSender(tlsClient);
    sender.start();
    try {
      SendOutcome o = sender.send(TestData.tracesRequest(1, 1), Duration.ofSeconds(5));
      assertThat(o).isInstanceOfSatisfying(SendOutcome.Retryable.class,
          r -> assertThat(r.reason()).startsWith("UNAVAILABLE").contains("tls { insecure = true }"));
    } finally {
      sender.close(Duration.ofSeconds(1));
    }
    assertThat(b.spanCount()).isZero();
  }
}
