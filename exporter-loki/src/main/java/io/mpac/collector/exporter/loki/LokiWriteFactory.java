package io.mpac.collector.exporter.loki;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.exporter.queue.FileQueueOptions;
import io.mpac.collector.exporter.queue.FileQueueStore;
import io.mpac.collector.exporter.queue.RecoveryReport;
import java.util.logging.Level;

/**
 * {@code loki.write}: receives Loki entries and pushes them to Loki's push API (snappy-compressed
 * protobuf), batching per endpoint and tenant, with bounded queues (in memory or a WAL on disk) and
 * retries.
 */
public final class LokiWriteFactory implements ComponentFactory {

  @Override
  public String name() {
    return "loki.write";
  }

  @Override
  public Schema schema() {
    return LokiWriteConfig.SCHEMA;
  }

  @Override
  public Component create(ComponentContext context, Args args) throws ConfigException {
    return new LokiWrite(context, LokiWriteConfig.from(args), FILE_WAL);
  }

  /**
   * An endpoint's WAL: a {@link FileQueueStore} (append-only segments with checksums; written, not
   * fsynced, before a push returns: it survives a crash of the process, not of the machine). What
   * it recovers at open is logged in one line; each damaged record the store skipped is logged by
   * the store with its file and offset.
   */
  static final WalStoreOpener FILE_WAL = (dir, limits, codec, logger) -> {
    FileQueueStore<EntryChunk> store = FileQueueStore.open(dir, codec, limits, FileQueueOptions.defaults());
    RecoveryReport r = store.recoveryReport();
    if (r.recordsRecovered() > 0 || !r.clean()) {
      logger.log(r.clean() ? Level.INFO : Level.WARNING, "WAL " + dir + ": " + r.recordsRecovered()
          + " unsent chunks to send again" + (r.clean() ? "" : "; skipped " + r.recordsSkipped() + " damaged records and "
          + r.segmentsSkipped() + " segments (" + r.bytesSkipped() + " bytes)"));
    }
    return store;
  };
}
