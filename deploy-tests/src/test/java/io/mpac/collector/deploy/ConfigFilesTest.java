package io.mpac.collector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.config.ast.Attribute;
import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.ast.ConfigFile;
import io.mpac.collector.config.ast.Expr;
import io.mpac.collector.config.ast.Statement;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.config.value.Value;
import io.mpac.collector.pipeline.ComponentRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** config/*.alloy: valid for the collector's CLI, canonically formatted, and shaped as documented. */
class ConfigFilesTest {

  static final Set<String> DOCKER_COMPONENTS = Set.of("discovery.docker", "discovery.relabel", "loki.source.docker",
      "loki.process");

  static Stream<Path> configs() {
    List<Path> files = Repo.files("config", ".alloy");
    assertThat(files).extracting(p -> p.getFileName().toString()).contains("demo.alloy", "local.alloy", "aws.alloy");
    return files.stream();
  }

  /** {@code mpac-collector validate FILE} exits 0 with no diagnostics, in a separate JVM (proves the CLI). */
  @ParameterizedTest
  @MethodSource("configs")
  void validatePassesOnEveryConfig(Path config) throws Exception {
    CollectorCli.Result r = CollectorCli.run("validate", config.toString());
    assertThat(r.output()).as("diagnostics of %s", config).isEmpty();
    assertThat(r.exitCode()).isZero();
  }

  @ParameterizedTest
  @MethodSource("configs")
  void everyConfigIsInCanonicalFmtForm(Path config) throws Exception {
    CollectorCli.Result r = CollectorCli.run("fmt", "--test", config.toString());
    assertThat(r.exitCode()).as("`mpac-collector fmt --write %s` changes it: %s", config, r.output()).isZero();
  }

  /** What the shipped configs add to the platform pipeline: a memory bound and persistent queues. */
  static final Set<String> DURABILITY_COMPONENTS = Set.of("otelcol.processor.memory_limiter", "otelcol.storage.file");

  /**
   * local.alloy is the platform pipeline (collector-core's copy of the shared fixture), Docker log
   * path included, plus the durability components.
   */
  @Test
  void localConfigHasTheFixturesComponentsPlusTheDurabilityOnes() throws Exception {
    ConfigFile fixture = parse(Repo.path("collector-core/src/test/resources/config/mpac.alloy"));
    ConfigFile local = parse(Repo.path("config/local.alloy"));
    assertThat(componentIds(local)).filteredOn(id -> DURABILITY_COMPONENTS.stream().noneMatch(id::startsWith))
        .containsExactlyElementsOf(componentIds(fixture));
    assertThat(componentIds(local)).filteredOn(id -> DURABILITY_COMPONENTS.stream().anyMatch(id::startsWith))
        .containsExactly("otelcol.processor.memory_limiter.default", "otelcol.storage.file.queues");
    assertThat(componentIds(local)).filteredOn(id -> DOCKER_COMPONENTS.stream().anyMatch(id::startsWith)).hasSize(4);
  }

  @Test
  void awsConfigHasNoDockerSourceAndReadsEveryBackendAddressFromTheEnvironment() throws Exception {
    ConfigFile aws = parse(Repo.path("config/aws.alloy"));
    assertThat(componentIds(aws)).noneMatch(id -> DOCKER_COMPONENTS.stream().anyMatch(id::startsWith));
    Map<String, String> addresses = backendAddresses(aws);
    assertThat(addresses.keySet()).containsExactlyInAnyOrder(
        "otelcol.exporter.otlp.tempo/endpoint", "prometheus.remote_write.default/url", "loki.write.default/url");
    assertThat(addresses).containsEntry("otelcol.exporter.otlp.tempo/endpoint", "tempo.mpac-obs.dev.local:4317")
        .containsEntry("prometheus.remote_write.default/url", "http://prometheus.mpac-obs.dev.local:9090/api/v1/write")
        .containsEntry("loki.write.default/url", "http://loki.mpac-obs.dev.local:3100/loki/api/v1/push");
  }

  @Test
  void localConfigReadsEveryBackendAddressFromTheEnvironmentWithComposeDefaults() throws Exception {
    Map<String, String> addresses = backendAddresses(parse(Repo.path("config/local.alloy")));
    assertThat(addresses).containsOnly(
        Map.entry("otelcol.exporter.otlp.tempo/endpoint", "tempo:4317"),
        Map.entry("prometheus.remote_write.default/url", "http://prometheus:9090/api/v1/write"),
        Map.entry("loki.write.default/url", "http://loki:3100/loki/api/v1/push"));
  }

