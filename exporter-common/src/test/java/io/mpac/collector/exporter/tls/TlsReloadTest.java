package io.mpac.collector.exporter.tls;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.mpac.collector.exporter.http.HttpResult;
import io.mpac.collector.exporter.http.HttpTransport;
import io.mpac.collector.testing.OpenSsl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client-side {@code reload_interval}: one {@link HttpTransport} (the exporters' HTTP client) whose
 * {@code ca_file}, {@code cert_file} and {@code key_file} are replaced under it. The server (the
 * JDK's HTTPS server) presents a certificate of CA 2, wants a client certificate of CA 2 and closes
 * every connection after its answer, so each request makes a new connection.
 */
class TlsReloadTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @TempDir static Path certs;
  @TempDir Path live;

  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<String> logged = new ArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      synchronized (logged) {
        logged.add(r.getMessage());
      }
    }

    @Override public void flush() {}
    @Override public void close() {}
  };
  private HttpsServer server;
  private HttpTransport transport;

  @BeforeAll
  static void certificates() throws Exception {
    OpenSsl ssl = new OpenSsl(certs);
    ssl.ca("ca1");
    ssl.ca("ca2");
    ssl.signed("server2", "ca2");
    ssl.signed("client1", "ca1");
    ssl.signed("client2", "ca2");
  }

  @AfterEach
  void stop() {
    Logger.getLogger("io.mpac.collector.exporter.tls").removeHandler(capture);
    if (transport != null) transport.close();
    if (server != null) server.stop(0);
    pool.shutdownNow();
  }

  private void install(String from, String to) throws Exception {
    Path tmp = live.resolve(to + ".tmp");
    Files.copy(certs.resolve(from), tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, live.resolve(to), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private URI start() throws Exception {
    TlsSettings own = TlsSettings.NONE.withClientCertificateFiles(certs.resolve("server2.pem").toString(),
        certs.resolve("server2.key").toString()).withCaFile(certs.resolve("ca2.pem").toString());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(TlsContexts.keyManagers(own), TlsContexts.trustManagers(own), null);
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ctx) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters p = ctx.getDefaultSSLParameters();
        p.setNeedClientAuth(true);
        params.setSSLParameters(p);
      }
    });
    server.setExecutor(pool);
    server.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      ex.getResponseHeaders().set("Connection", "close");
      ex.sendResponseHeaders(204, -1);
      ex.close();
    });
    server.start();
    return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/push");
  }

  private boolean post() throws InterruptedException {
    HttpResult r = transport.post(new byte[] {1}, 1, TIMEOUT);
    return r.answered() && r.status() == 204;
  }

  private static void await(String what, LongSupplier counter, long atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (counter.getAsLong() < atLeast) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void replacedCaAndClientCertificateAreUsedByNewConnections() throws Exception {
    Logger.getLogger("io.mpac.collector.exporter.tls").addHandler(capture);
    URI url = start();
    install("ca1.pem", "ca.pem");
    install("client1.pem", "client.pem");
    install("client1.key", "client.key");
    TlsSettings tls = TlsSettings.NONE.withCaFile(live.resolve("ca.pem").toString())
        .withClientCertificateFiles(live.resolve("client.pem").toString(), live.resolve("client.key").toString())
        .withReloadInterval(Duration.ofMillis(100));
    transport = HttpTransport.builder(url).tls(tls).build();
    assertThat(post()).as("trusts only CA 1, the server's certificate is of CA 2").isFalse();

    long ok = TlsContexts.reloadsSucceeded();
    install("ca2.pem", "ca.pem");
    await("CA file reloaded", TlsContexts::reloadsSucceeded, ok + 1);
    assertThat(post()).as("trusts CA 2 now, but presents a client certificate of CA 1").isFalse();

    install("client2.pem", "client.pem");
    install("client2.key", "client.key");
    // the two files may be seen one at a time: a mismatched pair fails once, then loads
    await("client certificate reloaded", TlsContexts::reloadsSucceeded, ok + 2);
    assertThat(post()).as("CA 2 trusted, client certificate of CA 2").isTrue();

    long failed = TlsContexts.reloadsFailed();
    Files.writeString(live.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n");
    await("broken CA file reported", TlsContexts::reloadsFailed, failed + 1);
    assertThat(post()).as("the CAs in use are kept").isTrue();
    String key = Files.readString(certs.resolve("client2.key")).replaceAll("-----[A-Z ]+-----", "")
        .replaceAll("\\s", "").substring(0, 24);
    synchronized (logged) {
      assertThat(logged).anySatisfy(m -> assertThat(m).contains("not reloaded").contains("ca.pem"));
      for (String m : logged) assertThat(m).doesNotContain("PRIVATE KEY").doesNotContain(key);
    }
  }

  @Test
  void withoutReloadIntervalTheFilesAreReadOnce() throws Exception {
    URI url = start();
    install("ca2.pem", "ca.pem");
    install("client2.pem", "client.pem");
    install("client2.key", "client.key");
    TlsSettings tls = TlsSettings.NONE.withCaFile(live.resolve("ca.pem").toString())
        .withClientCertificateFiles(live.resolve("client.pem").toString(), live.resolve("client.key").toString());
    transport = HttpTransport.builder(url).tls(tls).build();
    assertThat(post()).isTrue();
    install("ca1.pem", "ca.pem");
    Thread.sleep(1_000); // ten times the interval of the other test
    assertThat(post()).as("the CA file was read once, at the first connection").isTrue();
  }
}
