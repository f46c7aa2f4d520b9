package io.mpac.collector.processor.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.ArgsDecoder;
import io.mpac.collector.config.ast.Attribute;
import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.ast.Expr;
import io.mpac.collector.config.ast.Statement;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.config.syntax.Position;
import io.mpac.collector.config.value.Value;
import io.mpac.collector.consumer.OtlpConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** Arguments as the pipeline decodes them (the schema through ArgsDecoder), then {@link BatchProcessorConfig#from}. */
class BatchProcessorConfigTest {

  private static final String FILE = "config.alloy";
  private final TestSupport.Sink sink = new TestSupport.Sink();

  /** {@code otelcol.processor.batch "x" { <attrs one per line from line 2>; output { traces = [sink] } }}. */
  private Args decode(Object... nameValue) {
    List<Statement> body = new ArrayList<>();
    int line = 2;
    for (int i = 0; i < nameValue.length; i += 2) {
      Value v = nameValue[i + 1] instanceof Value value ? value : toValue(nameValue[i + 1]);
      Position at = new Position(FILE, line++, 3);
      body.add(new Attribute(at, (String) nameValue[i], new Expr.Literal(new Position(FILE, at.line(), 20), "", v)));
    }
    Value consumers = new Value.Array(List.of(new Value.Capsule(OtlpConsumer.KIND, sink, "sink")));
    Position out = new Position(FILE, line, 3);
    body.add(new Block(out, List.of("output"), null, null,
        List.of(new Attribute(new Position(FILE, line + 1, 5), "traces", new Expr.Literal(new Position(FILE, line + 1, 14), "", consumers))),
        out));
    Block block = new Block(new Position(FILE, 1, 1), List.of("otelcol", "processor", "batch"), "x",
        new Position(FILE, 1, 25), body, new Position(FILE, line + 2, 1));
    List<Diagnostic> diagnostics = new ArrayList<>();
    Args args = new ArgsDecoder(e -> ((Expr.Literal) e).value(), e -> false, diagnostics)
        .decode(block, BatchProcessorFactory.SCHEMA);
    assertThat(diagnostics).isEmpty();
    return args;
  }

  private static Value toValue(Object o) {
    if (o instanceof String s) return new Value.Str(s, false);
    if (o instanceof Integer n) return Value.Num.of(n.longValue());
    if (o instanceof List<?> l) return new Value.Array(l.stream().map(BatchProcessorConfigTest::toValue).toList());
    throw new IllegalArgumentException(String.valueOf(o));
  }

  @Test
  void defaultsAreAlloys() throws Exception {
    BatchProcessorConfig c = BatchProcessorConfig.from(decode());
    assertThat(c.timeout()).isEqualTo(Duration.ofMillis(200));
    assertThat(c.sendBatchSize()).isEqualTo(2000);
    assertThat(c.sendBatchMaxSize()).isEqualTo(3000);
    assertThat(c.metadataKeys()).isEmpty();
    assertThat(c.metadataCardinalityLimit()).isEqualTo(1000);
    assertThat(c.traces()).containsExactly(sink);
    assertThat(c.metrics()).isEmpty();
    assertThat(c.logs()).isEmpty();
  }

  @Test
  void platformConfigIsValid() throws Exception {
    BatchProcessorConfig c = BatchProcessorConfig.from(decode("timeout", "5s", "send_batch_size", 1000,
        "metadata_keys", List.of("X-Scope-OrgID")));
    assertThat(c.timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.sendBatchSize()).isEqualTo(1000);
    assertThat(c.sendBatchMaxSize()).isEqualTo(3000);
    assertThat(c.metadataKeys()).containsExactly("x-scope-orgid");
  }

  @Test
  void sendBatchSizeAboveTheImplicitMaximumFailsAtItsPosition() {
    assertThatThrownBy(() -> BatchProcessorConfig.from(decode("timeout", "1s", "send_batch_size", 5000)))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.diagnostics()).singleElement().satisfies(d -> {
            assertThat(d.position()).isEqualTo(new Position(FILE, 3, 3));
            assertThat(d.message()).contains("send_batch_max_size (3000, the default)").contains("send_batch_size (5000)");
          });
          assertThat(e.getMessage()).startsWith("config.alloy:3:3: ");
        });
  }

  @Test
  void anExplicitMaximumBelowTheSizeFailsAtTheMaximum() {
    assertThatThrownBy(() -> BatchProcessorConfig.from(decode("send_batch_size", 200, "send_batch_max_size", 100)))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.diagnostics()).singleElement()
            .satisfies(d -> assertThat(d.position().line()).isEqualTo(3)));
  }

  @Test
  void zeroMaximumMeansUnlimited() throws Exception {
    BatchProcessorConfig c = BatchProcessorConfig.from(decode("send_batch_size", 5000, "send_batch_max_size", 0));
    assertThat(c.sendBatchMaxSize()).isZero();
  }

  @Test
  void negativeValuesAreReportedTogether() {
    assertThatThrownBy(() -> BatchProcessorConfig.from(decode("timeout", "-1s", "send_batch_size", -1,
        "metadata_cardinality_limit", -5)))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.diagnostics())
            .extracting(d -> d.position().line()).containsExactly(2, 3, 4));
  }

  @Test
  void recordValidationMirrorsTheArguments() {
    assertThatThrownBy(() -> new BatchProcessorConfig(Duration.ZERO, 5000, 3000, List.of(), 0, List.of(), List.of(), List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("send_batch_max_size");
  }

  @Test
  void pendingBoundsAreTenBatchesAndAShareOfTheMaxHeap() throws Exception {
    BatchTuning t = BatchTuning.defaults(BatchProcessorConfig.from(decode()));
    assertThat(t.maxPendingItems()).isEqualTo(30_000);
    assertThat(t.maxPendingBytes()).isEqualTo(io.mpac.collector.component.HeapBudget.share(0.05))
        .isEqualTo(Math.max(1L << 20, (long) (Runtime.getRuntime().maxMemory() * 0.05)));
  }

  @Test
  void factoryIsRegisteredAndBuildsWithoutStartingThreads() throws Exception {
    ComponentFactory factory = ServiceLoader.load(ComponentFactory.class).stream().map(ServiceLoader.Provider::get)
        .filter(f -> f.name().equals("otelcol.processor.batch")).findFirst().orElseThrow();
    int threads = Thread.activeCount();
    var component = factory.create(TestSupport.context(), decode());
    assertThat(component.exports().get("input")).isInstanceOf(OtlpConsumer.class);
    assertThat(Thread.activeCount()).isEqualTo(threads);
    component.shutdown(Duration.ofSeconds(1));
  }
}
