package io.mpac.collector.config.syntax;

import io.mpac.collector.config.ast.Attribute;
import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.ast.Comment;
import io.mpac.collector.config.ast.ConfigFile;
import io.mpac.collector.config.ast.Expr;
import io.mpac.collector.config.ast.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Canonical formatting, matching {@code alloy fmt}: tab indentation, {@code =} of consecutive
 * attributes (and object fields) aligned, trailing comments aligned, a blank line before every
 * block, at most one blank line kept elsewhere, empty blocks as {@code name { }}, line breaks
 * inside arrays, objects and calls kept where the source had them (a multi-line list gets a
 * trailing comma), literals written as in the source, comments kept in place.
 *
 * <p>Contract: the result parses to the same AST (positions aside) and formatting it again
 * returns it unchanged. The output ends with one newline.
 *
 * <p>How: the AST is walked into text with layout marks (see {@link TabAligner}), whitespace is
 * held back until the next token so that comments can be slotted in before it, then columns are
 * aligned and trailing blanks trimmed.
 */
public final class Formatter {

  /** Pending layout between two tokens. */
  private enum Ws {
    IGNORE,
    BLANK,
    VTAB,
    NEWLINE,
    FORMFEED,
    INDENT,
    UNINDENT
  }

  private final StringBuilder out = new StringBuilder();
  private final List<Ws> pending = new ArrayList<>();
  private final List<Comment> comments;
  private int nextComment;
  private int indent;
  private boolean atLineStart = true;
  /** Where the printer is, in source coordinates (advanced by what it writes). */
  private int posLine = 1;
  private int posColumn = 1;
  /** The source line where the last token or comment written ended. */
  private int lastLine = 1;

  private Formatter(List<Comment> comments) {
    List<Comment> sorted = new ArrayList<>(comments);
    sorted.sort(Comparator.comparingInt((Comment c) -> c.position().line())
        .thenComparingInt(c -> c.position().column()));
    this.comments = sorted;
  }

  /** Formats a parsed file. */
  public static String format(ConfigFile file) {
    Formatter f = new Formatter(file.comments());
    f.statements(file.body());
    f.flushAtEnd();
    return trim(TabAligner.align(f.out.toString())) + "\n";
  }

  // ---- statements ----

  private void statements(List<Statement> body) {
    for (int i = 0; i < body.size(); i++) {
      Statement s = body.get(i);
      if (i > 0) {
        if (s instanceof Block) {
          ws(Ws.FORMFEED); // a blank line before every block
        } else if (startLine(s) - endLine(body.get(i - 1)) > 1) {
          ws(Ws.FORMFEED); // keep one blank line where the source had any
        }
      }
      if (s instanceof Attribute a) {
        token(a.name(), a.position(), false);
        ws(Ws.VTAB);
        token("=", null, false);
        ws(Ws.BLANK);
        expr(a.value());
      } else {
        block((Block) s);
      }
      ws(endLine(s) > startLine(s) ? Ws.FORMFEED : Ws.NEWLINE);
    }
  }

  private void block(Block b) {
    token(b.fullName(), b.position(), false);
    if (b.label() != null && !b.label().isEmpty()) {
      ws(Ws.BLANK);
      token(GoStrings.quote(b.label()), b.labelPosition(), true);
    }
    ws(Ws.BLANK);
    token("{", b.lbrace(), false);
    ws(Ws.INDENT);
    if (b.body().isEmpty()) {
      ws(Ws.BLANK);
    } else {
      ws(Ws.FORMFEED);
      statements(b.body());
    }
    ws(Ws.UNINDENT);
    token("}", b.end(), false);
  }

  // ---- expressions ----

  private void expr(Expr e) {
    if (e instanceof Expr.Literal l) {
      token(l.source(), l.position(), true);
    } else if (e instanceof Expr.Identifier id) {
      token(id.name(), id.position(), false);
    } else if (e instanceof Expr.Access a) {
      expr(a.target());
      token(".", null, false);
      token(a.field(), null, false);
    } else if (e instanceof Expr.Index ix) {
      expr(ix.target());
      token("[", ix.lbrack(), false);
      expr(ix.index());
      token("]", ix.rbrack(), false);
    } else if (e instanceof Expr.Call c) {
      call(c);
    } else if (e instanceof Expr.ArrayLiteral a) {
      array(a);
    } else if (e instanceof Expr.ObjectLiteral o) {
      object(o);
    } else if (e instanceof Expr.Unary u) {
      token(u.op().symbol, u.position(), false);
      expr(u.operand());
    } else if (e instanceof Expr.Binary b) {
      expr(b.left());
      ws(Ws.BLANK);
      token(b.op().symbol, b.opPosition(), false);
      ws(Ws.BLANK);
      expr(b.right());
    } else if (e instanceof Expr.Paren p) {
      token("(", null, false);
      expr(p.inner());
      token(")", null, false);
    }
  }

