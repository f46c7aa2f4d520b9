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

  /**
   * {@code target[index]}; {@code lbrack}/{@code rbrack} are the bracket positions (null when the
   * node was built by code). The formatter uses them to keep line breaks as written.
   */
  record Index(Position position, Expr target, Expr index, Position lbrack, Position rbrack)
      implements Expr {
    public Index(Position position, Expr target, Expr index) {
      this(position, target, index, null, null);
    }
  }

  /** {@code function(args...)}; {@code lparen}/{@code rparen} as for {@link Index}. */
  record Call(
      Position position, Expr function, List<Expr> arguments, Position lparen, Position rparen)
      implements Expr {
    public Call {
      arguments = List.copyOf(arguments);
    }

    public Call(Position position, Expr function, List<Expr> arguments) {
      this(position, function, arguments, null, null);
    }
  }

  /** {@code [a, b, c]}; {@code end} is the closing bracket (null when unknown). */
  record ArrayLiteral(Position position, List<Expr> elements, Position end) implements Expr {
    public ArrayLiteral {
      elements = List.copyOf(elements);
    }

    public ArrayLiteral(Position position, List<Expr> elements) {
      this(position, elements, null);
    }
  }

  /** {@code { key = value, "quoted.key" = value }}; {@code end} is the closing brace. */
  record ObjectLiteral(Position position, List<Field> fields, Position end) implements Expr {
    public ObjectLiteral {
      fields = List.copyOf(fields);
    }

    public ObjectLiteral(Position position, List<Field> fields) {
      this(position, fields, null);
    }
  }

  /** One field of an object literal; {@code quoted} says whether the key was written as a string. */
  record Field(Position position, String key, boolean quoted, Expr value) {}

  /** {@code left op right}; {@code opPosition} is where the operator is (null when unknown). */
  record Binary(Position position, BinaryOp op, Expr left, Expr right, Position opPosition)
      implements Expr {
    public Binary(Position position, BinaryOp op, Expr left, Expr right) {
      this(position, op, left, right, null);
    }
  }

  /** {@code op operand}. */
  record Unary(Position position, UnaryOp op, Expr operand) implements Expr {}

  /** {@code ( inner )}, kept so that {@code fmt} writes the parentheses back. */
  record Paren(Position position, Expr inner, Position end) implements Expr {
    public Paren(Position position, Expr inner) {
      this(position, inner, null);
    }
  }

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
