package io.mpac.collector.exporter.loki;

import io.mpac.collector.exporter.queue.QueueLimits;
import io.mpac.collector.exporter.queue.QueueStore;
import io.mpac.collector.exporter.queue.RecordCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.logging.Logger;

/** Opens the persistent {@link QueueStore} that is one endpoint's WAL. */
@FunctionalInterface
interface WalStoreOpener {

  /**
   * @param dir the endpoint's WAL directory ({@code <storage.path>/loki.write.<label>/wal/<endpoint>})
   * @param limits the disk bound ({@code wal { max_size }})
   */
  QueueStore<EntryChunk> open(Path dir, QueueLimits limits, RecordCodec<EntryChunk> codec, Logger logger)
      throws IOException;
}
