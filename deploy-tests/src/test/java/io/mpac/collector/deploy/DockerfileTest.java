package io.mpac.collector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docker/Dockerfile, read as text: its instructions (continuation lines joined), checked one by one. */
class DockerfileTest {

  /** One instruction: keyword and the rest of the line. */
  record Instruction(String keyword, String args) {}

  static List<Instruction> instructions() {
    List<Instruction> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String raw : Repo.read("docker/Dockerfile").split("\n")) {
      String line = raw.strip();
      if (current.isEmpty() && (line.isEmpty() || line.startsWith("#"))) continue;
      if (line.startsWith("#")) continue; // comment inside a continued instruction
      if (line.endsWith("\\")) {
        current.append(line, 0, line.length() - 1).append(' ');
        continue;
      }
      current.append(line);
      String text = current.toString().strip();
      current.setLength(0);
      int sp = text.indexOf(' ');
      out.add(new Instruction(text.substring(0, sp).toUpperCase(java.util.Locale.ROOT), text.substring(sp + 1).strip()));
    }
    return out;
  }

  static List<String> args(String keyword) {
    return instructions().stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::args).toList();
  }

  @Test
  void hasAMavenBuildStageAndAJreRuntimeStagePinnedByTag() {
    List<String> from = args("FROM");
    assertThat(from).hasSize(2);
    // A current LTS (21 or 25), pinned to a patch release, the same release in both stages.
    Matcher build = Pattern.compile("eclipse-temurin:((21|25)\\.[0-9.]+_[0-9]+)-jdk-(\\S+) AS build").matcher(from.get(0));
    Matcher runtime = Pattern.compile("eclipse-temurin:((21|25)\\.[0-9.]+_[0-9]+)-jre-(\\S+) AS runtime").matcher(from.get(1));
    assertThat(build.matches()).as(from.get(0)).isTrue();
    assertThat(runtime.matches()).as(from.get(1)).isTrue();
    assertThat(runtime.group(1)).isEqualTo(build.group(1));
    assertThat(runtime.group(3)).isEqualTo(build.group(3));
    assertThat(from).noneMatch(f -> f.contains(":latest"));
    // The build uses the Maven Wrapper and builds the shaded jar at the path the README names.
    assertThat(args("RUN")).anyMatch(r -> r.contains("./mvnw ") && r.contains("package")
        && r.contains("collector-app/target/mpac-collector.jar"));
    assertThat(args("COPY")).anyMatch(c -> c.startsWith("--from=build ") && c.endsWith(" /app/mpac-collector.jar"));
  }

  @Test
  void runtimeRunsAsANonRootUser() {
    List<String> users = args("USER");
    assertThat(users).isNotEmpty();
    String last = users.get(users.size() - 1);
    assertThat(last.split(":")[0]).isNotIn("root", "0");
    // The user is created in the runtime stage with that name.
    assertThat(args("RUN")).anyMatch(r -> r.contains("useradd") && r.contains(" " + last.split(":")[0]));
  }

  @Test
  void exposesOtlpAndAdminPorts() {
    assertThat(String.join(" ", args("EXPOSE")).split("\\s+")).containsExactlyInAnyOrder("4317", "4318", "12345");
  }

  @Test
  void healthcheckUsesTheCollectorsOwnHealthCommandWithoutCurl() {
    List<String> hc = args("HEALTHCHECK");
    assertThat(hc).hasSize(1);
    assertThat(hc.get(0)).doesNotContain("curl", "wget")
        .contains("CMD [\"/app/mpac-collector\", \"health\", \"--addr\", \"127.0.0.1:12345\"]");
    // The launcher it calls is the script in docker/, copied to /app/mpac-collector.
    assertThat(args("COPY")).contains("docker/mpac-collector.sh /app/mpac-collector");
    assertThat(args("ENTRYPOINT")).containsExactly("[\"/app/mpac-collector\"]");
  }

  @Test
  void runsOnAllInterfacesWithStorageVolumeAndMemoryAwareJvmFlags() {
    String cmd = String.join(" ", args("CMD"));
    assertThat(cmd).contains("\"run\"", "\"--server.http.listen-addr=0.0.0.0:12345\"",
        "\"--storage.path=/var/lib/mpac-collector\"", "\"/etc/mpac-collector/demo.alloy\"");
    assertThat(args("VOLUME")).containsExactly("[\"/var/lib/mpac-collector\"]");
    String env = String.join(" ", args("ENV"));
    assertThat(env).contains("-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError");
    assertThat(env).doesNotContainPattern("-Xmx\\d");
    assertThat(args("COPY")).contains("config/ /etc/mpac-collector/");
  }

  @Test
  void dockerignoreKeepsTheBuildContextSmallButComplete() throws Exception {
    List<String> patterns = Repo.read(".dockerignore").lines()
        .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    assertThat(patterns).contains("**/target/", ".git/");
    // Everything the build stage needs must stay in the context: a pattern that matches any of
    // these (without a later "!" exception) would break `docker build`.
    List<String> needed = new ArrayList<>(List.of("mvnw", ".mvn/wrapper/maven-wrapper.properties", "pom.xml",
        "config/local.alloy", "docker/mpac-collector.sh", "collector-core/src/main/java/X.java"));
    try (var modules = Files.list(Repo.root())) {
      modules.filter(p -> Files.exists(p.resolve("pom.xml")) && !p.equals(Repo.root()))
          .forEach(p -> needed.add(p.getFileName() + "/pom.xml"));
    }
    for (String path : needed) {
      assertThat(ignored(patterns, path)).as("%s is excluded by .dockerignore", path).isFalse();
    }
    assertThat(ignored(patterns, "collector-app/target/mpac-collector.jar")).isTrue();
    assertThat(ignored(patterns, ".git/HEAD")).isTrue();
  }

  /** .dockerignore semantics, enough for the patterns used: globs, dir prefixes, "!" exceptions, last match wins. */
  static boolean ignored(List<String> patterns, String path) {
    boolean ignored = false;
    for (String p : patterns) {
      boolean negate = p.startsWith("!");
      String glob = (negate ? p.substring(1) : p).replaceAll("/$", "");
      Pattern re = Pattern.compile(globToRegex(glob) + "(/.*)?");
      if (re.matcher(path).matches()) ignored = !negate;
    }
    return ignored;
  }

  private static String globToRegex(String glob) {
    StringBuilder sb = new StringBuilder();
    Matcher m = Pattern.compile("\\*\\*/|\\*\\*|\\*|\\?|[^*?]+").matcher(glob);
    while (m.find()) {
      String t = m.group();
      sb.append(switch (t) {
        case "**/" -> "(.*/)?";
        case "**" -> ".*";
        case "*" -> "[^/]*";
        case "?" -> "[^/]";
        default -> Pattern.quote(t);
      });
    }
    return sb.toString();
  }

  @Test
  void launcherScriptRunsTheCliAndItsHealthProbeFailsWhenNothingListens() throws Exception {
    // The image's /app/mpac-collector, run here against this module's classpath instead of the jar.
    ProcessBuilder pb = new ProcessBuilder("sh", Repo.path("docker/mpac-collector.sh").toString(), "--version");
    pb.environment().putAll(launcherEnv());
    CollectorCli.Result version = CollectorCli.exec(pb, 60);
    assertThat(version.exitCode()).as(version.output()).isZero();
    assertThat(version.output()).startsWith("mpac-collector ");

    ProcessBuilder health = new ProcessBuilder("sh", Repo.path("docker/mpac-collector.sh").toString(), "health",
        "--addr", "127.0.0.1:1");
    health.environment().putAll(launcherEnv());
    CollectorCli.Result r = CollectorCli.exec(health, 60);
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.output()).contains("not ready");
  }

  /** Environment that makes docker/mpac-collector.sh use this JVM and this module's classpath. */
  static Map<String, String> launcherEnv() {
    String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin").toString();
    return Map.of("MPAC_COLLECTOR_JAR", CollectorCli.classPath(), "PATH", javaBin + ":" + System.getenv("PATH"),
        "JAVA_OPTS", "-Xmx128m");
  }
}
