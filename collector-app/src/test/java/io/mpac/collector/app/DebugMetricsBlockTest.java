package io.mpac.collector.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.DebugMetrics;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.PipelineBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Alloy's {@code debug_metrics} block: every component that has it takes the one schema
 * ({@link DebugMetrics}), accepts it with its defaults written out ({@code
 * disable_high_cardinality_metrics = true}, {@code level = "detailed"}: what this collector's own
 * metrics always are) and refuses the other values (checked by {@code ArgumentsDocTest}).
 */
class DebugMetricsBlockTest {

  @Test
  void everyComponentWithTheBlockAcceptsItsDefaultsWithoutAProblem() {
    List<String> with = new ArrayList<>();
    for (ComponentFactory f : ComponentRegistry.fromClassPath().factories()) {
      var spec = f.schema().blocks().get("debug_metrics");
      if (spec == null) continue;
      with.add(f.name());
      assertThat(spec.schema()).as(f.name()).isSameAs(DebugMetrics.SCHEMA);
      String config = f.name() + " \"t\" {\n  debug_metrics {\n    disable_high_cardinality_metrics = true\n"
          + "    level = \"detailed\"\n  }\n}\n";
      List<String> problems = diagnostics(config);
      assertThat(problems).as(f.name() + ": only problems elsewhere (required arguments), none in debug_metrics")
          .noneMatch(p -> p.startsWith("t.alloy:2:") || p.startsWith("t.alloy:3:") || p.startsWith("t.alloy:4:"));
    }
    assertThat(with).contains("otelcol.receiver.otlp", "otelcol.processor.batch", "otelcol.exporter.otlp",
        "otelcol.auth.basic", "otelcol.storage.file");
  }

  private static List<String> diagnostics(String config) {
    try {
      new PipelineBuilder(new PipelineBuilder.Settings(ComponentRegistry.fromClassPath(), Map.of(),
          Path.of("target", "debug-metrics-test"), new SimpleMeterRegistry()))
          .build(List.of(Parser.parse("t.alloy", config)), null);
      return List.of();
    } catch (ConfigException e) {
      return e.diagnostics().stream().map(Object::toString).toList();
    }
  }
}
