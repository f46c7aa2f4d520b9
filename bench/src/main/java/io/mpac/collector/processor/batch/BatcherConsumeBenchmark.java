package io.mpac.collector.processor.batch;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.bench.Spans;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.NoopConsumer;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole batcher: JMH threads call {@code input().consume()} with 100-span requests (about
 * 15 KB, testbed-shaped) into {@code otelcol.processor.batch} with Alloy's defaults (2000/3000, 200 ms)
 * and a no-op downstream; the traces worker merges every batch. Run with {@code -t 1,2,4,8}.
 * {@code accepted} and {@code refused} count calls per time unit: refusals are the back-pressure
 * the bound applies when producers outrun the worker.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx512m"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class BatcherConsumeBenchmark {

  private BatchProcessor processor;
  private OtlpConsumer input;
  private OtlpRequest request;

  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Calls {
    public long accepted;
    public long refused;
  }

  @Setup(Level.Trial)
  public void setUp() {
    request = Spans.encoded(1, 100, 1).get(0);
    List<OtlpConsumer> out = List.of(NoopConsumer.INSTANCE);
    BatchProcessorConfig config = BatchProcessorConfig.defaults(out, out, out);
    processor = new BatchProcessor(new ComponentContext(new ComponentId("otelcol.processor.batch", "bench"),
        Path.of("target"), new SimpleMeterRegistry(), Logger.getLogger("bench")), config);
    processor.start();
    input = processor.input();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    processor.shutdown(Duration.ofSeconds(5));
  }

  @Benchmark
  public void consume(Calls calls) {
    try {
      input.consume(request);
      calls.accepted++;
    } catch (ConsumeException e) {
      calls.refused++;
    }
  }
}
