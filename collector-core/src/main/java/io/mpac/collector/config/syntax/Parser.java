package io.mpac.collector.config.syntax;

import io.mpac.collector.config.ast.Attribute;
import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.ast.Comment;
import io.mpac.collector.config.ast.ConfigFile;
import io.mpac.collector.config.ast.Expr;
import io.mpac.collector.config.ast.Expr.BinaryOp;
import io.mpac.collector.config.ast.Expr.UnaryOp;
import io.mpac.collector.config.ast.Statement;
import io.mpac.collector.config.value.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Recursive-descent parser for Alloy syntax (grammar in docs/alloy.md §1.2).
 *
 * <p>Contract: {@link #parse} returns the whole file or throws one {@link ConfigException} with
 * every lexical and syntax error found. After an error the parser skips to the end of the
 * statement and goes on; like Alloy, it reports at most one syntax error per line so a single
 * mistake does not cascade.
 */
public final class Parser {

  private final Lexer lexer;
  private final List<Diagnostic> diagnostics = new ArrayList<>();
  private final List<Comment> comments = new ArrayList<>();
  private Token tok;
  private int lastErrorLine = -1;
  /** Current nesting of blocks and expressions; see {@link #MAX_NESTING}. */
  private int depth;

  /**
   * Deeper nesting (blocks in blocks, brackets, unary operators) is refused: the parser and the
   * evaluator recurse, and a hostile or broken file must get an error, not a stack overflow.
   */
  public static final int MAX_NESTING = 200;

  /** Thrown on the way out when {@link #MAX_NESTING} is exceeded; becomes a diagnostic. */
  private static final class TooDeep extends RuntimeException {
    final Position position;

    TooDeep(Position position) {
      super(null, null, false, false);
      this.position = position;
    }
  }

  private Parser(String fileName, String source) {
    this.lexer = new Lexer(fileName, source, diagnostics);
    next();
  }

  /** Parses a whole file. */
  public static ConfigFile parse(String fileName, String source) throws ConfigException {
    Parser p = new Parser(fileName, source);
    List<Statement> body;
    try {
      body = p.parseBody(TokenKind.EOF);
    } catch (TooDeep e) {
      throw p.tooDeep(e);
    }
    p.failOnErrors();
    return new ConfigFile(fileName, body, p.comments);
  }

  /** Parses a single expression (the whole input must be one expression). */
  public static Expr parseExpression(String fileName, String source) throws ConfigException {
    Parser p = new Parser(fileName, source);
    Expr e;
    try {
      e = p.expression();
    } catch (TooDeep deep) {
      throw p.tooDeep(deep);
    }
    if (p.tok.kind() == TokenKind.TERMINATOR) p.next();
    if (p.tok.kind() != TokenKind.EOF) p.error("expected EOF, got " + p.tok.kind());
    p.failOnErrors();
    return e;
  }

  private ConfigException tooDeep(TooDeep e) {
    diagnostics.add(new Diagnostic(e.position, "nesting deeper than " + MAX_NESTING + " levels"));
    return new ConfigException(diagnostics);
  }

  private void enter() {
    if (++depth > MAX_NESTING) throw new TooDeep(tok.position());
  }

  private void failOnErrors() throws ConfigException {
    if (!diagnostics.isEmpty()) throw new ConfigException(diagnostics);
  }

  // ---- token handling ----

  private void next() {
    tok = lexer.next();
    while (tok.kind() == TokenKind.COMMENT) {
      comments.add(new Comment(tok.position(), tok.text()));
      tok = lexer.next();
    }
    // The scanner already reported an illegal token; a parser error on top would say the same twice.
    if (tok.kind() == TokenKind.ILLEGAL) lastErrorLine = tok.position().line();
  }

  private boolean at(TokenKind kind) {
    return tok.kind() == kind;
  }

  /** A syntax error at the current token, dropped when one was already reported on its line. */
  private void error(String message) {
    errorAt(tok.position(), message);
  }

  private void errorAt(Position position, String message) {
    if (position.line() == lastErrorLine) return;
    lastErrorLine = position.line();
    diagnostics.add(new Diagnostic(position, message));
  }

  private Position expect(TokenKind kind) {
    Position pos = tok.position();
    if (!at(kind)) error("expected " + kind + ", got " + tok.kind());
    next();
    return pos;
  }

  /**
   * Skips to the terminator ending the current statement, balancing brackets. Stops before an
   * unmatched closing brace so the enclosing block still sees its end.
   */
  private void skipStatement() {
    int curly = 0;
    int brack = 0;
    int paren = 0;
    while (!at(TokenKind.EOF)) {
      switch (tok.kind()) {
        case LCURLY -> curly++;
        case RCURLY -> {
          if (curly == 0) return;
          curly--;
        }
        case LBRACK -> brack++;
        case RBRACK -> brack--;
        case LPAREN -> paren++;
        case RPAREN -> paren--;
        case TERMINATOR -> {
          if (curly <= 0 && brack <= 0 && paren <= 0) return;
        }
        default -> {}
      }
      next();
    }
  }

  // ---- statements ----

  private List<Statement> parseBody(TokenKind until) {
    enter();
    try {
      return parseBodyNested(until);
    } finally {
      depth--;
    }
  }

  private List<Statement> parseBodyNested(TokenKind until) {
    List<Statement> body = new ArrayList<>();
    while (!at(until) && !at(TokenKind.EOF)) {
      Token start = tok;
      Statement stmt = parseStatement();
      if (stmt != null) body.add(stmt);
      if (at(until)) break;
      if (!at(TokenKind.TERMINATOR)) {
        error("expected " + TokenKind.TERMINATOR + ", got " + tok.kind());
        skipStatement();
      }
      if (at(TokenKind.TERMINATOR)) next();
      else if (tok == start) next(); // e.g. a stray '}' at top level: always make progress
    }
    return body;
  }

  private record BlockName(List<String> fragments, Position start, String label, Position labelPos) {}

  private Statement parseStatement() {
    BlockName name = parseBlockName();
    if (name == null) {
      skipStatement();
      return null;
    }
    switch (tok.kind()) {
      case ASSIGN -> {
        next();
        if (name.fragments().size() != 1) {
          diagnostics.add(
              new Diagnostic(
                  name.start(),
                  "attribute names may only consist of a single identifier with no \".\""));
        } else if (name.labelPos() != null) {
          diagnostics.add(new Diagnostic(name.labelPos(), "attribute names may not have labels"));
        }
        return new Attribute(name.start(), name.fragments().get(0), expression());
      }
      case LCURLY -> {
        Position lbrace = tok.position();
        next();
        List<Statement> body = parseBody(TokenKind.RCURLY);
        Position end = expect(TokenKind.RCURLY);
        return new Block(
            name.start(), name.fragments(), name.label(), name.labelPos(), body, end, lbrace);
      }
      default -> {
        if (name.fragments().size() == 1 && name.label() == null) {
          error("expected attribute assignment or block body, got " + tok.kind());
        } else {
          error("expected block body, got " + tok.kind());
        }
        skipStatement();
        return null;
      }
    }
  }

  private BlockName parseBlockName() {
    if (!at(TokenKind.IDENT)) {
      error("expected identifier, got " + tok.kind());
      return null;
    }
    List<String> fragments = new ArrayList<>();
    fragments.add(tok.text());
    Position start = tok.position();
    next();
    while (at(TokenKind.DOT)) {
      next();
      if (!at(TokenKind.IDENT)) error("expected identifier, got " + tok.kind());
      fragments.add(tok.text());
      next();
    }
    String label = null;
    Position labelPos = null;
    if (!at(TokenKind.ASSIGN) && !at(TokenKind.LCURLY)) {
      if (at(TokenKind.STRING)) {
        String text = tok.text();
        if (text.charAt(0) != '"') {
          error("expected block label to be a double quoted string, but got " + GoStrings.quote(text));
        }
        if (text.length() > 2) {
          label = text.substring(1, text.length() - 1);
          if (!Lexer.isValidIdentifier(label)) {
            error("expected block label to be a valid identifier, but got " + GoStrings.quote(label));
          }
        }
        labelPos = tok.position();
      } else {
        error("expected block label, got " + tok.kind());
      }
      next();
    }
    return new BlockName(fragments, start, label, labelPos);
  }

  // ---- expressions ----

  private Expr expression() {
    return binary(1);
  }

  private static int precedence(TokenKind kind) {
    return switch (kind) {
      case OR -> 1;
      case AND -> 2;
      case EQ, NEQ, LT, LTE, GT, GTE -> 3;
      case ADD, SUB -> 4;
      case MUL, DIV, MOD -> 5;
      default -> 0; // not a left-associative binary operator (^ is handled by pow())
    };
  }

  private static BinaryOp binaryOp(TokenKind kind) {
    return switch (kind) {
      case OR -> BinaryOp.OR;
      case AND -> BinaryOp.AND;
      case EQ -> BinaryOp.EQ;
      case NEQ -> BinaryOp.NEQ;
      case LT -> BinaryOp.LT;
      case LTE -> BinaryOp.LTE;
      case GT -> BinaryOp.GT;
      case GTE -> BinaryOp.GTE;
      case ADD -> BinaryOp.ADD;
      case SUB -> BinaryOp.SUB;
      case MUL -> BinaryOp.MUL;
      case DIV -> BinaryOp.DIV;
      case MOD -> BinaryOp.MOD;
      case POW -> BinaryOp.POW;
      default -> throw new IllegalArgumentException(kind.name());
    };
  }

  /** Left-associative operators with precedence at least {@code minPrec}. */
  private Expr binary(int minPrec) {
    Expr left = pow();
    while (true) {
      int prec = precedence(tok.kind());
      if (prec == 0 || prec < minPrec) return left;
      BinaryOp op = binaryOp(tok.kind());
      Position opPos = tok.position();
      next();
      Expr right = binary(prec + 1);
      left = new Expr.Binary(left.position(), op, left, right, opPos);
    }
  }

  /** {@code ^} is right-associative: {@code a ^ b ^ c} is {@code a ^ (b ^ c)}. */
  private Expr pow() {
    Expr left = unary();
    if (!at(TokenKind.POW)) return left;
    Position opPos = tok.position();
    next();
    return new Expr.Binary(left.position(), BinaryOp.POW, left, pow(), opPos);
  }

  private Expr unary() {
    enter();
    try {
      return unaryNested();
    } finally {
      depth--;
    }
  }

  private Expr unaryNested() {
    if (at(TokenKind.NOT) || at(TokenKind.SUB)) {
      UnaryOp op = at(TokenKind.NOT) ? UnaryOp.NOT : UnaryOp.NEG;
      Position pos = tok.position();
      next();
      return new Expr.Unary(pos, op, unary());
    }
    Expr e = primary();
    while (true) {
      switch (tok.kind()) {
        case DOT -> {
          next();
          Position namePos = tok.position();
          String name = tok.text();
          expect(TokenKind.IDENT);
          e = new Expr.Access(e.position(), e, name, namePos);
        }
        case LBRACK -> {
          Position lbrack = expect(TokenKind.LBRACK);
          Expr index = expression();
          Position rbrack = expect(TokenKind.RBRACK);
          e = new Expr.Index(e.position(), e, index, lbrack, rbrack);
        }
        case LPAREN -> {
          Position lparen = expect(TokenKind.LPAREN);
          List<Expr> args = at(TokenKind.RPAREN) ? List.of() : expressionList(TokenKind.RPAREN);
          Position rparen = expect(TokenKind.RPAREN);
          e = new Expr.Call(e.position(), e, args, lparen, rparen);
        }
        case STRING, LCURLY -> {
          // Probably a block written where an expression belongs (`attr = foo { ... }`):
          // parse it as a block so the error says so, then carry on.
          if (at(TokenKind.STRING)) next();
          if (!at(TokenKind.LCURLY)) {
            expect(TokenKind.LCURLY);
            skipStatement();
            return e;
          }
          next();
          parseBody(TokenKind.RCURLY);
          if (!at(TokenKind.RCURLY)) {
            expect(TokenKind.RCURLY);
            skipStatement();
            return e;
          }
          next();
          diagnostics.add(new Diagnostic(e.position(), "cannot use a block as an expression"));
        }
        default -> {
          return e;
        }
      }
    }
  }

  private static final Set<TokenKind> EXPRESSION_END =
      Set.of(
          TokenKind.TERMINATOR,
          TokenKind.RPAREN,
          TokenKind.RCURLY,
          TokenKind.RBRACK,
          TokenKind.COMMA);

  private Expr primary() {
    Token t = tok;
    Position pos = t.position();
    switch (t.kind()) {
      case IDENT -> {
        next();
        return new Expr.Identifier(pos, t.text());
      }
      case STRING, NUMBER, FLOAT, BOOL, NULL -> {
        next();
        return new Expr.Literal(pos, t.text(), literalValue(t));
      }
      case LPAREN -> {
        next();
        Expr inner = expression();
        Position end = expect(TokenKind.RPAREN);
        return new Expr.Paren(pos, inner, end);
      }
      case LBRACK -> {
        next();
        List<Expr> elements =
            at(TokenKind.RBRACK) ? List.of() : expressionList(TokenKind.RBRACK);
        Position end = expect(TokenKind.RBRACK);
        return new Expr.ArrayLiteral(pos, elements, end);
      }
      case LCURLY -> {
        next();
        List<Expr.Field> fields = fieldList();
        Position end = expect(TokenKind.RCURLY);
        return new Expr.ObjectLiteral(pos, fields, end);
      }
      default -> {
        error("expected expression, got " + t.kind());
        while (!at(TokenKind.EOF) && !EXPRESSION_END.contains(tok.kind())) next();
        return new Expr.Literal(pos, "null", Value.NULL);
      }
    }
  }

  private List<Expr> expressionList(TokenKind until) {
    List<Expr> list = new ArrayList<>();
    while (!at(until) && !at(TokenKind.EOF)) {
      list.add(expression());
      if (at(until)) break;
      if (!at(TokenKind.COMMA)) error("missing ',' in expression list");
      next();
    }
    return list;
  }

  private List<Expr.Field> fieldList() {
    List<Expr.Field> fields = new ArrayList<>();
    while (!at(TokenKind.RCURLY) && !at(TokenKind.EOF)) {
      fields.add(field());
      if (at(TokenKind.RCURLY)) break;
      if (!at(TokenKind.COMMA)) error("missing ',' in field list");
      next();
    }
    return fields;
  }

  private Expr.Field field() {
    Position pos = tok.position();
    String key = "";
    boolean quoted = false;
    if (at(TokenKind.IDENT)) {
      key = tok.text();
      next();
    } else if (at(TokenKind.STRING)) {
      key = stringValue(tok.text());
      quoted = true;
      next();
    } else {
      error("expected field name (string or identifier), got " + tok.kind());
      while (!at(TokenKind.EOF) && !at(TokenKind.ASSIGN)) next();
    }
    expect(TokenKind.ASSIGN);
    return new Expr.Field(pos, key, quoted, expression());
  }

  private static Value literalValue(Token t) {
    String text = t.text();
    return switch (t.kind()) {
      case STRING -> Value.of(stringValue(text));
      case BOOL -> Value.of(text.equals("true"));
      case NULL -> Value.NULL;
      case NUMBER -> {
        try {
          yield Value.of(Long.parseLong(text));
        } catch (NumberFormatException e) {
          yield Value.of(parseDouble(text));
        }
      }
      default -> Value.of(parseDouble(text));
    };
  }

  private static double parseDouble(String text) {
    try {
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      return 0; // already reported by the scanner ("exponent has no digits")
    }
  }

  /** The value of a string literal: Go escapes for "...", verbatim (minus CRs) for `...`. */
  static String stringValue(String text) {
    if (text.startsWith("`")) {
      int end = text.length() > 1 && text.endsWith("`") ? text.length() - 1 : text.length();
      return text.substring(1, end).replace("\r", "");
    }
    return GoStrings.unquote(text);
  }
}