  private void array(Expr.ArrayLiteral a) {
    token("[", a.position(), false);
    Integer prev = line(a.position());
    List<Expr> els = a.elements();
    for (int i = 0; i < els.size(); i++) {
      boolean ownLine = differentLines(prev, line(els.get(i).position()));
      if (ownLine) {
        ws(Ws.INDENT);
        ws(Ws.FORMFEED);
      } else if (i > 0) {
        ws(Ws.BLANK);
      }
      prev = endLine(els.get(i));
      expr(els.get(i));
      if (i + 1 < els.size()) token(",", null, false);
      if (ownLine) ws(Ws.UNINDENT);
    }
    if (!els.isEmpty() && differentLines(prev, line(a.end()))) {
      token(",", null, false);
      ws(Ws.INDENT);
      ws(Ws.FORMFEED);
      ws(Ws.UNINDENT);
    }
    token("]", a.end(), false);
  }

  private void object(Expr.ObjectLiteral o) {
    token("{", o.position(), false);
    ws(Ws.INDENT);
    Integer prev = line(o.position());
    List<Expr.Field> fields = o.fields();
    for (int i = 0; i < fields.size(); i++) {
      Expr.Field f = fields.get(i);
      if (differentLines(prev, line(f.position()))) {
        // A multi-line value ends the alignment group; otherwise keys stay aligned.
        boolean prevSingle = i > 0 && endLine(fields.get(i - 1).value()) == startLine(fields.get(i - 1).value());
        ws(prevSingle ? Ws.NEWLINE : Ws.FORMFEED);
      } else if (i > 0) {
        ws(Ws.BLANK);
      }
      prev = line(f.position());
      token(f.quoted() ? GoStrings.quote(f.key()) : f.key(), f.position(), f.quoted());
      ws(Ws.VTAB);
      token("=", null, false);
      ws(Ws.BLANK);
      expr(f.value());
      if (i + 1 < fields.size()) token(",", null, false);
    }
    if (!fields.isEmpty() && differentLines(prev, line(o.end()))) {
      token(",", null, false);
      ws(Ws.FORMFEED);
    }
    ws(Ws.UNINDENT);
    token("}", o.end(), false);
  }

  private void call(Expr.Call c) {
    expr(c.function());
    token("(", null, false);
    Integer prev = line(c.lparen());
    List<Expr> args = c.arguments();
    for (int i = 0; i < args.size(); i++) {
      boolean ownLine = differentLines(prev, line(args.get(i).position()));
      if (ownLine) {
        ws(Ws.FORMFEED);
        ws(Ws.INDENT);
      }
      expr(args.get(i));
      prev = endLine(args.get(i));
      if (i + 1 < args.size()) {
        token(",", null, false);
        ws(Ws.BLANK);
      }
      if (ownLine) ws(Ws.UNINDENT);
    }
    if (differentLines(prev, line(c.rparen()))) {
      token(",", null, false);
      ws(Ws.FORMFEED);
    }
    token(")", null, false);
  }

  // ---- positions ----

  private static Integer line(Position p) {
    return p == null || p.line() <= 0 ? null : p.line();
  }

  /** Unknown positions (an AST built by code) count as "same line": everything stays inline. */
  private static boolean differentLines(Integer a, Integer b) {
    return a != null && b != null && !a.equals(b);
  }

  private static int startLine(Statement s) {
    return s.position().line();
  }

  private static int endLine(Statement s) {
    if (s instanceof Attribute a) return Math.max(a.position().line(), endLine(a.value()));
    Block b = (Block) s;
    return b.end() != null ? b.end().line() : b.position().line();
  }

  private static int startLine(Expr e) {
    return e.position().line();
  }

  private static int endLine(Expr e) {
    if (e instanceof Expr.Literal l) {
      return l.position().line() + (int) l.source().chars().filter(c -> c == '\n').count();
    }
    if (e instanceof Expr.Access a) {
      return a.fieldPosition() != null ? a.fieldPosition().line() : endLine(a.target());
    }
    if (e instanceof Expr.Index ix) return ix.rbrack() != null ? ix.rbrack().line() : endLine(ix.index());
    if (e instanceof Expr.Call c) {
      if (c.rparen() != null) return c.rparen().line();
      return c.arguments().isEmpty() ? endLine(c.function()) : endLine(c.arguments().get(c.arguments().size() - 1));
    }
    if (e instanceof Expr.ArrayLiteral a && a.end() != null) return a.end().line();
    if (e instanceof Expr.ObjectLiteral o && o.end() != null) return o.end().line();
    if (e instanceof Expr.Unary u) return endLine(u.operand());
    if (e instanceof Expr.Binary b) return endLine(b.right());
    if (e instanceof Expr.Paren p) return p.end() != null ? p.end().line() : endLine(p.inner());
    return e.position().line();
  }

  // ---- the printer: tokens, held-back whitespace, comments ----

  private void ws(Ws w) {
    pending.add(w);
  }

  /** Writes a token, first placing any comments that come before it in the source. */
  private void token(String text, Position pos, boolean opaque) {
    if (pos != null && pos.line() > 0) {
      posLine = pos.line();
      posColumn = pos.column();
    }
    int line = posLine;
    int column = posColumn;
    if (commentBefore(line, column)) {
      injectComments(line, column, false);
    } else {
      writePending(pending.size());
    }
    // The token is where the source had it, whatever line breaks were written before it.
    posLine = line;
    posColumn = column;
    writeText(text, opaque);
  }

