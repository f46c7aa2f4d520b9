package io.mpac.collector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docker/ecs/task-definition.json: a Fargate task that runs config/aws.alloy from the image. */
class EcsTaskDefinitionTest {

  /** Fargate's valid memory sizes (MiB) per CPU size (units). */
  static final Map<Integer, int[]> FARGATE = Map.of(
      256, new int[] {512, 1024, 2048},
      512, new int[] {1024, 2048, 3072, 4096},
      1024, new int[] {2048, 3072, 4096, 5120, 6144, 7168, 8192},
      2048, range(4096, 16384),
      4096, range(8192, 30720));

  static int[] range(int from, int to) {
    return java.util.stream.IntStream.iterate(from, m -> m <= to, m -> m + 1024).toArray();
  }

  static JsonNode task() {
    return Repo.json("docker/ecs/task-definition.json");
  }

  static JsonNode container() {
    JsonNode defs = task().path("containerDefinitions");
    assertThat(defs.size()).isEqualTo(1);
    return defs.get(0);
  }

  @Test
  void isAFargateTaskWithAValidCpuMemoryPair() {
    JsonNode t = task();
    assertThat(t.path("family").asText()).startsWith("mpac-collector");
    assertThat(t.path("networkMode").asText()).isEqualTo("awsvpc");
    assertThat(t.path("requiresCompatibilities").toString()).isEqualTo("[\"FARGATE\"]");
    int cpu = Integer.parseInt(t.path("cpu").asText());
    int memory = Integer.parseInt(t.path("memory").asText());
    assertThat(FARGATE).containsKey(cpu);
    assertThat(FARGATE.get(cpu)).contains(memory);
    // The sizing documented in DEPLOY.md is this one.
    assertThat(Repo.read("docs/DEPLOY.md")).contains("`cpu` " + cpu, "`memory` " + memory);
  }

  @Test
  void publishesTheSamePortsAsTheImage() {
    List<Integer> ports = new ArrayList<>();
    for (JsonNode p : container().path("portMappings")) {
      ports.add(p.path("containerPort").asInt());
      assertThat(p.path("protocol").asText()).isEqualTo("tcp");
      // awsvpc: host port equals container port.
      assertThat(p.path("hostPort").asInt()).isEqualTo(p.path("containerPort").asInt());
    }
    assertThat(ports).containsExactlyInAnyOrder(4317, 4318, 12345);
  }

  @Test
  void runsAwsConfigFromTheImageOnAllInterfaces() {
    List<String> command = ComposeFileTest.strings(container().path("command"));
    assertThat(command.get(0)).isEqualTo("run");
    assertThat(command).contains("--server.http.listen-addr=0.0.0.0:12345");
    assertThat(command.get(command.size() - 1)).isEqualTo("/etc/mpac-collector/aws.alloy");
    // The image puts config/ there.
    assertThat(DockerfileTest.args("COPY")).contains("config/ /etc/mpac-collector/");
    assertThat(Repo.path("config/aws.alloy")).exists();
  }

  @Test
  void healthCheckUsesTheCollectorsHealthCommand() {
    JsonNode hc = container().path("healthCheck");
    assertThat(ComposeFileTest.strings(hc.path("command")))
        .containsExactly("CMD", "/app/mpac-collector", "health", "--addr", "127.0.0.1:12345");
    assertThat(hc.path("interval").asInt()).isBetween(5, 300);
    assertThat(hc.path("timeout").asInt()).isBetween(2, 60).isLessThan(hc.path("interval").asInt());
    assertThat(hc.path("retries").asInt()).isBetween(1, 10);
    assertThat(hc.path("startPeriod").asInt()).isBetween(0, 300);
  }

  /** ECS waits stopTimeout after SIGTERM before SIGKILL: longer than the collector's graceful stop. */
  @Test
  void stopTimeoutCoversTheShutdownTimeout() {
    String flag = ComposeFileTest.strings(container().path("command")).stream()
        .filter(a -> a.startsWith("--shutdown.timeout=")).findFirst().orElseThrow();
    Matcher m = Pattern.compile("--shutdown.timeout=(\\d+)s").matcher(flag);
    assertThat(m.matches()).isTrue();
    int shutdown = Integer.parseInt(m.group(1));
    int stop = container().path("stopTimeout").asInt();
    assertThat(stop).isGreaterThanOrEqualTo(shutdown + 5).isLessThanOrEqualTo(120); // Fargate's maximum
  }

  @Test
  void logsGoToCloudWatchWithoutBlockingTheCollector() {
    JsonNode log = container().path("logConfiguration");
    assertThat(log.path("logDriver").asText()).isEqualTo("awslogs");
    assertThat(log.path("options").path("awslogs-group").asText()).isNotEmpty();
    assertThat(log.path("options").path("awslogs-region").asText()).isNotEmpty();
    assertThat(log.path("options").path("awslogs-stream-prefix").asText()).isNotEmpty();
    assertThat(log.path("options").path("mode").asText()).isEqualTo("non-blocking");
  }

  /** The environment is exactly what config/aws.alloy reads with sys.env, with the Cloud Map names. */
  @Test
  void environmentMatchesTheSysEnvNamesOfAwsConfig() throws Exception {
    Set<String> keys = new TreeSet<>();
    for (JsonNode e : container().path("environment")) keys.add(e.path("name").asText());
    Set<String> used = ConfigFilesTest.envNames(ConfigFilesTest.parse(Repo.path("config/aws.alloy")));
    assertThat(keys).containsExactlyElementsOf(used);
    String env = container().path("environment").toString();
    assertThat(env).contains("tempo.mpac-obs.${ENV}.local:4317", "http://prometheus.mpac-obs.${ENV}.local:9090/api/v1/write",
        "http://loki.mpac-obs.${ENV}.local:3100/loki/api/v1/push");
  }

  /** Placeholders are the documented ones (DEPLOY.md shows how to fill them); the image is never "latest". */
  @Test
  void placeholdersAreDocumentedAndTheImageIsTagged() {
    Set<String> placeholders = new TreeSet<>();
    Matcher m = Pattern.compile("\\$\\{([A-Z_]+)}").matcher(Repo.read("docker/ecs/task-definition.json"));
    while (m.find()) placeholders.add(m.group(1));
    assertThat(placeholders).containsExactlyInAnyOrder("AWS_ACCOUNT_ID", "AWS_REGION", "ENV", "IMAGE_TAG");
    String doc = Repo.read("docs/DEPLOY.md");
    for (String p : placeholders) assertThat(doc).contains("${" + p + "}");
    assertThat(container().path("image").asText()).endsWith(":${IMAGE_TAG}").doesNotContain("latest");
    assertThat(container().path("essential").asBoolean()).isTrue();
  }
}
