package io.mpac.collector.config.syntax;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.config.ast.Attribute;
import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.ast.ConfigFile;
import io.mpac.collector.config.ast.Expr;
import io.mpac.collector.config.value.Value;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class FormatterTest {

  private static String fmt(String src) throws ConfigException {
    return Formatter.format(Parser.parse("t.alloy", src));
  }

  @Test
  void spacesOperatorsAndAlignsConsecutiveAttributes() throws Exception {
    assertThat(fmt("a=1+2*3\nlong_name=\"x\"\n\nc=field.access*2\n"))
        .isEqualTo("a         = 1 + 2 * 3\nlong_name = \"x\"\n\nc = field.access * 2\n");
  }

  @Test
  void indentsWithTabsAndSeparatesBlocksWithBlankLines() throws Exception {
    assertThat(fmt("outer \"x\" {\n  a = 1\n  inner {\n      b = 2\n  }\n}\nafter = true\nnext {}\n"))
        .isEqualTo("outer \"x\" {\n\ta = 1\n\n\tinner {\n\t\tb = 2\n\t}\n}\nafter = true\n\nnext { }\n");
  }

  @Test
  void emptyBlocksCollapse() throws Exception {
    assertThat(fmt("a {\n\n}\nb \"l\" {}\n")).isEqualTo("a { }\n\nb \"l\" { }\n");
  }

  @Test
  void keepsAtMostOneBlankLine() throws Exception {
    assertThat(fmt("\n\n\na = 1\n\n\n\nb = 2\n\n\n")).isEqualTo("a = 1\n\nb = 2\n");
  }

  @Test
  void multiLineAttributeEndsAnAlignmentGroup() throws Exception {
    assertThat(fmt("x = 1\nlonger = [\n1,\n]\ny = 2\nzz = 3\n"))
        .isEqualTo("x      = 1\nlonger = [\n\t1,\n]\ny  = 2\nzz = 3\n");
  }

  @Test
  void alignsObjectFieldsAndKeepsInlineObjectsInline() throws Exception {
    assertThat(fmt("a = {\nk = 1,\nlong_key = { x = 1 },\n\"q.k\" = [1,2],\n}\n"))
        .isEqualTo("a = {\n\tk        = 1,\n\tlong_key = {x = 1},\n\t\"q.k\"    = [1, 2],\n}\n");
  }

  @Test
  void multiLineListsKeepTheirShapeAndTrailingComma() throws Exception {
    assertThat(fmt("a = [1, 2,\n3,\n]\nb = f(1,\n2)\nc = g(\n  \"x\",\n)\n"))
        .isEqualTo("a = [1, 2,\n\t3,\n]\nb = f(1,\n\t2)\nc = g(\n\t\"x\",\n)\n");
  }

  @Test
  void literalsAreWrittenAsInSource() throws Exception {
    assertThat(fmt("a = 1e+2\nb = .5\nc = \"\\x41\\u00e9\"\nd = `raw\n  text`\n"))
        .isEqualTo("a = 1e+2\nb = .5\nc = \"\\x41\\u00e9\"\nd = `raw\n  text`\n");
  }

  @Test
  void keepsCommentsInPlace() throws Exception {
    String src = "// header\n\n/* block */\nblk { // on the header\n"
        + "// first\n  a = 1 // trailing\n  bb = 22 // trailing too\n\n  // last in block\n}\n// end of file\n";
    assertThat(fmt(src))
        .isEqualTo("// header\n\n/* block */\nblk { // on the header\n"
            + "\t// first\n\ta  = 1  // trailing\n\tbb = 22 // trailing too\n\n\t// last in block\n}\n// end of file\n");
  }

  @Test
  void commentsInsideArraysAndInlineBlockComments() throws Exception {
    String src = "a = [ // why\n  1, /* one */ 2,\n  // more\n  3,\n]\n";
    assertThat(fmt(src)).isEqualTo("a = [ // why\n\t1, /* one */ 2,\n\t// more\n\t3,\n]\n");
  }

  @Test
  void commentDirectlyAboveABlockStaysAttached() throws Exception {
    assertThat(fmt("a = 1\n// about b\nb {\n}\n")).isEqualTo("a = 1\n// about b\nb { }\n");
  }

  @Test
  void fixtureFormatsToTabsAndIsIdempotent() throws Exception {
    String src = ParserTest.fixture();
    ConfigFile parsed = Parser.parse("mpac.alloy", src);
    String once = Formatter.format(parsed);
    assertThat(once.replace("\t", "  ").replace("labels        = {source = \"docker\"}", "labels        = { source = \"docker\" }")
            .replace("external_labels = {env = coalesce(sys.env(\"DEPLOY_ENV\"), \"dev\")}", "external_labels = { env = coalesce(sys.env(\"DEPLOY_ENV\"), \"dev\") }"))
        .isEqualTo(src);
    ConfigFile reparsed = Parser.parse("mpac.alloy", once);
    assertThat(AstDump.dump(reparsed)).isEqualTo(AstDump.dump(parsed));
    assertThat(reparsed.comments()).extracting(c -> c.text())
        .isEqualTo(parsed.comments().stream().map(c -> c.text()).toList());
    assertThat(Formatter.format(reparsed)).isEqualTo(once);
  }

  @Test
  void formatsAstBuiltByCodeOnOneLinePerStatement() {
    Position p = new Position("gen", 1, 1);
    Expr value = new Expr.ArrayLiteral(Position.NONE, List.of(
        new Expr.Literal(Position.NONE, "1", Value.of(1)),
        new Expr.Identifier(Position.NONE, "x")));
    ConfigFile f = new ConfigFile("gen", List.of(
        new Block(p, List.of("a", "b"), "l", null, List.of(new Attribute(p, "k", value)), null)), List.of());
    assertThat(Formatter.format(f)).isEqualTo("a.b \"l\" {\n\tk = [1, x]\n}\n");
  }

  static Stream<String> samples() throws Exception {
    return Stream.of(
        ParserTest.fixture(),
        "",
        "// only a comment",
        "a = 1",
        "a=[\n1,\n2,\n]\nb={\nc=[{d=1},\n{e=2}],\n}",
        "blk \"l\" { a = 1 }\nblk2 {\n}\n\n\n// trailing",
        "x = f(g(1, [2, 3]), {a = 1}, \"s\")[0].y",
        "x = -(1 + 2) * !false ^ 2 / 3 % 4 || a && b != c",
        "a = 1 /* inline */ + 2\nb = `multi\nline` // c\nlonger_name = null",
        "mixed = [0, true, {\n  k = 1,\n}, \"end\"]",
        "outer {\n  // c1\n\n  // c2\n  a = 1\n\n\n  inner \"x\" {\n    b = [ // c\n      1,\n    ]\n  }\n  // c3\n}",
        "a = { \"weird key\" = 1, b = \"tab\\there\" }",
        "f = concat(\n  [1],\n  [2],\n)\ng = 1");
  }

  @ParameterizedTest
  @MethodSource("samples")
  void formattingIsIdempotentAndPreservesTheAst(String src) throws Exception {
    ConfigFile parsed = Parser.parse("s.alloy", src);
    String once = Formatter.format(parsed);
    ConfigFile reparsed = Parser.parse("s.alloy", once);
    assertThat(AstDump.dump(reparsed)).isEqualTo(AstDump.dump(parsed));
    assertThat(reparsed.comments()).hasSameSizeAs(parsed.comments());
    assertThat(Formatter.format(reparsed)).isEqualTo(once);
    assertThat(once).endsWith("\n").doesNotContain(" \n").doesNotContain("\t\n").doesNotContain("\n\n\n");
  }
}
