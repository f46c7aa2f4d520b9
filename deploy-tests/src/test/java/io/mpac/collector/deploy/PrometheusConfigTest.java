package io.mpac.collector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * docker/prometheus: promtool (Debian's prometheus package) checks the config, the rules, and runs
 * the rules' unit tests. Without promtool the checks are skipped, except on CI ({@code CI=true}),
 * where .ci/ installs it and a missing promtool is a failure.
 */
class PrometheusConfigTest {

  static String promtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      Path p = Path.of(dir, "promtool");
      if (Files.isExecutable(p)) return p.toString();
    }
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      throw new AssertionError("promtool is not installed; CI must install Debian's prometheus package");
    }
    Assumptions.abort("promtool not installed (apt-get install prometheus); skipped outside CI");
    return null;
  }

  static CollectorCli.Result promtool(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of(promtool()));
    cmd.addAll(List.of(args));
    return CollectorCli.exec(new ProcessBuilder(cmd).directory(Repo.path("docker/prometheus").toFile()), 60);
  }

  @Test
  void promtoolChecksTheConfigAndTheRuleFilesItLoads() throws Exception {
    CollectorCli.Result r = promtool("check", "config", "prometheus.yml");
    assertThat(r.exitCode()).as(r.output()).isZero();
    // The rules are loaded (and so checked) through rule_files.
    assertThat(r.output()).contains("SUCCESS: 1 rule files found", "rules/mpac-collector.yml");
  }

  @Test
  void promtoolChecksEveryRulesFile() throws Exception {
    for (Path rules : Repo.files("docker/prometheus/rules", ".yml", ".yaml")) {
      CollectorCli.Result r = promtool("check", "rules", rules.toString());
      assertThat(r.exitCode()).as("%s: %s", rules, r.output()).isZero();
    }
  }

  @Test
  void alertRulesPassTheirUnitTests() throws Exception {
    List<Path> tests = Repo.files("docker/prometheus/tests", ".test.yml");
    assertThat(tests).isNotEmpty();
    for (Path t : tests) {
      CollectorCli.Result r = promtool("test", "rules", t.toString());
      assertThat(r.exitCode()).as("%s: %s", t, r.output()).isZero();
    }
  }

  @Test
  void scrapesTheCollectorWhereComposeRunsIt() {
    JsonNode prom = Repo.yaml("docker/prometheus/prometheus.yml");
    JsonNode job = null;
    for (JsonNode j : prom.path("scrape_configs")) if (j.path("job_name").asText().equals("mpac-collector")) job = j;
    assertThat(job).as("scrape job mpac-collector").isNotNull();
    assertThat(job.path("metrics_path").asText("/metrics")).isEqualTo("/metrics");
    assertThat(job.at("/static_configs/0/targets/0").asText()).isEqualTo("collector:12345");
    ComposeFileTest.service("collector");
  }
}
