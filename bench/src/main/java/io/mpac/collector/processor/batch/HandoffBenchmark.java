package io.mpac.collector.processor.batch;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The producer → worker hand-off alone: JMH threads offer, one background consumer drains. Run
 * with {@code -t 1,2,4,8}. {@code mpsc} is {@link MpscLinkedQueue} (one atomic exchange per offer),
 * {@code clq} is {@link ConcurrentLinkedQueue} (CAS loop). Producers stop and spin when more than
 * 64k elements are outstanding, so the figure is the transfer rate the consumer sustains, not the
 * speed of filling memory.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx512m"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class HandoffBenchmark {

  private static final long MAX_OUTSTANDING = 1 << 16;

  @Param({"mpsc", "clq"})
  public String queue;

  private boolean useMpsc;
  private MpscLinkedQueue<Object> mpsc;
  private ConcurrentLinkedQueue<Object> clq;
  private final LongAdder produced = new LongAdder();
  private volatile long consumed;
  private volatile boolean running;
  private Thread consumer;

  @State(Scope.Thread)
  public static class Producer {
    int unflushed;
  }

  @Setup(Level.Trial)
  public void setUp() {
    mpsc = new MpscLinkedQueue<>();
    clq = new ConcurrentLinkedQueue<>();
    running = true;
    useMpsc = queue.equals("mpsc");
    consumer = new Thread(() -> {
      long n = 0;
      boolean fromMpsc = useMpsc;
      while (running) {
        Object o = fromMpsc ? mpsc.poll() : clq.poll();
        if (o == null) {
          Thread.onSpinWait();
          continue;
        }
        if (++n % 256 == 0) consumed = n;
      }
    }, "handoff-consumer");
    consumer.setDaemon(true);
    consumer.start();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws InterruptedException {
    running = false;
    consumer.join(5000);
  }

  @Benchmark
  public void offer(Producer p) {
    if (++p.unflushed == 256) {
      produced.add(256);
      p.unflushed = 0;
      while (produced.sum() - consumed > MAX_OUTSTANDING && running) Thread.onSpinWait();
    }
    if (useMpsc) {
      mpsc.offer(Boolean.TRUE);
    } else {
      clq.offer(Boolean.TRUE);
    }
  }
}
