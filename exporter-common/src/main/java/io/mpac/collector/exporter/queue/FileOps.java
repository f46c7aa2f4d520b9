package io.mpac.collector.exporter.queue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * How a {@link FileQueueStore} opens its files: every segment, ack journal and compaction file goes
 * through this one seam, so tests can hand out channels that fail like a full disk
 * ({@code IOException("No space left on device")}) or a broken one.
 */
@FunctionalInterface
public interface FileOps {

  /** The real file system. */
  FileOps DEFAULT = FileChannel::open;

  /** Opens {@code path} like {@link FileChannel#open(Path, Set, java.nio.file.attribute.FileAttribute[])}. */
  FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;
}