  private void flushAtEnd() {
    if (commentBefore(Integer.MAX_VALUE, Integer.MAX_VALUE)) {
      injectComments(Integer.MAX_VALUE, Integer.MAX_VALUE, true);
    }
    // Whitespace still pending at the end is dropped: the file ends at its last token.
  }

  private boolean commentBefore(int line, int column) {
    if (nextComment >= comments.size()) return false;
    Position c = comments.get(nextComment).position();
    return c.line() < line || (c.line() == line && c.column() <= column);
  }

  private void injectComments(int line, int column, boolean atEnd) {
    Comment last = null;
    while (commentBefore(line, column)) {
      Comment c = comments.get(nextComment++);
      commentPrefix(line, c);
      posLine = c.position().line();
      posColumn = c.position().column();
      writeText(c.text(), true);
      posLine = c.position().line() + newlines(c.text());
      lastLine = posLine;
      last = c;
    }
    if (!atEnd) commentSuffix(line, last);
  }

  private void commentPrefix(int nextLine, Comment c) {
    if (out.length() == 0) return;
    int cLine = c.position().line();
    if (cLine == lastLine) {
      // A comment after code on the same line: a tab makes trailing comments line up.
      writeRaw(cLine == nextLine ? ' ' : '\t', 1);
      return;
    }
    // A comment on its own line replaces the first pending break; indentation changes before
    // it still apply so the comment sits at the right depth.
    int count = 0;
    for (int i = 0; i < pending.size(); i++) {
      Ws w = pending.get(i);
      if (w == Ws.INDENT || w == Ws.UNINDENT) continue;
      pending.set(i, Ws.IGNORE);
      count = i;
      break;
    }
    writePending(count);
    int lines = cLine - lastLine;
    if (lines > 0) writeRaw('\f', Math.min(lines, 2));
  }

  private void commentSuffix(int nextLine, Comment last) {
    if (last.text().startsWith("/*")) {
      int end = last.position().line() + newlines(last.text());
      if (nextLine == end) writeRaw(' ', 1);
    }
    int lines = nextLine - lastLine;
    boolean droppedFormfeed = false;
    for (int i = 0; i < pending.size(); i++) {
      Ws w = pending.get(i);
      if (w == Ws.INDENT || w == Ws.UNINDENT) continue;
      if (w == Ws.FORMFEED) droppedFormfeed = true;
      pending.set(i, Ws.IGNORE);
    }
    writePending(pending.size());
    if (lines > 0) writeRaw(droppedFormfeed ? '\f' : '\n', Math.min(lines, 2));
  }

  private void writePending(int n) {
    for (int i = 0; i < n; i++) {
      switch (pending.get(i)) {
        case IGNORE -> {}
        case INDENT -> indent++;
        case UNINDENT -> indent--;
        case BLANK -> writeRaw(' ', 1);
        case VTAB -> writeRaw('\u000b', 1);
        case NEWLINE -> writeRaw('\n', 1);
        case FORMFEED -> writeRaw('\f', 1);
      }
    }
    pending.subList(0, n).clear();
  }

  private void writeIndentIfNeeded() {
    if (atLineStart) {
      out.append("\t".repeat(Math.max(0, indent)));
      atLineStart = false;
    }
  }

  private void writeRaw(char ch, int n) {
    writeIndentIfNeeded();
    for (int i = 0; i < n; i++) out.append(ch);
    if (ch == '\n' || ch == '\f') {
      posLine += n;
      posColumn = 1;
      atLineStart = true;
    } else {
      posColumn += n;
    }
  }

  private void writeText(String text, boolean opaque) {
    writeIndentIfNeeded();
    if (opaque) out.append(TabAligner.ESCAPE).append(text).append(TabAligner.ESCAPE);
    else out.append(text);
    int nl = newlines(text);
    posLine += nl;
    posColumn = nl > 0 ? text.length() - text.lastIndexOf('\n') : posColumn + text.length();
    lastLine = posLine;
  }

  private static int newlines(String s) {
    return (int) s.chars().filter(c -> c == '\n').count();
  }

  /** Drops blanks at line ends (outside opaque text) and the escape marks. */
  private static String trim(String s) {
    StringBuilder result = new StringBuilder(s.length());
    StringBuilder spaces = new StringBuilder();
    boolean escaped = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == TabAligner.ESCAPE) {
        escaped = !escaped;
        if (escaped) {
          result.append(spaces);
          spaces.setLength(0);
        }
        continue;
      }
      if (escaped) {
        result.append(c);
      } else if (c == ' ' || c == '\t' || c == '\u000b') {
        spaces.append(c == '\u000b' ? '\t' : c);
      } else if (c == '\n' || c == '\f') {
        spaces.setLength(0);
        result.append('\n');
      } else {
        result.append(spaces);
        spaces.setLength(0);
        result.append(c);
      }
    }
    return result.toString();
  }
}
