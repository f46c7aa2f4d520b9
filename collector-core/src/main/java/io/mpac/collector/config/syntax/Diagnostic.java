package io.mpac.collector.config.syntax;

/** One problem found in a configuration, printed as {@code file:line:col: message}. */
public record Diagnostic(Position position, String message) implements Comparable<Diagnostic> {

  @Override
  public String toString() {
    return position + ": " + message;
  }

  /** Diagnostics sort by file, then line, then column, so output reads top to bottom. */
  @Override
  public int compareTo(Diagnostic o) {
    int c = position.file().compareTo(o.position.file());
    if (c != 0) return c;
    c = Integer.compare(position.line(), o.position.line());
    if (c != 0) return c;
    c = Integer.compare(position.column(), o.position.column());
    return c != 0 ? c : message.compareTo(o.message);
  }
}
