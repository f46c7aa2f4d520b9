package io.mpac.collector.bench;

import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.livedebug.Flows;
import io.mpac.collector.livedebug.Subscription;
import io.mpac.collector.livedebug.TappedConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.lang.management.ManagementFactory;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Live debugging with one viewer at 10,000 spans/s (100 requests of 100 spans a second) for
 * {@code args[0]} seconds (default 30): the viewer is slower than the data (it renders like the
 * admin server does, and never drains faster than 5 samples a second), so what matters is that
 * the memory held stays bounded. Prints the most requests ever held, skipped samples, and the
 * heap used after GC at the start and the end.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.mpac.collector.bench.LiveDebugMemory 30</pre>
 */
public final class LiveDebugMemory {

  private LiveDebugMemory() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    List<OtlpRequest> requests = Spans.encoded(100, 100, 7);
    OtlpConsumer sink = new OtlpConsumer() {
      @Override
      public Set<Signal> signals() {
        return EnumSet.allOf(Signal.class);
      }

      @Override
      public void consume(OtlpRequest r) {
        // the exporter's queue is not what is measured here
      }
    };
    Flows flows = new Flows();
    ComponentId from = new ComponentId("otelcol.processor.batch", "default");
    TappedConsumer tapped = new TappedConsumer(sink, flows.edge(from, new ComponentId("otelcol.exporter.otlp", "tempo")));
    long heapBefore = usedAfterGc();
    Subscription viewer = flows.watch(from, 16, 5);
    AtomicBoolean running = new AtomicBoolean(true);
    long[] rendered = new long[2];
    Thread reader = new Thread(() -> {
      try {
        while (running.get()) {
          Subscription.Sample s = viewer.poll(1, TimeUnit.SECONDS);
          if (s == null) continue;
          rendered[0]++;
          rendered[1] += io.mpac.collector.exporter.debug.DebugRenderer.render((OtlpRequest) s.payload(),
              io.mpac.collector.exporter.debug.DebugExporterConfig.Verbosity.DETAILED).length();
          Thread.sleep(300); // a slow browser
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    reader.start();
    int maxHeld = 0;
    long sentSpans = 0;
    long start = System.nanoTime();
    for (int sec = 0; sec < seconds; sec++) {
      for (int i = 0; i < 100; i++) {
        tapped.consume(requests.get(i));
        sentSpans += 100;
        maxHeld = Math.max(maxHeld, viewer.held());
        long due = start + TimeUnit.MILLISECONDS.toNanos(sec * 1000L + (i + 1) * 10L);
        long wait = due - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
      }
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    long heapDuring = usedAfterGc();
    running.set(false);
    reader.join();
    viewer.close();
    System.out.printf("spans sent: %d in %.1f s (%.0f spans/s)%n", sentSpans, elapsed, sentSpans / elapsed);
    System.out.printf("samples rendered: %d (%d chars), skipped: %d, most requests held: %d (capacity 16)%n",
        rendered[0], rendered[1], viewer.skipped(), maxHeld);
    System.out.printf("heap used after GC: before viewer %.1f MiB, with viewer at the end %.1f MiB%n",
        heapBefore / 1048576.0, heapDuring / 1048576.0);
  }

  private static long usedAfterGc() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
