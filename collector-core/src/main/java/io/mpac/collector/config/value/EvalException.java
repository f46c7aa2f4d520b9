package io.mpac.collector.config.value;

import io.mpac.collector.config.syntax.Position;

/** Evaluating an expression failed; {@code position} is null until the evaluator knows where. */
public final class EvalException extends Exception {

  private final Position position;

  public EvalException(String message) {
    this(null, message);
  }

  public EvalException(Position position, String message) {
    super(message, null, false, false);
    this.position = position;
  }

  public Position position() {
    return position;
  }
}
