package io.mpac.collector.config.syntax;

/**
 * A place in a configuration file: 1-based line and column (columns count Unicode code points).
 * Printed as {@code file:line:col}, the form every diagnostic starts with.
 */
public record Position(String file, int line, int column) {

  /** A position for things that have no source text (defaults, generated values). */
  public static final Position NONE = new Position("<none>", 0, 0);

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
