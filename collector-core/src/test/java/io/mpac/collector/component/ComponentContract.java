package io.mpac.collector.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.ArgsDecoder;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.ast.ConfigFile;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.config.value.Evaluator;
import io.mpac.collector.config.value.Stdlib;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract every component honours, checked the same way for each (house rule 2). A
 * component's test extends this class and says how to configure a minimal instance:
 * <ul>
 *   <li>the minimal config decodes against the factory's schema without diagnostics;
 *   <li>creating does no I/O (the component can be created and dropped without start);
 *   <li>shutdown works without start, and twice;
 *   <li>start then shutdown works, within the deadline;
 *   <li>every export is a {@link Handle} or a config value.
 * </ul>
 */
public abstract class ComponentContract {

  @TempDir protected Path storage;

  /** The factory under test. */
  protected abstract ComponentFactory factory();

  /**
   * The body of a minimal valid block for this component (without the block header), e.g.
   * {@code "output {}"}. Components that reference others should reference nothing.
   */
  protected abstract String minimalConfig();

  /** Decodes {@code body} against the factory's schema, failing on any diagnostic. */
  protected Args decode(String body) throws ConfigException {
    String text = factory().name() + " \"test\" {\n" + body + "\n}\n";
    ConfigFile file = Parser.parse("contract.alloy", text);
    List<Diagnostic> diagnostics = new ArrayList<>();
    Schema schema = factory().schema();
    Args args = new ArgsDecoder(new Evaluator(Stdlib.scope(Map.of()))::evaluate, e -> false, diagnostics)
        .decode((Block) file.body().get(0), schema);
    if (!diagnostics.isEmpty()) throw new ConfigException(diagnostics);
    return args;
  }

  protected ComponentContext context() {
    ComponentId id = new ComponentId(factory().name(), "test");
    return new ComponentContext(id, storage.resolve(id.toString()), new SimpleMeterRegistry(),
        Logger.getLogger("component." + id));
  }

  protected Component create() throws ConfigException {
    return factory().create(context(), decode(minimalConfig()));
  }

  @Test
  void minimalConfigIsValid() {
    assertThatCode(() -> decode(minimalConfig())).doesNotThrowAnyException();
  }

  @Test
  void factoryNameIsAnAlloyComponentName() {
    assertThat(factory().name()).matches("[a-z_]+(\\.[a-z_0-9]+)+");
  }

  @Test
  void shutdownWithoutStartAndTwiceIsHarmless() throws Exception {
    Component c = create();
    assertThatCode(() -> {
      c.shutdown(Duration.ofSeconds(1));
      c.shutdown(Duration.ofSeconds(1));
    }).doesNotThrowAnyException();
  }

  @Test
  void startThenShutdownWithinTheDeadline() throws Exception {
    Component c = create();
    c.start();
    long t0 = System.nanoTime();
    c.shutdown(Duration.ofSeconds(5));
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(6));
    assertThatCode(() -> c.shutdown(Duration.ofSeconds(1))).doesNotThrowAnyException();
  }

  @Test
  void exportsAreHandlesOrValues() throws Exception {
    Component c = create();
    for (Map.Entry<String, Object> e : c.exports().entrySet()) {
      assertThat(e.getValue()).as("export %s", e.getKey())
          .isInstanceOfAny(Handle.class, io.mpac.collector.config.value.Value.class);
    }
    c.shutdown(Duration.ofSeconds(1));
  }
}
