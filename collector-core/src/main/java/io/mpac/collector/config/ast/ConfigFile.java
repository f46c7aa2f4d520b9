package io.mpac.collector.config.ast;

import java.util.List;

/** One parsed {@code .alloy} file: its statements in order and, for the formatter, its comments. */
public record ConfigFile(String name, List<Statement> body, List<Comment> comments) {
  public ConfigFile {
    body = List.copyOf(body);
    comments = List.copyOf(comments);
  }
}
