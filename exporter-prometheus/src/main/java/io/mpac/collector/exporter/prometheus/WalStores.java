package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.exporter.queue.FileQueueOptions;
import io.mpac.collector.exporter.queue.FileQueueStore;
import io.mpac.collector.exporter.queue.MemoryQueueStore;
import io.mpac.collector.exporter.queue.QueueLimits;
import io.mpac.collector.exporter.queue.QueueStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * Opens the write-ahead log of one endpoint. Production opens a persistent store under the
 * component's storage directory ({@link #onDisk}); tests may open an in-memory one
 * ({@link #inMemory}), which no configuration can select.
 */
@FunctionalInterface
interface WalStores {

  /**
   * The WAL of the endpoint named {@code endpointName}, bounded by {@code limits}.
   *
   * @throws IOException when the directory cannot be created or read
   */
  QueueStore<WalBatch> open(String endpointName, QueueLimits limits) throws IOException;

  /**
   * Reclaims disk the store no longer needs (run every {@code truncate_frequency}); returns the
   * bytes freed. Stores that free space as they go (memory) do nothing.
   */
  default long compact(QueueStore<WalBatch> store) throws IOException {
    return 0;
  }

  /**
   * One persistent store per endpoint, in {@code walDir/<endpoint name>}: segment files with
   * checksummed records ({@link FileQueueStore}), no fsync per write (what was accepted survives a
   * crash of the process; a crash of the machine may lose what the kernel had not written yet).
   */
  static WalStores onDisk(Path walDir) {
    return new WalStores() {
      @Override
      public QueueStore<WalBatch> open(String name, QueueLimits limits) throws IOException {
        return FileQueueStore.open(walDir.resolve(directoryName(name)), new WalBatchCodec(), limits,
            FileQueueOptions.defaults());
      }

      @Override
      public long compact(QueueStore<WalBatch> store) throws IOException {
        return store instanceof FileQueueStore<WalBatch> f ? f.compact().bytesReclaimed() : 0;
      }
    };
  }

  /** In-memory WALs (tests): {@code limits} maps the configured limits to the ones used. */
  static WalStores inMemory(Function<QueueLimits, QueueLimits> limits) {
    return (name, configured) -> new MemoryQueueStore<>(limits.apply(configured));
  }

  /** A file-system-safe directory name for an endpoint name (letters, digits, '.', '_', '-'). */
  static String directoryName(String endpointName) {
    StringBuilder b = new StringBuilder(endpointName.length());
    for (int i = 0; i < endpointName.length(); i++) {
      char c = endpointName.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
          || c == '-' || (c == '.' && i > 0);
      b.append(ok ? c : '_');
    }
    if (b.length() == 0) b.append('_');
    String safe = b.toString();
    // two names that map to the same text (a/b and a_b) must not share a WAL
    return safe.equals(endpointName) ? safe : safe + "-" + Integer.toHexString(endpointName.hashCode());
  }
}
