package io.mpac.collector.pipeline;

import io.mpac.collector.config.ast.Attribute;
import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.ast.Expr;
import io.mpac.collector.config.ast.Statement;
import io.mpac.collector.config.syntax.Position;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the traversals in expressions: an identifier followed by {@code .field} accesses, such as
 * {@code otelcol.processor.batch.default.input} or {@code sys.env}. The pipeline matches them
 * against component ids to find the graph's edges.
 */
final class References {

  /** One traversal and where it starts. */
  record Traversal(Position position, List<String> path) {
    @Override
    public String toString() {
      return String.join(".", path);
    }
  }

  private References() {}

  /** Every traversal in the attributes of {@code body}, nested blocks included. */
  static List<Traversal> in(List<Statement> body) {
    List<Traversal> out = new ArrayList<>();
    for (Statement st : body) {
      if (st instanceof Attribute a) collect(a.value(), out);
      else if (st instanceof Block b) out.addAll(in(b.body()));
    }
    return out;
  }

  /** Every traversal in one expression. */
  static List<Traversal> in(Expr expr) {
    List<Traversal> out = new ArrayList<>();
    collect(expr, out);
    return out;
  }

  private static void collect(Expr e, List<Traversal> out) {
    List<String> chain = chain(e);
    if (chain != null) {
      out.add(new Traversal(e.position(), chain));
      return;
    }
    if (e instanceof Expr.Access a) {
      collect(a.target(), out);
    } else if (e instanceof Expr.Index i) {
      collect(i.target(), out);
      collect(i.index(), out);
    } else if (e instanceof Expr.Call c) {
      collect(c.function(), out);
      c.arguments().forEach(arg -> collect(arg, out));
    } else if (e instanceof Expr.ArrayLiteral a) {
      a.elements().forEach(el -> collect(el, out));
    } else if (e instanceof Expr.ObjectLiteral o) {
      o.fields().forEach(f -> collect(f.value(), out));
    } else if (e instanceof Expr.Binary b) {
      collect(b.left(), out);
      collect(b.right(), out);
    } else if (e instanceof Expr.Unary u) {
      collect(u.operand(), out);
    } else if (e instanceof Expr.Paren p) {
      collect(p.inner(), out);
    }
    // Literals and bare identifiers (handled by chain()) hold no further traversal.
  }

  /** {@code [a, b, c]} for {@code a.b.c}, or null when {@code e} is not a pure traversal. */
  private static List<String> chain(Expr e) {
    if (e instanceof Expr.Identifier id) {
      List<String> l = new ArrayList<>();
      l.add(id.name());
      return l;
    }
    if (e instanceof Expr.Access a) {
      List<String> l = chain(a.target());
      if (l != null) l.add(a.field());
      return l;
    }
    return null;
  }
}
