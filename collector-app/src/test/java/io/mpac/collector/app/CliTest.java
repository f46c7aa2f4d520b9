package io.mpac.collector.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CliTest {

  @TempDir Path dir;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void versionAndHelp() {
    assertThat(run("--version")).isZero();
    assertThat(stdout()).startsWith("mpac-collector ");
    assertThat(run("--help")).isZero();
    assertThat(stdout()).contains("run [flags] CONFIG_FILE_OR_DIR", "--server.http.listen-addr");
  }

  @Test
  void unknownCommandAndFlagAreUsageErrors() {
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(stderr()).startsWith("error: unknown command \"frobnicate\"");
    err.reset();
    assertThat(run("validate", "--bogus", "x.alloy")).isEqualTo(2);
    assertThat(stderr()).startsWith("error: unknown flag --bogus");
    err.reset();
    assertThat(run("validate")).isEqualTo(2);
    assertThat(stderr()).startsWith("error: missing config file or directory");
  }

  @Test
  void validateAcceptsAGoodConfigSilently() throws Exception {
    Path f = Files.writeString(dir.resolve("ok.alloy"), "otelcol.exporter.debug \"d\" {\n  verbosity = \"normal\"\n}\n");
    assertThat(run("validate", f.toString())).isZero();
    assertThat(stdout()).isEmpty();
    assertThat(stderr()).isEmpty();
  }

  @Test
  void validatePrintsOneLinePerProblemAndNoStackTrace() throws Exception {
    Path f = Files.writeString(dir.resolve("bad.alloy"),
        "otelcol.exporter.debug \"d\" {\n  verbosity = \"loud\"\n  colour = true\n}\n# comment\n");
    assertThat(run("validate", f.toString())).isEqualTo(1);
    assertThat(stderr().lines().toList()).containsExactly(
        f + ":5:1: illegal character U+0023 '#'");
    err.reset();
    Files.writeString(f, "otelcol.exporter.debug \"d\" {\n  verbosity = \"loud\"\n  colour = true\n}\n");
    assertThat(run("validate", f.toString())).isEqualTo(1);
    assertThat(stderr().lines().toList()).containsExactly(
        f + ":2:15: attribute \"verbosity\": \"loud\" is not one of \"basic\", \"normal\", \"detailed\"",
        f + ":3:3: unknown attribute \"colour\" in otelcol.exporter.debug");
    assertThat(stderr()).doesNotContain("Exception", "\tat ");
  }

  @Test
  void validateMissingFile() {
    assertThat(run("validate", dir.resolve("nope.alloy").toString())).isEqualTo(1);
    assertThat(stderr()).isEqualTo(dir.resolve("nope.alloy") + ":0:0: no such file or directory\n");
  }

  @Test
  void fmtPrintsTestsAndWrites() throws Exception {
    Path f = Files.writeString(dir.resolve("messy.alloy"), "otelcol.exporter.debug \"d\" {\nverbosity=\"basic\"\n}\n");
    assertThat(run("fmt", "--test", f.toString())).isEqualTo(1);
    assertThat(run("fmt", f.toString())).isZero();
    String formatted = stdout();
    assertThat(formatted).isNotEqualTo(Files.readString(f)).contains("verbosity = \"basic\"");
    assertThat(run("fmt", "--write", f.toString())).isZero();
    assertThat(Files.readString(f)).isEqualTo(formatted);
    assertThat(run("fmt", "-t", f.toString())).isZero();
  }

  @Test
  void fmtReportsSyntaxErrors() throws Exception {
    Path f = Files.writeString(dir.resolve("bad.alloy"), "a 'b' {}\n");
    assertThat(run("fmt", f.toString())).isEqualTo(1);
    assertThat(stderr()).startsWith(f + ":1:3: illegal single-quoted string; use double quotes");
  }

  @Test
  void runWithBadConfigExitsOneWithDiagnostics() throws Exception {
    Path f = Files.writeString(dir.resolve("bad.alloy"), "otelcol.exporter.debug {}\n");
    assertThat(run("run", "--server.http.listen-addr", "127.0.0.1:0", "--storage.path", dir.resolve("data").toString(),
        f.toString())).isEqualTo(1);
    assertThat(stderr()).contains(f + ":1:1: component \"otelcol.exporter.debug\" must have a label");
  }

  @Test
  void healthReportsAnUnreachableCollector() {
    assertThat(run("health", "--addr", "127.0.0.1:1")).isEqualTo(1);
    assertThat(stderr()).startsWith("not ready: cannot reach 127.0.0.1:1");
  }
}
