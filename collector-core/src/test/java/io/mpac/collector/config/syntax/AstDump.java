package io.mpac.collector.config.syntax;

import io.mpac.collector.config.ast.Attribute;
import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.ast.ConfigFile;
import io.mpac.collector.config.ast.Expr;
import io.mpac.collector.config.ast.Statement;
import java.util.List;

/** Renders an AST without positions, so two parses can be compared for equivalence. */
final class AstDump {

  private AstDump() {}

  static String dump(ConfigFile f) {
    StringBuilder b = new StringBuilder();
    body(f.body(), b);
    return b.toString();
  }

  private static void body(List<Statement> body, StringBuilder b) {
    for (Statement s : body) {
      if (s instanceof Attribute a) {
        b.append("(attr ").append(a.name()).append(' ');
        expr(a.value(), b);
        b.append(')');
      } else {
        Block bl = (Block) s;
        b.append("(block ").append(bl.fullName()).append(' ').append(bl.label()).append(' ');
        body(bl.body(), b);
        b.append(')');
      }
    }
  }

  static String expr(Expr e) {
    StringBuilder b = new StringBuilder();
    expr(e, b);
    return b.toString();
  }

  private static void expr(Expr e, StringBuilder b) {
    if (e instanceof Expr.Literal l) {
      b.append(l.source());
    } else if (e instanceof Expr.Identifier id) {
      b.append(id.name());
    } else if (e instanceof Expr.Access a) {
      expr(a.target(), b);
      b.append('.').append(a.field());
    } else if (e instanceof Expr.Index i) {
      expr(i.target(), b);
      b.append('[');
      expr(i.index(), b);
      b.append(']');
    } else if (e instanceof Expr.Call c) {
      expr(c.function(), b);
      b.append('(');
      list(c.arguments(), b);
      b.append(')');
    } else if (e instanceof Expr.ArrayLiteral a) {
      b.append('[');
      list(a.elements(), b);
      b.append(']');
    } else if (e instanceof Expr.ObjectLiteral o) {
      b.append('{');
      for (Expr.Field f : o.fields()) {
        b.append(f.quoted() ? "\"" + f.key() + "\"" : f.key()).append('=');
        expr(f.value(), b);
        b.append(';');
      }
      b.append('}');
    } else if (e instanceof Expr.Binary bin) {
      b.append('(');
      expr(bin.left(), b);
      b.append(' ').append(bin.op().symbol).append(' ');
      expr(bin.right(), b);
      b.append(')');
    } else if (e instanceof Expr.Unary u) {
      b.append('(').append(u.op().symbol);
      expr(u.operand(), b);
      b.append(')');
    } else if (e instanceof Expr.Paren p) {
      b.append("(paren ");
      expr(p.inner(), b);
      b.append(')');
    }
  }

  private static void list(List<Expr> list, StringBuilder b) {
    for (int i = 0; i < list.size(); i++) {
      if (i > 0) b.append(", ");
      expr(list.get(i), b);
    }
  }
}
