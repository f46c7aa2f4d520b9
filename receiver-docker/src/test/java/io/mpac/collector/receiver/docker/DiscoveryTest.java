package io.mpac.collector.receiver.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.component.Health;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Pipeline;
import io.mpac.collector.pipeline.PipelineBuilder;
import io.mpac.collector.relabel.RelabelRules;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** discovery.docker against the fake daemon, and discovery.relabel through the config language. */
class DiscoveryTest {

  @TempDir Path dir;
  FakeDockerDaemon daemon;
  final AtomicInteger exportChanges = new AtomicInteger();

  @BeforeEach
  void setUp() throws Exception {
    daemon = new FakeDockerDaemon(dir);
  }

  @AfterEach
  void tearDown() throws Exception {
    daemon.close();
  }

  private DiscoveryDocker discovery(Map<String, List<String>> filters) {
    ComponentContext ctx = new ComponentContext(new ComponentId("discovery.docker", "t"), dir.resolve("data"),
        new SimpleMeterRegistry(), Logger.getLogger("test"), exportChanges::incrementAndGet);
    DiscoveryDocker d = new DiscoveryDocker(ctx, new DiscoveryDockerConfig(DockerHost.parse(daemon.host()), 80,
        "localhost", true, filters, Duration.ofHours(1)));
    d.start(); // first refresh runs at once on the component's thread
    return d;
  }

