package io.mpac.collector.exporter.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP/1.1 client of remote write over plain {@code http://}, against a scripted server on
 * 127.0.0.1 that answers each request with the next canned response (raw bytes), so that framing
 * (fixed length, chunked, read to close), interim responses, keep-alive, stale connections and
 * timeouts are each exercised.
 */
class Http1ClientTest {

  private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(5);

  private final ScheduledExecutorService watchdog = new ScheduledThreadPoolExecutor(1);
  private ScriptedServer server;
  private Http1Client client;

  @AfterEach
  void close() throws Exception {
    if (client != null) client.close();
    if (server != null) server.close();
    watchdog.shutdownNow();
  }

  /** Answers request after request with the scripted responses; {@code null} = close without answering. */
  private static final class ScriptedServer implements AutoCloseable {
    final ServerSocket socket;
    final BlockingQueue<String> responses = new LinkedBlockingQueue<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final AtomicInteger connections = new AtomicInteger();
    /** After answering, close the connection. */
    volatile boolean closeAfterEach;
    /** Do not read requests (a server that stopped reading). */
    volatile boolean silent;
    private final Thread thread;

    ScriptedServer() throws IOException {
      socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
      thread = new Thread(this::acceptLoop, "scripted-http");
      thread.setDaemon(true);
      thread.start();
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/api/v1/write?x=1");
    }

    private void acceptLoop() {
      while (!socket.isClosed()) {
        try {
          Socket s = socket.accept();
          connections.incrementAndGet();
          Thread t = new Thread(() -> serve(s), "scripted-http-conn");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      try (s) {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        while (true) {
          if (silent) {
            Thread.sleep(10_000); // holds the connection, reads nothing
            return;
          }
          String head = readHead(in);
          if (head == null) return;
          int length = 0;
          for (String line : head.split("\r\n")) {
            if (line.toLowerCase().startsWith("content-length:")) length = Integer.parseInt(line.substring(15).trim());
          }
          byte[] body = in.readNBytes(length);
          requests.add(head + "\r\n\r\n" + new String(body, StandardCharsets.ISO_8859_1));
          String response = responses.poll(10, TimeUnit.SECONDS);
          if (response == null || response.equals("HANG")) {
            Thread.sleep(10_000);
            return;
          }
          out.write(response.getBytes(StandardCharsets.ISO_8859_1));
          out.flush();
          if (closeAfterEach || response.contains("Connection: close")) return;
        }
      } catch (IOException | InterruptedException e) {
        // connection done
      }
    }

    private static String readHead(InputStream in) throws IOException {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      int state = 0;
      for (int i = 0; i < 64 * 1024; i++) {
        int c = in.read();
        if (c < 0) return null;
        b.write(c);
        state = (c == '\r' && (state == 0 || state == 2)) ? state + 1 : (c == '\n' && (state == 1 || state == 3))
            ? state + 1 : 0;
        if (state == 4) {
          String s = b.toString(StandardCharsets.ISO_8859_1);
          return s.substring(0, s.length() - 4);
        }
      }
      throw new IOException("request head too long");
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  private Http1Client client(String... headers) {
    client = new Http1Client(server.url(), headers, 2_000, watchdog);
    return client;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void postsWithHostLengthAndHeadersAndKeepsTheConnection() throws Exception {
    server = new ScriptedServer();
    server.responses.add("HTTP/1.1 204 No Content\r\n\r\n");
    server.responses.add("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    Http1Client c = client("Content-Encoding", "snappy", "X-Scope-OrgID", "tenant-1");
    byte[] body = bytes("\u0000\u00ffbody");
    assertThat(c.post(body, 4, TIMEOUT).status()).isEqualTo(204);
    Http1Client.Response second = c.post(body, body.length, TIMEOUT);
    assertThat(second.status()).isEqualTo(200);
    assertThat(new String(second.body(), StandardCharsets.US_ASCII)).isEqualTo("ok");
    assertThat(server.connections.get()).isEqualTo(1);
    String first = server.requests.get(0);
    assertThat(first).startsWith("POST /api/v1/write?x=1 HTTP/1.1\r\n")
        .contains("\r\nHost: 127.0.0.1:" + server.socket.getLocalPort() + "\r\n")
        .contains("\r\nContent-Encoding: snappy\r\n").contains("\r\nX-Scope-OrgID: tenant-1\r\n")
        .contains("\r\nContent-Length: 4\r\n").endsWith("\r\n\r\n\u0000\u00ffbo");
    assertThat(server.requests.get(1)).endsWith("\r\n\r\n\u0000\u00ffbody");
  }

  @Test
  void readsChunkedBodiesSkipsInterimResponsesAndKeepsRetryAfter() throws Exception {
    server = new ScriptedServer();
    server.responses.add("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n"
        + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n");
    server.responses.add("HTTP/1.1 429 Too Many Requests\r\nretry-after: 7\r\nContent-Length: 3\r\n\r\nabc");
    Http1Client c = client();
    Http1Client.Response r = c.post(bytes("x"), 1, TIMEOUT);
    assertThat(r.status()).isEqualTo(400);
    assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("hello world");
    Http1Client.Response r2 = c.post(bytes("y"), 1, TIMEOUT);
    assertThat(r2.status()).isEqualTo(429);
    assertThat(r2.retryAfter()).isEqualTo("7");
    assertThat(server.connections.get()).as("chunked framing kept the connection usable").isEqualTo(1);
  }

  @Test
  void aBodyReadToTheCloseAndConnectionCloseMeanANewConnectionNextTime() throws Exception {
    server = new ScriptedServer();
    server.responses.add("HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\n\r\nboom");
    server.responses.add("HTTP/1.1 204 No Content\r\n\r\n");
    Http1Client c = client();
    Http1Client.Response r = c.post(bytes("x"), 1, TIMEOUT);
    assertThat(r.status()).isEqualTo(500);
    assertThat(new String(r.body(), StandardCharsets.US_ASCII)).isEqualTo("boom");
    assertThat(c.post(bytes("x"), 1, TIMEOUT).status()).isEqualTo(204);
    assertThat(server.connections.get()).isEqualTo(2);
  }

  @Test
  void anIdleConnectionTheServerClosedIsReplacedWithoutAFailure() throws Exception {
    server = new ScriptedServer();
    server.closeAfterEach = true; // answers, then closes without saying so
    server.responses.add("HTTP/1.1 204 No Content\r\n\r\n");
    server.responses.add("HTTP/1.1 204 No Content\r\n\r\n");
    Http1Client c = client();
    assertThat(c.post(bytes("a"), 1, TIMEOUT).status()).isEqualTo(204);
    Thread.sleep(50); // let the close arrive: the next request finds a dead connection
    assertThat(c.post(bytes("b"), 1, TIMEOUT).status()).isEqualTo(204);
    assertThat(server.connections.get()).isEqualTo(2);
    assertThat(server.requests).hasSize(2);
  }

  @Test
  void aServerThatDoesNotAnswerTimesOut() throws Exception {
    server = new ScriptedServer();
    server.responses.add("HANG");
    Http1Client c = client();
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> c.post(bytes("x"), 1, TimeUnit.MILLISECONDS.toNanos(300)))
        .isInstanceOf(Http1Client.TimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void aServerThatStopsReadingTimesOutAWriteThatWouldBlock() throws Exception {
    server = new ScriptedServer();
    server.silent = true;
    Http1Client c = client();
    byte[] big = new byte[32 << 20]; // far more than the socket buffers hold
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> c.post(big, big.length, TimeUnit.MILLISECONDS.toNanos(300)))
        .isInstanceOf(Http1Client.TimeoutException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
  }

  @Test
  void nobodyListeningIsAnIoErrorAndLineBreaksInHeadersAreRefused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    client = new Http1Client(URI.create("http://127.0.0.1:" + port + "/w"), new String[0], 1_000, watchdog);
    assertThatThrownBy(() -> client.post(bytes("x"), 1, TIMEOUT)).isInstanceOf(IOException.class)
        .isNotInstanceOf(Http1Client.TimeoutException.class);
    assertThatThrownBy(() -> new Http1Client(URI.create("http://127.0.0.1:1/w"), new String[] {"X-A", "a\r\nX-B: b"},
        1_000, watchdog)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line breaks");
  }
}
