package io.mpac.collector.exporter.prometheus.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A remote-write endpoint that reads each body and answers 204, nothing else. Run in its own
 * process by {@link RemoteWriteBench} so its CPU is not counted as the collector's. Prints its
 * port, then serves until stdin closes.
 */
public final class NoopRemoteWriteServer {

  private NoopRemoteWriteServer() {}

  public static void main(String[] args) throws Exception {
    AtomicLong bytes = new AtomicLong();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext("/api/v1/write", ex -> {
      try (InputStream in = ex.getRequestBody()) {
        bytes.addAndGet(in.readAllBytes().length);
        ex.sendResponseHeaders(204, -1);
      } finally {
        ex.close();
      }
    });
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    System.out.println(server.getAddress().getPort());
    System.out.flush();
    while (System.in.read() >= 0) {
      // wait for the parent to close our stdin
    }
    server.stop(0);
    System.exit(0);
  }
}
