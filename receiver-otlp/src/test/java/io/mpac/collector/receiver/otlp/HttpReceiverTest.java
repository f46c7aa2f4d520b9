package io.mpac.collector.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.rpc.RetryInfo;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** OTLP/HTTP status codes and bodies, one test per case. Body limit 1 MiB. */
class HttpReceiverTest {

  static final int LIMIT = 1 << 20;
  static final String PB = "application/x-protobuf";
  static final String JSON = "application/json";
  static TestReceiver rx;

  @BeforeAll
  static void start() throws Exception {
    rx = new TestReceiver(null, h -> h.withMaxRequestBodySize(LIMIT).withIncludeMetadata(true)
        .withCors(new ReceiverOtlpConfig.Cors(List.of("https://app.example.com", "https://*.shop.example"),
            List.of("X-Tenant"), 600)));
  }

  @AfterAll
  static void stop() throws Exception {
    rx.close();
  }

  @BeforeEach
  void reset() {
    rx.capture.received.clear();
    rx.capture.failWith = null;
    rx.capture.crashWith = null;
  }

  static com.google.rpc.Status status(HttpResponse<byte[]> r) throws Exception {
    assertThat(r.headers().firstValue("content-type")).hasValue(PB);
    return com.google.rpc.Status.parseFrom(r.body());
  }

  @Test
  void protobufAcceptedWithEmptyResponseAndMetadata() throws Exception {
    byte[] body = Requests.valid(Signal.TRACES, new Random(1), 3);
    HttpResponse<byte[]> r = rx.send(HttpRequest.newBuilder(URI.create(rx.httpUrl("/v1/traces")))
        .header("Content-Type", PB).header("X-Scope-OrgID", "tenant-a").POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue(PB);
    assertThat(r.body()).isEmpty(); // ExportTraceServiceResponse with partial_success unset
    OtlpRequest got = rx.capture.take();
    assertThat(got.bytes()).isEqualTo(body);
    assertThat(got.itemCount()).isEqualTo(3);
    assertThat(got.metadata().get("X-Scope-OrgID")).containsExactly("tenant-a");
  }

  @Test
  void jsonAcceptedAndAnsweredInJson() throws Exception {
    String json = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"5B8EFFF798038103D269B633813FC60C\","
        + "\"spanId\":\"EEE19B7EC3C1B174\",\"name\":\"x\",\"kind\":\"SPAN_KIND_CLIENT\"}]}]}]}";
    HttpResponse<byte[]> r = rx.post("/v1/traces", "application/json; charset=utf-8", null,
        json.getBytes(StandardCharsets.UTF_8));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("content-type")).hasValue(JSON);
    assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("{}");
    var span = ExportTraceServiceRequest.parseFrom(rx.capture.take().bytes()).getResourceSpans(0).getScopeSpans(0)
        .getSpans(0);
    assertThat(span.getName()).isEqualTo("x");
    assertThat(span.getKindValue()).isEqualTo(3);
  }

