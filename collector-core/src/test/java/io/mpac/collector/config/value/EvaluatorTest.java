package io.mpac.collector.config.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.config.syntax.Position;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

  private static final Value SECRET = new Value.Str("hunter2", true);

  private static final Scope SCOPE =
      name -> switch (name) {
        case "obj" -> new Value.Obj(Map.of("a", Value.of(1)));
        case "pw" -> SECRET;
        case "twice" -> new Value.Function("twice", args -> {
          if (args.size() != 1) throw new EvalException("twice: expected 1 argument, got " + args.size());
          return Value.of(((Value.Num) args.get(0)).longValue() * 2);
        });
        default -> null;
      };

  static Value eval(String src) throws Exception {
    return new Evaluator(SCOPE).evaluate(Parser.parseExpression("t.alloy", src));
  }

  /** The error as "line:col: message". */
  static String error(String src) {
    EvalException e = catchThrowableOfType(EvalException.class, () -> eval(src));
    assertThat(e).as("expected an EvalException for %s", src).isNotNull();
    Position p = e.position();
    return p.line() + ":" + p.column() + ": " + e.getMessage();
  }

  @Test
  void literalsArraysAndObjects() throws Exception {
    assertThat(eval("null")).isEqualTo(Value.NULL);
    assertThat(eval("[1, \"x\", true]"))
        .isEqualTo(new Value.Array(List.of(Value.of(1), Value.of("x"), Value.of(true))));
    Value.Obj o = (Value.Obj) eval("{ b = 1, \"a.b\" = [], c = {} }");
    assertThat(o.fields().keySet()).containsExactly("b", "a.b", "c");
  }

  @Test
  void identifiersResolveThroughScope() throws Exception {
    assertThat(eval("obj.a")).isEqualTo(Value.of(1));
    assertThat(error("1 + nope")).isEqualTo("1:5: identifier \"nope\" does not exist");
  }

  @Test
  void fieldAccessVersusIndexing() throws Exception {
    assertThat(error("obj.missing")).isEqualTo("1:5: field \"missing\" does not exist");
    assertThat(eval("obj[\"missing\"]")).isEqualTo(Value.NULL);
    assertThat(eval("obj[\"a\"]")).isEqualTo(Value.of(1));
    assertThat(error("\"s\".x")).isEqualTo("1:1: cannot access field \"x\" on value of type string");
    assertThat(error("obj[1]")).isEqualTo("1:5: expected string, got number");
  }

  @Test
  void arrayIndexing() throws Exception {
    assertThat(eval("[10, 20, 30][1]")).isEqualTo(Value.of(20));
    assertThat(eval("[[1, 2], [3]][0][1]")).isEqualTo(Value.of(2));
    assertThat(error("[1, 2][5]")).isEqualTo("1:8: index 5 is out of range of array with length 2");
    assertThat(error("[1, 2][-1]")).isEqualTo("1:8: index -1 is out of range of array with length 2");
    assertThat(error("[1][\"0\"]")).isEqualTo("1:5: expected number, got string");
    assertThat(error("true[0]")).isEqualTo("1:1: expected object or array, got bool");
  }

  @Test
  void calls() throws Exception {
    assertThat(eval("twice(21)")).isEqualTo(Value.of(42));
    assertThat(error("\"f\"(1)")).isEqualTo("1:1: expected function, got string");
    assertThat(error("[0, twice()]")).isEqualTo("1:5: twice: expected 1 argument, got 0");
  }

  @Test
  void integerArithmeticStaysInteger() throws Exception {
    Value.Num n = (Value.Num) eval("7 / 2");
    assertThat(n.isInteger()).isTrue();
    assertThat(n.longValue()).isEqualTo(3);
    assertThat(eval("-7 / 2")).isEqualTo(Value.of(-3));
    assertThat(eval("7 % 3")).isEqualTo(Value.of(1));
    assertThat(eval("2 ^ 10")).isEqualTo(Value.of(1024));
    assertThat(eval("2 ^ 3 ^ 2")).isEqualTo(Value.of(512));
    assertThat(eval("1 + 2 * 3 - 4")).isEqualTo(Value.of(3));
    assertThat(((Value.Num) eval("1 + 2")).isInteger()).isTrue();
  }

  @Test
  void floatArithmetic() throws Exception {
    assertThat(eval("7.0 / 2")).isEqualTo(Value.of(3.5));
    assertThat(eval("0.5 + 1")).isEqualTo(Value.of(1.5));
    assertThat(eval("2 ^ 0.5")).isEqualTo(Value.of(Math.sqrt(2)));
    assertThat(eval("5.5 % 2")).isEqualTo(Value.of(1.5));
    assertThat(eval("-(1.5)")).isEqualTo(Value.of(-1.5));
  }

  @Test
  void divideByZero() {
    assertThat(error("1 / 0")).isEqualTo("1:5: divide by zero error");
    assertThat(error("1 % 0")).isEqualTo("1:5: divide by zero error");
  }

  @Test
  void arithmeticTypeErrors() {
    assertThat(error("1 - \"a\"")).isEqualTo("1:5: expected number, got string");
    assertThat(error("\"a\" * 2")).isEqualTo("1:1: expected number, got string");
    assertThat(error("\"a\" + 1")).isEqualTo("1:7: expected string, got number");
    assertThat(error("1 + \"a\"")).isEqualTo("1:5: expected number, got string");
    assertThat(error("true + 1")).isEqualTo("1:1: expected number or string, got bool");
    assertThat(error("-\"x\"")).isEqualTo("1:2: expected number, got string");
    assertThat(error("!1")).isEqualTo("1:2: expected bool, got number");
  }

  @Test
  void stringConcatenationPropagatesSecrets() throws Exception {
    assertThat(eval("\"a\" + \"b\"")).isEqualTo(Value.of("ab"));
    assertThat(eval("\"Bearer \" + pw")).isEqualTo(new Value.Str("Bearer hunter2", true));
    assertThat(eval("pw + \"!\"")).isEqualTo(new Value.Str("hunter2!", true));
  }

  @Test
  void equalityWorksAcrossTypes() throws Exception {
    assertThat(eval("1 == \"1\"")).isEqualTo(Value.of(false));
    assertThat(eval("1 == 1.0")).isEqualTo(Value.of(true));
    assertThat(eval("[1, {a = 2}] == [1, {a = 2}]")).isEqualTo(Value.of(true));
    assertThat(eval("null != null")).isEqualTo(Value.of(false));
    assertThat(eval("pw == \"hunter2\"")).isEqualTo(Value.of(true));
  }

  @Test
  void ordering() throws Exception {
    assertThat(eval("\"abc\" < \"abd\"")).isEqualTo(Value.of(true));
    assertThat(eval("2 >= 2.0")).isEqualTo(Value.of(true));
    assertThat(eval("3 > 10")).isEqualTo(Value.of(false));
    assertThat(eval("1 <= 0.5")).isEqualTo(Value.of(false));
    assertThat(error("1 < \"a\"")).isEqualTo("1:5: expected number, got string");
    assertThat(error("true < false")).isEqualTo("1:1: expected number or string, got bool");
  }

  @Test
  void logicShortCircuits() throws Exception {
    assertThat(eval("false && nope")).isEqualTo(Value.of(false));
    assertThat(eval("true || nope")).isEqualTo(Value.of(true));
    assertThat(eval("true && !false")).isEqualTo(Value.of(true));
    assertThat(error("1 && true")).isEqualTo("1:1: expected bool, got number");
    assertThat(error("true && 1")).isEqualTo("1:9: expected bool, got number");
  }
}
