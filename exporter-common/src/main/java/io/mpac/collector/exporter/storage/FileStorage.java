package io.mpac.collector.exporter.storage;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.component.Health;
import io.mpac.collector.exporter.queue.FileQueueOptions;
import io.mpac.collector.exporter.queue.FileQueueStore;
import io.mpac.collector.exporter.queue.QueueLimits;
import io.mpac.collector.exporter.queue.QueueStore;
import io.mpac.collector.exporter.queue.RecordCodec;
import io.mpac.collector.exporter.queue.RecoveryReport;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

/**
 * {@code otelcol.storage.file}: the directory where exporters keep their persistent sending queues
 * ({@code sending_queue { storage = otelcol.storage.file.NAME.handler }}). It owns no queue itself:
 * each client opens its own {@link FileQueueStore} in {@code <directory>/<client id>/} through the
 * exported {@link StorageHandler}, with this component's {@code fsync} and lock {@code timeout}, and
 * this component runs the {@code compaction} policy on every queue opened through it.
 *
 * <p>Lifecycle: {@code create} does no I/O; {@link #start()} checks or creates the directory (a
 * missing directory with {@code create_directory = false} fails the start with a clear message) and
 * starts the rebound-compaction thread when {@code on_rebound} is set. Clients start after it and
 * stop before it (they reference it).
 */
public final class FileStorage implements Component {

  private final ComponentContext context;
  private final FileStorageConfig config;
  private final Path directory;
  private final StorageHandler handler;
  private final FileQueueOptions options;
  /** Queues opened through this component and not yet closed, by client id. */
  private final Map<ComponentId, ObservedQueueStore<?>> open = new ConcurrentHashMap<>();
  private volatile boolean started;
  private volatile boolean stopped;
  private ScheduledExecutorService rebound;

  FileStorage(ComponentContext context, FileStorageConfig config) {
    this(context, config, FileQueueOptions.defaults());
  }

  /** {@code base} supplies what the config does not set (tests use small segments). */
  FileStorage(ComponentContext context, FileStorageConfig config, FileQueueOptions base) {
    this.context = context;
    this.config = config;
    this.directory = (config.directory() != null ? config.directory() : context.storageDir()).toAbsolutePath()
        .normalize();
    this.options = base.withFsync(config.fsync()).withLockTimeout(config.timeout());
    this.handler = new StorageHandler(this);
  }

  ComponentId id() {
    return context.id();
  }

  /** The directory holding the clients' queues. */
  public Path directory() {
    return directory;
  }

  /** What a queue of this storage is opened with. */
  FileQueueOptions options() {
    return options;
  }

  public StorageHandler handler() {
    return handler;
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of("handler", handler);
  }

  @Override
  public void start() throws IOException {
    if (started) return;
    if (!Files.isDirectory(directory)) {
      if (Files.exists(directory)) {
        throw new IOException("directory " + directory + " is not a directory" + where());
      }
      if (!config.createDirectory()) {
        throw new IOException("directory " + directory + " does not exist and create_directory is false" + where()
            + "; create it or set create_directory = true");
      }
      createDirectories(directory);
      context.logger().info("created storage directory " + directory);
    }
    if (!Files.isWritable(directory)) throw new IOException("directory " + directory + " is not writable" + where());
    FileStorageConfig.Compaction c = config.compaction();
    if (c.onRebound()) {
      rebound = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "storage-" + context.id() + "-compaction");
        t.setDaemon(true);
        return t;
      });
      long every = c.checkInterval().toNanos();
      rebound.scheduleWithFixedDelay(this::checkRebound, every, every, TimeUnit.NANOSECONDS);
    }
    started = true;
  }

  private String where() {
    return config.directory() != null ? " (directory set at " + config.directoryPosition() + ")" : "";
  }

  private void createDirectories(Path dir) throws IOException {
    try {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(config.directoryPermissions()));
    } catch (UnsupportedOperationException notPosix) {
      Files.createDirectories(dir);
    } catch (FileAlreadyExistsException e) {
      if (!Files.isDirectory(dir)) throw new IOException(dir + " exists and is not a directory", e);
    }
  }

  /** {@code <directory>/<client id>}. */
  Path queueDirectory(ComponentId client) {
    return directory.resolve(client.toString());
  }

  <T> QueueStore<T> openQueue(ComponentContext client, RecordCodec<T> codec, QueueLimits limits) throws IOException {
    if (!started || stopped) {
      throw new IOException(context.id() + " is not running; " + client.id() + " cannot open its queue");
    }
    Path dir = queueDirectory(client.id());
    createDirectories(dir);
    FileQueueStore<T> store = FileQueueStore.open(dir, codec, limits, options);
    ObservedQueueStore<T> observed;
    try {
      reportRecovery(client, store);
      observed = new ObservedQueueStore<>(store, client, q -> open.remove(client.id(), q));
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    try {
      FileStorageConfig.Compaction c = config.compaction();
      if (c.cleanupOnStart()) {
        int removed = store.cleanupTemporaryFiles();
        if (removed > 0) client.logger().info("persistent queue: removed " + removed + " compaction leftovers");
      }
      if (c.onStart()) observed.compact();
    } catch (IOException | RuntimeException e) {
      observed.close();
      throw e;
    }
    open.put(client.id(), observed); // one per client: the directory lock keeps a second one out
    return observed;
  }

  private static void reportRecovery(ComponentContext client, FileQueueStore<?> store) {
    RecoveryReport r = store.recoveryReport();
    if (r.recordsRecovered() > 0) {
      client.logger().info("persistent queue " + store.directory() + ": " + r.recordsRecovered()
          + " requests from the previous run will be sent (some may have been delivered before a crash: "
          + "at-least-once)");
    }
    if (!r.clean()) {
      Map<RecoveryReport.Reason, Integer> reasons = new TreeMap<>();
      for (RecoveryReport.Problem p : r.problems()) reasons.merge(p.reason(), 1, Integer::sum);
      client.logger().warning("persistent queue " + store.directory() + ": skipped " + r.recordsSkipped()
          + " damaged records and " + r.segmentsSkipped() + " unusable segment files (" + r.bytesSkipped()
          + " bytes) at start; problems: " + reasons + "; the rest of the queue is sent");
    }
  }

  /** One tick of {@code on_rebound}: arm a queue that grew past "needed", compact it once below "trigger". */
  private void checkRebound() {
    FileStorageConfig.Compaction c = config.compaction();
    for (ObservedQueueStore<?> q : open.values()) {
      try {
        q.checkRebound(c.reboundNeededBytes(), c.reboundTriggerBytes());
      } catch (IOException | RuntimeException e) {
        q.client().logger().log(Level.WARNING, "persistent queue: online compaction failed: " + e, e);
      }
    }
  }

  /** Queues open right now (for tests and the component's health line). */
  Set<ComponentId> openQueues() {
    return Set.copyOf(open.keySet());
  }

  /** The open queue of {@code client}, for tests. */
  ObservedQueueStore<?> openQueue(ComponentId client) {
    return open.get(client);
  }

  @Override
  public void shutdown(Duration timeout) {
    stopped = true;
    ScheduledExecutorService r = rebound;
    if (r != null) {
      r.shutdownNow();
      try {
        r.awaitTermination(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public Health health() {
    if (stopped) return Health.unhealthy("shut down");
    return Health.healthy(directory + ", " + open.size() + " queues open");
  }
}