  // ---- helpers shared with the other tests ----

  static ConfigFile parse(Path file) throws Exception {
    return Parser.parse(file.toString(), Files.readString(file));
  }

  static Set<String> componentIds(ConfigFile file) {
    Set<String> ids = new TreeSet<>();
    for (Statement st : file.body()) {
      if (st instanceof Block b && b.label() != null) ids.add(b.fullName() + "." + b.label());
    }
    return ids;
  }

  /** {@code sys.env("X")} names used anywhere in a file. */
  static Set<String> envNames(ConfigFile file) {
    Set<String> names = new TreeSet<>();
    for (Statement st : file.body()) collectEnv(st, names);
    return names;
  }

  /**
   * The backend address of each exporter ({@code client.endpoint} or {@code endpoint.url}), keyed
   * {@code component id/attribute}, as the default of {@code coalesce(sys.env("X"), "default")}.
   * Fails if an address is written any other way.
   */
  static Map<String, String> backendAddresses(ConfigFile file) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Statement st : file.body()) {
      if (!(st instanceof Block b) || b.label() == null) continue;
      String id = b.fullName() + "." + b.label();
      for (Statement inner : b.body()) {
        if (!(inner instanceof Block ib)) continue;
        String attr = switch (ib.fullName()) {
          case "client" -> "endpoint";
          case "endpoint" -> "url";
          default -> null;
        };
        if (attr == null) continue;
        for (Statement a : ib.body()) {
          if (a instanceof Attribute at && at.name().equals(attr)) {
            out.put(id + "/" + attr, envDefault(at.value(), id + " " + attr));
          }
        }
      }
    }
    return out;
  }

  private static String envDefault(Expr e, String where) {
    assertThat(e).as("%s must be coalesce(sys.env(\"X\"), \"default\")", where).isInstanceOf(Expr.Call.class);
    Expr.Call call = (Expr.Call) e;
    assertThat(call.function()).isInstanceOf(Expr.Identifier.class);
    assertThat(((Expr.Identifier) call.function()).name()).as(where).isEqualTo("coalesce");
    assertThat(call.arguments()).as(where).hasSize(2);
    assertThat(envName(call.arguments().get(0))).as("%s: first argument is sys.env(\"X\")", where).isNotNull();
    String value = stringLiteral(call.arguments().get(1));
    assertThat(value).as("%s: the default is a string literal", where).isNotNull();
    return value;
  }

  /** The variable name if the expression is {@code sys.env("X")} (or the deprecated {@code env("X")}). */
  static String envName(Expr e) {
    if (!(e instanceof Expr.Call c) || c.arguments().size() != 1) return null;
    boolean isEnv = (c.function() instanceof Expr.Access a && a.field().equals("env")
        && a.target() instanceof Expr.Identifier i && i.name().equals("sys"))
        || (c.function() instanceof Expr.Identifier i2 && i2.name().equals("env"));
    return isEnv ? stringLiteral(c.arguments().get(0)) : null;
  }

  private static void collectEnv(Statement st, Set<String> names) {
    if (st instanceof Block b) {
      for (Statement s : b.body()) collectEnv(s, names);
    } else if (st instanceof Attribute a) {
      collectEnv(a.value(), names);
    }
  }

  private static void collectEnv(Expr e, Set<String> names) {
    String n = envName(e);
    if (n != null) names.add(n);
    List<Expr> children = new ArrayList<>();
    if (e instanceof Expr.Call c) {
      children.add(c.function());
      children.addAll(c.arguments());
    } else if (e instanceof Expr.Access a) {
      children.add(a.target());
    } else if (e instanceof Expr.Index i) {
      children.add(i.target());
      children.add(i.index());
    } else if (e instanceof Expr.ArrayLiteral arr) {
      children.addAll(arr.elements());
    } else if (e instanceof Expr.ObjectLiteral o) {
      o.fields().forEach(f -> children.add(f.value()));
    } else if (e instanceof Expr.Binary bin) {
      children.add(bin.left());
      children.add(bin.right());
    } else if (e instanceof Expr.Unary u) {
      children.add(u.operand());
    } else if (e instanceof Expr.Paren p) {
      children.add(p.inner());
    }
    for (Expr child : children) collectEnv(child, names);
  }

  /** The text of a string literal, or null. */
  static String stringLiteral(Expr e) {
    return e instanceof Expr.Literal lit && lit.value() instanceof Value.Str str ? str.value() : null;
  }
}
