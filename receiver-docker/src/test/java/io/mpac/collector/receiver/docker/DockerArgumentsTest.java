package io.mpac.collector.receiver.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Pipeline;
import io.mpac.collector.pipeline.PipelineBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * discovery.docker and loki.source.docker arguments written in Alloy text, built by the real
 * pipeline builder: {@code port}, {@code host_networking_host}, {@code match_first_network},
 * {@code filter} and {@code refresh_interval} change the targets found in the fake daemon;
 * loki.source.docker's {@code forward_to}, {@code labels} and {@code refresh_interval} reach its config.
 */
class DockerArgumentsTest {

  @TempDir Path dir;
  FakeDockerDaemon daemon;
  DiscoveryDocker discovery;

  @BeforeEach
  void setUp() throws Exception {
    daemon = new FakeDockerDaemon(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (discovery != null) discovery.shutdown(Duration.ofSeconds(5));
    daemon.close();
  }

  private Pipeline build(String config) throws ConfigException {
    return new PipelineBuilder(new PipelineBuilder.Settings(ComponentRegistry.fromClassPath(), Map.of(),
        dir.resolve("data"), new SimpleMeterRegistry())).build(List.of(Parser.parse("d.alloy", config)), null);
  }

  private static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out");
      Thread.sleep(5);
    }
  }

  @Test
  void discoveryArgumentsShapeTheTargets() throws Exception {
    FakeDockerDaemon.Container worker = daemon.add("c1", "worker", false, Map.of());
    worker.networks.put("backend", "10.0.0.5"); // and bridge: two networks
    FakeDockerDaemon.Container host = daemon.add("c2", "hostnet", false, Map.of());
    host.networkMode = "host";
    host.networks.clear();
    host.networks.put("host", "");
    Pipeline p = build("""
        discovery.docker "d" {
          host                 = "%s"
          port                 = 8080
          host_networking_host = "10.9.9.9"
          match_first_network  = false
          refresh_interval     = "100ms"
          filter {
            name   = "status"
            values = ["running"]
          }
        }
        """.formatted(daemon.host()));
    discovery = (DiscoveryDocker) p.node(new ComponentId("discovery.docker", "d")).component();
    discovery.start();
    await(() -> discovery.targets().size() == 3);
    assertThat(discovery.targets()).extracting(t -> t.get("__address__"))
        .containsExactlyInAnyOrder("172.17.0.2:8080", "10.0.0.5:8080", "10.9.9.9");
    assertThat(daemon.requests).anyMatch(r -> r.contains("filters=") && r.contains("status") && r.contains("running"));
    // refresh_interval: a new container shows up without anyone asking for a refresh
    daemon.add("c3", "late", false, Map.of());
    await(() -> discovery.targets().size() == 4);
  }

  @Test
  void lokiSourceDockerArgumentsReachItsConfig() throws Exception {
    Pipeline p = build("""
        loki.write "w" {
          endpoint {
            url = "http://127.0.0.1:1/loki/api/v1/push"
          }
        }
        loki.source.docker "s" {
          host             = "%s"
          targets          = [{"__meta_docker_container_id" = "c1"}]
          forward_to       = [loki.write.w.receiver]
          labels           = {"source" = "docker"}
          refresh_interval = "7s"
        }
        """.formatted(daemon.host()));
    LokiSourceDockerConfig c = LokiSourceDockerConfig.from(p.node(new ComponentId("loki.source.docker", "s")).args());
    assertThat(c.forwardTo()).hasSize(1);
    assertThat(c.labels()).isEqualTo(Map.of("source", "docker"));
    assertThat(c.refreshInterval()).isEqualTo(Duration.ofSeconds(7));
    assertThat(c.targets()).containsExactly(Map.of("__meta_docker_container_id", "c1"));
  }
}
