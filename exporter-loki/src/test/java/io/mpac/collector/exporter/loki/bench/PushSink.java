package io.mpac.collector.exporter.loki.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark's Loki push endpoint, run as its own JVM so that its CPU (HTTP parsing, reading
 * bodies, its GC and JIT) is not charged to the collector. Binds 127.0.0.1 on an ephemeral port,
 * answers every push with 204 and counts the body bytes.
 *
 * <p>Protocol on stdin/stdout: prints {@code port <n>} once it listens; for each {@code stats} line
 * read it prints {@code <body bytes> <pushes>}; exits when stdin ends (the parent closed it or died).
 */
public final class PushSink {

  private PushSink() {}

  public static void main(String[] args) throws Exception {
    AtomicLong bytes = new AtomicLong();
    AtomicLong pushes = new AtomicLong();
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
    server.createContext("/loki/api/v1/push", ex -> {
      long n = 0;
      try (ex; InputStream in = ex.getRequestBody()) {
        byte[] buf = new byte[16 * 1024];
        for (int r; (r = in.read(buf)) > 0; ) n += r;
        bytes.addAndGet(n);
        pushes.incrementAndGet();
        ex.sendResponseHeaders(204, -1);
      }
    });
    ExecutorService pool = Executors.newFixedThreadPool(2);
    server.setExecutor(pool);
    server.start();
    OutputStream out = System.out;
    out.write(("port " + server.getAddress().getPort() + "\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.strip().equals("stats")) {
        out.write((bytes.get() + " " + pushes.get() + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
      }
    }
    server.stop(0);
    pool.shutdownNow();
  }
}
