package io.mpac.collector.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.testing.RequiredTool;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS: gRPC with {@code client_ca_pem}, HTTP with {@code client_ca_file}. The real SDK
 * with a client certificate signed by the CA is served; without a certificate, or with one the CA
 * did not sign, it is refused. Certificates are made by openssl.
 */
class MutualTlsReceiverTest {

  @TempDir static Path dir;

  private final AtomicInteger spans = new AtomicInteger();
  private OtlpReceiver receiver;

  private static void openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      RequiredTool.missing("openssl", "it cannot be started: " + e.getMessage());
      return;
    }
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }

  private static final String EC = "ec_paramgen_curve:prime256v1";

  @BeforeAll
  static void certificates() throws Exception {
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", EC, "-nodes", "-keyout", "server.key", "-out", "server.pem",
        "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    for (String ca : List.of("ca", "otherca")) {
      openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", EC, "-nodes", "-keyout", ca + ".key", "-out", ca + ".pem",
          "-days", "2", "-subj", "/CN=" + ca);
    }
    for (String[] client : new String[][] {{"client", "ca"}, {"stranger", "otherca"}}) {
      openssl("req", "-newkey", "ec", "-pkeyopt", EC, "-nodes", "-keyout", client[0] + ".key", "-out",
          client[0] + ".csr", "-subj", "/CN=" + client[0]);
      openssl("x509", "-req", "-in", client[0] + ".csr", "-CA", client[1] + ".pem", "-CAkey", client[1] + ".key",
          "-CAcreateserial", "-out", client[0] + ".pem", "-days", "2");
    }
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
    String cert = dir.resolve("server.pem").toString();
    String key = dir.resolve("server.key").toString();
    ReceiverOtlpConfig.Tls grpcTls = new ReceiverOtlpConfig.Tls(cert, key, null,
        Files.readString(dir.resolve("ca.pem")));
    ReceiverOtlpConfig.Tls httpTls = new ReceiverOtlpConfig.Tls(cert, key, dir.resolve("ca.pem").toString(), null);
    receiver = new OtlpReceiver(TestReceiver.context(new SimpleMeterRegistry()), new ReceiverOtlpConfig(
        ReceiverOtlpConfig.Grpc.of("127.0.0.1", 0).withTls(grpcTls),
        ReceiverOtlpConfig.Http.of("127.0.0.1", 0).withTls(httpTls),
        counting, counting, counting));
    receiver.start();
  }

  private static List<SpanData> twoSpans() {
    List<SpanData> out = new ArrayList<>();
    SdkTracerProvider p = SdkTracerProvider.builder().addSpanProcessor(new io.opentelemetry.sdk.trace.SpanProcessor() {
      @Override
      public void onStart(io.opentelemetry.context.Context c, io.opentelemetry.sdk.trace.ReadWriteSpan s) {}

      @Override
      public boolean isStartRequired() {
        return false;
      }

      @Override
      public void onEnd(io.opentelemetry.sdk.trace.ReadableSpan s) {
        out.add(s.toSpanData());
      }

      @Override
      public boolean isEndRequired() {
        return true;
      }
    }).build();
    p.get("mtls").spanBuilder("a").startSpan().end();
    p.get("mtls").spanBuilder("b").startSpan().end();
    p.shutdown();
    return out;
  }

  /** Exports two spans over HTTPS and gRPC-TLS with {@code client} ("client", "stranger" or null). */
  private boolean[] export(String client) throws Exception {
    byte[] trust = Files.readAllBytes(dir.resolve("server.pem"));
    var http = OtlpHttpSpanExporter.builder().setEndpoint("https://127.0.0.1:" + receiver.httpAddress().getPort()
        + "/v1/traces").setTrustedCertificates(trust).setRetryPolicy(null).setTimeout(Duration.ofSeconds(10));
    var grpc = OtlpGrpcSpanExporter.builder().setEndpoint("https://127.0.0.1:" + receiver.grpcAddress().getPort())
        .setTrustedCertificates(trust).setRetryPolicy(null).setTimeout(Duration.ofSeconds(10));
    if (client != null) {
      byte[] key = Files.readAllBytes(dir.resolve(client + ".key"));
      byte[] cert = Files.readAllBytes(dir.resolve(client + ".pem"));
      http.setClientTls(key, cert);
      grpc.setClientTls(key, cert);
    }
    boolean[] ok = new boolean[2];
    int i = 0;
    for (SpanExporter e : List.of(http.build(), grpc.build())) {
      ok[i++] = e.export(twoSpans()).join(15, TimeUnit.SECONDS).isSuccess();
      e.shutdown().join(5, TimeUnit.SECONDS);
    }
    return ok;
  }

  @Test
  void clientCertificateIsRequiredAndChecked() throws Exception {
    start();
    assertThat(export("client")).as("signed by the configured CA").containsExactly(true, true);
    assertThat(spans.get()).isEqualTo(4);
    assertThat(export(null)).as("no client certificate").containsExactly(false, false);
    assertThat(export("stranger")).as("signed by another CA").containsExactly(false, false);
    assertThat(spans.get()).isEqualTo(4);
    assertThat(receiver.health().isHealthy()).isTrue();
  }
}
