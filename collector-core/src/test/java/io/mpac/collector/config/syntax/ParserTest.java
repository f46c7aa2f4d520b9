package io.mpac.collector.config.syntax;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.mpac.collector.config.ast.Attribute;
import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.ast.ConfigFile;
import io.mpac.collector.config.ast.Expr;
import io.mpac.collector.config.value.Value;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ParserTest {

  static String fixture() throws IOException {
    try (InputStream in = ParserTest.class.getResourceAsStream("/config/mpac.alloy")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static ConfigFile parse(String src) throws ConfigException {
    return Parser.parse("t.alloy", src);
  }

  /** Every diagnostic, rendered as file:line:col: message. */
  private static List<String> errors(String src) {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(src));
    assertThat(e).as("expected a ConfigException for %s", src).isNotNull();
    return e.diagnostics().stream().map(Diagnostic::toString).toList();
  }

  private static Value literal(String expr) throws ConfigException {
    Expr e = Parser.parseExpression("t.alloy", expr);
    assertThat(e).isInstanceOf(Expr.Literal.class);
    return ((Expr.Literal) e).value();
  }

  // ---- fixture and valid syntax ----

  @Test
  void fixtureParses() throws Exception {
    ConfigFile f = Parser.parse("mpac.alloy", fixture());
    assertThat(f.body()).hasSize(12);
    Block first = (Block) f.body().get(0);
    assertThat(first.fullName()).isEqualTo("logging");
    assertThat(first.label()).isNull();
    Block receiver = (Block) f.body().get(1);
    assertThat(receiver.fullName()).isEqualTo("otelcol.receiver.otlp");
    assertThat(receiver.label()).isEqualTo("default");
    assertThat(receiver.labelPosition()).isEqualTo(new Position("mpac.alloy", 10, 23));
    assertThat(receiver.end()).isEqualTo(new Position("mpac.alloy", 24, 1));
    assertThat(f.comments()).hasSize(10);
    assertThat(f.comments().get(0).text())
        .isEqualTo("// Platform observability pipeline (test fixture for the Java collector).");
    assertThat(f.comments().get(1).text()).isEqualTo("/* Block comment: exercises the scanner. */");
  }

  @Test
  void attributeAndBlockShapes() throws Exception {
    ConfigFile f = parse("a = 1\nstage.json \"x_1\" {\n  b = \"s\"\n}\n");
    Attribute a = (Attribute) f.body().get(0);
    assertThat(a.name()).isEqualTo("a");
    assertThat(a.position()).isEqualTo(new Position("t.alloy", 1, 1));
    Block b = (Block) f.body().get(1);
    assertThat(b.name()).containsExactly("stage", "json");
    assertThat(b.label()).isEqualTo("x_1");
    assertThat(((Attribute) b.body().get(0)).value().position()).isEqualTo(new Position("t.alloy", 3, 7));
  }

  @Test
  void oneLineBlocksAreFine() throws Exception {
    ConfigFile f = parse("grpc { endpoint = \"x\" }\nhttp {}\nhttp { }");
    assertThat(f.body()).hasSize(3);
    assertThat(((Block) f.body().get(0)).body()).hasSize(1);
    assertThat(((Block) f.body().get(1)).body()).isEmpty();
  }

  @Test
  void lineCommentActsAsNewline() throws Exception {
    ConfigFile f = parse("a = 1 // one\nb = [2] /* two */\nc = {}");
    assertThat(f.body()).hasSize(3);
    assertThat(f.comments()).extracting(c -> c.text()).containsExactly("// one", "/* two */");
    assertThat(f.comments().get(1).position()).isEqualTo(new Position("t.alloy", 2, 9));
  }

  @Test
  void endOfInputTerminatesLastStatement() throws Exception {
    assertThat(parse("a = \"x\"").body()).hasSize(1);
    assertThat(parse("").body()).isEmpty();
  }

  @Test
  void newlineAfterOperatorOrOpenBracketIsNotATerminator() throws Exception {
    ConfigFile f = parse("a =\n  1 +\n  2\nb = f(\n  1,\n  2,\n)\nc = [\n  1,\n]\n");
    assertThat(f.body()).hasSize(3);
    assertThat(AstDump.expr(((Attribute) f.body().get(0)).value())).isEqualTo("(1 + 2)");
    assertThat(AstDump.expr(((Attribute) f.body().get(1)).value())).isEqualTo("f(1, 2)");
  }

  @Test
  void byteOrderMarkIsTolerated() throws Exception {
    ConfigFile f = parse("\uFEFFa = 1\n");
    assertThat(((Attribute) f.body().get(0)).position()).isEqualTo(new Position("t.alloy", 1, 2));
  }

  @Test
  void numbers() throws Exception {
    assertThat(literal("42")).isEqualTo(Value.of(42));
    assertThat(((Value.Num) literal("42")).isInteger()).isTrue();
    assertThat(literal(".5")).isEqualTo(Value.of(0.5));
    assertThat(literal("1e+2")).isEqualTo(Value.of(100.0));
    assertThat(((Value.Num) literal("1e+2")).isInteger()).isFalse();
    assertThat(literal("2e-3")).isEqualTo(Value.of(0.002));
    assertThat(literal("3.14")).isEqualTo(Value.of(3.14));
  }

  @Test
  void stringEscapes() throws Exception {
    assertThat(literal("\"\\101\\x41\\u0041\\U00000041\\'\\t\\\\\\\"\"")).isEqualTo(Value.of("AAAA'\t\\\""));
    assertThat(literal("\"\\xc3\\xa9\\u00e9\"")).isEqualTo(Value.of("éé"));
    assertThat(literal("\"\\a\\b\\f\\n\\r\\v\"")).isEqualTo(Value.of("\u0007\b\f\n\r\u000b"));
  }

  @Test
  void rawStringsSpanLinesWithoutEscapes() throws Exception {
    ConfigFile f = parse("a = `x\\n\"y\n  z`\nb = 1\n");
    Expr.Literal l = (Expr.Literal) ((Attribute) f.body().get(0)).value();
    assertThat(l.value()).isEqualTo(Value.of("x\\n\"y\n  z"));
    assertThat(l.source()).isEqualTo("`x\\n\"y\n  z`");
    assertThat(f.body().get(1).position().line()).isEqualTo(3);
  }

  @Test
  void keywordsAndQuotedObjectKeys() throws Exception {
    Expr e = Parser.parseExpression("t.alloy", "{ a = true, \"k.x\" = null, b = false }");
    Expr.ObjectLiteral o = (Expr.ObjectLiteral) e;
    assertThat(o.fields()).extracting(Expr.Field::key).containsExactly("a", "k.x", "b");
    assertThat(o.fields()).extracting(Expr.Field::quoted).containsExactly(false, true, false);
    assertThat(((Expr.Literal) o.fields().get(1).value()).value()).isEqualTo(Value.NULL);
  }

  @Test
  void precedence() throws Exception {
    assertThat(AstDump.expr(Parser.parseExpression("t", "1 + 2 * 3 - 4 / 5 % 6")))
        .isEqualTo("((1 + (2 * 3)) - ((4 / 5) % 6))");
    assertThat(AstDump.expr(Parser.parseExpression("t", "a || b && c == d + e")))
        .isEqualTo("(a || (b && (c == (d + e))))");
    assertThat(AstDump.expr(Parser.parseExpression("t", "2 ^ 3 ^ 2"))).isEqualTo("(2 ^ (3 ^ 2))");
    assertThat(AstDump.expr(Parser.parseExpression("t", "-2 ^ 2"))).isEqualTo("((-2) ^ 2)");
    assertThat(AstDump.expr(Parser.parseExpression("t", "!a.b[0](1) * 2"))).isEqualTo("((!a.b[0](1)) * 2)");
    assertThat(AstDump.expr(Parser.parseExpression("t", "(1 + 2) * 3"))).isEqualTo("((paren (1 + 2)) * 3)");
    assertThat(AstDump.expr(Parser.parseExpression("t", "1 < 2 == true"))).isEqualTo("((1 < 2) == true)");
  }

  @Test
  void columnsCountCodePoints() {
    assertThat(errors("a = \"😀\" x\n")).containsExactly("t.alloy:1:9: expected TERMINATOR, got IDENT");
  }

  // ---- lexical errors ----

  @Test
  void hashIsNotAComment() {
    assertThat(errors("a = 1\n# comment\n"))
        .containsExactly("t.alloy:2:1: illegal character U+0023 '#'");
  }

  @Test
  void singleQuotedString() {
    assertThat(errors("a = 'x'\n"))
        .contains("t.alloy:1:5: illegal single-quoted string; use double quotes");
  }

  @Test
  void unterminatedString() {
    assertThat(errors("a = \"abc\nb = 1\n")).contains("t.alloy:1:5: string literal not terminated");
  }

  @Test
  void unterminatedRawString() {
    assertThat(errors("a = `abc\n")).containsExactly("t.alloy:1:5: string literal not terminated");
  }

  @Test
  void unterminatedBlockComment() {
    assertThat(errors("a = 1\n/* never closed\n")).containsExactly("t.alloy:2:1: block comment not terminated");
  }

  @Test
  void badEscapes() {
    assertThat(errors("a = \"\\q\"\n")).containsExactly("t.alloy:1:7: unknown escape sequence");
    assertThat(errors("a = \"\\xZZ\"\n"))
        .containsExactly("t.alloy:1:7: illegal character U+005A 'Z' in escape sequence");
    assertThat(errors("a = \"\\uD800\"\n"))
        .containsExactly("t.alloy:1:7: escape sequence is invalid Unicode code point");
  }

  @Test
  void loneBarAndAmpersand() {
    assertThat(errors("a = true | false\n")).containsExactly("t.alloy:1:11: missing second | in ||");
    assertThat(errors("a = true & false\n")).containsExactly("t.alloy:1:11: missing second & in &&");
  }

  @Test
  void exponentWithoutDigits() {
    assertThat(errors("a = 1e\n")).containsExactly("t.alloy:1:5: exponent has no digits");
  }

  // ---- syntax errors ----

  @Test
  void multiLineArrayNeedsTrailingComma() {
    assertThat(errors("a = [\n  1,\n  2\n]\n"))
        .containsExactly("t.alloy:3:4: missing ',' in expression list");
  }

  @Test
  void multiLineObjectNeedsTrailingComma() {
    assertThat(errors("a = {\n  b = 1,\n  c = 2\n}\n"))
        .containsExactly("t.alloy:3:8: missing ',' in field list");
  }

  @Test
  void twoStatementsOnOneLine() {
    assertThat(errors("blk { a = 1 b = 2 }\n"))
        .containsExactly("t.alloy:1:13: expected TERMINATOR, got IDENT");
  }

  @Test
  void labelMustBeAnIdentifier() {
    assertThat(errors("loki.write \"my-label\" {\n}\n"))
        .containsExactly("t.alloy:1:12: expected block label to be a valid identifier, but got \"my-label\"");
  }

  @Test
  void labelMustBeDoubleQuoted() {
    assertThat(errors("blk `lbl` {\n}\n"))
        .containsExactly("t.alloy:1:5: expected block label to be a double quoted string, but got \"`lbl`\"");
  }

  @Test
  void attributeNameIsOneIdentifier() {
    assertThat(errors("a.b = 1\n"))
        .containsExactly("t.alloy:1:1: attribute names may only consist of a single identifier with no \".\"");
    assertThat(errors("a \"l\" = 1\n")).containsExactly("t.alloy:1:3: attribute names may not have labels");
  }

  @Test
  void blockCannotBeAnExpression() {
    assertThat(errors("a = foo {\n}\n")).containsExactly("t.alloy:1:5: cannot use a block as an expression");
  }

  @Test
  void missingExpressionAndBody() {
    assertThat(errors("a = \n")).containsExactly("t.alloy:2:1: expected expression, got EOF");
    assertThat(errors("blk.x\n"))
        .containsExactly(
            "t.alloy:1:6: expected block label, got TERMINATOR",
            "t.alloy:2:1: expected block body, got EOF");
    assertThat(errors("foo\n"))
        .containsExactly(
            "t.alloy:1:4: expected block label, got TERMINATOR",
            "t.alloy:2:1: expected attribute assignment or block body, got EOF");
    assertThat(errors("foo ]\n")).containsExactly("t.alloy:1:5: expected block label, got ]");
    assertThat(errors("blk {\n  a = 1\n")).containsExactly("t.alloy:3:1: expected }, got EOF");
  }

  @Test
  void reportsEveryErrorAtOnce() {
    String src = "a = 'x'\n"
        + "ok = 1\n"
        + "blk \"bad-label\" {\n"
        + "  b = [\n"
        + "    1\n"
        + "  ]\n"
        + "}\n"
        + "c = 2 d = 3\n"
        + "e = \"\\z\"\n";
    assertThat(errors(src))
        .containsExactly(
            "t.alloy:1:5: illegal single-quoted string; use double quotes",
            "t.alloy:3:5: expected block label to be a valid identifier, but got \"bad-label\"",
            "t.alloy:5:6: missing ',' in expression list",
            "t.alloy:8:7: expected TERMINATOR, got IDENT",
            "t.alloy:9:7: unknown escape sequence");
  }

  @Test
  void recoveryAlwaysTerminates() {
    String[] nasty = {"}", "}}}\n]", "a = }", "a = [", "a = {", "blk {", "blk { } }", "a = f(", "= = =",
        "a = 1 +", "blk \"x\" \"y\" {}", "{ a = 1 b = 2 }", "a = [1 2 3]", "a = {b c}", ".", "a.\n",
        "a = x.\n", "a = x[\n", "\u0000", "/*", "\"", "`"};
    for (String src : nasty) {
      assertTimeoutPreemptively(Duration.ofSeconds(2), () -> assertThat(errors(src)).isNotEmpty(), src);
    }
    assertThat(errors("}\nok = 1\n")).containsExactly("t.alloy:1:1: expected identifier, got }");
  }

  @Test
  void exceptionMessageListsAllDiagnostics() {
    ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse("a = 'x'\nb = \"\\q\"\n"));
    assertThat(e.getMessage())
        .isEqualTo(
            "t.alloy:1:5: illegal single-quoted string; use double quotes\n"
                + "t.alloy:2:7: unknown escape sequence");
    assertThat(e.getStackTrace()).isEmpty();
  }
}
