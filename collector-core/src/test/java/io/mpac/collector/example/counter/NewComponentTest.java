package io.mpac.collector.example.counter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Controller;
import io.mpac.collector.pipeline.PipelineBuilder;
import io.mpac.collector.pipeline.TestComponents;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What docs/CONTRIBUTING.md promises: a new component is its own folder (here {@code
 * example/counter}: factory, config, component) plus one line in a services file, and nothing else
 * changes. The services line is written by the test into a directory of its own, so the component
 * is unknown without it and works in a pipeline with it.
 */
class NewComponentTest {

  private static final String REGISTRATION = "META-INF/services/" + ComponentFactory.class.getName();

  @TempDir Path dir;

  private ClassLoader withRegistrationLine() throws Exception {
    Path services = dir.resolve("registration").resolve(REGISTRATION);
    Files.createDirectories(services.getParent());
    Files.writeString(services, CounterFactory.class.getName() + "\n"); // the one line
    return new URLClassLoader(new URL[] {dir.resolve("registration").toUri().toURL()}, getClass().getClassLoader());
  }

  @Test
  void theServicesLineIsWhatMakesTheComponentKnown() throws Exception {
    assertThat(ComponentRegistry.fromClassPath(getClass().getClassLoader()).names()).doesNotContain("example.counter");
    assertThat(ComponentRegistry.fromClassPath(withRegistrationLine()).names()).contains("example.counter");
  }

  @Test
  void theNewComponentRunsInAPipelineFromAlloyText() throws Exception {
    TestComponents test = new TestComponents();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Controller controller = controller(test, meters, """
        test.source "in" {
          output {
            traces = [example.counter.spans.input]
          }
        }
        example.counter "spans" {
          name = "demo"
          output {
            traces = [test.sink.out.input]
          }
        }
        test.sink "out" {}
        """);
    controller.start();
    try {
      test.sourceOutputs.get("test.source.in").consume(new OtlpRequest(Signal.TRACES, new byte[0], 7));
      test.sourceOutputs.get("test.source.in").consume(new OtlpRequest(Signal.TRACES, new byte[0], 5));
      assertThat(meters.get("example.counter.spans").tag("component_id", "example.counter.spans").gauge().value())
          .isEqualTo(12.0);
      assertThat(controller.current().node(new ComponentId("example.counter", "spans")).component().health()
          .isHealthy()).isTrue();
    } finally {
      controller.shutdown(Duration.ofSeconds(5));
    }
  }

  @Test
  void itsRulesAreReportedWithFileLineAndColumn() throws Exception {
    Controller controller = controller(new TestComponents(), new SimpleMeterRegistry(), """
        example.counter "spans" {
          name = " "
          output {}
        }
        """);
    assertThatThrownBy(controller::start).isInstanceOf(ConfigException.class)
        .hasMessageContaining("config.alloy:2:3").hasMessageContaining("name must not be blank");
  }

  private Controller controller(TestComponents test, SimpleMeterRegistry meters, String alloy) throws Exception {
    List<ComponentFactory> factories = new ArrayList<>(test.registry().factories());
    factories.add(ComponentRegistry.fromClassPath(withRegistrationLine()).find("example.counter"));
    Path config = dir.resolve("config.alloy");
    Files.writeString(config, alloy);
    PipelineBuilder builder = new PipelineBuilder(new PipelineBuilder.Settings(new ComponentRegistry(factories),
        Map.of(), dir.resolve("data"), meters));
    return new Controller(config, builder, Duration.ofSeconds(5), logging -> { });
  }
}
