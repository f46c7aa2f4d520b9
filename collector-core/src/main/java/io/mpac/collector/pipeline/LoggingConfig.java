package io.mpac.collector.pipeline;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;

/** The top-level {@code logging { level, format }} block: how the collector writes its own logs. */
public record LoggingConfig(String level, String format) {

  public static final LoggingConfig DEFAULT = new LoggingConfig("info", "logfmt");

  static final Schema SCHEMA = Schema.builder()
      .optional("level", Types.oneOf("error", "warn", "info", "debug"), "info", "minimum level written")
      .optional("format", Types.oneOf("logfmt", "json"), "logfmt", "line format")
      .build();

  static LoggingConfig from(Args args) {
    return new LoggingConfig(args.string("level"), args.string("format"));
  }
}
