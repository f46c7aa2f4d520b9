package io.mpac.collector.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.netty.channel.Channel;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.receiver.otlp.ReceiverOtlpConfig.Limits;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * Per-client fairness of the in-flight budget ({@code max_in_flight_bytes_per_client}): a greedy
 * peer (127.0.0.2) opens gRPC streams that never finish and an HTTP body it never completes until
 * its share is full; a good client (127.0.0.1) is still served over both transports. The same
 * attack with the share set to the whole budget starves the good client, which shows what the
 * share buys.
 */
class ClientFairnessTest {

  private static final long BUDGET = 1 << 20;
  private static final int STREAMS = 26;
  private static final int SENT = 40_000;
  private static final Limits SLOW = new Limits(1000, Duration.ofSeconds(60), Duration.ofSeconds(60), 16 << 20);

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  /** A valid trace request of {@code bytes} to 10% more. */
  private static byte[] request(int bytes) {
    int perSpan = Requests.traces(new Random(1), 100).toByteArray().length / 100;
    for (int spans = bytes / perSpan; ; spans += Math.max(1, spans / 50)) {
      byte[] b = Requests.traces(new Random(spans), spans).toByteArray();
      if (b.length >= bytes) {
        assertThat(b.length).isLessThan(bytes + bytes / 10);
        return b;
      }
    }
  }

  /** The greedy peer: unfinished gRPC streams, then an unfinished HTTP body; returns the HTTP status it got. */
  private static String flood(TestReceiver r, UnfinishedGrpcStreams attacker) throws Exception {
    Channel conn = attacker.connect(r.grpcPort(), "127.0.0.2");
    for (int i = 0; i < STREAMS; i++) attacker.open(conn, r.grpcPort(), 4_000_000, SENT);
    await(() -> r.receiver.budget().used() >= Math.min(BUDGET / 2, (long) STREAMS * SENT) - SENT,
        "the greedy streams to be held");
    Thread.sleep(200); // let the last streams' bytes be counted or refused
    Socket s = new Socket("127.0.0.1", r.httpPort(), InetAddress.getByName("127.0.0.2"), 0);
    s.setSoTimeout(3_000);
    OutputStream out = s.getOutputStream();
    out.write(("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: 300000\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.write(new byte[200_000]);
    out.flush();
    InputStream in = s.getInputStream();
    byte[] head = new byte[12];
    try {
      int n = in.readNBytes(head, 0, 12);
      return n == 12 ? new String(head, 9, 3, StandardCharsets.US_ASCII) : "closed";
    } catch (java.net.SocketTimeoutException e) {
      return "held"; // no answer: the body is being received, i.e. it fitted
    }
  }

  @Test
  void aGreedyClientFillsOnlyItsShareAndAGoodClientIsStillServed() throws Exception {
    try (TestReceiver r = new TestReceiver(g -> g.withLimits(SLOW), h -> h.withLimits(SLOW), BUDGET, 0);
        UnfinishedGrpcStreams attacker = new UnfinishedGrpcStreams()) {
      String http = flood(r, attacker);
      assertThat(attacker.statuses).as("greedy streams beyond the share refused").containsValue("8");
      assertThat(http).as("the greedy peer's HTTP body does not fit its share").isEqualTo("429");
      assertThat(r.receiver.budget().used()).as("the greedy peer holds at most half").isLessThanOrEqualTo(BUDGET / 2)
          .isGreaterThan(BUDGET / 2 - 2 * SENT);

      byte[] viaHttp = request(400_000);
      var answer = r.post("/v1/traces", "application/x-protobuf", null, viaHttp);
      assertThat(answer.statusCode()).as(new String(answer.body(), StandardCharsets.UTF_8) + " used="
          + r.receiver.budget().used()).isEqualTo(200);
      byte[] viaGrpc = request(200_000);
      r.grpcExport(Signal.TRACES, viaGrpc, null);
      assertThat(r.capture.received).hasSize(2);
    }
  }

  @Test
  void withoutAShareTheSameFloodStarvesTheGoodClient() throws Exception {
    try (TestReceiver r = new TestReceiver(g -> g.withLimits(SLOW), h -> h.withLimits(SLOW), BUDGET, BUDGET);
        UnfinishedGrpcStreams attacker = new UnfinishedGrpcStreams()) {
      flood(r, attacker);
      assertThat(r.receiver.budget().used()).isGreaterThan(BUDGET - 2 * SENT);
      assertThat(r.post("/v1/traces", "application/x-protobuf", null, request(400_000)).statusCode()).isEqualTo(429);
      assertThatThrownBy(() -> r.grpcExport(Signal.TRACES, request(200_000), null))
          .isInstanceOfSatisfying(StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    }
  }
}
