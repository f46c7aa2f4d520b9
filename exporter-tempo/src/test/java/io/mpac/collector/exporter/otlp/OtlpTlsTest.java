package io.mpac.collector.exporter.otlp;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.grpc.TlsServerCredentials;
import io.mpac.collector.exporter.SendOutcome;
import io.mpac.collector.exporter.tls.OtlpTls;
import io.mpac.collector.exporter.tls.TlsSettings;
import io.mpac.collector.testing.RequiredTool;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS (on by default) against loopback servers with a throw-away certificate made by keytool. */
class OtlpTlsTest {

  @TempDir
  static Path dir;
  static KeyManagerFactory serverKeys;
  static Path caPem;

  @BeforeAll
  static void makeCertificate() throws Exception {
    Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
    if (!Files.isExecutable(keytool)) RequiredTool.missing("keytool", "the JDK at " + keytool.getParent() + " has none");
    Path ks = dir.resolve("server.p12");
    caPem = dir.resolve("ca.pem");
    run(List.of(keytool.toString(), "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
        "-keystore", ks.toString(), "-storepass", "changeit", "-keypass", "changeit"));
    run(List.of(keytool.toString(), "-exportcert", "-rfc", "-alias", "server", "-keystore", ks.toString(),
        "-storepass", "changeit", "-file", caPem.toString()));
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(ks)) {
      store.load(in, "changeit".toCharArray());
    }
    serverKeys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    serverKeys.init(store, "changeit".toCharArray());
  }

  private static void run(List<String> cmd) throws Exception {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("keytool finished").isTrue();
    assertThat(p.exitValue()).as("keytool: " + out).isZero();
  }

  private static OtlpTls tls(boolean skipVerify, String caFile) {
    return new OtlpTls(false, TlsSettings.NONE.withInsecureSkipVerify(skipVerify).withCaFile(caFile));
  }

  private static SendOutcome sendGrpc(int port, OtlpTls tls) throws Exception {
    OtlpGrpcSender sender = new OtlpGrpcSender(OtlpGrpcExporterConfig.Client.plaintext("127.0.0.1:" + port)
        .withTls(true, tls));
    sender.start();
    try {
      return sender.send(TestData.tracesRequest(1, 3), Duration.ofSeconds(5));
    } finally {
      sender.close(Duration.ofSeconds(1));
    }
  }

  @Test
  void grpcOverTlsWithCaFileAndWithSkipVerify() throws Exception {
    try (FakeOtlpGrpcBackend b = new FakeOtlpGrpcBackend(0,
        TlsServerCredentials.newBuilder().keyManager(serverKeys.getKeyManagers()).build())) {
      assertThat(sendGrpc(b.port(), tls(false, caPem.toString()))).isEqualTo(SendOutcome.success());
      assertThat(sendGrpc(b.port(), tls(true, ""))).isEqualTo(SendOutcome.success());
      assertThat(b.spanCount()).isEqualTo(6);
      assertThat(b.spans).hasSize(3); // the same request twice: each span id twice
      // the system trust store does not know this certificate
      assertThat(sendGrpc(b.port(), OtlpTls.DEFAULTS)).isInstanceOf(SendOutcome.Retryable.class);
      assertThat(b.spanCount()).isEqualTo(6);
    }
  }

  @Test
  void httpsWithCaFile() throws Exception {
    HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(serverKeys.getKeyManagers(), null, null);
    server.setHttpsConfigurator(new HttpsConfigurator(ctx));
    AtomicInteger requests = new AtomicInteger();
    server.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      requests.incrementAndGet();
      ex.sendResponseHeaders(200, -1);
      ex.close();
    });
    server.start();
    try {
      String url = "https://127.0.0.1:" + server.getAddress().getPort();
      OtlpHttpExporterConfig base = OtlpHttpExporterConfig.of(url);
      OtlpHttpExporterConfig c = new OtlpHttpExporterConfig(base.urls(), base.encoding(), base.compression(),
          base.headers(), tls(false, caPem.toString()), Duration.ofSeconds(5), base.queue(), base.retry());
      OtlpHttpSender sender = new OtlpHttpSender(c);
      sender.start();
      assertThat(sender.send(TestData.tracesRequest(1, 2), Duration.ofSeconds(5))).isEqualTo(SendOutcome.success());
      OtlpHttpSender untrusted = new OtlpHttpSender(base); // system trust store only
      untrusted.start();
      assertThat(untrusted.send(TestData.tracesRequest(1, 2), Duration.ofSeconds(5)))
          .isInstanceOf(SendOutcome.Retryable.class);
      assertThat(requests.get()).isEqualTo(1);
    } finally {
      server.stop(0);
    }
  }
}
