package io.mpac.collector.receiver.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.testing.OpenSsl;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code reload_interval} and {@code client_ca_file_reload} on both servers, with the real SDK as
 * the client and openssl-made certificates: a client that trusts only the new CA is refused until
 * the files are replaced and accepted after; a broken file keeps the pair in use, is counted and
 * logged without its content; without {@code reload_interval} nothing is re-read.
 */
class CertificateReloadTest {

  @TempDir static Path certs;
  @TempDir Path live;

  private final AtomicInteger spans = new AtomicInteger();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> logged = new ArrayList<>();
  private final Logger logger = Logger.getLogger("test.reload." + System.nanoTime());
  private OtlpReceiver receiver;

  @BeforeAll
  static void certificates() throws Exception {
    OpenSsl ssl = new OpenSsl(certs);
    for (String ca : List.of("ca1", "ca2")) ssl.ca(ca);
    ssl.signed("server1", "ca1");
    ssl.signed("server2", "ca2");
    ssl.signed("client1", "ca1");
    ssl.signed("client2", "ca2");
  }

  @AfterEach
  void stop() {
    if (receiver != null) receiver.shutdown(Duration.ofSeconds(2));
  }

  /** Copies {@code from} over {@code to} in the live directory, atomically (as a deployment tool would). */
  private void install(String from, String to) throws Exception {
    Path tmp = live.resolve(to + ".tmp");
    Files.copy(certs.resolve(from), tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, live.resolve(to), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void start(ReceiverOtlpConfig.Tls tls) throws Exception {
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
    logger.setUseParentHandlers(false);
    logger.addHandler(new Handler() {
      @Override
      public void publish(LogRecord r) {
        synchronized (logged) {
          logged.add(r.getMessage());
        }
      }

      @Override public void flush() {}
      @Override public void close() {}
    });
    var context = new io.mpac.collector.component.ComponentContext(
        new io.mpac.collector.component.ComponentId("otelcol.receiver.otlp", "reload"), Path.of("target"), registry, logger);
    receiver = new OtlpReceiver(context, new ReceiverOtlpConfig(
        ReceiverOtlpConfig.Grpc.of("127.0.0.1", 0).withTls(tls), ReceiverOtlpConfig.Http.of("127.0.0.1", 0).withTls(tls),
        counting, counting, counting));
    receiver.start();
  }

  private ReceiverOtlpConfig.Tls tls(Duration reload) throws Exception {
    install("server1.pem", "server.pem");
    install("server1.key", "server.key");
    return new ReceiverOtlpConfig.Tls(live.resolve("server.pem").toString(), live.resolve("server.key").toString(),
        null, null, reload, false);
  }

  private double reloads(String result) {
    Counter c = registry.find("otelcol.receiver.tls.reloads").tag("result", result).counter();
    return c == null ? 0 : c.count();
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  private static List<SpanData> oneSpan() {
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
    p.get("reload").spanBuilder("a").startSpan().end();
    p.shutdown();
    return out;
  }

  /**
   * Exports one span over HTTPS and over gRPC with TLS, each with a new exporter (a new connection),
   * trusting only {@code ca} and presenting {@code client}'s certificate when not null.
   */
  private boolean[] export(String ca, String client) throws Exception {
    byte[] trust = Files.readAllBytes(certs.resolve(ca + ".pem"));
    var http = OtlpHttpSpanExporter.builder().setEndpoint("https://127.0.0.1:" + receiver.httpAddress().getPort()
        + "/v1/traces").setTrustedCertificates(trust).setRetryPolicy(null).setTimeout(Duration.ofSeconds(10));
    var grpc = OtlpGrpcSpanExporter.builder().setEndpoint("https://127.0.0.1:" + receiver.grpcAddress().getPort())
        .setTrustedCertificates(trust).setRetryPolicy(null).setTimeout(Duration.ofSeconds(10));
    if (client != null) {
      byte[] key = Files.readAllBytes(certs.resolve(client + ".key"));
      byte[] cert = Files.readAllBytes(certs.resolve(client + ".pem"));
      http.setClientTls(key, cert);
      grpc.setClientTls(key, cert);
    }
    boolean[] ok = new boolean[2];
    int i = 0;
    for (SpanExporter e : List.of(http.build(), grpc.build())) {
      ok[i++] = e.export(oneSpan()).join(15, TimeUnit.SECONDS).isSuccess();
      e.shutdown().join(5, TimeUnit.SECONDS);
    }
    return ok;
  }

  @Test
  void replacedCertificateIsServedToNewConnections() throws Exception {
    start(tls(Duration.ofMillis(100)));
    assertThat(export("ca1", null)).as("old CA, before").containsExactly(true, true);
    assertThat(export("ca2", null)).as("only the new CA, before the reload").containsExactly(false, false);
    assertThat(spans.get()).isEqualTo(2);

    install("server2.pem", "server.pem");
    install("server2.key", "server.key");
    // two servers, each with its own check: both reload (a half-written pair may fail once first)
    await("both servers reloaded", () -> reloads("ok") >= 2);
    assertThat(export("ca2", null)).as("only the new CA, after the reload").containsExactly(true, true);
    assertThat(export("ca1", null)).as("old CA, after").containsExactly(false, false);
    assertThat(spans.get()).isEqualTo(4);
    assertThat(receiver.health().isHealthy()).isTrue();
  }

  @Test
  void brokenFilesKeepTheCertificateInUseAndAreReportedWithoutTheirContent() throws Exception {
    start(tls(Duration.ofMillis(100)));
    String secretKey = Files.readString(certs.resolve("server2.key"));
    // a key that does not belong to the certificate, then a certificate that is not PEM
    install("server2.key", "server.key");
    await("mismatched pair refused twice (both servers)", () -> reloads("failed") >= 2);
    Files.writeString(live.resolve("server.pem"), "not a certificate\n");
    await("garbage refused twice more", () -> reloads("failed") >= 4);
    assertThat(reloads("ok")).isZero();
    assertThat(export("ca1", null)).as("the first pair is still served").containsExactly(true, true);
    synchronized (logged) {
      assertThat(logged).anySatisfy(m -> assertThat(m).contains("not reloaded").contains("server.key")
          .contains("does not belong to the certificate"));
      assertThat(logged).anySatisfy(m -> assertThat(m).contains("not a readable PEM certificate"));
      String keyBody = secretKey.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "").substring(0, 24);
      for (String m : logged) assertThat(m).doesNotContain("PRIVATE KEY").doesNotContain(keyBody);
    }
    // fixed files load again
    install("server2.pem", "server.pem");
    await("fixed pair reloaded", () -> reloads("ok") >= 2);
    assertThat(export("ca2", null)).containsExactly(true, true);
  }

  @Test
  void withoutReloadIntervalTheFilesAreReadOnce() throws Exception {
    start(tls(null));
    install("server2.pem", "server.pem");
    install("server2.key", "server.key");
    Thread.sleep(1_000); // ten times the interval the other tests use: long enough to see a reload
    assertThat(export("ca2", null)).as("new files are not read").containsExactly(false, false);
    assertThat(export("ca1", null)).containsExactly(true, true);
    assertThat(reloads("ok") + reloads("failed")).isZero();
  }

  @Test
  void clientCaFileReload() throws Exception {
    install("ca1.pem", "clients.pem");
    ReceiverOtlpConfig.Tls base = tls(null);
    start(new ReceiverOtlpConfig.Tls(base.certFile(), base.keyFile(), live.resolve("clients.pem").toString(), null,
        Duration.ofMillis(100), true));
    assertThat(export("ca1", "client1")).as("client of the first client CA").containsExactly(true, true);
    assertThat(export("ca1", "client2")).as("client of the second, before").containsExactly(false, false);
    install("ca2.pem", "clients.pem");
    await("client CA reloaded on both servers", () -> reloads("ok") >= 2);
    assertThat(export("ca1", "client2")).as("client of the second, after").containsExactly(true, true);
    assertThat(export("ca1", "client1")).as("client of the first, after").containsExactly(false, false);
    assertThat(spans.get()).isEqualTo(4);
  }
}