  private static void await(java.util.function.BooleanSupplier c) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!c.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out");
      Thread.sleep(5);
    }
  }

  @Test
  void targetsCarryPrometheusDockerLabels() throws Exception {
    FakeDockerDaemon.Container api = daemon.add("c1", "api", false,
        Map.of("com.docker.compose.service", "api", "com.example/team", "payments"));
    api.ports.add(new int[] {8080, 18080});
    api.ports.add(new int[] {9090, 0});
    FakeDockerDaemon.Container worker = daemon.add("c2", "worker", false, Map.of());
    worker.networks.put("backend", "10.0.0.5"); // two networks: the first by name wins
    FakeDockerDaemon.Container host = daemon.add("c3", "hostnet", false, Map.of());
    host.networkMode = "host";
    host.networks.clear();
    host.networks.put("host", "");
    DiscoveryDocker d = discovery(Map.of());
    await(() -> d.targets().size() == 4);
    assertThat(d.targets().get(0)).isEqualTo(Map.ofEntries(
        Map.entry("__address__", "172.17.0.2:8080"),
        Map.entry("__meta_docker_container_id", "c1"),
        Map.entry("__meta_docker_container_name", "/api"),
        Map.entry("__meta_docker_container_network_mode", "bridge"),
        Map.entry("__meta_docker_container_label_com_docker_compose_service", "api"),
        Map.entry("__meta_docker_container_label_com_example_team", "payments"),
        Map.entry("__meta_docker_network_id", "net-bridge"),
        Map.entry("__meta_docker_network_name", "bridge"),
        Map.entry("__meta_docker_network_scope", "local"),
        Map.entry("__meta_docker_network_internal", "false"),
        Map.entry("__meta_docker_network_ingress", "false"),
        Map.entry("__meta_docker_network_label_com_example_tier", "dev"),
        Map.entry("__meta_docker_network_ip", "172.17.0.2"),
        Map.entry("__meta_docker_port_private", "8080"),
        Map.entry("__meta_docker_port_public", "18080"),
        Map.entry("__meta_docker_port_public_ip", "0.0.0.0")));
    assertThat(d.targets().get(1)).containsEntry("__address__", "172.17.0.2:9090").doesNotContainKey("__meta_docker_port_public");
    assertThat(d.targets().get(2)).containsEntry("__address__", "10.0.0.5:80")
        .containsEntry("__meta_docker_network_name", "backend").doesNotContainKey("__meta_docker_port_private");
    assertThat(d.targets().get(3)).containsEntry("__address__", "localhost")
        .containsEntry("__meta_docker_container_network_mode", "host");
    assertThat(d.exports().get("targets").toString()).contains("__meta_docker_container_id");
    assertThat(exportChanges).hasValue(1);
    d.shutdown(Duration.ofSeconds(5));
  }

  @Test
  void filtersGoToTheDaemonAndChangesAreAnnouncedOnlyWhenTargetsChange() throws Exception {
    daemon.add("c1", "api", false, Map.of());
    DiscoveryDocker d = discovery(Map.of("status", List.of("running")));
    await(() -> d.targets().size() == 1);
    assertThat(daemon.requests).anyMatch(r -> r.contains("filters=") && r.contains("running"));
    d.refresh();
    assertThat(exportChanges).as("same targets: no announcement").hasValue(1);
    daemon.add("c2", "new", false, Map.of());
    d.refresh();
    assertThat(d.targets()).hasSize(2);
    assertThat(exportChanges).hasValue(2);
    daemon.add("c3", "stopped", false, Map.of()).stop();
    daemon.remove("c1");
    d.refresh();
    assertThat(d.targets()).extracting(t -> t.get("__meta_docker_container_id")).containsExactly("c2");
    d.shutdown(Duration.ofSeconds(5));
  }

  @Test
  void aDaemonOutageKeepsTheTargetsAndMarksTheComponentUnhealthy() throws Exception {
    daemon.add("c1", "api", false, Map.of());
    DiscoveryDocker d = discovery(Map.of());
    await(() -> d.targets().size() == 1);
    daemon.stop();
    d.refresh();
    assertThat(d.targets()).hasSize(1);
    assertThat(d.health().state()).isEqualTo(Health.State.UNHEALTHY);
    assertThat(d.health().message()).contains("cannot connect");
    daemon.start();
    d.refresh();
    assertThat(d.health().isHealthy()).isTrue();
    d.shutdown(Duration.ofSeconds(5));
  }

  @Test
  void factoriesAreRegistered() {
    assertThat(ServiceLoader.load(ComponentFactory.class).stream().map(p -> p.get().name()))
        .contains("discovery.docker", "discovery.relabel", "loki.source.docker");
  }

  private PipelineBuilder builder() {
    return new PipelineBuilder(new PipelineBuilder.Settings(ComponentRegistry.fromClassPath(), Map.of(), dir,
        new SimpleMeterRegistry()));
  }

  @Test
  void discoveryRelabelThroughTheConfigLanguage() throws Exception {
    Pipeline p = builder().build(List.of(Parser.parse("t.alloy", """
        discovery.relabel "r" {
          targets = [
            { "__meta_docker_container_name" = "/api", "__meta_docker_container_label_com_docker_compose_service" = "api" },
            { "__meta_docker_container_name" = "/db", "drop_me" = "yes" },
          ]
          rule {
            source_labels = ["__meta_docker_container_name"]
            regex         = "/(.*)"
            target_label  = "container"
          }
          rule {
            source_labels = ["__meta_docker_container_label_com_docker_compose_service"]
            target_label  = "service_name"
          }
          rule {
            source_labels = ["drop_me"]
            regex         = "yes"
            action        = "drop"
          }
        }
        """)), null);
    DiscoveryRelabel r = (DiscoveryRelabel) p.node(new ComponentId("discovery.relabel", "r")).component();
    assertThat(r.output()).containsExactly(Map.of("__meta_docker_container_name", "/api",
        "__meta_docker_container_label_com_docker_compose_service", "api", "container", "api", "service_name", "api"));
    assertThat(r.exports().get("rules")).isInstanceOf(RelabelRules.class);
    assertThat(((RelabelRules) r.exports().get("rules")).relabeler().rules()).hasSize(3);
  }

  @Test
  void badRulesAndHostsAreReportedAtTheirPosition() {
    List<String> errors;
    try {
      builder().build(List.of(Parser.parse("t.alloy", """
          discovery.relabel "r" {
            targets = []
            rule {
              regex  = "(unclosed"
              action = "keep"
            }
          }
          discovery.docker "d" {
            host = "docker.sock"
          }
          """)), null);
      throw new AssertionError("accepted");
    } catch (ConfigException e) {
      errors = e.diagnostics().stream().map(Object::toString).toList();
    }
    assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("t.alloy:4:").contains("invalid regex"));
    assertThat(errors).anySatisfy(e -> assertThat(e).startsWith("t.alloy:9:").contains("expected unix:///path or tcp://host:port"));
  }
}
