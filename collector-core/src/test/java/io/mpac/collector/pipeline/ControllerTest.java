package io.mpac.collector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.component.Health;
import io.mpac.collector.config.syntax.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControllerTest {

  @TempDir Path dir;

  private final TestComponents components = new TestComponents();
  private final List<LoggingConfig> appliedLogging = new ArrayList<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private Controller controller(Path config) {
    PipelineBuilder builder = new PipelineBuilder(new PipelineBuilder.Settings(
        components.registry(), Map.of(), dir.resolve("data"), registry));
    return new Controller(config, builder, Duration.ofSeconds(5), appliedLogging::add);
  }

  private static final String PIPELINE = """
      logging {
        level = "warn"
      }
      test.source "in" {
        port = 1
        output {
          traces = [test.processor.batch.input]
        }
      }
      test.processor "batch" {
        output {
          traces = [test.sink.out.input]
        }
      }
      test.sink "out" {}
      """;

  private Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private List<String> lifecycle() {
    return components.journal.stream().filter(l -> !l.startsWith("create ")).toList();
  }

  @Test
  void startsSinksFirstAndStopsSourcesFirst() throws Exception {
    Controller c = controller(write("config.alloy", PIPELINE));
    assertThat(c.isReady()).isFalse();
    c.start();
    assertThat(c.isReady()).isTrue();
    assertThat(appliedLogging).containsExactly(new LoggingConfig("warn", "logfmt"));
    c.shutdown(Duration.ofSeconds(5));
    assertThat(lifecycle()).containsExactly(
        "start test.sink.out", "start test.processor.batch", "start test.source.in",
        "stop test.source.in", "stop test.processor.batch", "stop test.sink.out");
    assertThat(c.isReady()).isFalse();
  }

  @Test
  void shutdownTwiceIsHarmless() throws Exception {
    Controller c = controller(write("config.alloy", PIPELINE));
    c.start();
    c.shutdown(Duration.ofSeconds(1));
    c.shutdown(Duration.ofSeconds(1));
    assertThat(lifecycle()).filteredOn(l -> l.startsWith("stop ")).hasSize(3);
  }

  @Test
  void badConfigAtStartFailsWithEveryDiagnosticAndStartsNothing() throws Exception {
    Controller c = controller(write("config.alloy", "test.sink \"a\" {\n  nope = 1\n}\ntest.sink {}\n"));
    assertThatThrownBy(c::start).isInstanceOf(ConfigException.class).hasMessage(
        dir.resolve("config.alloy") + ":2:3: unknown attribute \"nope\" in test.sink\n"
            + dir.resolve("config.alloy") + ":4:1: component \"test.sink\" must have a label");
    assertThat(lifecycle()).isEmpty();
    assertThat(c.isReady()).isFalse();
  }

  @Test
  void failedStartStopsWhatAlreadyStarted() throws Exception {
    Controller c = controller(write("config.alloy", PIPELINE.replace("port = 1", "port = 1\n  fail_start = true")));
    assertThatThrownBy(c::start).isInstanceOf(StartException.class)
        .hasMessage("test.source.in: cannot listen on 127.0.0.1:1");
    assertThat(lifecycle()).containsExactly(
        "start test.sink.out", "start test.processor.batch", "start test.source.in",
        "stop test.processor.batch", "stop test.sink.out");
  }

  @Test
  void reloadWithBadConfigKeepsTheRunningPipelineUntouched() throws Exception {
    Path config = write("config.alloy", PIPELINE);
    Controller c = controller(config);
    c.start();
    Pipeline before = c.current();
    Files.writeString(config, PIPELINE.replace("test.sink \"out\" {}", "test.sink \"out\" {\n  signals = 7\n}"));
    assertThatThrownBy(c::reload).isInstanceOf(ConfigException.class)
        .hasMessageEndingWith("attribute \"signals\": expected list(string), got number");
    assertThat(c.current()).isSameAs(before);
    assertThat(c.isReady()).isTrue();
    assertThat(lifecycle()).noneMatch(l -> l.startsWith("stop "));
    assertThat(before.nodes()).allMatch(Node::started);
  }

  @Test
  void reloadRestartsOnlyWhatChanged() throws Exception {
    Path config = write("config.alloy", PIPELINE);
    Controller c = controller(config);
    c.start();
    Object sink = c.current().node(new ComponentId("test.sink", "out")).component();
    Object processor = c.current().node(new ComponentId("test.processor", "batch")).component();
    components.journal.clear();

    Files.writeString(config, PIPELINE.replace("port = 1", "port = 2"));
    c.reload();

    assertThat(lifecycle()).containsExactly("stop test.source.in", "start test.source.in");
    assertThat(c.current().node(new ComponentId("test.sink", "out")).component()).isSameAs(sink);
    assertThat(c.current().node(new ComponentId("test.processor", "batch")).component()).isSameAs(processor);
  }

  @Test
  void reloadAddsAndRemovesComponents() throws Exception {
    Path config = write("config.alloy", PIPELINE);
    Controller c = controller(config);
    c.start();
    components.journal.clear();
    Files.writeString(config, PIPELINE + "test.sink \"extra\" {}\n");
    c.reload();
    assertThat(lifecycle()).containsExactly("start test.sink.extra");
    components.journal.clear();
    Files.writeString(config, PIPELINE);
    c.reload();
    assertThat(lifecycle()).containsExactly("stop test.sink.extra");
  }

  @Test
  void reloadRemovesTheMetersOfRemovedComponentsOnly() throws Exception {
    Path config = write("config.alloy", PIPELINE + "test.sink \"extra\" {}\n");
    Controller c = controller(config);
    c.start();
    registry.counter("test.sink.received", "component_id", "test.sink.extra").increment(3);
    registry.counter("test.sink.received", "component_id", "test.sink.out").increment(5);
    registry.counter("process.wide").increment();
    Files.writeString(config, PIPELINE);
    c.reload();
    assertThat(registry.find("test.sink.received").tag("component_id", "test.sink.extra").counter()).isNull();
    assertThat(registry.find("test.sink.received").tag("component_id", "test.sink.out").counter().count())
        .isEqualTo(5.0);
    assertThat(registry.find("process.wide").counter()).isNotNull();
    c.shutdown(Duration.ofSeconds(5));
  }

  @Test
  void componentThatFailsToStartOnReloadIsUnhealthyAndOthersRun() throws Exception {
    Path config = write("config.alloy", PIPELINE);
    Controller c = controller(config);
    c.start();
    Files.writeString(config, PIPELINE.replace("port = 1", "port = 9\n  fail_start = true"));
    c.reload();
    Node source = c.current().node(new ComponentId("test.source", "in"));
    assertThat(source.health().state()).isEqualTo(Health.State.UNHEALTHY);
    assertThat(source.health().message()).isEqualTo("failed to start: cannot listen on 127.0.0.1:9");
    assertThat(c.current().node(new ComponentId("test.sink", "out")).health().isHealthy()).isTrue();
  }

  @Test
  void directoryOfFilesIsOneConfig() throws Exception {
    write("a.alloy", "test.processor \"p\" {\n  output {\n    traces = [test.sink.s.input]\n  }\n}\n");
    write("b.alloy", "test.sink \"s\" {}\n");
    write("ignored.txt", "this is not alloy");
    Controller c = controller(dir);
    c.start();
    assertThat(c.current().nodes()).extracting(n -> n.id().toString()).containsExactly("test.sink.s", "test.processor.p");
    c.shutdown(Duration.ofSeconds(1));
  }

  @Test
  void missingConfigIsAClearError() {
    Controller c = controller(dir.resolve("nope.alloy"));
    assertThatThrownBy(c::start).isInstanceOf(ConfigException.class)
        .hasMessage(dir.resolve("nope.alloy") + ":0:0: no such file or directory");
  }
}
