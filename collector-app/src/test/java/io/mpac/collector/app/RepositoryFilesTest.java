package io.mpac.collector.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.ast.ConfigFile;
import io.mpac.collector.config.ast.Statement;
import io.mpac.collector.config.syntax.Formatter;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.pipeline.ComponentRegistry;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Checks the files the repository ships: configs, the README's reference, the platform fixture. */
class RepositoryFilesTest {

  /** The repository root: the parent of this module's directory. */
  static Path root() {
    Path p = Path.of("").toAbsolutePath();
    while (p != null && !Files.exists(p.resolve("mvnw"))) p = p.getParent();
    if (p == null) throw new IllegalStateException("repository root not found from " + Path.of("").toAbsolutePath());
    return p;
  }

  static List<Path> alloyFiles() throws Exception {
    try (Stream<Path> s = Files.walk(root())) {
      return s.filter(p -> p.toString().endsWith(".alloy"))
          .filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
          .sorted().toList();
    }
  }

  @Test
  void fmtIsIdempotentOnEveryAlloyFileInTheRepository() throws Exception {
    List<Path> files = alloyFiles();
    assertThat(files).isNotEmpty();
    for (Path f : files) {
      String once = Formatter.format(Parser.parse(f.toString(), Files.readString(f)));
      String twice = Formatter.format(Parser.parse(f.toString(), once));
      assertThat(twice).as("fmt of fmt of %s", f).isEqualTo(once);
    }
  }

  @Test
  void everyShippedConfigValidates() throws Exception {
    List<Path> configs;
    try (Stream<Path> s = Files.list(root().resolve("config"))) {
      configs = s.filter(p -> p.toString().endsWith(".alloy")).sorted().toList();
    }
    assertThat(configs).extracting(p -> p.getFileName().toString()).contains("demo.alloy");
    for (Path c : configs) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = Main.run(new String[] {"validate", c.toString()}, new PrintStream(new ByteArrayOutputStream()),
          new PrintStream(err, true, StandardCharsets.UTF_8));
      assertThat(err.toString(StandardCharsets.UTF_8)).as("diagnostics of %s", c).isEmpty();
      assertThat(code).isZero();
    }
  }

  /**
   * The platform's pipeline must validate except for components this build does not implement yet,
   * each reported once, at its block, as unsupported: nothing else.
   */
  @Test
  void platformFixtureReportsOnlyUnsupportedComponents() throws Exception {
    Path fixture = root().resolve("collector-core/src/test/resources/config/mpac.alloy");
    ConfigFile parsed = Parser.parse(fixture.toString(), Files.readString(fixture));
    List<String> supported = ComponentRegistry.fromClassPath().names();
    List<String> expected = new ArrayList<>();
    for (Statement st : parsed.body()) {
      if (st instanceof Block b && b.label() != null && !supported.contains(b.fullName())) {
        expected.add(b.position() + ": component \"" + b.fullName() + "\" is not supported by mpac-collector");
      }
    }
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Main.run(new String[] {"validate", fixture.toString()}, new PrintStream(new ByteArrayOutputStream()),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(err.toString(StandardCharsets.UTF_8).lines().toList()).containsExactlyElementsOf(expected);
    assertThat(code).isEqualTo(expected.isEmpty() ? 0 : 1);
  }

  @Test
  void readmeEmbedsTheGeneratedConfigReference() throws Exception {
    String readme = Files.readString(root().resolve("README.md"));
    String start = "<!-- reference:start -->\n";
    String end = "<!-- reference:end -->";
    assertThat(readme).contains(start, end);
    String embedded = readme.substring(readme.indexOf(start) + start.length(), readme.indexOf(end));
    assertThat(embedded)
        .as("README.md's reference is stale: regenerate it with scripts/update-readme-reference.sh")
        .isEqualTo(ConfigReference.markdown(ComponentRegistry.fromClassPath()));
  }

  @Test
  void readmeStartsWithTheTwoSetUpCommandsThatCiRuns() throws Exception {
    List<String> lines = Files.readAllLines(root().resolve("README.md"));
    List<String> commands = lines.stream().limit(12).filter(l -> l.startsWith("./mvnw ")).toList();
    assertThat(commands).hasSize(2);
    assertThat(commands.get(0)).contains("package", "java -jar collector-app/target/mpac-collector.jar run config/demo.alloy");
    String ci = Files.readString(root().resolve(".ci/run"));
    assertThat(ci).contains(commands.get(1));
  }
}
