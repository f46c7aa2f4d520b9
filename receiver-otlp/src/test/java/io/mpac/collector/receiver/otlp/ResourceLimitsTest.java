package io.mpac.collector.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.netty.channel.Channel;
import io.micrometer.core.instrument.Counter;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.receiver.otlp.ReceiverOtlpConfig.Limits;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/** The receiver's resource limits: in-flight byte budget, per-connection limit, timeouts, max connections. */
class ResourceLimitsTest {

  private static final Limits FAST = new Limits(1000, Duration.ofMillis(300), Duration.ofMillis(800), 0);

  private static double limited(TestReceiver r, String transport, String reason) {
    Counter c = r.registry.find("otelcol.receiver.limited").tag("transport", transport).tag("reason", reason).counter();
    return c == null ? -1 : c.count();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static Socket socket(int port) throws Exception {
    Socket s = new Socket("127.0.0.1", port);
    s.setSoTimeout(10_000);
    return s;
  }

  private static String headers(int port, long contentLength) {
    return "POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nContent-Type: application/x-protobuf\r\n"
        + "Content-Length: " + contentLength + "\r\n\r\n";
  }

  /** Reads until the server closes; true when it did (false: timed out still open). */
  private static boolean closedByServer(Socket s) throws Exception {
    InputStream in = s.getInputStream();
    try {
      while (in.read() >= 0) {
        // drain whatever answer came first
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (java.net.SocketException e) {
      return true; // reset
    }
  }

  @Test
  void declaredLengthsAllocateNothingAndGoodClientsAreServed() throws Exception {
    try (TestReceiver r = new TestReceiver(null, h -> h, 1 << 20)) {
      List<Socket> attackers = new ArrayList<>();
      try {
        for (int i = 0; i < 50; i++) {
          Socket s = socket(r.httpPort());
          s.getOutputStream().write(headers(r.httpPort(), 20_000_000).getBytes(StandardCharsets.US_ASCII));
          s.getOutputStream().flush();
          attackers.add(s);
        }
        byte[] good = Requests.traces(new Random(1), 5).toByteArray();
        HttpResponse<byte[]> resp = r.post("/v1/traces", "application/x-protobuf", null, good);
        assertThat(resp.statusCode()).isEqualTo(200);
        assertThat(r.capture.take().itemCount()).isEqualTo(5);
        // 50 declared 20 MB bodies, no body bytes sent: nothing is held.
        assertThat(r.receiver.budget().used()).isZero();
      } finally {
        for (Socket s : attackers) s.close();
      }
    }
  }

  @Test
  void httpBodiesOverTheBudgetAre429WithRetryAfterAndCounted() throws Exception {
    try (TestReceiver r = new TestReceiver(null, h -> h, 64 * 1024)) {
      try (Socket hog = socket(r.httpPort())) {
        OutputStream out = hog.getOutputStream();
        out.write(headers(r.httpPort(), 60_000).getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[50_000]);
        out.flush();
        await(() -> r.receiver.budget().used() >= 50_000, "the partial body to be held");
        assertThat(r.receiver.budget().used()).isLessThanOrEqualTo(64 * 1024);

        byte[] good = Requests.traces(new Random(2), 300).toByteArray();
        assertThat(good.length).isGreaterThan(20_000);
        HttpResponse<byte[]> refused = r.post("/v1/traces", "application/x-protobuf", null, good);
        assertThat(refused.statusCode()).isEqualTo(429);
        assertThat(refused.headers().firstValue("retry-after")).contains("1");
        com.google.rpc.Status st = com.google.rpc.Status.parseFrom(refused.body());
        assertThat(st.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED.value());
        assertThat(limited(r, "http", "memory")).isEqualTo(1.0);
      }
      await(() -> r.receiver.budget().used() == 0, "the hog's bytes to be given back");
      byte[] good = Requests.traces(new Random(3), 300).toByteArray();
      assertThat(r.post("/v1/traces", "application/x-protobuf", null, good).statusCode()).isEqualTo(200);
      await(() -> r.receiver.budget().used() == 0, "the served request's bytes to be given back");
    }
  }

  @Test
  void slowHeadersAndSlowBodiesAreCutOff() throws Exception {
    try (TestReceiver r = new TestReceiver(null, h -> h.withLimits(FAST), 1 << 20)) {
      try (Socket loris = socket(r.httpPort())) {
        loris.getOutputStream().write("POST /v1/traces HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        loris.getOutputStream().flush();
        assertThat(closedByServer(loris)).as("closed after read_header_timeout").isTrue();
      }
      assertThat(limited(r, "http", "timeout")).isEqualTo(1.0);
      try (Socket slowBody = socket(r.httpPort())) {
        slowBody.getOutputStream().write(headers(r.httpPort(), 1000).getBytes(StandardCharsets.US_ASCII));
        slowBody.getOutputStream().write(new byte[10]);
        slowBody.getOutputStream().flush();
        await(() -> r.receiver.budget().used() > 0, "the partial body to be held");
        assertThat(closedByServer(slowBody)).as("closed after read_timeout").isTrue();
      }
      assertThat(limited(r, "http", "timeout")).isEqualTo(2.0);
      await(() -> r.receiver.budget().used() == 0, "the slow body's bytes to be given back");
      // An idle keep-alive connection between requests is not a slow request.
      try (Socket idle = socket(r.httpPort())) {
        idle.setSoTimeout(1500);
        assertThat(closedByServer(idle)).as("idle connection stays open").isFalse();
      }
    }
  }

  @Test
  void connectionsBeyondMaxConnectionsAreClosed() throws Exception {
    Limits two = new Limits(2, Duration.ofSeconds(10), Duration.ofSeconds(60), 0);
    try (TestReceiver r = new TestReceiver(g -> g.withLimits(two), h -> h.withLimits(two), 0);
        Socket h1 = socket(r.httpPort()); Socket h2 = socket(r.httpPort());
        Socket g1 = socket(r.grpcPort()); Socket g2 = socket(r.grpcPort())) {
      for (int port : new int[] {r.httpPort(), r.grpcPort()}) {
        try (Socket third = socket(port)) {
          assertThat(closedByServer(third)).as("third connection to " + port).isTrue();
        }
      }
      assertThat(limited(r, "http", "connections")).isEqualTo(1.0);
      await(() -> limited(r, "grpc", "connections") == 1.0, "the gRPC refusal to be counted");
      h1.close();
      await(() -> {
        try (Socket again = socket(r.httpPort())) {
          again.setSoTimeout(300);
          return !closedByServer(again);
        } catch (Exception e) {
          return false;
        }
      }, "a slot to free up after a close");
    }
  }

  @Test
  void grpcStreamsThatNeverFinishHoldOnlyWhatTheySentWithinTheBudget() throws Exception {
    long budget = 256 * 1024;
    Limits slowTimeout = new Limits(1000, null, Duration.ofSeconds(3), 0);
    try (TestReceiver r = new TestReceiver(g -> g.withLimits(slowTimeout), null, budget);
        UnfinishedGrpcStreams attacker = new UnfinishedGrpcStreams()) {
      Channel conn = attacker.connect(r.grpcPort());
      for (int i = 0; i < 5; i++) attacker.open(conn, r.grpcPort(), 4_000_000, 40_000);
      await(() -> r.receiver.budget().used() >= 5 * 40_000, "the partial messages to be held");
      assertThat(attacker.statuses).isEmpty();
      // Three more do not all fit: at least one is refused with RESOURCE_EXHAUSTED, nothing goes over.
      for (int i = 0; i < 3; i++) attacker.open(conn, r.grpcPort(), 4_000_000, 40_000);
      await(() -> attacker.statuses.containsValue("8"), "a stream refused with RESOURCE_EXHAUSTED");
      assertThat(r.receiver.budget().used()).isLessThanOrEqualTo(budget);
      assertThat(limited(r, "grpc", "memory")).isGreaterThanOrEqualTo(1.0);
      // The rest are ended by read_timeout (DEADLINE_EXCEEDED = 4) and their bytes given back.
      await(() -> attacker.statuses.size() == 8, "every stream to be ended");
      assertThat(attacker.statuses).containsValue("4");
      assertThat(limited(r, "grpc", "timeout")).isGreaterThanOrEqualTo(1.0);
      await(() -> r.receiver.budget().used() == 0, "every byte given back");
      byte[] good = Requests.traces(new Random(4), 3).toByteArray();
      r.grpcExport(Signal.TRACES, good, null);
      assertThat(r.capture.take().itemCount()).isEqualTo(3);
    }
  }

  @Test
  void oneGrpcConnectionCannotTakeMoreThanItsLimit() throws Exception {
    Limits perConnection = new Limits(1000, null, Duration.ofSeconds(60), 100_000);
    try (TestReceiver r = new TestReceiver(g -> g.withLimits(perConnection), null, 1 << 20);
        UnfinishedGrpcStreams attacker = new UnfinishedGrpcStreams()) {
      Channel conn = attacker.connect(r.grpcPort());
      for (int i = 0; i < 3; i++) attacker.open(conn, r.grpcPort(), 4_000_000, 40_000);
      await(() -> attacker.statuses.containsValue("8"), "the third stream refused");
      assertThat(attacker.statuses).hasSize(1);
      assertThat(r.receiver.budget().used()).isLessThanOrEqualTo(100_000);
      // Another connection still gets through: the budget has room.
      byte[] good = Requests.traces(new Random(5), 3).toByteArray();
      r.grpcExport(Signal.TRACES, good, null);
      assertThat(r.capture.take().itemCount()).isEqualTo(3);
    }
  }

  @Test
  void grpcMessageOverTheBudgetIsResourceExhaustedWithRetryInfo() throws Exception {
    try (TestReceiver r = new TestReceiver(g -> g, null, 64 * 1024)) {
      byte[] big = Requests.traces(new Random(6), 1000).toByteArray();
      assertThat(big.length).isGreaterThan(64 * 1024);
      assertThatThrownBy(() -> r.grpcExport(Signal.TRACES, big, null))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            com.google.rpc.Status details = io.grpc.protobuf.StatusProto.fromThrowable(e);
            assertThat(details).isNotNull();
            assertThat(details.getDetailsList()).anySatisfy(a -> assertThat(a.getTypeUrl()).endsWith("RetryInfo"));
          });
      assertThat(limited(r, "grpc", "memory")).isEqualTo(1.0);
      await(() -> r.receiver.budget().used() == 0, "bytes given back");
    }
  }
}
