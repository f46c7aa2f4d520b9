package io.mpac.collector.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.mpac.collector.exporter.tls.TlsContexts;
import io.mpac.collector.exporter.tls.TlsSettings;
import io.mpac.collector.testing.RequiredTool;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport's https path with certificates made by openssl: a CA, a server certificate for
 * {@code collector.test} only (so that 127.0.0.1 fails the host check unless {@code server_name}
 * says otherwise) and a client certificate. The server is the JDK's HTTPS server, its SSL context
 * built with {@link TlsContexts} from the same PEM files.
 */
class HttpTransportTlsTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir
  static Path dir;
  static Path ca;
  static Path serverCert;
  static Path serverKey;
  static Path clientCert;
  static Path clientKey;

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private HttpsServer server;
  private HttpTransport transport;
  private final CountDownLatch release = new CountDownLatch(1);

  @BeforeAll
  static void makeCertificates() throws Exception {
    ca = dir.resolve("ca.pem");
    serverCert = dir.resolve("server.pem");
    serverKey = dir.resolve("server.key");
    clientCert = dir.resolve("client.pem");
    clientKey = dir.resolve("client.key");
    Path caKey = dir.resolve("ca.key");
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
        caKey.toString(), "-out", ca.toString(), "-days", "2", "-subj", "/CN=test-ca");
    leaf("server", "collector.test", "subjectAltName=DNS:collector.test\nextendedKeyUsage=serverAuth\n",
        serverCert, serverKey, caKey);
    leaf("client", "client", "extendedKeyUsage=clientAuth\n", clientCert, clientKey, caKey);
  }

  private static void leaf(String name, String cn, String ext, Path cert, Path key, Path caKey) throws Exception {
    Path csr = dir.resolve(name + ".csr");
    Path extFile = dir.resolve(name + ".ext");
    Files.writeString(extFile, ext);
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(),
        "-out", csr.toString(), "-subj", "/CN=" + cn);
    openssl("x509", "-req", "-in", csr.toString(), "-CA", ca.toString(), "-CAkey", caKey.toString(),
        "-CAcreateserial", "-out", cert.toString(), "-days", "2", "-extfile", extFile.toString());
  }

  private static void openssl(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    } catch (IOException e) {
      RequiredTool.missing("openssl", "it cannot be started: " + e.getMessage());
      return;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) throw new AssertionError("openssl failed: " + out);
  }

  @AfterEach
  void stop() {
    release.countDown();
    if (transport != null) transport.close();
    if (server != null) server.stop(0);
    pool.shutdownNow();
  }

  /** An HTTPS server answering 200 "ok"; {@code needClientAuth} asks for a certificate from the CA. */
  private URI start(boolean needClientAuth, String[] protocols, boolean hang) throws Exception {
    TlsSettings own = TlsSettings.NONE.withClientCertificateFiles(serverCert.toString(), serverKey.toString())
        .withCaFile(ca.toString());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(TlsContexts.keyManagers(own), TlsContexts.trustManagers(own), null);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ctx) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters p = ctx.getDefaultSSLParameters();
        p.setNeedClientAuth(needClientAuth);
        if (protocols != null) p.setProtocols(protocols);
        params.setSSLParameters(p);
      }
    });
    server.setExecutor(pool);
    server.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      if (hang) {
        try {
          release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      byte[] b = "ok".getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, b.length);
      ex.getResponseBody().write(b);
      ex.close();
    });
    server.start();
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/v1/push");
  }

  private HttpResult post(URI url, TlsSettings tls) throws Exception {
    if (transport != null) transport.close();
    transport = HttpTransport.builder(url).tls(tls).build();
    return transport.post(new byte[] {1, 2, 3}, 3, TIMEOUT);
  }

  @Test
  void trustsTheConfiguredCaAndChecksServerNameInsteadOfTheUrlHost() throws Exception {
    URI url = start(false, null, false);
    TlsSettings withCa = TlsSettings.NONE.withCaFile(ca.toString());

    assertThat(post(url, TlsSettings.NONE).error()).as("system trust store").isNotNull();
    assertThat(post(url, withCa).error()).as("the URL's host 127.0.0.1 is not in the certificate")
        .isNotNull();
    HttpResult named = post(url, withCa.withServerName("collector.test"));
    assertThat(named.status()).isEqualTo(200);
    assertThat(named.shortBody()).isEqualTo("ok");
    assertThat(post(url, withCa.withServerName("other.test")).error()).contains("TLS handshake");
    assertThat(post(url, TlsSettings.NONE.withInsecureSkipVerify(true)).status()).isEqualTo(200);
  }

  @Test
  void inlineCaPemWorksLikeTheFile() throws Exception {
    URI url = start(false, null, false);
    TlsSettings inline = new TlsSettings("", Files.readString(ca), "", "", "", "", false, "collector.test", "", "");
    assertThat(post(url, inline).status()).isEqualTo(200);
  }

  @Test
  void presentsTheClientCertificateWhenTheServerAsksForOne() throws Exception {
    URI url = start(true, null, false);
    TlsSettings base = TlsSettings.NONE.withCaFile(ca.toString()).withServerName("collector.test");
    assertThat(post(url, base).answered()).as("no client certificate").isFalse();
    HttpResult r = post(url, base.withClientCertificateFiles(clientCert.toString(), clientKey.toString()));
    assertThat(r.status()).isEqualTo(200);
  }

  @Test
  void minVersionAboveWhatTheServerSpeaksFailsTheHandshake() throws Exception {
    URI url = start(false, new String[] {"TLSv1.2"}, false);
    TlsSettings base = TlsSettings.NONE.withCaFile(ca.toString()).withServerName("collector.test");
    assertThat(post(url, base.withVersions("TLS12", "TLS12")).status()).isEqualTo(200);
    assertThat(post(url, base.withVersions("TLS13", "")).error()).contains("TLS handshake");
  }

  @Test
  void abortAndTimeoutOnTheJdkClient() throws Exception {
    URI url = start(false, null, true);
    transport = HttpTransport.builder(url).tls(TlsSettings.NONE.withInsecureSkipVerify(true)).build();
    assertThat(transport.post(new byte[] {1}, 1, Duration.ofMillis(500)).error()).startsWith("timed out after 500ms");
    Future<HttpResult> inFlight = pool.submit(() -> transport.post(new byte[] {1}, 1, Duration.ofSeconds(30)));
    Thread.sleep(300); // let it reach the server (either way the result must be "aborted")
    transport.abort();
    assertThat(inFlight.get(5, TimeUnit.SECONDS).error()).isEqualTo("request aborted");
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }
}
