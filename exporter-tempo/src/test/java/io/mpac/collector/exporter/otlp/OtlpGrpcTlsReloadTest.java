package io.mpac.collector.exporter.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.TlsServerCredentials;
import io.mpac.collector.exporter.SendOutcome;
import io.mpac.collector.exporter.tls.OtlpTls;
import io.mpac.collector.exporter.tls.TlsContexts;
import io.mpac.collector.exporter.tls.TlsSettings;
import io.mpac.collector.testing.OpenSsl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code client { tls { reload_interval } }} of the gRPC exporter (Netty's client TLS): one sender
 * trusting only CA 1 is refused by a server whose certificate is of CA 2, and is served once its
 * {@code ca_file} holds CA 2, without a restart.
 */
class OtlpGrpcTlsReloadTest {

  @TempDir static Path certs;
  @TempDir Path live;

  @BeforeAll
  static void certificates() throws Exception {
    OpenSsl ssl = new OpenSsl(certs);
    ssl.ca("ca1");
    ssl.ca("ca2");
    ssl.signed("server2", "ca2");
  }

  private void install(String from, String to) throws Exception {
    Path tmp = live.resolve(to + ".tmp");
    Files.copy(certs.resolve(from), tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, live.resolve(to), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  @Test
  void aReplacedCaFileIsUsedForNewConnections() throws Exception {
    install("ca1.pem", "ca.pem");
    try (FakeOtlpGrpcBackend b = new FakeOtlpGrpcBackend(0, TlsServerCredentials.newBuilder()
        .keyManager(certs.resolve("server2.pem").toFile(), certs.resolve("server2.key").toFile()).build())) {
      OtlpTls tls = new OtlpTls(false, TlsSettings.NONE.withCaFile(live.resolve("ca.pem").toString())
          .withReloadInterval(Duration.ofMillis(100)));
      OtlpGrpcSender sender = new OtlpGrpcSender(OtlpGrpcExporterConfig.Client.plaintext("127.0.0.1:" + b.port())
          .withTls(true, tls));
      sender.start();
      try {
        assertThat(sender.send(TestData.tracesRequest(1, 3), Duration.ofSeconds(5)))
            .as("CA 1 does not vouch for the server").isNotEqualTo(SendOutcome.success());
        long ok = TlsContexts.reloadsSucceeded();
        install("ca2.pem", "ca.pem");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (TlsContexts.reloadsSucceeded() <= ok) {
          assertThat(System.nanoTime()).as("CA file reloaded").isLessThan(deadline);
          Thread.sleep(20);
        }
        // the channel retries its connection with backoff: try until served, bounded
        SendOutcome last = null;
        while (System.nanoTime() < deadline) {
          last = sender.send(TestData.tracesRequest(1, 3), Duration.ofSeconds(2));
          if (last.equals(SendOutcome.success())) break;
          Thread.sleep(200);
        }
        assertThat(last).as("served after the reload, same sender").isEqualTo(SendOutcome.success());
      } finally {
        sender.close(Duration.ofSeconds(1));
      }
    }
  }
}
