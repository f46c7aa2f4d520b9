package io.mpac.collector.bench;

import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.livedebug.Flows;
import io.mpac.collector.livedebug.Subscription;
import io.mpac.collector.livedebug.TappedConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What a component's output costs per request: handed straight to the next consumer
 * ({@code direct}), through the edge counter with nobody watching ({@code tapped}, viewer=none),
 * and while one live-debugging viewer watches the edge ({@code tapped}, viewer=one; the viewer
 * takes at most 5 requests a second, the rest is counted as skipped).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx512m"})
public class LiveDebugBenchmark {

  @Param({"none", "one"})
  public String viewer;

  private OtlpRequest request;
  private OtlpConsumer direct;
  private OtlpConsumer tapped;
  private Subscription subscription;

  /** The next component: takes the request and does nothing the JIT could remove. */
  static final class Sink implements OtlpConsumer {
    Blackhole hole;

    @Override
    public Set<Signal> signals() {
      return EnumSet.allOf(Signal.class);
    }

    @Override
    public void consume(OtlpRequest r) {
      hole.consume(r);
    }
  }

  @Setup(Level.Trial)
  public void setUp(Blackhole hole) {
    request = Spans.encoded(1, 100, 42).get(0);
    Sink sink = new Sink();
    sink.hole = hole;
    direct = sink;
    Flows flows = new Flows();
    ComponentId from = new ComponentId("otelcol.processor.batch", "default");
    tapped = new TappedConsumer(sink, flows.edge(from, new ComponentId("otelcol.exporter.otlp", "tempo")));
    if (viewer.equals("one")) subscription = flows.watch(from, 16, 5);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (subscription != null) subscription.close();
  }

  @Benchmark
  public void direct() throws Exception {
    direct.consume(request);
  }

  @Benchmark
  public void tapped() throws Exception {
    tapped.consume(request);
  }
}
