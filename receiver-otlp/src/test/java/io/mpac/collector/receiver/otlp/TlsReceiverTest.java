package io.mpac.collector.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.TraceServiceGrpc;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import io.mpac.collector.testing.RequiredTool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both servers with {@code tls { cert_file, key_file }}, with a throw-away certificate made by openssl. */
class TlsReceiverTest {

  @TempDir static Path dir;
  static Path cert;
  static Path key;

  private final AtomicInteger spans = new AtomicInteger();
  private OtlpReceiver receiver;

  @BeforeAll
  static void makeCertificate() throws Exception {
    cert = dir.resolve("cert.pem");
    key = dir.resolve("key.pem");
    Process p;
    try {
      p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
          "-nodes", "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=localhost",
          "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost").redirectErrorStream(true).start();
    } catch (IOException e) {
      RequiredTool.missing("openssl", "it cannot be started: " + e.getMessage());
      return;
    }
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  @AfterEach
  void stop() {
    if (receiver != null) receiver.shutdown(Duration.ofSeconds(2));
  }

  private void start() throws Exception {
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
    ReceiverOtlpConfig.Tls tls = new ReceiverOtlpConfig.Tls(cert.toString(), key.toString(), null);
    ReceiverOtlpConfig.Grpc g = ReceiverOtlpConfig.Grpc.of("127.0.0.1", 0);
    ReceiverOtlpConfig.Http h = ReceiverOtlpConfig.Http.of("127.0.0.1", 0);
    receiver = new OtlpReceiver(TestReceiver.context(new SimpleMeterRegistry()), new ReceiverOtlpConfig(
        new ReceiverOtlpConfig.Grpc(g.host(), g.port(), g.maxRecvMsgSize(), g.maxConcurrentStreams(),
            g.readBufferSize(), g.includeMetadata(), g.keepalive(), tls),
        new ReceiverOtlpConfig.Http(h.host(), h.port(), h.maxRequestBodySize(), h.includeMetadata(),
            h.tracesUrlPath(), h.metricsUrlPath(), h.logsUrlPath(), h.cors(), tls),
        counting, counting, counting));
    receiver.start();
  }

  @Test
  void grpcOverTlsIsServedAndPlaintextIsNot() throws Exception {
    start();
    ExportTraceServiceRequest request = Requests.traces(new Random(1), 4);
    ManagedChannel tls = Grpc.newChannelBuilderForAddress("127.0.0.1", receiver.grpcAddress().getPort(),
        TlsChannelCredentials.newBuilder().trustManager(cert.toFile()).build()).build();
    ManagedChannel plain = Grpc.newChannelBuilderForAddress("127.0.0.1", receiver.grpcAddress().getPort(),
        InsecureChannelCredentials.create()).build();
    try {
      TraceServiceGrpc.newBlockingStub(tls).withDeadlineAfter(10, TimeUnit.SECONDS).export(request);
      assertThat(spans.get()).isEqualTo(4);
      assertThatThrownBy(() -> TraceServiceGrpc.newBlockingStub(plain).withDeadlineAfter(10, TimeUnit.SECONDS).export(request))
          .isInstanceOf(StatusRuntimeException.class);
      assertThat(spans.get()).isEqualTo(4);
    } finally {
      tls.shutdownNow();
      plain.shutdownNow();
    }
  }

  @Test
  void httpsIsServedAndPlainHttpIsNot() throws Exception {
    start();
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(cert)) {
      trust.setCertificateEntry("collector", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    HttpClient https = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
    byte[] body = Requests.valid(Signal.TRACES, new Random(2), 3);
    HttpResponse<String> ok = https.send(HttpRequest.newBuilder(
            URI.create("https://127.0.0.1:" + receiver.httpAddress().getPort() + "/v1/traces"))
        .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(spans.get()).isEqualTo(3);
    HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    assertThatThrownBy(() -> plain.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + receiver.httpAddress().getPort() + "/v1/traces"))
        .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(body))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(IOException.class);
    assertThat(spans.get()).isEqualTo(3);
    assertThat(receiver.health().isHealthy()).isTrue();
  }
}
