package io.mpac.collector.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --help} on every command, and the flags deployments copied from Alloy. */
class AlloyCliTest {

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

  @ParameterizedTest
  @ValueSource(strings = {"run", "validate", "fmt", "health", "gen", "reference"})
  void everyCommandHasHelpAndExitsZero(String command) {
    assertThat(run(command, "--help")).isZero();
    assertThat(stdout()).startsWith("Usage: mpac-collector " + command);
    assertThat(stderr()).isEmpty();
    out.reset();
    assertThat(run(command, "-h")).isZero();
    assertThat(stdout()).startsWith("Usage: mpac-collector " + command);
  }

  @Test
  void runHelpNamesEveryFlagItTakes() {
    run("run", "--help");
    assertThat(stdout()).contains("--server.http.listen-addr", "--server.http.ui-path-prefix", "--storage.path",
        "--shutdown.timeout", "--stability.level", "--disable-reporting", "--feature.community-components.enabled",
        "--cluster.enabled");
  }

  @Test
  void clusteringIsRefusedWithASentence() throws Exception {
    Path f = Files.writeString(dir.resolve("ok.alloy"), "otelcol.exporter.debug \"d\" {}\n");
    assertThat(run("run", "--cluster.enabled=true", f.toString())).isEqualTo(2);
    assertThat(stderr()).startsWith("error: --cluster.enabled=true: mpac-collector does not support clustering");
    err.reset();
    assertThat(run("run", "--cluster.enabled", f.toString())).isEqualTo(2);
    assertThat(stderr()).contains("does not support clustering");
    err.reset();
    assertThat(run("validate", "--cluster.enabled=maybe", f.toString())).isEqualTo(2);
    assertThat(stderr()).startsWith("error: --cluster.enabled: expected true or false, got \"maybe\"");
  }

  @Test
  void compatibilityFlagsAreAcceptedAndNamedAsWithoutEffect() throws Exception {
    Path f = Files.writeString(dir.resolve("ok.alloy"), "otelcol.exporter.debug \"d\" {}\n");
    assertThat(run("validate", "--stability.level=public-preview", "--disable-reporting",
        "--feature.community-components.enabled=true", "--cluster.enabled=false", f.toString())).isZero();
    assertThat(stderr().lines().toList()).containsExactly(
        "note: --stability.level=public-preview has no effect: every mpac-collector component is available",
        "note: --disable-reporting has no effect: mpac-collector never reports usage",
        "note: --feature.community-components.enabled has no effect: mpac-collector has no community components");
    err.reset();
    assertThat(run("validate", "--stability.level", "beta", f.toString())).isEqualTo(2);
    assertThat(stderr()).startsWith("error: --stability.level: expected one of generally-available, public-preview, "
        + "experimental; got \"beta\"");
  }

  @Test
  void aBadUiPathPrefixIsAUsageError() throws Exception {
    Path f = Files.writeString(dir.resolve("ok.alloy"), "otelcol.exporter.debug \"d\" {}\n");
    assertThat(run("run", "--server.http.ui-path-prefix", "/a b/", f.toString())).isEqualTo(2);
    assertThat(stderr()).startsWith("error: --server.http.ui-path-prefix: invalid UI path prefix \"/a b/\"");
  }
}
