package io.mpac.collector.processor.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LokiEntry;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Pipeline;
import io.mpac.collector.pipeline.PipelineBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** loki.process built from Alloy config through the parser and pipeline builder. */
class LokiProcessConfigTest {

  @TempDir Path dir;
  final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private PipelineBuilder builder() {
    return new PipelineBuilder(new PipelineBuilder.Settings(
        new ComponentRegistry(List.of(new LokiProcessFactory(), new FixtureStages.SinkFactory())), Map.of(), dir, meters));
  }

  private List<String> errors(String config) {
    try {
      builder().build(List.of(Parser.parse("test.alloy", config + "\ntest.sink \"out\" {}\n")), null);
    } catch (ConfigException e) {
      return e.diagnostics().stream().map(Object::toString).toList();
    }
    throw new AssertionError("config was accepted");
  }

  @Test
  void factoryIsRegisteredForServiceLoader() {
    assertThat(ServiceLoader.load(ComponentFactory.class).stream().map(p -> p.get().name()))
        .contains("loki.process");
  }

  @Test
  void theFixturesStagesRunInFileOrder() throws Exception {
    Pipeline p = builder().build(List.of(FixtureStages.config()), null);
    LokiProcess process = (LokiProcess) p.node(new ComponentId("loki.process", "app_json")).component();
    FixtureStages.Sink sink = (FixtureStages.Sink) p.node(new ComponentId("test.sink", "out")).component();
    Labels in = Labels.of("container", "api", "filename", "/x", "source", "docker");
    process.push(List.of(
        new LokiEntry(in, 5, "{\"level\":\"info\",\"msg\":\"ok\",\"timestamp\":\"2024-05-01T10:00:00.000000123Z\","
            + "\"trace_id\":\"t1\",\"span_id\":\"s1\",\"request_id\":\"r1\",\"corr_id\":\"c1\",\"merchant_id\":\"m1\",\"store_id\":\"st1\"}"),
        new LokiEntry(in, 6, "{\"level\":\"info\",\"path\":\"/healthz\"}"),
        new LokiEntry(in, 7, "plain text, not json")));
    assertThat(sink.received).hasSize(2);
    LokiEntry first = sink.received.get(0);
    assertThat(first.labels()).isEqualTo(Labels.of("container", "api", "level", "info", "platform", "payments", "source", "docker"));
    assertThat(first.timestampNanos()).isEqualTo(1_714_557_600_000_000_123L);
    assertThat(first.structuredMetadata()).containsExactlyInAnyOrderEntriesOf(Map.of("trace_id", "t1", "span_id", "s1",
        "request_id", "r1", "corr_id", "c1", "merchant_id", "m1", "store_id", "st1"));
    LokiEntry plain = sink.received.get(1);
    assertThat(plain.labels()).isEqualTo(Labels.of("container", "api", "platform", "payments", "source", "docker"));
    assertThat(plain.timestampNanos()).isEqualTo(7);
    assertThat(meters.get("loki.process.dropped.lines").tag("reason", "healthcheck")
        .tag("component_id", "loki.process.app_json").counter().count()).isEqualTo(1.0);
  }

  @Test
  void aRefusalIsPassedBackAndDropsAreNotCountedTwice() throws Exception {
    Pipeline p = builder().build(List.of(FixtureStages.config()), null);
    LokiProcess process = (LokiProcess) p.node(new ComponentId("loki.process", "app_json")).component();
    FixtureStages.Sink sink = (FixtureStages.Sink) p.node(new ComponentId("test.sink", "out")).component();
    List<LokiEntry> batch = List.of(new LokiEntry(Labels.EMPTY, 1, "{\"path\":\"/readyz\"}"), new LokiEntry(Labels.EMPTY, 2, "x"));
    sink.refuseWith = new ConsumeException.Refused("full", Duration.ofMillis(10));
    assertThatThrownBy(() -> process.push(batch)).isInstanceOf(ConsumeException.Refused.class);
    assertThat(process.droppedLines("healthcheck")).isZero();
    sink.refuseWith = null;
    process.push(batch);
    assertThat(process.droppedLines("healthcheck")).isEqualTo(1.0);
    assertThat(sink.received).hasSize(1);
  }

  @Test
  void nestedMatchStagesAndAllStageKindsDecode() throws Exception {
    Pipeline p = builder().build(List.of(Parser.parse("test.alloy", """
        loki.process "all" {
          forward_to = [test.sink.out.receiver]
          stage.json {
            expressions = { level = "", app = "kubernetes.app", ua = `"user-agent"` }
            drop_malformed = true
          }
          stage.match {
            selector = "{app=\\"api\\"}"
            stage.labels {
              values = { level = "" }
            }
            stage.match {
              selector = "{level=\\"debug\\"}"
              action   = "drop"
              drop_counter_reason = "debug"
            }
          }
          stage.timestamp {
            source           = "ts"
            format           = "2006-01-02 15:04:05"
            fallback_formats = ["UnixMs"]
            location         = "Europe/Berlin"
          }
          stage.drop {
            older_than  = "168h"
            longer_than = "16KiB"
          }
          stage.output {
            source = "msg"
          }
          stage.label_keep {
            values = ["level", "app"]
          }
        }
        test.sink "out" {}
        """)), null);
    LokiProcess process = (LokiProcess) p.node(new ComponentId("loki.process", "all")).component();
    FixtureStages.Sink sink = (FixtureStages.Sink) p.node(new ComponentId("test.sink", "out")).component();
    process.push(List.of(
        new LokiEntry(Labels.of("app", "api"), System.currentTimeMillis() * 1_000_000L, "{\"level\":\"debug\"}"),
        new LokiEntry(Labels.of("app", "api", "x", "y"), System.currentTimeMillis() * 1_000_000L, "{\"level\":\"warn\"}"),
        new LokiEntry(Labels.of("app", "api"), 0, "garbage")));
    assertThat(sink.received).extracting(LokiEntry::labels).containsExactly(Labels.of("app", "api", "level", "warn"));
    assertThat(process.droppedLines("debug")).isEqualTo(1.0);
    assertThat(process.droppedLines("malformed_json")).isEqualTo(1.0);
  }

  @Test
  void badStagesAreReportedAtTheirPosition() {
    assertThat(errors("""
        loki.process "x" {
          forward_to = [test.sink.out.receiver]
          stage.timestamp {
            source = "ts"
            format = "yyyy-MM-dd"
          }
          stage.match {
            selector = "app=api"
            stage.labels { values = { a = "" } }
          }
          stage.drop {
            expression = "("
          }
          stage.static_labels {
            values = { "bad-name" = "x" }
          }
        }
        """)).satisfiesExactly(
        e -> assertThat(e).startsWith("test.alloy:5:").contains("not a Go time layout"),
        e -> assertThat(e).startsWith("test.alloy:8:").contains("expected {"),
        e -> assertThat(e).startsWith("test.alloy:12:").contains("invalid regex"),
        e -> assertThat(e).contains("not a valid label name"));
  }
}
