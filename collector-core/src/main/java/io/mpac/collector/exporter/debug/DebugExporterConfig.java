package io.mpac.collector.exporter.debug;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.config.syntax.ConfigException;

/** Arguments of {@code otelcol.exporter.debug}. */
public record DebugExporterConfig(Verbosity verbosity, long samplingInitial, long samplingThereafter,
    boolean useInternalLogger) {

  public enum Verbosity { BASIC, NORMAL, DETAILED }

  public static final DebugExporterConfig DEFAULT = new DebugExporterConfig(Verbosity.BASIC, 2, 1, true);

  static DebugExporterConfig from(Args args) throws ConfigException {
    long initial = args.integer("sampling_initial");
    long thereafter = args.integer("sampling_thereafter");
    if (initial < 0) throw new ConfigException(args.positionOf("sampling_initial"), "sampling_initial must not be negative");
    if (thereafter < 1) {
      throw new ConfigException(args.positionOf("sampling_thereafter"), "sampling_thereafter must be at least 1");
    }
    return new DebugExporterConfig(
        Verbosity.valueOf(args.string("verbosity").toUpperCase(java.util.Locale.ROOT)),
        initial, thereafter, args.bool("use_internal_logger"));
  }
}
