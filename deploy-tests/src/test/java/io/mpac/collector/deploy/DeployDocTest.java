package io.mpac.collector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** docs/DEPLOY.md covers what the issue asks and agrees with the files it describes. */
class DeployDocTest {

  static final String DOC = Repo.read("docs/DEPLOY.md");

  @Test
  void coversTheLocalStackAwsAndSendingData() {
    assertThat(DOC).contains("docker compose up", "http://localhost:3000", "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_PROTOCOL", "max_connection_age", "Cloud Map", "tempo.mpac-obs.dev.local:4317");
    assertThat(DOC).contains("**Go**", "**Python**", "otlptracegrpc", "opentelemetry-instrument");
  }

  /** The smoke procedure is written down, and the doc says honestly that it was not run here. */
  @Test
  void documentsTheManualSmokeRun() {
    assertThat(DOC).contains("## Smoke test", "not run");
  }

  /** Every environment variable config/aws.alloy reads is explained. */
  @Test
  void explainsEveryEnvironmentVariableOfAwsConfig() throws Exception {
    for (String name : ConfigFilesTest.envNames(ConfigFilesTest.parse(Repo.path("config/aws.alloy")))) {
      assertThat(DOC).as("DEPLOY.md explains %s", name).contains("`" + name + "`");
    }
  }

  /** Every alert in the rules file is listed among the alarms. */
  @Test
  void listsEveryAlertRule() throws Exception {
    for (var group : Repo.yaml("docker/prometheus/rules/mpac-collector.yml").path("groups")) {
      for (var rule : group.path("rules")) {
        assertThat(DOC).as("DEPLOY.md lists alert %s", rule.path("alert").asText()).contains(rule.path("alert").asText());
      }
    }
  }
}
