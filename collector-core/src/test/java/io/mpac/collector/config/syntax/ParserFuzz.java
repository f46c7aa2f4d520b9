package io.mpac.collector.config.syntax;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.testing.Fuzz;
import io.mpac.collector.testing.Mutator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the Alloy config {@link Parser} with mutations of the repository's real configs
 * ({@code config/*.alloy}, {@code docker/**.alloy}) and a few hand-written ones: whatever the
 * text, it parses or throws {@link ConfigException} whose diagnostics carry a position inside the
 * text; never another exception, never a stack overflow.
 */
class ParserFuzz {

  static final List<byte[]> SEEDS = new ArrayList<>();

  static {
    try (Stream<Path> files = Stream.concat(Files.walk(Path.of("..", "config")), Files.walk(Path.of("..", "docker")))) {
      files.filter(p -> p.toString().endsWith(".alloy")).sorted().forEach(p -> {
        try {
          SEEDS.add(Files.readAllBytes(p));
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    SEEDS.add("""
        logging { level = "info" }
        x.y "a" {
          list = [1, 2.5, "s", `raw`, true, null, {a = 1, "b.c" = [ ]},]
          expr = -1 + 2 * (3 % 4) / 5 - !false && 1 < 2 || "a" == "b" ? 1 : 2
          call = string.format("%s-%d", sys.env("HOME"), 3)
          ref = x.y.b.output[0].field
          /* block comment */ // line comment
          heredoc = "esc \\n \\t \\" \\u00e9"
          inner "lbl" { v = 0x1F }
        }
        """.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void mutatedConfigsParseOrFailWithAPosition() {
    assertThat(SEEDS).hasSizeGreaterThan(3);
    Fuzz.run("alloy-parser", seed -> Mutator.mutate(SEEDS, seed), input -> {
      String text = new String(input, StandardCharsets.UTF_8);
      try {
        Parser.parse("fuzz.alloy", text);
      } catch (ConfigException e) {
        assertThat(e.diagnostics()).isNotEmpty();
        long lines = text.lines().count() + 1;
        for (Diagnostic d : e.diagnostics()) {
          assertThat(d.position().file()).isEqualTo("fuzz.alloy");
          assertThat(d.position().line()).isBetween(1, (int) Math.max(1, lines));
        }
      }
    });
  }

  @Test
  void deepNestingIsAnErrorNotAStackOverflow() {
    for (String open : new String[] {"a = [", "a = {b = ", "a = (", "b \"l\" {\n", "a = -", "a = !"}) {
      String text = open.repeat(50_000);
      try {
        Parser.parse("deep.alloy", text);
      } catch (ConfigException expected) {
        assertThat(expected.diagnostics()).isNotEmpty();
      }
    }
  }
}
