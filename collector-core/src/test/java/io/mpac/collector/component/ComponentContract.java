package io.mpac.collector.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.TimeGauge;
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
 *   <li>every export is a {@link Handle} or a config value;
 *   <li>reloading the same arguments keeps the running instance (the pipeline compares decoded
 *       arguments, so decoding twice must give equal {@link Args});
 *   <li>health is reported at every stage, with a message;
 *   <li>metrics: creating registers no gauge (a replacement is built while its predecessor still
 *       runs, and Micrometer would hand it the predecessor's gauge; counters may be shared), every meter carries the
 *       component's {@code component_id} tag (the runtime removes a removed component's meters by
 *       it), and shutdown removes every meter that holds a reference to the instance (gauges).
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

  /** The registry of the last {@link #context()}; the metric checks read it. */
  protected SimpleMeterRegistry registry = new SimpleMeterRegistry();

  protected ComponentId id() {
    return new ComponentId(factory().name(), "test");
  }

  protected ComponentContext context() {
    ComponentId id = id();
    return new ComponentContext(id, storage.resolve(id.toString()), registry,
        Logger.getLogger("component." + id));
  }

  protected Component create() throws ConfigException {
    return factory().create(context(), decode(minimalConfig()));
  }

  /**
   * Starts {@code c}. Components that cannot start without a peer (e.g. a Docker daemon) may
   * override this to return false when start fails for that documented reason; the start-based
   * checks then check what is left.
   */
  protected boolean start(Component c) throws Exception {
    c.start();
    return true;
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
    start(c);
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

  @Test
  void sameArgumentsDecodeEqualSoReloadKeepsTheInstance() throws Exception {
    Args first = decode(minimalConfig());
    Args second = decode(minimalConfig());
    assertThat(second).isEqualTo(first);
    assertThat(second.hashCode()).isEqualTo(first.hashCode());
  }

  @Test
  void healthIsReportedAtEveryStage() throws Exception {
    Component c = create();
    assertHealth(c, "after create");
    boolean started = start(c);
    if (started) assertHealth(c, "after start");
    c.shutdown(Duration.ofSeconds(5));
    assertHealth(c, "after shutdown");
  }

  private static void assertHealth(Component c, String stage) {
    Health h = c.health();
    assertThat(h).as("health %s", stage).isNotNull();
    assertThat(h.state()).as("health state %s", stage).isNotNull();
    assertThat(h.message()).as("health message %s", stage).isNotBlank();
  }

  @Test
  void creatingRegistersNoGauge() throws Exception {
    create();
    assertThat(registry.getMeters().stream().filter(ComponentContract::holdsAReference)
        .map(m -> m.getId().getName()).toList()).as("gauges registered by create").isEmpty();
  }

  @Test
  void everyMeterCarriesTheComponentIdAndGaugesGoAtShutdown() throws Exception {
    Component c = create();
    start(c);
    String id = id().toString();
    for (Meter m : registry.getMeters()) {
      assertThat(m.getId().getTag("component_id")).as("component_id tag of %s", m.getId()).isEqualTo(id);
    }
    c.shutdown(Duration.ofSeconds(5));
    assertThat(registry.getMeters().stream().filter(ComponentContract::holdsAReference)
        .map(m -> m.getId().getName()).toList())
        .as("gauges left after shutdown (they keep the instance alive and report a dead one)")
        .isEmpty();
  }

  private static boolean holdsAReference(Meter m) {
    String name = m.getId().getName();
    if (name.endsWith(".histogram") || name.endsWith(".percentile")) return false; // a summary's own parts
    return m instanceof Gauge || m instanceof FunctionCounter || m instanceof TimeGauge
        || m instanceof FunctionTimer;
  }
}
