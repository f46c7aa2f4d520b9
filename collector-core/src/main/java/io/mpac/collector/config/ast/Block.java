package io.mpac.collector.config.ast;

import io.mpac.collector.config.syntax.Position;
import java.util.List;

/**
 * {@code a.b.c "label" { body }}. {@code label} is null when the block has none; {@code position}
 * is where the name starts, {@code labelPosition} where the label's opening quote is (or null), and
 * {@code end} the position of the closing brace, {@code lbrace} the position of the opening brace
 * (null when unknown, e.g. for a block built by code).
 */
public record Block(
    Position position,
    List<String> name,
    String label,
    Position labelPosition,
    List<Statement> body,
    Position end,
    Position lbrace)
    implements Statement {

  public Block {
    name = List.copyOf(name);
    body = List.copyOf(body);
  }

  /** A block whose opening brace position is unknown. */
  public Block(
      Position position,
      List<String> name,
      String label,
      Position labelPosition,
      List<Statement> body,
      Position end) {
    this(position, name, label, labelPosition, body, end, null);
  }

  /** The dotted name, e.g. {@code otelcol.receiver.otlp} or {@code stage.json}. */
  public String fullName() {
    return String.join(".", name);
  }
}
