package io.mpac.collector.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docker/docker-compose.yml: services, images, ports, volumes and commands as docs/DEPLOY.md documents them. */
class ComposeFileTest {

  static final Pattern PINNED = Pattern.compile("[\\w./-]+:v?\\d+\\.\\d+\\.\\d+[\\w.-]*");

  static JsonNode compose() {
    return Repo.yaml("docker/docker-compose.yml");
  }

  static JsonNode service(String name) {
    JsonNode s = compose().path("services").path(name);
    assertThat(s.isObject()).as("service %s", name).isTrue();
    return s;
  }

  static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  /** Service name → image, for every service. */
  static Map<String, String> images() {
    Map<String, String> out = new TreeMap<>();
    compose().path("services").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().path("image").asText()));
    return out;
  }

  @Test
  void hasTheDocumentedServices() {
    List<String> names = new ArrayList<>();
    compose().path("services").fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactlyInAnyOrder("collector", "prometheus", "loki", "tempo-init", "tempo", "grafana");
  }

  @Test
  void everyImageIsPinnedToAVersion() {
    images().forEach((service, image) -> {
      assertThat(image).as("image of %s", service).isNotEmpty().doesNotEndWith(":latest");
      assertThat(PINNED.matcher(image).matches()).as("%s: image %s is pinned to x.y.z", service, image).isTrue();
    });
  }

  @Test
  void collectorIsBuiltFromTheDockerfileAndPublishesItsPorts() {
    JsonNode c = service("collector");
    assertThat(c.path("build").path("context").asText()).isEqualTo("..");
    assertThat(c.path("build").path("dockerfile").asText()).isEqualTo("docker/Dockerfile");
    assertThat(Files.exists(Repo.path("docker/Dockerfile"))).isTrue();
    assertThat(strings(c.path("ports"))).containsExactlyInAnyOrder("4317:4317", "4318:4318", "12345:12345");
    List<String> command = strings(c.path("command"));
    assertThat(command.get(0)).isEqualTo("run");
    assertThat(command).contains("--server.http.listen-addr=0.0.0.0:12345", "--storage.path=/var/lib/mpac-collector");
    List<String> volumes = strings(c.path("volumes"));
    assertThat(volumes).contains("/var/run/docker.sock:/var/run/docker.sock:ro",
        "../config/local.alloy:/etc/mpac-collector/local.alloy:ro");
    // The config it runs is the one mounted from the repository.
    assertThat(command.get(command.size() - 1)).isEqualTo("/etc/mpac-collector/local.alloy");
    // docker stop waits longer than the collector's graceful shutdown.
    int shutdown = Integer.parseInt(command.stream().filter(a -> a.startsWith("--shutdown.timeout="))
        .findFirst().orElseThrow().replaceAll("\\D", ""));
    int grace = Integer.parseInt(c.path("stop_grace_period").asText().replaceAll("\\D", ""));
    assertThat(grace).isGreaterThan(shutdown);
    assertThat(c.path("deploy").path("resources").path("limits").path("memory").asText()).isNotEmpty();
  }

  @Test
  void prometheusAcceptsRemoteWriteAndKeepsFourteenDays() {
    List<String> command = strings(service("prometheus").path("command"));
    assertThat(command).contains("--web.enable-remote-write-receiver", "--storage.tsdb.retention.time=14d",
        "--config.file=/etc/prometheus/prometheus.yml");
    assertThat(strings(service("prometheus").path("ports"))).contains("9090:9090");
  }

  @Test
  void backendsAndGrafanaListenWhereTheCollectorAndDatasourcesExpect() {
    assertThat(strings(service("loki").path("ports"))).contains("3100:3100");
    assertThat(strings(service("tempo").path("ports"))).contains("3200:3200");
    assertThat(strings(service("grafana").path("ports"))).contains("3000:3000");
    JsonNode env = service("grafana").path("environment");
    assertThat(env.path("GF_AUTH_ANONYMOUS_ENABLED").asText()).isEqualTo("true");
    assertThat(env.path("GF_AUTH_ANONYMOUS_ORG_ROLE").asText()).isEqualTo("Admin");
  }

  /** Every bind mount's host side exists in the repository, and the container side is what the service reads. */
  @Test
  void everyBindMountPointsAtAFileInTheRepository() {
    Path dockerDir = Repo.path("docker");
    compose().path("services").fields().forEachRemaining(e -> {
      for (String v : strings(e.getValue().path("volumes"))) {
        String host = v.split(":")[0];
        if (!host.startsWith(".")) continue; // named volumes and the Docker socket
        assertThat(Files.exists(dockerDir.resolve(host).normalize())).as("%s mounts %s", e.getKey(), host).isTrue();
      }
    });
    assertThat(strings(service("loki").path("volumes"))).contains("./loki/loki.yaml:/etc/loki/loki.yaml:ro");
    assertThat(strings(service("loki").path("command"))).contains("-config.file=/etc/loki/loki.yaml");
    assertThat(strings(service("tempo").path("volumes"))).contains("./tempo/tempo.yaml:/etc/tempo/tempo.yaml:ro");
    assertThat(strings(service("tempo").path("command"))).contains("-config.file=/etc/tempo/tempo.yaml");
    assertThat(strings(service("prometheus").path("volumes")))
        .contains("./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro", "./prometheus/rules:/etc/prometheus/rules:ro");
    assertThat(strings(service("grafana").path("volumes"))).contains(
        "./grafana/provisioning:/etc/grafana/provisioning:ro", "./grafana/dashboards:/var/lib/grafana/dashboards:ro");
  }

  /** DEPLOY.md names every service with its pinned image, and the published ports. */
  @Test
  void deployDocDocumentsEveryServiceImageAndPort() {
    String doc = Repo.read("docs/DEPLOY.md");
    images().forEach((service, image) -> assertThat(doc).as("DEPLOY.md documents %s", service).contains("`" + service + "`", image));
    compose().path("services").fields().forEachRemaining(e -> {
      for (String port : strings(e.getValue().path("ports"))) {
        assertThat(doc).as("DEPLOY.md documents host port %s of %s", port, e.getKey()).contains(port.split(":")[0]);
      }
    });
    // The flags that matter are explained, not just present in the file.
    for (String flag : List.of("--web.enable-remote-write-receiver", "--storage.tsdb.retention.time=14d")) {
      assertThat(strings(service("prometheus").path("command"))).contains(flag);
      assertThat(doc).contains(flag);
    }
    assertThat(doc).contains("/var/run/docker.sock", "config/local.alloy", "DOCKER_GID");
  }
}
