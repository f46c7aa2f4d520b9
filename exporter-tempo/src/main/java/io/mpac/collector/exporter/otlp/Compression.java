package io.mpac.collector.exporter.otlp;

import java.util.Locale;

/**
 * The {@code compression} setting. Alloy also offers zlib, deflate, snappy and zstd; every OTLP
 * server must accept gzip and none, which is what this collector sends. The others are refused
 * with a config error rather than silently sent uncompressed.
 */
public enum Compression {
  NONE, GZIP;

  /**
   * Parses {@code "gzip"}, {@code "none"} or {@code ""}.
   *
   * @throws IllegalArgumentException with a message for the user otherwise
   */
  public static Compression parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    return switch (v) {
      case "gzip" -> GZIP;
      case "none", "" -> NONE;
      case "zstd", "snappy", "zlib", "deflate", "lz4", "x-snappy-framed" -> throw new IllegalArgumentException(
          "compression \"" + value + "\" is not supported by this collector; use \"gzip\" (default) or \"none\"");
      default -> throw new IllegalArgumentException(
          "unknown compression \"" + value + "\"; use \"gzip\" (default) or \"none\"");
    };
  }
}
