package io.mpac.collector.config.syntax;

/**
 * The kinds of token the scanner produces. {@link #display()} is the name used in diagnostics
 * ("expected TERMINATOR, got IDENT"), matching Alloy's token names.
 */
public enum TokenKind {
  ILLEGAL("ILLEGAL"),
  EOF("EOF"),
  COMMENT("COMMENT"),
  IDENT("IDENT"),
  NUMBER("NUMBER"),
  FLOAT("FLOAT"),
  STRING("STRING"),
  BOOL("BOOL"),
  NULL("NULL"),
  OR("||"),
  AND("&&"),
  NOT("!"),
  ASSIGN("="),
  EQ("=="),
  NEQ("!="),
  LT("<"),
  LTE("<="),
  GT(">"),
  GTE(">="),
  ADD("+"),
  SUB("-"),
  MUL("*"),
  DIV("/"),
  MOD("%"),
  POW("^"),
  LCURLY("{"),
  RCURLY("}"),
  LPAREN("("),
  RPAREN(")"),
  LBRACK("["),
  RBRACK("]"),
  COMMA(","),
  DOT("."),
  TERMINATOR("TERMINATOR");

  private final String display;

  TokenKind(String display) {
    this.display = display;
  }

  public String display() {
    return display;
  }

  @Override
  public String toString() {
    return display;
  }
}
