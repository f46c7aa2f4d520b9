package io.mpac.collector.exporter.storage;

import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Handle;
import io.mpac.collector.component.schema.Type;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.exporter.queue.QueueLimits;
import io.mpac.collector.exporter.queue.QueueStore;
import io.mpac.collector.exporter.queue.RecordCodec;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The {@code handler} export of {@code otelcol.storage.file} (an {@code otelcol.Handler} capsule,
 * as in Alloy): what {@code sending_queue { storage = ... }} takes. Each client gets a persistent
 * queue of its own in {@code <directory>/<client component id>/}, so several exporters can share
 * one storage component.
 */
public final class StorageHandler implements Handle {

  /** The capsule type name, as Alloy spells it. */
  public static final String KIND = "otelcol.Handler";

  /** The schema type of a {@code storage} argument. */
  public static final Type TYPE = Types.handle(KIND, StorageHandler.class);

  private final FileStorage storage;

  StorageHandler(FileStorage storage) {
    this.storage = storage;
  }

  /**
   * Opens the persistent queue of {@code client} (call it from the client's {@code start()}),
   * recovering what a previous run left there; recovery figures are logged on the client's logger
   * and registered as the client's metrics. The caller closes the store.
   *
   * @throws IOException when the directory cannot be used, or another process holds the queue
   *     longer than the storage's {@code timeout}
   */
  public <T> QueueStore<T> openQueue(ComponentContext client, RecordCodec<T> codec, QueueLimits limits)
      throws IOException {
    return storage.openQueue(client, codec, limits);
  }

  /** Where {@code client}'s queue lives. */
  public Path directoryOf(ComponentContext client) {
    return storage.queueDirectory(client.id());
  }

  @Override
  public String handleKind() {
    return KIND;
  }

  @Override
  public String toString() {
    return storage.id() + ".handler";
  }
}
