package io.mpac.collector.exporter.storage;

import static io.mpac.collector.exporter.ExporterTestArgs.block;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Position;
import io.mpac.collector.exporter.ExporterTestArgs;
import io.mpac.collector.exporter.OtlpRequestCodec;
import io.mpac.collector.exporter.queue.FileQueueOptions;
import io.mpac.collector.exporter.queue.FileQueueStore;
import io.mpac.collector.exporter.queue.Lease;
import io.mpac.collector.exporter.queue.QueueLimits;
import io.mpac.collector.exporter.queue.QueueStore;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStorageTest {

  private static final ComponentId STORAGE = new ComponentId("otelcol.storage.file", "q");
  private static final QueueLimits LIMITS = new QueueLimits(10_000, QueueLimits.UNLIMITED, 64L << 20);

  @TempDir Path tmp;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<String> logLines = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final List<FileStorage> storages = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : toClose) c.close();
    for (FileStorage s : storages) s.shutdown(Duration.ofSeconds(1));
  }

  private ComponentContext context(ComponentId id) {
    Logger logger = Logger.getLogger("test." + id + "." + System.nanoTime());
    logger.setUseParentHandlers(false);
    logger.addHandler(new Handler() {
      @Override
      public void publish(LogRecord r) {
        logLines.add(r.getLevel() + " " + r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
    return new ComponentContext(id, tmp.resolve("data").resolve(id.toString()), registry, logger);
  }

  private ComponentContext client(String label) {
    return context(new ComponentId("otelcol.exporter.otlp", label));
  }

  private static FileStorageConfig config(Map<String, Object> body) throws ConfigException {
    return FileStorageConfig.from(ExporterTestArgs.decode("otelcol.storage.file", FileStorageConfig.SCHEMA, body));
  }

  private FileStorage storage(FileStorageConfig config, FileQueueOptions base) {
    FileStorage s = new FileStorage(context(STORAGE), config, base);
    storages.add(s);
    return s;
  }

  private FileStorage started(Map<String, Object> body) throws Exception {
    FileStorage s = storage(config(body), FileQueueOptions.defaults());
    s.start();
    return s;
  }

  private QueueStore<OtlpRequest> open(FileStorage s, ComponentContext client) throws IOException {
    QueueStore<OtlpRequest> q = s.handler().openQueue(client, OtlpRequestCodec.INSTANCE, LIMITS);
    toClose.add(q);
    return q;
  }

  private static OtlpRequest request(int i, int size) {
    byte[] b = new byte[size];
    ByteBuffer.wrap(b).putInt(i);
    return new OtlpRequest(Signal.TRACES, b, 1);
  }

  private static int idOf(OtlpRequest r) {
    return ByteBuffer.wrap(r.bytes()).getInt();
  }

  private double gauge(String name, ComponentContext client) {
    return registry.get(name).tags(client.tags()).gauge().value();
  }

  private double counter(String name, ComponentContext client) {
    return registry.get(name).tags(client.tags()).counter().count();
  }

  private static void offer(QueueStore<OtlpRequest> q, int from, int to, int size) throws InterruptedException {
    for (int i = from; i < to; i++) {
      OtlpRequest r = request(i, size);
      assertThat(q.offer(r, 1, r.sizeBytes(), 0)).isEqualTo(QueueStore.OfferResult.ACCEPTED);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // arguments

  @Test
  void defaultsAreAlloysWithTheComponentsOwnDirectory() throws Exception {
    FileStorageConfig c = config(Map.of());
    assertThat(c.directory()).isNull();
    assertThat(c.createDirectory()).isTrue();
    assertThat(PosixFilePermissions.toString(c.directoryPermissions())).isEqualTo("rwxr-x---");
    assertThat(c.fsync()).isFalse();
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.compaction()).isEqualTo(FileStorageConfig.Compaction.DEFAULTS);
    FileStorage s = storage(c, FileQueueOptions.defaults());
    assertThat(s.directory()).isEqualTo(tmp.resolve("data").resolve("otelcol.storage.file.q").toAbsolutePath());
    assertThat(s.options().fsync()).isFalse();
    assertThat(s.options().lockTimeout()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void fsyncAndTimeoutReachTheStore() throws Exception {
    FileStorage s = storage(config(Map.of("fsync", true, "timeout", "250ms")), FileQueueOptions.defaults());
    assertThat(s.options().fsync()).isTrue();
    assertThat(s.options().lockTimeout()).isEqualTo(Duration.ofMillis(250));
  }

  @Test
  void compactionBlockIsRead() throws Exception {
    FileStorageConfig c = config(Map.of("compaction", block(Map.of("on_start", true, "on_rebound", true,
        "rebound_needed_threshold_mib", 50, "rebound_trigger_threshold_mib", 5, "check_interval", "2s",
        "cleanup_on_start", true))));
    assertThat(c.compaction()).isEqualTo(new FileStorageConfig.Compaction(true, true, 50L << 20, 5L << 20,
        Duration.ofSeconds(2), true));
  }

  @Test
  void argumentsWeCannotHonourAreRefusedAtTheirPosition() throws Exception {
    Map<String, Object> compaction = new LinkedHashMap<>();
    compaction.put("directory", "/tmp/x");
    compaction.put("max_transaction_size", 100);
    compaction.put("cleanup_on_start", false);
    compaction.put("rebound_needed_threshold_mib", 10);
    compaction.put("rebound_trigger_threshold_mib", 10);
    compaction.put("check_interval", "0s");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("directory_permissions", "0640");
    body.put("timeout", "-1s");
    body.put("compaction", block(compaction));
    assertThatThrownBy(() -> config(body)).isInstanceOfSatisfying(ConfigException.class, e -> {
      List<String> d = e.diagnostics().stream().map(x -> x.position().line() + ": " + x.message()).toList();
      assertThat(d).hasSize(7);
      assertThat(d).anyMatch(x -> x.startsWith("2: directory_permissions \"0640\" must give the owner rwx"));
      assertThat(d).anyMatch(x -> x.startsWith("3: timeout must not be negative"));
      assertThat(d).anyMatch(x -> x.startsWith("5: compaction.directory is not supported"));
      assertThat(d).anyMatch(x -> x.startsWith("6: compaction.max_transaction_size is not supported"));
      assertThat(d).anyMatch(x -> x.startsWith("7: compaction.cleanup_on_start = false cannot be honoured"));
      assertThat(d).anyMatch(x -> x.startsWith("9: rebound_trigger_threshold_mib (10) must be below"));
      assertThat(d).anyMatch(x -> x.startsWith("10: check_interval must be greater than 0"));
    });
    assertThatThrownBy(() -> config(Map.of("directory_permissions", "rwx"))).hasMessageContaining(
        "test.alloy:2:3: directory_permissions must be octal permissions such as \"0750\", got \"rwx\"");
    assertThatThrownBy(() -> config(Map.of("directory", " "))).hasMessageContaining("directory must not be empty");
  }

  // ---------------------------------------------------------------------------------------------
  // directory

  @Test
  void startCreatesTheDirectoryWithItsPermissionsAndEachClientGetsItsOwnQueue() throws Exception {
    Path dir = tmp.resolve("a/b/storage");
    FileStorage s = started(Map.of("directory", dir.toString(), "directory_permissions", "0700"));
    assertThat(Files.isDirectory(dir)).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir))).isEqualTo("rwx------");

    ComponentContext one = client("one");
    ComponentContext two = context(new ComponentId("otelcol.exporter.otlphttp", "two"));
    QueueStore<OtlpRequest> q1 = open(s, one);
    QueueStore<OtlpRequest> q2 = open(s, two);
    offer(q1, 0, 3, 100);
    offer(q2, 0, 1, 100);
    assertThat(s.handler().directoryOf(one)).isEqualTo(dir.toAbsolutePath().resolve("otelcol.exporter.otlp.one"));
    assertThat(s.handler().directoryOf(two)).isEqualTo(dir.toAbsolutePath().resolve("otelcol.exporter.otlphttp.two"));
    try (Stream<Path> files = Files.list(s.handler().directoryOf(one))) {
      assertThat(files.map(p -> p.getFileName().toString())).anyMatch(n -> n.endsWith(".log"));
    }
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(s.handler().directoryOf(two))))
        .isEqualTo("rwx------");
    assertThat(q1.usage().count()).isEqualTo(3);
    assertThat(q2.usage().count()).isEqualTo(1);
    assertThat(s.openQueues()).containsExactlyInAnyOrder(one.id(), two.id());
    assertThat(gauge(ObservedQueueStore.DISK_BYTES, one)).isPositive();
    assertThat(gauge(ObservedQueueStore.DISK_LIMIT, one)).isEqualTo(64L << 20);
    q1.close();
    assertThat(s.openQueues()).containsExactly(two.id());
    assertThat(registry.find(ObservedQueueStore.DISK_BYTES).tags(one.tags()).gauge()).as("meters removed").isNull();
  }

  @Test
  void missingDirectoryWithoutCreateDirectoryFailsTheStartClearly() throws Exception {
    Path dir = tmp.resolve("missing");
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("directory", dir.toString());
    body.put("create_directory", false);
    FileStorage s = storage(config(body), FileQueueOptions.defaults());
    assertThatThrownBy(s::start).isInstanceOf(IOException.class).hasMessage("directory " + dir.toAbsolutePath()
        + " does not exist and create_directory is false (directory set at " + new Position("test.alloy", 2, 3)
        + "); create it or set create_directory = true");
    assertThat(Files.exists(dir)).isFalse();
    assertThatThrownBy(() -> open(s, client("x"))).hasMessageContaining("is not running");

    Files.createDirectories(dir);
    FileStorage ok = storage(config(body), FileQueueOptions.defaults());
    ok.start();
    open(ok, client("x"));
    assertThat(Files.isDirectory(dir.resolve("otelcol.exporter.otlp.x"))).isTrue();
  }

  @Test
  void aDirectoryThatIsAFileFailsTheStart() throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "x");
    FileStorage s = storage(config(Map.of("directory", file.toString())), FileQueueOptions.defaults());
    assertThatThrownBy(s::start).hasMessageContaining("is not a directory");
  }

  @Test
  void aQueueHeldElsewhereFailsAfterTheTimeout() throws Exception {
    Path dir = tmp.resolve("shared");
    FileStorage a = started(Map.of("directory", dir.toString()));
    FileStorage b = started(Map.of("directory", dir.toString(), "timeout", "300ms"));
    open(a, client("x"));
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> open(b, client("x"))).isInstanceOf(IOException.class).hasMessageContaining("in use");
    assertThat(System.nanoTime() - t0).as("waited for the lock").isGreaterThanOrEqualTo(250_000_000L);
    open(b, client("y")); // another client of the same directory is independent
  }

  // ---------------------------------------------------------------------------------------------
  // persistence, recovery figures, compaction

  @Test
  void whatWasAcceptedComesBackAfterReopeningWithRecoveryFigures() throws Exception {
    Path dir = tmp.resolve("p");
    FileStorage s = started(Map.of("directory", dir.toString()));
    ComponentContext c = client("p");
    QueueStore<OtlpRequest> q = open(s, c);
    offer(q, 0, 5, 200);
    Lease<OtlpRequest> first = q.take(0);
    q.ack(first);
    Lease<OtlpRequest> inFlight = q.take(0);
    assertThat(idOf(inFlight.payload())).isEqualTo(1);
    q.close(); // a lease never acked: handed out again

    QueueStore<OtlpRequest> again = open(s, c);
    assertThat(gauge(ObservedQueueStore.RECOVERED_RECORDS, c)).isEqualTo(4);
    assertThat(gauge(ObservedQueueStore.SKIPPED_RECORDS, c)).isZero();
    List<Integer> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Lease<OtlpRequest> l = again.take(1_000_000_000L);
      assertThat(l.redelivered()).isTrue();
      assertThat(l.payload().bytes()).hasSize(200);
      ids.add(idOf(l.payload()));
      again.ack(l);
    }
    assertThat(ids).containsExactly(1, 2, 3, 4);
    assertThat(again.take(0)).isNull();
    assertThat(logLines).anyMatch(l -> l.startsWith("INFO persistent queue") && l.contains(": 4 requests from the "
        + "previous run will be sent"));
  }

  @Test
  void damagedRecordsAreSkippedLoggedAndCounted() throws Exception {
    Path dir = tmp.resolve("c");
    FileStorage s = started(Map.of("directory", dir.toString()));
    ComponentContext c = client("c");
    QueueStore<OtlpRequest> q = open(s, c);
    offer(q, 0, 10, 500);
    q.close();
    Path segment;
    try (Stream<Path> files = Files.list(s.handler().directoryOf(c))) {
      segment = files.filter(p -> p.toString().endsWith(".log")).findFirst().orElseThrow();
    }
    try (var ch = java.nio.channels.FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xde, (byte) 0xad, (byte) 0xbe, (byte) 0xef}), 2_600);
    }

    QueueStore<OtlpRequest> again = open(s, c);
    assertThat(gauge(ObservedQueueStore.SKIPPED_RECORDS, c)).isPositive();
    assertThat(gauge(ObservedQueueStore.SKIPPED_BYTES, c)).isPositive();
    double recovered = gauge(ObservedQueueStore.RECOVERED_RECORDS, c);
    assertThat(recovered).isBetween(1.0, 9.0);
    assertThat(logLines).anyMatch(l -> l.startsWith("WARNING persistent queue") && l.contains("damaged records")
        && l.contains("CHECKSUM_MISMATCH"));
    int taken = 0;
    for (Lease<OtlpRequest> l; (l = again.take(0)) != null; ) {
      assertThat(idOf(l.payload())).isEqualTo(taken++); // the records before the damage, intact, in order
      again.ack(l);
    }
    assertThat(taken).isEqualTo((int) recovered);
    offer(again, 100, 101, 10); // and the queue keeps working
  }

  /** Session one leaves sparse segments behind (one unacked record in five). */
  private void leaveSparseSegments(FileStorage s, ComponentContext c) throws Exception {
    QueueStore<OtlpRequest> q = open(s, c);
    offer(q, 0, 100, 1_000);
    for (int i = 0; i < 100; i++) {
      Lease<OtlpRequest> l = q.take(0);
      if (i % 5 != 0) q.ack(l);
    }
    q.close();
  }

  @Test
  void compactionOnStartReclaimsSparseSegmentsAndKeepsEveryRecordInOrder() throws Exception {
    FileQueueOptions small = FileQueueOptions.defaults().withSegmentBytes(8 << 10);
    ComponentContext plainClient = client("plain");
    FileStorage plain = storage(config(Map.of("directory", tmp.resolve("plain").toString())), small);
    plain.start();
    leaveSparseSegments(plain, plainClient);
    QueueStore<OtlpRequest> uncompacted = open(plain, plainClient);

    ComponentContext compactClient = client("compact");
    FileStorage compacting = storage(config(Map.of("directory", tmp.resolve("compact").toString(),
        "compaction", block(Map.of("on_start", true, "cleanup_on_start", true)))), small);
    compacting.start();
    leaveSparseSegments(compacting, compactClient);
    Path leftover = Files.writeString(compacting.handler().directoryOf(compactClient).resolve("compact-1.tmp"), "x");
    QueueStore<OtlpRequest> compacted = open(compacting, compactClient);

    assertThat(Files.exists(leftover)).isFalse();
    assertThat(counter(ObservedQueueStore.COMPACTIONS, compactClient)).isEqualTo(1);
    assertThat(counter(ObservedQueueStore.COMPACTED_BYTES, compactClient)).isPositive();
    assertThat(compacted.usage().bytes()).isLessThan(uncompacted.usage().bytes());
    assertThat(compacted.usage().count()).isEqualTo(20).isEqualTo(uncompacted.usage().count());
    for (int i = 0; i < 100; i += 5) {
      Lease<OtlpRequest> l = compacted.take(0);
      assertThat(idOf(l.payload())).isEqualTo(i);
      compacted.ack(l);
    }
    assertThat(compacted.take(0)).isNull();
  }

  @Test
  void reboundCompactionRunsOnceTheQueueGrewAndShrankAgain() throws Exception {
    FileQueueOptions small = FileQueueOptions.defaults().withSegmentBytes(4 << 10);
    FileStorageConfig.Compaction rebound = new FileStorageConfig.Compaction(false, true, 20 << 10, 10 << 10,
        Duration.ofMillis(20), false);
    FileStorageConfig base = config(Map.of("directory", tmp.resolve("r").toString()));
    FileStorage s = storage(new FileStorageConfig(base.directory(), base.directoryPosition(), true,
        base.directoryPermissions(), false, base.timeout(), rebound), small);
    s.start();
    ComponentContext c = client("r");
    QueueStore<OtlpRequest> q = open(s, c);
    offer(q, 0, 40, 1_000); // ~40 KiB: past "needed"
    ObservedQueueStore<?> observed = s.openQueue(c.id());
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!observed.reboundArmed() && System.nanoTime() < deadline) Thread.sleep(10);
    assertThat(observed.reboundArmed()).isTrue();
    assertThat(counter(ObservedQueueStore.COMPACTIONS, c)).isZero();

    for (int i = 0; i < 40; i++) q.ack(q.take(0)); // drained: below "trigger"
    while (counter(ObservedQueueStore.COMPACTIONS, c) == 0 && System.nanoTime() < deadline) Thread.sleep(10);
    assertThat(counter(ObservedQueueStore.COMPACTIONS, c)).isEqualTo(1);
    assertThat(observed.reboundArmed()).isFalse();
    Thread.sleep(100); // several more checks: it does not run again until the queue grows again
    assertThat(counter(ObservedQueueStore.COMPACTIONS, c)).isEqualTo(1);
  }

  @Test
  void theStoreIsAFileQueueStoreBoundedOnDisk() throws Exception {
    FileStorage s = started(Map.of("directory", tmp.resolve("b").toString()));
    QueueStore<OtlpRequest> q = s.handler().openQueue(client("b"), OtlpRequestCodec.INSTANCE,
        new QueueLimits(QueueLimits.UNLIMITED, QueueLimits.UNLIMITED, 16 << 10));
    toClose.add(q);
    assertThat(((ObservedQueueStore<?>) q).store()).isInstanceOf(FileQueueStore.class);
    assertThat(q.persistent()).isTrue();
    int accepted = 0;
    QueueStore.OfferResult r;
    while ((r = q.offer(request(accepted, 1_000), 1, 1_000, 0)) == QueueStore.OfferResult.ACCEPTED && accepted < 100) {
      accepted++;
    }
    assertThat(r).isEqualTo(QueueStore.OfferResult.FULL);
    assertThat(accepted).isBetween(5, 16);
    assertThat(q.usage().bytes()).isLessThanOrEqualTo(16 << 10);
  }
}
