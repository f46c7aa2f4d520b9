package io.mpac.collector.bench;

import io.mpac.collector.exporter.queue.FileQueueOptions;
import io.mpac.collector.exporter.queue.FileQueueStore;
import io.mpac.collector.exporter.queue.Lease;
import io.mpac.collector.exporter.queue.MemoryQueueStore;
import io.mpac.collector.exporter.queue.QueueLimits;
import io.mpac.collector.exporter.queue.QueueStore;
import io.mpac.collector.exporter.queue.RecordCodec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * The exporter queue's cost per payload: one operation is offer + take + ack of one encoded
 * 100-span OTLP request (about 14.6 KB), the life of a payload in a sending queue. Run with
 * {@code -t 1} and {@code -t 4} (producer-consumer threads; each thread offers, then takes and acks
 * whatever is oldest).
 *
 * <ul>
 *   <li>{@code memory}: {@link MemoryQueueStore} (heap only).
 *   <li>{@code file}: {@link FileQueueStore} with fsync off (survives a crash of the process).
 *   <li>{@code file-fsync}: fsync on (survives a crash of the machine): offer and ack each wait for
 *       a force of the device, shared by all threads waiting at that moment.
 * </ul>
 * The file store writes to {@code java.io.tmpdir}; segments are 8 MiB and deleted as they are
 * acked, so the disk in use stays at a few segments.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-XX:+UseSerialGC", "-Xmx512m"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class QueueStoreBenchmark {

  /** Payloads are already-encoded requests: the codec is the identity on bytes. */
  static final RecordCodec<byte[]> BYTES = new RecordCodec<>() {
    @Override
    public byte[] encode(byte[] payload) {
      return payload;
    }

    @Override
    public byte[] decode(byte[] buf, int offset, int length) {
      return offset == 0 && length == buf.length ? buf : Arrays.copyOfRange(buf, offset, offset + length);
    }
  };

  @Param({"memory", "file", "file-fsync"})
  public String store;

  private QueueStore<byte[]> queue;
  private Path dir;
  private byte[] payload;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    payload = Spans.encoded(1, 100, 42).get(0).bytes();
    QueueLimits limits = new QueueLimits(QueueLimits.UNLIMITED, QueueLimits.UNLIMITED, 256L << 20);
    switch (store) {
      case "memory" -> queue = new MemoryQueueStore<>(limits);
      case "file", "file-fsync" -> {
        dir = Files.createTempDirectory("queue-bench");
        queue = FileQueueStore.open(dir, BYTES, limits, FileQueueOptions.defaults().withFsync(store.equals("file-fsync")));
      }
      default -> throw new IllegalArgumentException("unknown store " + store);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    queue.close();
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Benchmark
  public Lease<byte[]> offerTakeAck() throws InterruptedException {
    if (queue.offer(payload, 100, payload.length, TimeUnit.SECONDS.toNanos(10)) != QueueStore.OfferResult.ACCEPTED) {
      throw new IllegalStateException("offer refused");
    }
    Lease<byte[]> lease = queue.take(TimeUnit.SECONDS.toNanos(10));
    if (lease == null) throw new IllegalStateException("nothing to take");
    queue.ack(lease);
    return lease;
  }
}
