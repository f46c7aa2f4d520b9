package io.mpac.collector.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.component.Supervisor;
import io.mpac.collector.exporter.Timing;
import io.mpac.collector.exporter.queue.MemoryQueueStore;
import io.mpac.collector.exporter.queue.QueueLimits;
import io.mpac.collector.exporter.queue.QueueStore;
import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LokiEntry;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * loki.write's reused buffers and batching internals: the encoder's buffer, the compressed body
 * (never reused after a request without an answer), in-order streams, batching while draining at
 * shutdown, and aborting a request in flight.
 */
class EndpointBuffersTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private static QueuedEntry q(Labels stream, long ts, String line, Map<String, String> md) {
    return QueuedEntry.of(stream, null, new LokiEntry(stream, ts, line, md));
  }

  private static List<PushDecoder.Stream> decode(byte[] buf, int len) throws Exception {
    return PushDecoder.decode(Arrays.copyOf(buf, len));
  }

  @Test
  void encoderReusesItsBufferAndEachRequestDecodesAlone() throws Exception {
    PushEncoder enc = new PushEncoder();
    Labels a = Labels.of("job", "a");
    Labels b = Labels.of("job", "b");
    List<QueuedEntry> big = new ArrayList<>();
    for (int i = 0; i < 300; i++) big.add(q(a, i, "line " + i + " " + "x".repeat(i), Map.of()));
    int n1 = enc.encode(List.of(new PushEncoder.Stream(a.toString(), big)));
    byte[] first = enc.buffer();
    assertThat(decode(first, n1).get(0).entries()).hasSize(300);

    List<QueuedEntry> small = List.of(q(b, -1_500_000_000L, "neg ts", Map.of("trace_id", "ab", "", "v")),
        q(b, 0, "", Map.of()));
    int n2 = enc.encode(List.of(new PushEncoder.Stream(b.toString(), small)));
    assertThat(enc.buffer()).as("the larger buffer is kept").isSameAs(first);
    List<PushDecoder.Stream> streams = decode(enc.buffer(), n2);
    assertThat(streams).hasSize(1);
    assertThat(streams.get(0).labels()).isEqualTo("{job=\"b\"}");
    assertThat(streams.get(0).entries()).containsExactly(
        new PushDecoder.Entry(-1_500_000_000L, "neg ts", Map.of("trace_id", "ab", "", "v")),
        new PushDecoder.Entry(0, "", Map.of()));
    assertThat(Arrays.copyOf(enc.buffer(), n2)).isEqualTo(PushEncoder.encodeToArray(
        List.of(new PushEncoder.Stream(b.toString(), small))));
  }

  @Test
  void streamsAreSortedOnlyWhenAnEntryCameOutOfOrder() {
    Labels a = Labels.of("job", "a");
    Labels b = Labels.of("job", "b");
    Batch batch = new Batch("", 0);
    long[] tsA = {5, 5, 7, 9};
    long[] tsB = {3, 1, 2, 1};
    for (int i = 0; i < 4; i++) {
      batch.add(q(a, tsA[i], "a" + i, Map.of()), 0, null);
      batch.add(q(b, tsB[i], "b" + i, Map.of()), 0, null);
    }
    List<PushEncoder.Stream> streams = batch.streamsToSend();
    assertThat(streams).extracting(PushEncoder.Stream::labels).containsExactly("{job=\"a\"}", "{job=\"b\"}");
    assertThat(streams.get(0).entries()).extracting(e -> new String(e.line())).containsExactly("a0", "a1", "a2", "a3");
    // stable: b1 and b3 share a timestamp and keep their arrival order
    assertThat(streams.get(1).entries()).extracting(e -> new String(e.line())).containsExactly("b1", "b3", "b2", "b0");
    assertThat(batch.entries()).isEqualTo(8);
  }

  /** A sender that records the array it was given (no copy) and answers from a script. */
  private static final class RecordingSender implements PushSender {
    final List<byte[]> arrays = new CopyOnWriteArrayList<>();
    final List<byte[]> contents = new CopyOnWriteArrayList<>();
    final List<Integer> script;
    final CountDownLatch firstCall = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(0);

    RecordingSender(Integer... statuses) {
      script = new CopyOnWriteArrayList<>(statuses);
    }

    @Override
    public Result send(String tenant, byte[] body, Duration timeout) {
      throw new AssertionError("the endpoint passes its buffer and a length");
    }

    @Override
    public Result send(String tenant, byte[] body, int length, Duration timeout) throws InterruptedException {
      firstCall.countDown();
      release.await(10, TimeUnit.SECONDS);
      arrays.add(body);
      contents.add(Arrays.copyOf(body, length));
      int status = script.isEmpty() ? 204 : script.remove(0);
      return status < 0 ? Result.failed("connection reset") : new Result(status, "", null, null);
    }
  }

  /** Backoff waits return at once and move this clock on by their length. */
  private final java.util.concurrent.atomic.AtomicLong skipped = new java.util.concurrent.atomic.AtomicLong();
  private final Timing noSleep = new Timing(() -> System.nanoTime() + skipped.get(), (nanos, wake) -> {
    skipped.addAndGet(nanos);
    return false;
  }, () -> 0.5);

  private Endpoint endpoint(PushSender sender, EndpointConfig cfg) {
    WriteMetrics m = new WriteMetrics(registry, Tags.of("component_id", "loki.write.t"), "127.0.0.1:9");
    Endpoint e = new Endpoint("loki.write.t", cfg, 0, Logger.getLogger("test.endpoint"), m, sender, noSleep,
        new MemoryQueueStore<>(new QueueLimits(QueueLimits.UNLIMITED, QueueLimits.UNLIMITED, cfg.queueCapacity())),
        WalConfig.DISABLED);
    e.start(new Supervisor(new ComponentContext(new ComponentId("loki.write", "t"), Path.of("x"), registry,
        Logger.getLogger("test.endpoint"))));
    return e;
  }

  private static void enqueue(Endpoint e, QueuedEntry... entries) {
    assertThat(e.offer(EntryChunk.of(entries, System.currentTimeMillis()), 0)).isEqualTo(QueueStore.OfferResult.ACCEPTED);
  }

  private long deadlineIn(long seconds) {
    return noSleep.nanoTime().getAsLong() + TimeUnit.SECONDS.toNanos(seconds);
  }

  private static boolean await(java.util.function.BooleanSupplier c) throws InterruptedException {
    return FakeLoki.await(c, 5000);
  }

  @Test
  void theCompressedBodyIsReusedAfterAnAnswerButNotAfterARequestWithout() throws Exception {
    RecordingSender sender = new RecordingSender(204, -1, 204, 204);
    EndpointConfig cfg = EndpointConfig.defaults(URI.create("http://127.0.0.1:9/loki/api/v1/push"))
        .withBatching(Duration.ofMillis(5), 1 << 20);
    Endpoint e = endpoint(sender, cfg);
    Labels a = Labels.of("job", "a");
    enqueue(e, q(a, 1, "first", Map.of()));
    assertThat(await(() -> sender.arrays.size() == 1)).isTrue();
    enqueue(e, q(a, 2, "second", Map.of()));
    assertThat(await(() -> sender.arrays.size() == 3)).isTrue(); // no answer, then the retry
    enqueue(e, q(a, 3, "third", Map.of()));
    assertThat(await(() -> sender.arrays.size() == 4)).isTrue();
    e.beginStop(deadlineIn(5));
    e.awaitStopped();

    assertThat(sender.arrays.get(1)).as("after an answer the buffer is reused").isSameAs(sender.arrays.get(0));
    assertThat(sender.arrays.get(2)).as("the retry sends the same body").isSameAs(sender.arrays.get(1));
    assertThat(sender.contents.get(2)).isEqualTo(sender.contents.get(1));
    assertThat(sender.arrays.get(3)).as("a request without an answer may still read it")
        .isNotSameAs(sender.arrays.get(2));
    List<String> lines = new ArrayList<>();
    for (int i : new int[] {0, 1, 3}) {
      for (PushDecoder.Stream s : PushDecoder.decodeSnappy(sender.contents.get(i))) {
        s.entries().forEach(x -> lines.add(x.line()));
      }
    }
    assertThat(lines).containsExactly("first", "second", "third");
    assertThat(e.usedBytes()).isZero();
  }

  @Test
  void whatIsQueuedAtShutdownIsStillBatched() throws Exception {
    RecordingSender sender = new RecordingSender();
    sender.release = new CountDownLatch(1);
    EndpointConfig cfg = EndpointConfig.defaults(URI.create("http://127.0.0.1:9/loki/api/v1/push"))
        .withBatching(Duration.ofSeconds(2), 1 << 20); // long enough that a loaded machine cannot split the batch
    Endpoint e = endpoint(sender, cfg);
    Labels a = Labels.of("job", "a");
    enqueue(e, q(a, 0, "first", Map.of()));
    assertThat(sender.firstCall.await(5, TimeUnit.SECONDS)).isTrue(); // the worker is now inside send
    for (int i = 1; i <= 10; i++) enqueue(e, q(a, i, "chunk " + i, Map.of()));
    e.beginStop(deadlineIn(5));
    sender.release.countDown();
    e.awaitStopped();
    assertThat(sender.contents).as("ten queued chunks go out as one batch, not one request each").hasSize(2);
    assertThat(PushDecoder.decodeSnappy(sender.contents.get(1)).get(0).entries()).hasSize(10);
  }

  @Test
  void shutdownAbortsARequestThatGetsNoAnswer() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      CountDownLatch received = new CountDownLatch(1);
      List<Socket> accepted = new CopyOnWriteArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          Socket s = server.accept();
          accepted.add(s);
          InputStream in = s.getInputStream();
          if (in.read() >= 0) received.countDown();
          // never answer
        } catch (Exception ignored) {
          // the test closes the server
        }
      });
      acceptor.setDaemon(true);
      acceptor.start();
      URI url = URI.create("http://127.0.0.1:" + server.getLocalPort() + "/loki/api/v1/push");
      EndpointConfig ep = EndpointConfig.defaults(url).withBatching(Duration.ofMillis(5), 1 << 20)
          .withRemoteTimeout(Duration.ofSeconds(60));
      LokiWrite w = new LokiWrite(new ComponentContext(new ComponentId("loki.write", "t"), Path.of("x"), registry,
          Logger.getLogger("test.abort")), new LokiWriteConfig(Map.of(), 0, List.of(ep)), null, Timing.SYSTEM);
      w.start();
      w.push(List.of(new LokiEntry(Labels.of("job", "a"), 1, "x")));
      assertThat(received.await(5, TimeUnit.SECONDS)).isTrue();
      long start = System.nanoTime();
      w.shutdown(Duration.ofMillis(300));
      assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(4));
      assertThat(registry.find("loki.write.dropped.entries").tag("reason", "shutdown").counter().count())
          .isEqualTo(1);
      for (Socket s : accepted) s.close();
    }
  }
}
