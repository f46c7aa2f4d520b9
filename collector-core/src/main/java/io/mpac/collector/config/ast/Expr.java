package io.mpac.collector.config.ast;

import io.mpac.collector.config.syntax.Position;
import io.mpac.collector.config.value.Value;
import java.util.List;

/**
 * An expression. Each variant records the position where it starts, which is where diagnostics
 * about it point.
 */
public sealed interface Expr {

  Position position();

  /**
   * A literal. {@code source} is the text as written (e.g. a raw string with its back-quotes, or
   * {@code 1e+2}) so that {@code fmt} reproduces it; {@code value} is what it means.
   */
  record Literal(Position position, String source, Value value) implements Expr {}

  /** A bare identifier: {@code sys}, {@code otelcol}, {@code coalesce}. */
  record Identifier(Position position, String name) implements Expr {}

  /** {@code target.field}; {@code position} is where {@code target} starts. */
  record Access(Position position, Expr target, String field, Position fieldPosition) implements Expr {}

  /** {@code target[index]}. */
  record Index(Position position, Expr target, Expr index) implements Expr {}

  /** {@code function(args...)}. */
  record Call(Position position, Expr function, List<Expr> arguments) implements Expr {
    public Call {
      arguments = List.copyOf(arguments);
    }
  }

  /** {@code [a, b, c]}. */
  record ArrayLiteral(Position position, List<Expr> elements) implements Expr {
    public ArrayLiteral {
      elements = List.copyOf(elements);
    }
  }

  /** {@code { key = value, "quoted.key" = value }}. */
  record ObjectLiteral(Position position, List<Field> fields) implements Expr {
    public ObjectLiteral {
      fields = List.copyOf(fields);
    }
  }

  /** One field of an object literal; {@code quoted} says whether the key was written as a string. */
  record Field(Position position, String key, boolean quoted, Expr value) {}

  /** {@code left op right}. */
  record Binary(Position position, BinaryOp op, Expr left, Expr right) implements Expr {}

  /** {@code op operand}. */
  record Unary(Position position, UnaryOp op, Expr operand) implements Expr {}

  /** {@code ( inner )}, kept so that {@code fmt} writes the parentheses back. */
  record Paren(Position position, Expr inner) implements Expr {}

  enum BinaryOp {
    OR("||"), AND("&&"),
    EQ("=="), NEQ("!="), LT("<"), LTE("<="), GT(">"), GTE(">="),
    ADD("+"), SUB("-"), MUL("*"), DIV("/"), MOD("%"), POW("^");

    public final String symbol;

    BinaryOp(String symbol) {
      this.symbol = symbol;
    }
  }

  enum UnaryOp {
    NOT("!"), NEG("-");

    public final String symbol;

    UnaryOp(String symbol) {
      this.symbol = symbol;
    }
  }
}
