package io.mpac.collector.admin;

import com.sun.net.httpserver.HttpExchange;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.exporter.debug.DebugExporterConfig.Verbosity;
import io.mpac.collector.exporter.debug.DebugRenderer;
import io.mpac.collector.livedebug.Flows;
import io.mpac.collector.livedebug.Subscription;
import io.mpac.collector.loki.LokiEntry;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.prometheus.HistogramSample;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.Sample;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /api/v0/web/debug/{id}}: streams samples of what a component sends on (an exporter:
 * what it receives) as text, each chunk ended by {@code |;|} as Alloy's stream is. Bounded on
 * every side: {@link #PER_SECOND} samples a second, {@link #CAPACITY} held, each rendered to at
 * most {@link #MAX_CHARS} characters, {@link #MAX_STREAMS} viewers at once, {@link #MAX_SECONDS}
 * per stream (the UI reconnects).
 */
final class LiveDebugStream {

  static final int PER_SECOND = 5;
  static final int CAPACITY = 16;
  static final int MAX_CHARS = 16 * 1024;
  static final int MAX_STREAMS = 4;
  static final long MAX_SECONDS = 600;
  static final String DELIMITER = "|;|";

  private final Flows flows;
  private final AtomicInteger streams = new AtomicInteger();

  LiveDebugStream(Flows flows) {
    this.flows = flows;
  }

  /** Streams until the client goes away or {@link #MAX_SECONDS} pass; the caller checked the id. */
  void stream(HttpExchange ex, ComponentId id) throws IOException {
    if (streams.incrementAndGet() > MAX_STREAMS) {
      streams.decrementAndGet();
      AdminServer.send(ex, 429, "text/plain; charset=utf-8",
          "too many live debugging viewers (at most " + MAX_STREAMS + ")\n");
      return;
    }
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_SECONDS);
    try (Subscription sub = flows.watch(id, CAPACITY, PER_SECOND)) {
      ex.sendResponseHeaders(200, 0);
      OutputStream out = ex.getResponseBody();
      long lastWrite = System.nanoTime();
      while (System.nanoTime() - deadline < 0) {
        Subscription.Sample s = sub.poll(1, TimeUnit.SECONDS);
        if (s != null) {
          out.write((render(s) + DELIMITER).getBytes(StandardCharsets.UTF_8));
          out.flush();
          lastWrite = System.nanoTime();
        } else if (System.nanoTime() - lastWrite > TimeUnit.SECONDS.toNanos(2)) {
          // An empty chunk: finds out that the viewer left, so its subscription ends.
          out.write(DELIMITER.getBytes(StandardCharsets.UTF_8));
          out.flush();
          lastWrite = System.nanoTime();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException viewerLeft) {
      // the normal end of a stream
    } finally {
      streams.decrementAndGet();
      ex.close();
    }
  }

  static String render(Subscription.Sample s) {
    String text;
    try {
      text = renderPayload(s.payload());
    } catch (IOException | RuntimeException e) {
      text = "(cannot render " + s.signal().lowerName() + ": " + e.getClass().getSimpleName() + ")";
    }
    if (text.length() > MAX_CHARS) {
      text = text.substring(0, MAX_CHARS) + "\n... (" + (text.length() - MAX_CHARS) + " more characters)";
    }
    String unit = s.payload() instanceof OtlpRequest ? s.signal().itemName()
        : s.payload() instanceof MetricsBatch ? "samples" : "entries";
    return "# " + s.from() + " -> " + s.to() + ": " + s.itemCount() + " " + unit + "\n" + text;
  }

  /** OTLP as the debug exporter prints it; Loki entries and Prometheus samples one per line. */
  private static String renderPayload(Object payload) throws IOException {
    if (payload instanceof OtlpRequest r) return DebugRenderer.render(r, Verbosity.DETAILED);
    StringBuilder sb = new StringBuilder();
    if (payload instanceof MetricsBatch b) {
      for (Sample x : b.samples()) {
        if (sb.length() > MAX_CHARS) break;
        sb.append(x.labels()).append(' ').append(x.value()).append(' ').append(x.timestampMs()).append('\n');
      }
      for (HistogramSample h : b.histograms()) {
        if (sb.length() > MAX_CHARS) break;
        sb.append(h.labels()).append(" (native histogram) ").append(h.timestampMs()).append('\n');
      }
      return sb.toString();
    }
    if (payload instanceof List<?> entries) {
      for (Object o : entries) {
        if (sb.length() > MAX_CHARS) break;
        if (o instanceof LokiEntry e) {
          sb.append(e.timestampNanos()).append(' ').append(e.labels()).append(' ').append(e.line());
          if (!e.structuredMetadata().isEmpty()) sb.append(' ').append(e.structuredMetadata());
          sb.append('\n');
        }
      }
      return sb.toString();
    }
    return String.valueOf(payload);
  }
}
