package io.mpac.collector.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Randomized bad input over both transports (fixed seed, bounded count): truncated, bit-flipped,
 * garbage, empty, gzip bombs, wrong id lengths. Every answer must be a 2xx/4xx (never 5xx) or an
 * OK/INVALID_ARGUMENT/RESOURCE_EXHAUSTED status, whatever was accepted must decode with
 * protobuf-java, and after every few bad requests a good one must still be served.
 */
class CorruptionTest {

  static final int LIMIT = 256 * 1024;
  static final int ROUNDS = 150;
  static TestReceiver rx;

  @BeforeAll
  static void start() throws Exception {
    rx = new TestReceiver(g -> g.withMaxRecvMsgSize(LIMIT), h -> h.withMaxRequestBodySize(LIMIT));
  }

  @AfterAll
  static void stop() throws Exception {
    rx.close();
  }

  enum Kind { TRUNCATE, FLIP, GARBAGE, EMPTY, BOMB, BAD_ID, GZIP_FLIP }

  record Case(Kind kind, byte[] body, boolean gzip) {}

  static Case corrupt(Random r, Signal s) {
    byte[] good = Requests.valid(s, r, 1 + r.nextInt(20));
    Kind k = Kind.values()[r.nextInt(Kind.values().length)];
    return switch (k) {
      case TRUNCATE -> new Case(k, Arrays.copyOf(good, r.nextInt(good.length)), false);
      case FLIP -> {
        byte[] b = good.clone();
        for (int i = 1 + r.nextInt(4); i > 0; i--) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        yield new Case(k, b, false);
      }
      case GARBAGE -> {
        byte[] b = new byte[r.nextInt(512)];
        r.nextBytes(b);
        yield new Case(k, b, false);
      }
      case EMPTY -> new Case(k, new byte[0], r.nextBoolean());
      case BOMB -> new Case(k, new byte[LIMIT * 4 + r.nextInt(1000)], true);
      case BAD_ID -> new Case(k, Requests.badTraceId(r.nextInt(40)), false);
      case GZIP_FLIP -> {
        byte[] b = Requests.gzip(good);
        b[10 + r.nextInt(b.length - 10)] ^= (byte) (1 << r.nextInt(8));
        yield new Case(k, b, true);
      }
    };
  }

  static void decodes(OtlpRequest req) throws Exception {
    switch (req.signal()) {
      case TRACES -> ExportTraceServiceRequest.parseFrom(req.bytes());
      case METRICS -> ExportMetricsServiceRequest.parseFrom(req.bytes());
      case LOGS -> ExportLogsServiceRequest.parseFrom(req.bytes());
    }
  }

  static void drainAndCheck() throws Exception {
    OtlpRequest req;
    while ((req = rx.capture.received.poll()) != null) decodes(req);
  }

  @Test
  void http() throws Exception {
    Random r = new Random(20260101);
    for (int i = 0; i < ROUNDS; i++) {
      Signal s = Signal.values()[r.nextInt(3)];
      Case c = corrupt(r, s);
      // BAD_ID is a trace request; send it to the traces path so the id check is what trips.
      String path = TestReceiver.path(c.kind == Kind.BAD_ID ? Signal.TRACES : s);
      byte[] body = c.gzip && c.kind != Kind.GZIP_FLIP ? Requests.gzip(c.body) : c.body;
      HttpResponse<byte[]> resp = rx.post(path, "application/x-protobuf", c.gzip ? "gzip" : null, body);
      assertThat(resp.statusCode()).as("%s round %d", c.kind, i).isIn(200, 400, 413);
      if (c.kind == Kind.BOMB) assertThat(resp.statusCode()).isEqualTo(413);
      if (c.kind == Kind.EMPTY) assertThat(resp.statusCode()).isEqualTo(200); // plain or gzip of nothing: an empty request
      drainAndCheck();
      if (i % 10 == 9) {
        byte[] good = Requests.valid(s, r, 3);
        assertThat(rx.post(TestReceiver.path(s), "application/x-protobuf", null, good).statusCode()).isEqualTo(200);
        assertThat(rx.capture.take().bytes()).isEqualTo(good);
      }
    }
  }

  @Test
  void grpc() throws Exception {
    Random r = new Random(20260102);
    Set<Status.Code> allowed = Set.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED);
    for (int i = 0; i < ROUNDS; i++) {
      Signal s = Signal.values()[r.nextInt(3)];
      Case c = corrupt(r, s);
      if (c.kind == Kind.GZIP_FLIP) continue; // gRPC compresses per message on the client side
      Signal target = c.kind == Kind.BAD_ID ? Signal.TRACES : s;
      Status.Code code = Status.Code.OK;
      try {
        rx.grpcExport(target, c.body, c.gzip ? "gzip" : null);
      } catch (StatusRuntimeException e) {
        code = e.getStatus().getCode();
      }
      assertThat(code).as("%s round %d", c.kind, i).isIn(allowed);
      if (c.kind == Kind.BOMB) assertThat(code).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      if (c.kind == Kind.EMPTY) assertThat(code).isEqualTo(Status.Code.OK);
      drainAndCheck();
      if (i % 10 == 9) {
        byte[] good = Requests.valid(s, r, 3);
        rx.grpcExport(s, good, null);
        assertThat(rx.capture.take().bytes()).isEqualTo(good);
      }
    }
  }
}