  @Test
  void gzipAndDeflateBodies() throws Exception {
    byte[] body = Requests.valid(Signal.LOGS, new Random(2), 4);
    assertThat(rx.post("/v1/logs", PB, "gzip", Requests.gzip(body)).statusCode()).isEqualTo(200);
    assertThat(rx.capture.take().bytes()).isEqualTo(body);
    java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(z)) {
      d.write(body);
    }
    assertThat(rx.post("/v1/logs", PB, "deflate", z.toByteArray()).statusCode()).isEqualTo(200);
    assertThat(rx.capture.take().itemCount()).isEqualTo(4);
    java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(raw, new Deflater(6, true))) {
      d.write(body);
    }
    assertThat(rx.post("/v1/logs", PB, "deflate", raw.toByteArray()).statusCode()).isEqualTo(200);
    assertThat(rx.capture.take().itemCount()).isEqualTo(4);
  }

  @Test
  void malformedProtobufIs400WithStatus() throws Exception {
    HttpResponse<byte[]> r = rx.post("/v1/metrics", PB, null, new byte[] {0x0a, 0x05, 0x01});
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(status(r).getMessage()).startsWith("invalid metrics request: resource_metrics[0]: truncated");
    assertThat(status(r).getCode()).isEqualTo(3);
    assertThat(rx.capture.received).isEmpty();
    assertThat(rx.registry.find("otelcol.receiver.malformed.requests").tag("transport", "http")
        .tag("signal", "metrics").counter().count()).isPositive();
  }

  @Test
  void truncatedProtobufIs400() throws Exception {
    byte[] body = Requests.valid(Signal.TRACES, new Random(3), 5);
    HttpResponse<byte[]> r = rx.post("/v1/traces", PB, null, java.util.Arrays.copyOf(body, body.length - 3));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(status(r).getMessage()).contains("truncated");
  }

  @Test
  void badIdLengthIs400NamingTheField() throws Exception {
    HttpResponse<byte[]> r = rx.post("/v1/traces", PB, null, Requests.badTraceId(5));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(status(r).getMessage()).isEqualTo(
        "invalid traces request: resource_spans[0].scope_spans[0].spans[0].trace_id: expected 16 bytes, got 5");
  }

  @Test
  void badJsonIs400WithJsonStatus() throws Exception {
    HttpResponse<byte[]> r = rx.post("/v1/logs", JSON, null, "{\"resourceLogs\": [".getBytes());
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("content-type")).hasValue(JSON);
    JsonNode status = new ObjectMapper().readTree(r.body());
    assertThat(status.get("code").asInt()).isEqualTo(3);
    assertThat(status.get("message").asText()).startsWith("invalid logs request: invalid JSON");
    HttpResponse<byte[]> badId = rx.post("/v1/traces", JSON, null,
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"abcd\",\"spanId\":\"EEE19B7EC3C1B174\"}]}]}]}"
            .getBytes());
    assertThat(badId.statusCode()).isEqualTo(400);
    assertThat(new ObjectMapper().readTree(badId.body()).get("message").asText())
        .endsWith("trace_id: expected 16 bytes, got 2");
  }

  @Test
  void emptyBodies() throws Exception {
    assertThat(rx.post("/v1/traces", PB, null, new byte[0]).statusCode()).isEqualTo(200); // an empty request
    assertThat(rx.post("/v1/traces", JSON, null, new byte[0]).statusCode()).isEqualTo(400);
    assertThat(rx.post("/v1/traces", JSON, null, "{}".getBytes()).statusCode()).isEqualTo(200);
    assertThat(rx.post("/v1/traces", PB, "gzip", new byte[0]).statusCode()).isEqualTo(400);
  }

  @Test
  void wrongContentTypeIs415() throws Exception {
    HttpResponse<byte[]> r = rx.post("/v1/traces", "text/plain", null, "hello".getBytes());
    assertThat(r.statusCode()).isEqualTo(415);
    assertThat(rx.post("/v1/traces", null, null, new byte[0]).statusCode()).isEqualTo(415);
  }

  @Test
  void unsupportedContentEncodingIs415() throws Exception {
    assertThat(rx.post("/v1/traces", PB, "br", new byte[] {1}).statusCode()).isEqualTo(415);
  }

  @Test
  void corruptGzipIs400() throws Exception {
    byte[] gz = Requests.gzip(Requests.valid(Signal.TRACES, new Random(4), 2));
    gz[gz.length / 2] ^= 0x55;
    HttpResponse<byte[]> r = rx.post("/v1/traces", PB, "gzip", java.util.Arrays.copyOf(gz, gz.length - 4));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(status(r).getMessage()).contains("gzip");
  }

  @Test
  void unknownPathIs404() throws Exception {
    assertThat(rx.post("/v1/profiles", PB, null, new byte[0]).statusCode()).isEqualTo(404);
    assertThat(rx.post("/v1/traces/x", PB, null, new byte[0]).statusCode()).isEqualTo(404);
  }

  @Test
  void otherMethodsAre405() throws Exception {
    HttpResponse<byte[]> r = rx.send(HttpRequest.newBuilder(URI.create(rx.httpUrl("/v1/traces"))).GET());
    assertThat(r.statusCode()).isEqualTo(405);
    assertThat(r.headers().firstValue("allow")).hasValue("POST");
    assertThat(rx.send(HttpRequest.newBuilder(URI.create(rx.httpUrl("/v1/logs")))
        .method("PUT", HttpRequest.BodyPublishers.ofByteArray(new byte[10]))).statusCode()).isEqualTo(405);
  }

  @Test
  void oversizeBodyIs413() throws Exception {
    HttpResponse<byte[]> r = rx.post("/v1/traces", PB, null, new byte[LIMIT + 1]);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(status(r).getMessage()).contains("exceeds the limit of " + LIMIT);
  }

  @Test
  void oversizeChunkedBodyIs413() throws Exception {
    HttpResponse<byte[]> r = rx.send(HttpRequest.newBuilder(URI.create(rx.httpUrl("/v1/traces")))
        .header("Content-Type", PB)
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(new byte[LIMIT + 100]))));
    assertThat(r.statusCode()).isEqualTo(413);
  }

  @Test
  void gzipBombIs413() throws Exception {
    byte[] bomb = Requests.gzipBomb(64 << 20); // 64 MiB of zeros in ~64 KiB
    assertThat(bomb.length).isLessThan(LIMIT);
    HttpResponse<byte[]> r = rx.post("/v1/traces", PB, "gzip", bomb);
    assertThat(r.statusCode()).isEqualTo(413);
    assertThat(status(r).getMessage()).contains("decompressed body exceeds the limit");
  }

  @Test
  void refusedIs429WithRetryAfterAndRetryInfo() throws Exception {
    rx.capture.failWith = new ConsumeException.Refused("queue is full", Duration.ofSeconds(3));
    HttpResponse<byte[]> r = rx.post("/v1/traces", PB, null, Requests.valid(Signal.TRACES, new Random(5), 2));
    assertThat(r.statusCode()).isEqualTo(429);
    assertThat(r.headers().firstValue("retry-after")).hasValue("3");
    com.google.rpc.Status s = status(r);
    assertThat(s.getMessage()).isEqualTo("queue is full");
    assertThat(s.getDetails(0).unpack(RetryInfo.class).getRetryDelay().getSeconds()).isEqualTo(3);
    assertThat(rx.registry.find("otelcol.receiver.refused.spans").tag("transport", "http").counter().count())
        .isGreaterThanOrEqualTo(2);

    rx.capture.failWith = new ConsumeException.Refused("memory limit");
    HttpResponse<byte[]> json = rx.post("/v1/logs", JSON, null, "{}".getBytes());
    assertThat(json.statusCode()).isEqualTo(200); // an empty request never reaches the consumer
    HttpResponse<byte[]> jsonRefused = rx.post("/v1/logs", JSON, null,
        "{\"resourceLogs\":[{\"scopeLogs\":[{\"logRecords\":[{\"body\":{\"stringValue\":\"x\"}}]}]}]}".getBytes());
    assertThat(jsonRefused.statusCode()).isEqualTo(429);
    assertThat(jsonRefused.headers().firstValue("retry-after")).hasValue("1");
    JsonNode status = new ObjectMapper().readTree(jsonRefused.body());
    assertThat(status.get("details").get(0).get("@type").asText()).isEqualTo("type.googleapis.com/google.rpc.RetryInfo");
    assertThat(status.get("details").get(0).get("retryDelay").asText()).isEqualTo("1s");
  }

  @Test
  void rejectedIs400AndCrashIs500() throws Exception {
    rx.capture.failWith = new ConsumeException.Rejected("tenant unknown");
    HttpResponse<byte[]> r = rx.post("/v1/traces", PB, null, Requests.valid(Signal.TRACES, new Random(6), 1));
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(status(r).getMessage()).isEqualTo("tenant unknown");
    rx.capture.failWith = null;
    rx.capture.crashWith = new IllegalStateException("bug");
    assertThat(rx.post("/v1/traces", PB, null, Requests.valid(Signal.TRACES, new Random(6), 1)).statusCode())
        .isEqualTo(500);
  }

  @Test
  void corsPreflightAndActualRequest() throws Exception {
    HttpResponse<byte[]> pre = rx.send(HttpRequest.newBuilder(URI.create(rx.httpUrl("/v1/traces")))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://app.example.com")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type, x-tenant, x-other"));
    assertThat(pre.statusCode()).isEqualTo(204);
    assertThat(pre.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example.com");
    assertThat(pre.headers().firstValue("access-control-allow-methods")).hasValue("POST");
    assertThat(pre.headers().firstValue("access-control-allow-headers")).hasValue("content-type, x-tenant");
    assertThat(pre.headers().firstValue("access-control-max-age")).hasValue("600");

    HttpResponse<byte[]> wildcard = rx.send(HttpRequest.newBuilder(URI.create(rx.httpUrl("/v1/traces")))
        .header("Content-Type", PB).header("Origin", "https://eu.shop.example")
        .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[0])));
    assertThat(wildcard.headers().firstValue("access-control-allow-origin")).hasValue("https://eu.shop.example");

    HttpResponse<byte[]> other = rx.send(HttpRequest.newBuilder(URI.create(rx.httpUrl("/v1/traces")))
        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST"));
    assertThat(other.headers().firstValue("access-control-allow-origin")).isEmpty();
  }

  /** Raw socket: two pipelined requests on one kept-alive connection get two answers in order. */
  @Test
  void keepAliveAndPipelining() throws Exception {
    byte[] body = Requests.valid(Signal.TRACES, new Random(7), 1);
    byte[] json = ("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"5B8EFFF798038103D269B633813FC60C\","
        + "\"spanId\":\"EEE19B7EC3C1B174\"}]}]}]}").getBytes();
    try (Socket s = new Socket("127.0.0.1", rx.httpPort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      // JSON first (processed off the event loop), then protobuf: answers must keep this order.
      out.write(("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
          + json.length + "\r\n\r\n").getBytes());
      out.write(json);
      out.write(("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\nContent-Length: "
          + body.length + "\r\n\r\n").getBytes());
      out.write(body);
      out.flush();
      String first = readResponse(s.getInputStream());
      String second = readResponse(s.getInputStream());
      assertThat(first).startsWith("HTTP/1.1 200").containsIgnoringCase("content-type: application/json");
      assertThat(second).startsWith("HTTP/1.1 200").containsIgnoringCase("content-type: application/x-protobuf");
    }
    assertThat(rx.capture.received).hasSize(2);
  }

  /** A body cut short by the client: no answer is possible, the server must just carry on. */
  @Test
  void truncatedHttpBodyThenServerStillServes() throws Exception {
    try (Socket s = new Socket("127.0.0.1", rx.httpPort())) {
      s.getOutputStream().write(("POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n"
          + "Content-Length: 1000\r\n\r\n").getBytes());
      s.getOutputStream().write(new byte[100]);
      s.getOutputStream().flush();
    }
    assertThat(rx.post("/v1/traces", PB, null, Requests.valid(Signal.TRACES, new Random(8), 1)).statusCode())
        .isEqualTo(200);
    assertThat(rx.capture.take().itemCount()).isEqualTo(1);
  }

  @Test
  void garbageHttpIsAnswered400AndClosed() throws Exception {
    try (Socket s = new Socket("127.0.0.1", rx.httpPort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write("\u0001\u0002 NOT HTTP AT ALL\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      String resp = readResponse(s.getInputStream());
      assertThat(resp).startsWith("HTTP/1.1 4");
    }
  }

  /** Reads one response (headers and a Content-Length body) from a raw stream. */
  static String readResponse(InputStream in) throws Exception {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) break;
      head.append((char) c);
    }
    int len = 0;
    for (String line : head.toString().split("\r\n")) {
      if (line.toLowerCase().startsWith("content-length:")) len = Integer.parseInt(line.substring(15).trim());
    }
    in.readNBytes(len);
    return head.toString();
  }
}
