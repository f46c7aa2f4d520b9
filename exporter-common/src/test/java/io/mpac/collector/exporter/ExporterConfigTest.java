package io.mpac.collector.exporter;

import static io.mpac.collector.exporter.ExporterTestArgs.block;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Position;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExporterConfigTest {

  private static final Schema COMPONENT = Schema.builder()
      .block("sending_queue", QueueConfig.SCHEMA, Schema.BlockSpec.Cardinality.OPTIONAL)
      .block("retry_on_failure", RetryConfig.SCHEMA, Schema.BlockSpec.Cardinality.OPTIONAL)
      .build();

  @Test
  void absentBlocksGiveAlloyDefaults() throws Exception {
    Args args = ExporterTestArgs.decode("otelcol.exporter.x", COMPONENT, Map.of());
    assertThat(QueueConfig.from(args.blockOrDefaults("sending_queue"))).isEqualTo(QueueConfig.DEFAULTS);
    assertThat(RetryConfig.from(args.blockOrDefaults("retry_on_failure"))).isEqualTo(RetryConfig.DEFAULTS);
    assertThat(QueueConfig.DEFAULTS).isEqualTo(new QueueConfig(true, 10, 1000, QueueConfig.Sizer.REQUESTS, false));
    assertThat(RetryConfig.DEFAULTS).isEqualTo(new RetryConfig(true, Duration.ofSeconds(5), 1.5, 0.5,
        Duration.ofSeconds(30), Duration.ofMinutes(5)));
  }

  @Test
  void setValuesAreRead() throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("sending_queue", block(Map.of("enabled", true, "num_consumers", 3, "queue_size", 5000,
        "sizer", "items", "block_on_overflow", true)));
    body.put("retry_on_failure", block(Map.of("initial_interval", "100ms", "multiplier", 2.0,
        "randomization_factor", 0.1, "max_interval", "2s", "max_elapsed_time", "0s")));
    Args args = ExporterTestArgs.decode("otelcol.exporter.x", COMPONENT, body);
    assertThat(QueueConfig.from(args.block("sending_queue")))
        .isEqualTo(new QueueConfig(true, 3, 5000, QueueConfig.Sizer.ITEMS, true));
    RetryConfig r = RetryConfig.from(args.block("retry_on_failure"));
    assertThat(r).isEqualTo(new RetryConfig(true, Duration.ofMillis(100), 2.0, 0.1, Duration.ofSeconds(2),
        Duration.ZERO));
    assertThat(r.retriesForever()).isTrue();
  }

  @Test
  void badValuesPointAtTheAttribute() throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("retry_on_failure", block(new LinkedHashMap<>(Map.of("multiplier", 0.5))));
    Args args = ExporterTestArgs.decode("otelcol.exporter.x", COMPONENT, body);
    assertThatThrownBy(() -> RetryConfig.from(args.block("retry_on_failure")))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.diagnostics()).hasSize(1);
          assertThat(e.diagnostics().get(0).position()).isEqualTo(new Position("test.alloy", 3, 3));
          assertThat(e.diagnostics().get(0).message()).contains("multiplier must be at least 1");
        });

    Args q = ExporterTestArgs.decode("otelcol.exporter.x", COMPONENT,
        Map.of("sending_queue", block(Map.of("queue_size", 0))));
    assertThatThrownBy(() -> QueueConfig.from(q.block("sending_queue")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("queue_size must be at least 1");
  }

  @Test
  void unknownSizerIsADecodeError() {
    assertThatThrownBy(() -> ExporterTestArgs.decode("otelcol.exporter.x", COMPONENT,
        Map.of("sending_queue", block(Map.of("sizer", "item"))))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("\"item\" is not one of");
  }
}
