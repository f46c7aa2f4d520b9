package io.mpac.collector.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.exporter.Timing;
import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LokiEntry;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** loki.write with its real WAL (the file queue store the factory opens) under a storage directory. */
class LokiWriteFileWalTest {

  @TempDir Path storage;

  private final MeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> delivered = new CopyOnWriteArrayList<>();
  private final List<String> logLines = new CopyOnWriteArrayList<>();
  private final AtomicBoolean lokiUp = new AtomicBoolean();

  private final PushSender loki = (tenant, body, timeout) -> {
    if (!lokiUp.get()) return PushSender.Result.failed("connection refused");
    try {
      for (PushDecoder.Stream s : PushDecoder.decodeSnappy(body)) s.entries().forEach(e -> delivered.add(e.line()));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    return new PushSender.Result(204, "", null, null);
  };

  private LokiWrite start() throws Exception {
    Logger logger = Logger.getLogger("test.loki.filewal." + System.nanoTime());
    logger.setUseParentHandlers(false);
    logger.addHandler(new Handler() {
      @Override
      public void publish(LogRecord r) {
        logLines.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
    ComponentContext ctx = new ComponentContext(new ComponentId("loki.write", "default"),
        storage.resolve("loki.write.default"), registry, logger);
    EndpointConfig ep = EndpointConfig.defaults(URI.create("http://127.0.0.1:9/loki/api/v1/push"))
        .withBatching(Duration.ofMillis(20), 1 << 20).withRetries(Duration.ofMillis(5), Duration.ofMillis(20), 0, true);
    WalConfig wal = new WalConfig(true, Duration.ofHours(1), Duration.ofMillis(10), Duration.ofMillis(50),
        Duration.ofMillis(100), WalConfig.DEFAULT_MAX_SIZE);
    LokiWrite w = new LokiWrite(ctx, new LokiWriteConfig(Map.of(), 0, List.of(ep), wal), e -> loki, Timing.SYSTEM,
        LokiWriteFactory.FILE_WAL);
    w.start();
    return w;
  }

  private static List<LokiEntry> entries(String prefix, int n) {
    List<LokiEntry> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add(new LokiEntry(Labels.of("job", "a"), i, prefix + i));
    return out;
  }

  private Path walDir() {
    return storage.resolve("loki.write.default").resolve("wal").resolve("127_0_0_1_9");
  }

  @Test
  void unsentEntriesSurviveARestartInTheStorageDirectory() throws Exception {
    LokiWrite first = start();
    for (int i = 0; i < 10; i++) first.push(entries("p" + i + "-", 20));
    first.shutdown(Duration.ofSeconds(5));
    assertThat(walDir()).isDirectory();
    assertThat(delivered).isEmpty();

    lokiUp.set(true);
    LokiWrite second = start();
    try {
      assertThat(FakeLoki.await(() -> delivered.size() == 200, 10_000)).isTrue();
      assertThat(delivered).doesNotHaveDuplicates();
      assertThat(logLines).anyMatch(l -> l.contains("10 unsent chunks to send again"));
      assertThat(FakeLoki.await(() -> second.usedBytes() < 4096, 10_000)).as("acked data is reclaimed").isTrue();
    } finally {
      second.shutdown(Duration.ofSeconds(2));
    }
  }

  @Test
  void aDamagedWalIsSkippedReportedAndTheComponentKeepsServing() throws Exception {
    LokiWrite first = start();
    first.push(entries("old", 5));
    first.shutdown(Duration.ofSeconds(5));
    try (Stream<Path> files = Files.list(walDir())) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".log")).toList()) {
        byte[] b = Files.readAllBytes(f);
        for (int i = 20; i < b.length; i += 7) b[i] ^= 0x5A; // flip bytes past the segment header
        Files.write(f, b);
      }
    }
    lokiUp.set(true);
    LokiWrite second = start();
    try {
      assertThat(logLines).anyMatch(l -> l.contains("skipped"));
      second.push(entries("new", 3));
      assertThat(FakeLoki.await(() -> delivered.size() == 3, 10_000)).isTrue();
      assertThat(delivered).containsExactly("new0", "new1", "new2");
      assertThat(second.health().isHealthy()).isTrue();
    } finally {
      second.shutdown(Duration.ofSeconds(2));
    }
  }
}
