package io.mpac.collector.component.schema;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.config.value.Evaluator;
import io.mpac.collector.config.value.Stdlib;
import io.mpac.collector.config.value.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A value assigned to a secret-typed argument is a secret whatever its source. */
class SecretArgumentsTest {

  private static final String CANARY = "CANARY-7f3e9a";

  private static final Schema SCHEMA = Schema.builder()
      .optional("token", Types.SECRET, "")
      .optional("headers", Types.mapOf(Types.SECRET), Map.of())
      .optional("keys", Types.listOf(Types.SECRET), List.of())
      .optional("name", Types.STRING, "")
      .optional("timeout", Types.DURATION, null)
      .optional("mode", Types.oneOf("a", "b"), "a")
      .build();

  private final List<Diagnostic> diagnostics = new ArrayList<>();

  private Args decode(String body) throws Exception {
    Block block = (Block) Parser.parse("t.alloy", "x.y \"l\" {\n" + body + "\n}\n").body().get(0);
    Evaluator evaluator = new Evaluator(Stdlib.scope(Map.of("TOKEN", CANARY, "PLAIN", "visible")));
    return new ArgsDecoder(evaluator::evaluate, e -> false, diagnostics).decode(block, SCHEMA);
  }

  @Test
  void literalsAndEnvironmentBecomeSecretsInEveryView() throws Exception {
    Args args = decode("""
        token   = "%s"
        headers = { "X-Scope" = sys.env("TOKEN"), "Authorization" = "Bearer " + sys.env("TOKEN") }
        keys    = ["%s", sys.env("TOKEN")]
        name    = sys.env("PLAIN")
        """.formatted(CANARY, CANARY));
    assertThat(diagnostics).isEmpty();
    // The component still gets the real text ...
    assertThat(args.string("token")).isEqualTo(CANARY);
    assertThat(args.<String>map("headers").get("X-Scope")).isEqualTo(CANARY);
    assertThat(args.<String>list("keys")).containsExactly(CANARY, CANARY);
    // ... but no rendering of the arguments shows it.
    String json = Values.toJson(args.toValue()).toString();
    assertThat(json).doesNotContain(CANARY).contains("\"token\":\"(secret)\"").contains("\"X-Scope\":\"(secret)\"")
        .contains("\"visible\"");
    assertThat(Values.display(args.toValue())).doesNotContain(CANARY).contains("(secret)");
    assertThat(args.toString()).doesNotContain(CANARY);
    assertThat(args.raw("token").typeName()).isEqualTo("secret");
  }

  @Test
  void aSecretIsRefusedWhereAnotherTypeIsExpectedWithoutPrintingIt() throws Exception {
    decode("""
        token   = "%s"
        name    = "x" + sys.env("TOKEN")
        """.formatted(CANARY));
    assertThat(diagnostics).isEmpty(); // sys.env is a plain string until it meets a secret argument
    diagnostics.clear();
    // A secret (here a concatenation with a secret) must not leak through a parse error.
    var withSecret = new ArgsDecoder(expr -> new io.mpac.collector.config.value.Value.Str(CANARY, true),
        e -> false, diagnostics);
    Block block = (Block) Parser.parse("t.alloy", "x.y \"l\" {\n timeout = 1\n mode = 2\n name = 3\n}\n").body().get(0);
    withSecret.decode(block, SCHEMA);
    assertThat(diagnostics).hasSize(3);
    assertThat(diagnostics.toString()).doesNotContain(CANARY)
        .contains("t.alloy:2:12: attribute \"timeout\": a secret cannot be used as duration; use convert.nonsensitive")
        .contains("a secret cannot be used as a string");
  }

  @Test
  void convertNonsensitiveIsTheWayOut() throws Exception {
    Args args = decode("token = \"" + CANARY + "\"\nname = convert.nonsensitive(\"" + CANARY + "\")\n");
    assertThat(diagnostics).isEmpty();
    assertThat(Values.toJson(args.toValue()).get("name").asText()).isEqualTo(CANARY);
  }
}
