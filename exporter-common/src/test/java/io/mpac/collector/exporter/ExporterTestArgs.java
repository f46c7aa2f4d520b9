package io.mpac.collector.exporter;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.ArgsDecoder;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.ast.Attribute;
import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.ast.Expr;
import io.mpac.collector.config.ast.Statement;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.config.syntax.Position;
import io.mpac.collector.config.value.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds decoded {@link Args} from a nested Java map, without the config parser: literal values
 * become attributes, {@link #block} values nested blocks, plain maps object literals. Every
 * statement gets its own line in file "test.alloy", so diagnostics' positions can be checked.
 */
public final class ExporterTestArgs {

  /** A nested block in {@link #decode}. */
  public record BlockBody(Map<String, Object> body) {}

  private ExporterTestArgs() {}

  public static BlockBody block(Map<String, Object> body) {
    return new BlockBody(body);
  }

  /**
   * Decodes {@code body} against {@code schema} as the body of component {@code name}.
   *
   * @throws ConfigException with the decoder's diagnostics, if any
   */
  public static Args decode(String name, Schema schema, Map<String, Object> body) throws ConfigException {
    int[] line = {1};
    Block b = new Block(pos(line[0]++), List.of(name.split("\\.")), "test", pos(1), statements(body, line),
        pos(999));
    List<Diagnostic> diags = new ArrayList<>();
    Args args = new ArgsDecoder(ExporterTestArgs::eval, e -> false, diags).decode(b, schema);
    if (!diags.isEmpty()) throw new ConfigException(diags);
    return args;
  }

  private static List<Statement> statements(Map<String, Object> body, int[] line) {
    List<Statement> out = new ArrayList<>();
    for (Map.Entry<String, Object> e : body.entrySet()) {
      Position p = pos(line[0]++);
      if (e.getValue() instanceof BlockBody bb) {
        out.add(new Block(p, List.of(e.getKey().split("\\.")), null, null, statements(bb.body(), line), p));
      } else {
        out.add(new Attribute(p, e.getKey(), expr(e.getValue(), p)));
      }
    }
    return out;
  }

  private static Expr expr(Object v, Position p) {
    if (v instanceof Map<?, ?> m) {
      List<Expr.Field> fields = new ArrayList<>();
      m.forEach((k, val) -> fields.add(new Expr.Field(p, (String) k, true, expr(val, p))));
      return new Expr.ObjectLiteral(p, fields);
    }
    if (v instanceof List<?> l) {
      return new Expr.ArrayLiteral(p, l.stream().map(x -> expr(x, p)).toList());
    }
    Value value;
    if (v instanceof String s) value = Value.of(s);
    else if (v instanceof Boolean bo) value = Value.of(bo);
    else if (v instanceof Integer i) value = Value.of((long) i);
    else if (v instanceof Long l) value = Value.of(l);
    else if (v instanceof Double d) value = Value.of(d);
    else throw new IllegalArgumentException("unsupported test value " + v);
    return new Expr.Literal(p, String.valueOf(v), value);
  }

  private static Value eval(Expr e) {
    if (e instanceof Expr.Literal lit) return lit.value();
    if (e instanceof Expr.ObjectLiteral obj) {
      Map<String, Value> m = new LinkedHashMap<>();
      for (Expr.Field f : obj.fields()) m.put(f.key(), eval(f.value()));
      return new Value.Obj(m);
    }
    if (e instanceof Expr.ArrayLiteral arr) {
      return new Value.Array(arr.elements().stream().map(ExporterTestArgs::eval).toList());
    }
    throw new IllegalArgumentException("unsupported expression " + e);
  }

  private static Position pos(int line) {
    return new Position("test.alloy", line, 3);
  }
}
