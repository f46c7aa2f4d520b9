package io.mpac.collector.receiver.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Read positions per container, kept in {@code <storage>/positions.json}: the Docker timestamp of
 * the last line handed on and how many lines with exactly that timestamp were handed on. Reading
 * resumes with {@code since=<timestamp>} and skips that many lines at the timestamp, so a restart
 * neither re-sends nor skips lines (Docker's {@code since} is inclusive and timestamps can repeat).
 *
 * <p>Unlike Alloy, a container that leaves discovery keeps its position, so a stopped container
 * that starts again resumes where it was; positions not used for {@link #EXPIRY} are dropped.
 *
 * <p>Durability: a position advances only after its line was accepted downstream (or deliberately
 * dropped), and {@link #save()} writes a temp file, fsyncs it, renames it over the old file and
 * fsyncs the directory, so after a crash the file is the last complete save: no line is lost, and
 * the lines re-read are those accepted since that save (saves come every
 * {@link LokiSourceDockerConfig#DEFAULT_SYNC_PERIOD} and at shutdown).
 */
final class Positions {

  static final Duration EXPIRY = Duration.ofDays(7);
  static final String FILE = "positions.json";

  /** A container's position; {@code lastSeenMillis} is when it was last followed. */
  record Position(long timestampNanos, long countAtTimestamp, long lastSeenMillis) {}

  private final Path file;
  private final Clock clock;
  private final Map<String, Position> byContainer = new ConcurrentHashMap<>();
  private volatile boolean dirty;

  Positions(Path dir, Clock clock) {
    this.file = dir.resolve(FILE);
    this.clock = clock;
  }

  Path file() {
    return file;
  }

  /** Loads the file if there is one; a corrupt file is renamed aside and reported. */
  void load() throws IOException {
    if (!Files.exists(file)) return;
    JsonNode root;
    try {
      root = DockerClient.JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      Path aside = file.resolveSibling(FILE + ".corrupt");
      Files.move(file, aside, StandardCopyOption.REPLACE_EXISTING);
      throw new IOException("positions file " + file + " is not valid JSON (moved to " + aside + "): " + e.getMessage(), e);
    }
    JsonNode containers = root.path("containers");
    for (Iterator<Map.Entry<String, JsonNode>> it = containers.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode p = e.getValue();
      byContainer.put(e.getKey(), new Position(p.path("ts").asLong(), p.path("count").asLong(), p.path("seen").asLong()));
    }
  }

  /** The saved position of a container, or null. */
  Position get(String containerId) {
    return byContainer.get(containerId);
  }

  /** Records that a line with Docker time {@code ts} was handed on. */
  void advance(String containerId, long ts) {
    long now = clock.millis();
    byContainer.compute(containerId, (id, p) -> {
      if (p != null && p.timestampNanos == ts) return new Position(ts, p.countAtTimestamp + 1, now);
      if (p != null && p.timestampNanos > ts) return new Position(p.timestampNanos, p.countAtTimestamp, now);
      return new Position(ts, 1, now);
    });
    dirty = true;
  }

  /** Marks a container as in use now (so its position does not expire). */
  void touch(String containerId) {
    long now = clock.millis();
    byContainer.computeIfPresent(containerId, (id, p) -> new Position(p.timestampNanos, p.countAtTimestamp, now));
  }

  /** Writes the file if anything changed (temp file + atomic rename), dropping expired positions. */
  synchronized void save() throws IOException {
    long cutoff = clock.millis() - EXPIRY.toMillis();
    boolean expired = byContainer.values().removeIf(p -> p.lastSeenMillis < cutoff);
    if (!dirty && !expired && Files.exists(file)) return;
    dirty = false;
    ObjectNode root = DockerClient.JSON.createObjectNode();
    root.put("version", 1);
    ObjectNode containers = root.putObject("containers");
    new java.util.TreeMap<>(byContainer).forEach((id, p) -> {
      ObjectNode n = containers.putObject(id);
      n.put("ts", p.timestampNanos);
      n.put("time", DockerTime.format(p.timestampNanos));
      n.put("count", p.countAtTimestamp);
      n.put("seen", p.lastSeenMillis);
    });
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(FILE + ".tmp");
      byte[] bytes = DockerClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root)
          .getBytes(StandardCharsets.UTF_8);
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) ch.write(b);
        ch.force(true); // the content is on disk before the rename makes it the file
      }
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      syncDirectory(file.getParent());
    } catch (IOException | RuntimeException e) {
      dirty = true;
      throw e;
    }
  }

  /** Makes the rename durable; a file system that cannot open a directory for that is left as is. */
  private static void syncDirectory(Path dir) {
    try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException | UnsupportedOperationException e) {
      // not supported here (e.g. Windows); the rename is still atomic
    }
  }
}
