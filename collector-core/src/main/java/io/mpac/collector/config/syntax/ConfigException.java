package io.mpac.collector.config.syntax;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A configuration was rejected. Carries every diagnostic found, not only the first, so a user fixes
 * a file in one round. No stack trace: a config error is the user's, not the program's.
 */
public final class ConfigException extends Exception {

  private final List<Diagnostic> diagnostics;

  public ConfigException(List<Diagnostic> diagnostics) {
    super(render(diagnostics), null, false, false);
    List<Diagnostic> sorted = new ArrayList<>(diagnostics);
    Collections.sort(sorted);
    this.diagnostics = List.copyOf(sorted);
  }

  public ConfigException(Position position, String message) {
    this(List.of(new Diagnostic(position, message)));
  }

  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }

  private static String render(List<Diagnostic> diagnostics) {
    List<Diagnostic> sorted = new ArrayList<>(diagnostics);
    Collections.sort(sorted);
    StringBuilder sb = new StringBuilder();
    for (Diagnostic d : sorted) {
      if (sb.length() > 0) sb.append('\n');
      sb.append(d);
    }
    return sb.toString();
  }
}
