package io.mpac.collector.bench.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.config.ast.Block;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

  @Test
  void defaultsAreIssue4sFullRun() {
    BenchOptions o = BenchOptions.parse(new String[0]);
    assertThat(o.repetitions()).isEqualTo(3);
    assertThat(o.jvmFlags()).containsExactly("-XX:+UseSerialGC", "-Xmx128m");
    assertThat(o.extraJvmFlags()).isEmpty();
    assertThat(o.workers()).isEqualTo(8); // issue #16's harness: 8 requests in flight
    assertThat(o.targets()).containsExactly(Target.RELAY, Target.COLLECTOR);
    assertThat(o.scenarios()).extracting(Scenario::id).containsExactly("a", "b", "c", "d");
    Scenario a = o.scenarios().get(0);
    assertThat(a.itemsPerSecond()).isEqualTo(10_000);
    assertThat(a.duration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(a.warmup()).isEqualTo(Duration.ofSeconds(10));
    assertThat(a.itemsPerRequest()).isEqualTo(100);
    assertThat(o.scenarios().get(1).saturation()).isTrue();
    assertThat(o.scenarios().get(1).duration()).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void quickShortensEverythingAndOptionsParse() {
    BenchOptions o = BenchOptions.parse(new String[] {"--quick", "--scenarios", "b,a", "--targets", "collector",
        "--out", "r.md", "--extra-jvm-flags", " -XX:+UnlockDiagnosticVMOptions  -XX:+DebugNonSafepoints ",
        "--workers", "3", "--jar", "x.jar"});
    assertThat(o.repetitions()).isEqualTo(1);
    assertThat(o.scenarios()).extracting(Scenario::id).containsExactly("b", "a");
    assertThat(o.scenarios().get(1).duration()).isLessThan(Duration.ofSeconds(10));
    assertThat(o.targets()).containsExactly(Target.COLLECTOR);
    assertThat(o.out()).isEqualTo(Path.of("r.md"));
    assertThat(o.jar()).isEqualTo(Path.of("x.jar"));
    assertThat(o.workers()).isEqualTo(3);
    assertThat(o.extraJvmFlags()).containsExactly("-XX:+UnlockDiagnosticVMOptions", "-XX:+DebugNonSafepoints");
    assertThat(BenchOptions.parse(new String[] {"--quick", "--repetitions", "2"}).repetitions()).isEqualTo(2);
    assertThat(BenchOptions.parse(new String[] {"--targets", "relay,relay-detach,relay-2loop"}).targets())
        .containsExactly(Target.RELAY, Target.RELAY_DETACH, Target.RELAY_2LOOP)
        .extracting(Target::relayVariant).containsExactly(ZeroWorkRelay.Variant.BYTES_1LOOP, ZeroWorkRelay.Variant.DETACH,
            ZeroWorkRelay.Variant.BYTES);
    BenchOptions b = BenchOptions.parse(new String[] {"--targets", "collector,collector-baseline", "--baseline-jar", "old.jar"});
    assertThat(b.baselineJar()).isEqualTo(Path.of("old.jar"));
    assertThat(b.targets()).containsExactly(Target.COLLECTOR, Target.COLLECTOR_BASELINE);
  }

  @Test
  void theBaselineTargetNeedsItsJarAndTheJarItsTarget() {
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--targets", "collector-baseline"}))
        .hasMessageContaining("--baseline-jar");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--baseline-jar", "old.jar"}))
        .hasMessageContaining("collector-baseline");
  }

  @Test
  void badOptionsAreExplained() {
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--repetitions", "0"}))
        .hasMessageContaining("--repetitions must be a positive integer");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--scenarios", "a,e"})).hasMessageContaining("unknown scenario \"e\"");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--targets", "alloy"})).hasMessageContaining("unknown target");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--out"})).hasMessageContaining("--out needs a value");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--fast"})).hasMessageContaining("unknown option --fast")
        .hasMessageContaining("usage:");
  }

  @Test
  void collectorConfigIsValidAlloySyntaxWithThePipelineAndPorts() throws Exception {
    String text = SystemUnderTest.collectorConfig(40001, 40002);
    List<String> blocks = Parser.parse("bench.alloy", text).body().stream().map(s -> (Block) s)
        .map(b -> String.join(".", b.name()) + "." + b.label()).toList();
    assertThat(blocks).containsExactly("otelcol.receiver.otlp.bench", "otelcol.processor.batch.bench",
        "otelcol.exporter.otlp.sink");
    assertThat(text).contains("endpoint = \"127.0.0.1:40001\"").contains("endpoint    = \"127.0.0.1:40002\"")
        .contains("compression = \"none\"").contains("insecure = true");
  }

  @Test
  void persistentCollectorConfigDiffersOnlyByTheStorage() throws Exception {
    String memory = SystemUnderTest.collectorConfig(40001, 40002, false);
    String persistent = SystemUnderTest.collectorConfig(40001, 40002, true);
    List<Block> blocks = Parser.parse("bench.alloy", persistent).body().stream().map(s -> (Block) s).toList();
    assertThat(blocks.stream().map(b -> String.join(".", b.name()) + "." + b.label())).containsExactly(
        "otelcol.receiver.otlp.bench", "otelcol.processor.batch.bench", "otelcol.exporter.otlp.sink",
        "otelcol.storage.file.queue");
    Block exporter = blocks.get(2);
    assertThat(exporter.body().stream().filter(st -> st instanceof Block b && b.name().equals(List.of("sending_queue"))))
        .hasSize(1);
    assertThat(persistent).contains("storage = otelcol.storage.file.queue.handler");
    assertThat(persistent.replace("  sending_queue {\n    storage = otelcol.storage.file.queue.handler\n  }\n", "")
        .replace("\notelcol.storage.file \"queue\" {}\n", "")).isEqualTo(memory);
    assertThat(BenchOptions.parse(new String[] {"--targets", "collector,collector-persistent"}).targets())
        .containsExactly(Target.COLLECTOR, Target.COLLECTOR_PERSISTENT);
  }
}
