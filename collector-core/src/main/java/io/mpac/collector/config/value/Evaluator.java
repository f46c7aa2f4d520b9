package io.mpac.collector.config.value;

import io.mpac.collector.config.ast.Expr;
import io.mpac.collector.config.syntax.Position;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Evaluates expressions against a {@link Scope} with Alloy's semantics.
 *
 * <p>Contract: {@link #evaluate} either returns a value or throws an {@link EvalException} whose
 * position is the sub-expression at fault (the unknown identifier, the missing field's name, the
 * operand of the wrong type, the call whose function failed).
 */
public final class Evaluator {

  private final Scope scope;

  public Evaluator(Scope scope) {
    this.scope = scope;
  }

  public Value evaluate(Expr e) throws EvalException {
    if (e instanceof Expr.Literal l) return l.value();
    if (e instanceof Expr.Identifier id) {
      Value v = scope.lookup(id.name());
      if (v == null) {
        throw new EvalException(id.position(), "identifier " + quote(id.name()) + " does not exist");
      }
      return v;
    }
    if (e instanceof Expr.Paren p) return evaluate(p.inner());
    if (e instanceof Expr.ArrayLiteral a) {
      List<Value> out = new ArrayList<>(a.elements().size());
      for (Expr el : a.elements()) out.add(evaluate(el));
      return new Value.Array(out);
    }
    if (e instanceof Expr.ObjectLiteral o) {
      Map<String, Value> out = new LinkedHashMap<>();
      for (Expr.Field f : o.fields()) out.put(f.key(), evaluate(f.value()));
      return new Value.Obj(out);
    }
    if (e instanceof Expr.Access a) return access(a);
    if (e instanceof Expr.Index i) return index(i);
    if (e instanceof Expr.Call c) return call(c);
    if (e instanceof Expr.Unary u) return unary(u);
    return binary((Expr.Binary) e);
  }

  private Value access(Expr.Access a) throws EvalException {
    Value target = evaluate(a.target());
    if (target instanceof Value.Obj obj) {
      Value v = obj.fields().get(a.field());
      if (v == null) {
        Position at = a.fieldPosition() != null ? a.fieldPosition() : a.position();
        throw new EvalException(at, "field " + quote(a.field()) + " does not exist");
      }
      return v;
    }
    throw new EvalException(
        a.target().position(),
        "cannot access field " + quote(a.field()) + " on value of type " + target.typeName());
  }

  private Value index(Expr.Index i) throws EvalException {
    Value target = evaluate(i.target());
    Value idx = evaluate(i.index());
    if (target instanceof Value.Array arr) {
      if (!(idx instanceof Value.Num n)) {
        throw new EvalException(i.index().position(), "expected number, got " + idx.typeName());
      }
      long k = n.isInteger() ? n.longValue() : (long) n.doubleValue();
      if (k < 0 || k >= arr.elements().size()) {
        throw new EvalException(
            i.index().position(),
            "index " + k + " is out of range of array with length " + arr.elements().size());
      }
      return arr.elements().get((int) k);
    }
    if (target instanceof Value.Obj obj) {
      if (!(idx instanceof Value.Str s) || s.secret()) {
        throw new EvalException(i.index().position(), "expected string, got " + idx.typeName());
      }
      Value v = obj.fields().get(s.value());
      return v == null ? Value.NULL : v; // obj["missing"] is null, unlike obj.missing
    }
    throw new EvalException(
        i.target().position(), "expected object or array, got " + target.typeName());
  }

  private Value call(Expr.Call c) throws EvalException {
    Value f = evaluate(c.function());
    if (!(f instanceof Value.Function fn)) {
      throw new EvalException(c.function().position(), "expected function, got " + f.typeName());
    }
    List<Value> args = new ArrayList<>(c.arguments().size());
    for (Expr arg : c.arguments()) args.add(evaluate(arg));
    try {
      return fn.body().call(args);
    } catch (EvalException ex) {
      throw ex.position() != null ? ex : new EvalException(c.position(), ex.getMessage());
    }
  }

  private Value unary(Expr.Unary u) throws EvalException {
    Value v = evaluate(u.operand());
    switch (u.op()) {
      case NOT -> {
        if (v instanceof Value.Bool b) return Value.of(!b.value());
        throw typeError(u.operand(), "bool", v);
      }
      case NEG -> {
        if (v instanceof Value.Num n) {
          return n.isInteger() ? Value.of(-n.longValue()) : Value.of(-n.doubleValue());
        }
        throw typeError(u.operand(), "number", v);
      }
      default -> throw new IllegalStateException(u.op().name());
    }
  }

  private Value binary(Expr.Binary b) throws EvalException {
    switch (b.op()) {
      case AND, OR -> {
        // Short-circuit: the right side is not evaluated when the left decides the result.
        boolean left = bool(b.left());
        if (b.op() == Expr.BinaryOp.AND ? !left : left) return Value.of(left);
        return Value.of(bool(b.right()));
      }
      default -> {}
    }
    Value l = evaluate(b.left());
    Value r = evaluate(b.right());
    return switch (b.op()) {
      case EQ -> Value.of(Values.equal(l, r));
      case NEQ -> Value.of(!Values.equal(l, r));
      case LT, LTE, GT, GTE -> Value.of(compare(b, l, r));
      case ADD -> add(b, l, r);
      default -> arithmetic(b, l, r);
    };
  }

  private boolean bool(Expr e) throws EvalException {
    Value v = evaluate(e);
    if (v instanceof Value.Bool b) return b.value();
    throw typeError(e, "bool", v);
  }

  private boolean compare(Expr.Binary b, Value l, Value r) throws EvalException {
    int c;
    if (l instanceof Value.Str ls) {
      if (!(r instanceof Value.Str rs)) throw typeError(b.right(), "string", r);
      c = ls.value().compareTo(rs.value());
    } else if (l instanceof Value.Num ln) {
      if (!(r instanceof Value.Num rn)) throw typeError(b.right(), "number", r);
      c =
          ln.isInteger() && rn.isInteger()
              ? Long.compare(ln.longValue(), rn.longValue())
              : Double.compare(ln.doubleValue(), rn.doubleValue());
    } else {
      throw typeError(b.left(), "number or string", l);
    }
    return switch (b.op()) {
      case LT -> c < 0;
      case LTE -> c <= 0;
      case GT -> c > 0;
      default -> c >= 0;
    };
  }

  private Value add(Expr.Binary b, Value l, Value r) throws EvalException {
    if (l instanceof Value.Str ls) {
      if (!(r instanceof Value.Str rs)) throw typeError(b.right(), "string", r);
      // A secret on either side makes the result secret.
      return new Value.Str(ls.value() + rs.value(), ls.secret() || rs.secret());
    }
    if (l instanceof Value.Num) return arithmetic(b, l, r);
    throw typeError(b.left(), "number or string", l);
  }

  private Value arithmetic(Expr.Binary b, Value l, Value r) throws EvalException {
    if (!(l instanceof Value.Num ln)) throw typeError(b.left(), "number", l);
    if (!(r instanceof Value.Num rn)) throw typeError(b.right(), "number", r);
    boolean ints = ln.isInteger() && rn.isInteger();
    long x = ln.longValue();
    long y = rn.longValue();
    double dx = ln.doubleValue();
    double dy = rn.doubleValue();
    switch (b.op()) {
      case ADD:
        return ints ? Value.of(x + y) : Value.of(dx + dy);
      case SUB:
        return ints ? Value.of(x - y) : Value.of(dx - dy);
      case MUL:
        return ints ? Value.of(x * y) : Value.of(dx * dy);
      case DIV:
      case MOD:
        if (ints ? y == 0 : dy == 0) {
          throw new EvalException(b.right().position(), "divide by zero error");
        }
        // Like Alloy (Go): two integers divide to an integer, truncating toward zero.
        if (b.op() == Expr.BinaryOp.DIV) return ints ? Value.of(x / y) : Value.of(dx / dy);
        return ints ? Value.of(x % y) : Value.of(dx % dy);
      case POW:
        if (ints && y >= 0) {
          long result = 1;
          for (long i = 0; i < y; i++) result *= x;
          return Value.of(result);
        }
        return Value.of(Math.pow(dx, dy));
      default:
        throw new IllegalStateException(b.op().name());
    }
  }

  private static EvalException typeError(Expr at, String expected, Value got) {
    return new EvalException(at.position(), "expected " + expected + ", got " + got.typeName());
  }

  private static String quote(String s) {
    return io.mpac.collector.config.syntax.GoStrings.quote(s);
  }
}
