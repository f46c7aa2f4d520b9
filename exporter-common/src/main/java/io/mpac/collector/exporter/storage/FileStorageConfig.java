package io.mpac.collector.exporter.storage;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.DebugMetrics;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Schema.BlockSpec.Cardinality;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.config.syntax.Position;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The arguments of {@code otelcol.storage.file}, as Alloy spells them, and how each maps onto our
 * persistent queue (see the README for the table).
 *
 * @param directory where the component keeps its clients' queues; null: the component's directory
 *     under {@code --storage.path}
 * @param directoryPosition where {@code directory} was set (for the start-time error when it is
 *     missing and may not be created)
 * @param createDirectory create {@code directory} (and its parents) when missing
 * @param directoryPermissions the permissions of directories this component creates
 * @param fsync force every accepted request and every ack to the device before returning
 * @param timeout how long opening a queue waits for the directory's lock
 * @param compaction the {@code compaction} block
 */
public record FileStorageConfig(Path directory, Position directoryPosition, boolean createDirectory,
    Set<PosixFilePermission> directoryPermissions, boolean fsync, Duration timeout, Compaction compaction) {

  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  public static final String DEFAULT_PERMISSIONS = "0750";

  /**
   * The {@code compaction} block.
   *
   * @param onStart compact each queue when it opens
   * @param onRebound compact a queue online once it grew past {@code reboundNeededBytes} and then
   *     shrank below {@code reboundTriggerBytes}
   * @param reboundNeededBytes {@code rebound_needed_threshold_mib}, in bytes
   * @param reboundTriggerBytes {@code rebound_trigger_threshold_mib}, in bytes
   * @param checkInterval how often the rebound condition is checked
   * @param cleanupOnStart remove leftovers of an interrupted compaction when a queue opens (always
   *     done; the argument may say so, not the opposite)
   */
  public record Compaction(boolean onStart, boolean onRebound, long reboundNeededBytes, long reboundTriggerBytes,
      Duration checkInterval, boolean cleanupOnStart) {

    public static final Compaction DEFAULTS = new Compaction(false, false, 100L << 20, 10L << 20,
        Duration.ofSeconds(5), false);

    public Compaction {
      Objects.requireNonNull(checkInterval, "checkInterval");
      if (checkInterval.isNegative() || checkInterval.isZero()) throw new IllegalArgumentException("check_interval");
      if (reboundTriggerBytes < 0 || reboundNeededBytes < 0) throw new IllegalArgumentException("thresholds");
    }
  }

  static final Schema COMPACTION_SCHEMA = Schema.builder()
      .optional("on_start", Types.BOOL, false, "compact each queue when it opens")
      .optional("on_rebound", Types.BOOL, false, "compact online after the queue grew and shrank again")
      .optional("directory", Types.STRING, null, "refused: compaction writes beside the queue's segments")
      .optional("rebound_needed_threshold_mib", Types.INT, 100L, "disk use (MiB) that arms online compaction")
      .optional("rebound_trigger_threshold_mib", Types.INT, 10L, "disk use (MiB) below which an armed compaction runs")
      .optional("max_transaction_size", Types.INT, null, "refused: compaction is bounded by segments, not items")
      .optional("check_interval", Types.DURATION, Duration.ofSeconds(5), "how often on_rebound checks")
      .optional("cleanup_on_start", Types.BOOL, false,
          "remove leftovers of an interrupted compaction at open (always done; false is refused)")
      .build();

  public static final Schema SCHEMA = Schema.builder()
      .optional("directory", Types.STRING, null, "where the queues live (default: <storage.path>/<component id>)")
      .optional("create_directory", Types.BOOL, true, "create directory when missing")
      .optional("directory_permissions", Types.STRING, DEFAULT_PERMISSIONS, "octal permissions of created directories")
      .optional("fsync", Types.BOOL, false, "force writes to the device before accepting")
      .optional("timeout", Types.DURATION, DEFAULT_TIMEOUT, "how long opening a queue waits for its lock")
      .block("compaction", COMPACTION_SCHEMA, Cardinality.OPTIONAL)
      .block("debug_metrics", DebugMetrics.SCHEMA, Cardinality.OPTIONAL, DebugMetrics.DOC)
      .build();

  public FileStorageConfig {
    Objects.requireNonNull(directoryPermissions, "directoryPermissions");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(compaction, "compaction");
    directoryPermissions = Set.copyOf(directoryPermissions);
  }

  /** Reads and checks the component's arguments. */
  public static FileStorageConfig from(Args args) throws ConfigException {
    List<Diagnostic> diags = new ArrayList<>();
    Path directory = null;
    if (args.isSet("directory")) {
      String d = args.string("directory");
      if (d.isBlank()) {
        diags.add(new Diagnostic(args.positionOf("directory"), "directory must not be empty"));
      } else {
        try {
          directory = Path.of(d);
        } catch (java.nio.file.InvalidPathException e) {
          diags.add(new Diagnostic(args.positionOf("directory"), "directory \"" + d + "\" is not a valid path: "
              + e.getReason()));
        }
      }
    }
    Set<PosixFilePermission> permissions = Set.of();
    try {
      permissions = parsePermissions(args.string("directory_permissions"));
    } catch (IllegalArgumentException e) {
      diags.add(new Diagnostic(args.positionOf("directory_permissions"), e.getMessage()));
    }
    Duration timeout = args.duration("timeout");
    if (timeout.isNegative()) {
      diags.add(new Diagnostic(args.positionOf("timeout"), "timeout must not be negative, got " + timeout));
    }
    Compaction compaction = Compaction.DEFAULTS;
    try {
      compaction = compactionFrom(args.blockOrDefaults("compaction"));
    } catch (ConfigException e) {
      diags.addAll(e.diagnostics());
    }
    if (!diags.isEmpty()) throw new ConfigException(diags);
    return new FileStorageConfig(directory, args.positionOf("directory"), args.bool("create_directory"), permissions,
        args.bool("fsync"), timeout, compaction);
  }

  private static Compaction compactionFrom(Args c) throws ConfigException {
    List<Diagnostic> diags = new ArrayList<>();
    if (c.isSet("directory")) {
      diags.add(new Diagnostic(c.positionOf("directory"), "compaction.directory is not supported: compaction "
          + "writes its temporary file beside the queue's segment files, so the file can replace them by an "
          + "atomic rename on the same file system; remove this attribute"));
    }
    if (c.isSet("max_transaction_size")) {
      diags.add(new Diagnostic(c.positionOf("max_transaction_size"), "compaction.max_transaction_size is not "
          + "supported: it limits a bbolt transaction, and our compaction moves one run of queue segments at a "
          + "time (bounded by the segment size, not by an item count); remove this attribute"));
    }
    if (c.isSet("cleanup_on_start") && !c.bool("cleanup_on_start")) {
      diags.add(new Diagnostic(c.positionOf("cleanup_on_start"), "compaction.cleanup_on_start = false cannot be "
          + "honoured: leftovers of an interrupted compaction are never queue data and are always removed when a "
          + "queue opens; remove this attribute or set it to true"));
    }
    long needed = c.integer("rebound_needed_threshold_mib");
    long trigger = c.integer("rebound_trigger_threshold_mib");
    if (needed < 0 || needed > (Long.MAX_VALUE >> 20)) {
      diags.add(new Diagnostic(c.positionOf("rebound_needed_threshold_mib"),
          "rebound_needed_threshold_mib must be at least 0, got " + needed));
    }
    if (trigger < 0 || trigger > (Long.MAX_VALUE >> 20)) {
      diags.add(new Diagnostic(c.positionOf("rebound_trigger_threshold_mib"),
          "rebound_trigger_threshold_mib must be at least 0, got " + trigger));
    } else if (trigger >= needed && needed >= 0) {
      diags.add(new Diagnostic(c.positionOf("rebound_trigger_threshold_mib"), "rebound_trigger_threshold_mib ("
          + trigger + ") must be below rebound_needed_threshold_mib (" + needed + "): compaction runs once the "
          + "queue has grown past the second and shrunk below the first"));
    }
    Duration interval = c.duration("check_interval");
    if (interval.isNegative() || interval.isZero()) {
      diags.add(new Diagnostic(c.positionOf("check_interval"), "check_interval must be greater than 0"));
    }
    if (!diags.isEmpty()) throw new ConfigException(diags);
    return new Compaction(c.bool("on_start"), c.bool("on_rebound"), needed << 20, trigger << 20, interval,
        c.bool("cleanup_on_start"));
  }

  /** "0750" → rwxr-x---. Octal, three or four digits, no setuid/setgid/sticky bits. */
  static Set<PosixFilePermission> parsePermissions(String octal) {
    String s = octal.strip();
    if (!s.matches("0?[0-7]{3}")) {
      throw new IllegalArgumentException("directory_permissions must be octal permissions such as \"0750\", got \""
          + octal + "\"");
    }
    int mode = Integer.parseInt(s, 8);
    if ((mode & 0700) != 0700) {
      throw new IllegalArgumentException("directory_permissions \"" + octal + "\" must give the owner rwx (07xx): "
          + "the collector writes its queues there");
    }
    PosixFilePermission[] bits = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    for (int i = 0; i < bits.length; i++) {
      if ((mode & (1 << i)) != 0) out.add(bits[i]);
    }
    return out;
  }
}
