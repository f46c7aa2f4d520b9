package io.mpac.collector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PipelineBuilderTest {

  private final TestComponents components = new TestComponents();

  private PipelineBuilder builder(Map<String, String> env) {
    return new PipelineBuilder(new PipelineBuilder.Settings(
        components.registry(), env, Path.of("data"), new SimpleMeterRegistry()));
  }

  private Pipeline build(String config) throws ConfigException {
    return builder(Map.of()).build(List.of(Parser.parse("test.alloy", config)), null);
  }

  /** The diagnostics a config produces, as printed to users. */
  private List<String> errors(String config) {
    try {
      build(config);
    } catch (ConfigException e) {
      return e.diagnostics().stream().map(Object::toString).toList();
    }
    throw new AssertionError("config was accepted");
  }

  private static final String VALID = """
      test.source "in" {
        output {
          traces = [test.processor.batch.input]
        }
      }

      test.processor "batch" {
        timeout = "5s"
        output {
          traces = [test.sink.out.input, test.sink.other.input]
        }
      }

      test.sink "out" {}

      test.sink "other" {
        signals = ["traces"]
      }
      """;

  @Test
  void validConfigBuildsInDependencyOrderSinksFirst() throws Exception {
    Pipeline p = build(VALID);
    assertThat(p.nodes()).extracting(n -> n.id().toString())
        .containsExactly("test.sink.out", "test.sink.other", "test.processor.batch", "test.source.in");
    assertThat(p.node(new ComponentId("test.processor", "batch")).references())
        .extracting(Object::toString).containsExactly("test.sink.out", "test.sink.other");
    assertThat(p.node(new ComponentId("test.processor", "batch")).args().duration("timeout"))
        .isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void dataFlowsAlongTheBuiltEdges() throws Exception {
    Pipeline p = build(VALID);
    TestComponents.Source source = (TestComponents.Source) p.node(new ComponentId("test.source", "in")).component();
    source.traces.consume(new OtlpRequest(Signal.TRACES, new byte[0], 3));
    for (String sink : List.of("out", "other")) {
      TestComponents.Sink s = (TestComponents.Sink) p.node(new ComponentId("test.sink", sink)).component();
      assertThat(s.received).hasSize(1);
      assertThat(s.received.get(0).itemCount()).isEqualTo(3);
    }
  }

  @Test
  void buildingStartsNothing() throws Exception {
    build(VALID);
    assertThat(components.journal).allMatch(line -> line.startsWith("create "));
  }

  @Test
  void unknownComponentSuggestsTheClosestName() {
    assertThat(errors("otelcol.exporter.otlpp \"x\" {}\n"))
        .containsExactly("test.alloy:1:1: unknown component \"otelcol.exporter.otlpp\"; did you mean \"otelcol.exporter.otlp\"?");
  }

  @Test
  void alloyComponentWeDoNotImplementIsUnsupportedNotUnknown() {
    assertThat(errors("discovery.docker \"containers\" {\n  host = \"unix:///var/run/docker.sock\"\n}\n"))
        .containsExactly("test.alloy:1:1: component \"discovery.docker\" is not supported by mpac-collector");
  }

  @Test
  void referencesToUnsupportedComponentsAddNoFurtherErrors() {
    assertThat(errors("""
        test.processor "p" {
          output {
            traces = [otelcol.exporter.datadog.dd.input]
          }
        }
        otelcol.exporter.datadog "dd" {}
        """)).containsExactly("test.alloy:6:1: component \"otelcol.exporter.datadog\" is not supported by mpac-collector");
  }

  @Test
  void componentWithoutLabel() {
    assertThat(errors("test.sink {}\n")).containsExactly("test.alloy:1:1: component \"test.sink\" must have a label");
  }

  @Test
  void duplicateLabel() {
    assertThat(errors("test.sink \"a\" {}\n\ntest.sink \"a\" {}\n"))
        .containsExactly("test.alloy:3:1: component \"test.sink.a\" already declared at test.alloy:1:1");
  }

  @Test
  void unknownAttributeSuggestsTheClosestName() {
    assertThat(errors("test.sink \"a\" {\n  endpiont = \"x:1\"\n}\n"))
        .containsExactly("test.alloy:2:3: unknown attribute \"endpiont\" in test.sink; did you mean \"endpoint\"?");
  }

  @Test
  void unknownBlock() {
    assertThat(errors("test.sink \"a\" {\n  tls {}\n}\n"))
        .containsExactly("test.alloy:2:3: unknown block \"tls\" in test.sink");
  }

  @Test
  void blockUsedAsAttributeAndAttributeAsBlock() {
    assertThat(errors("test.processor \"p\" {\n  output = {}\n  timeout {}\n}\n")).containsExactly(
        "test.alloy:1:1: missing required block \"output\" in test.processor",
        "test.alloy:2:3: \"output\" is a block, not an attribute",
        "test.alloy:3:3: \"timeout\" is an attribute, not a block");
  }

  @Test
  void wrongType() {
    assertThat(errors("test.sink \"a\" {\n  signals = 5\n}\n"))
        .containsExactly("test.alloy:2:13: attribute \"signals\": expected list(string), got number");
  }

  @Test
  void wrongElementTypePointsAtTheElement() {
    assertThat(errors("test.sink \"a\" {\n  signals = [\"traces\", true]\n}\n"))
        .containsExactly("test.alloy:2:24: attribute \"signals\": expected string, got bool");
  }

  @Test
  void badDuration() {
    assertThat(errors("test.processor \"p\" {\n  timeout = \"5 parsecs\"\n  output {}\n}\n"))
        .containsExactly("test.alloy:2:13: attribute \"timeout\": unknown unit \" parsecs\" in duration \"5 parsecs\"");
  }

  @Test
  void numbersAndNumericStringsCoerce() throws Exception {
    Pipeline p = build("test.processor \"p\" {\n  size = \"12\"\n  max_size = 12.0\n  output {}\n}\n");
    var args = p.node(new ComponentId("test.processor", "p")).args();
    assertThat(args.integer("size")).isEqualTo(12);
    assertThat(args.integer("max_size")).isEqualTo(12);
  }

  @Test
  void missingRequiredBlock() {
    assertThat(errors("test.source \"s\" {}\n"))
        .containsExactly("test.alloy:1:1: missing required block \"output\" in test.source");
  }

  @Test
  void duplicateAttributeAndBlock() {
    assertThat(errors("test.processor \"p\" {\n  size = 1\n  size = 2\n  output {}\n  output {}\n}\n")).containsExactly(
        "test.alloy:3:3: attribute \"size\" already set at test.alloy:2:3",
        "test.alloy:5:3: block \"output\" already defined at test.alloy:4:3");
  }

  @Test
  void danglingReference() {
    assertThat(errors("test.processor \"p\" {\n  output {\n    traces = [test.sink.nope.input]\n  }\n}\n"))
        .containsExactly("test.alloy:3:15: component \"test.sink.nope.input\" does not exist or is out of scope");
  }

  @Test
  void handleOfTheWrongSignal() {
    assertThat(errors("""
        test.processor "p" {
          output {
            metrics = [test.sink.tracesonly.input]
          }
        }
        test.sink "tracesonly" {
          signals = ["traces"]
        }
        """)).containsExactly("test.alloy:3:16: attribute \"metrics\": test.sink.tracesonly.input does not accept metrics");
  }

  @Test
  void valueWhereAHandleBelongs() {
    assertThat(errors("test.processor \"p\" {\n  output {\n    traces = [\"test.sink.a.input\"]\n  }\n}\n"))
        .containsExactly("test.alloy:3:15: attribute \"traces\": expected otelcol.Consumer accepting traces, got string");
  }

  @Test
  void cycleIsNamed() {
    assertThat(errors("""
        test.processor "a" {
          output {
            traces = [test.processor.b.input]
          }
        }
        test.processor "b" {
          output {
            traces = [test.processor.a.input]
          }
        }
        """)).containsExactly(
            "test.alloy:1:1: cycle detected: test.processor.a -> test.processor.b -> test.processor.a");
  }

  @Test
  void selfReference() {
    assertThat(errors("test.processor \"a\" {\n  output {\n    traces = [test.processor.a.input]\n  }\n}\n"))
        .containsExactly("test.alloy:1:1: component test.processor.a references itself");
  }

  @Test
  void componentValidationErrorPointsAtTheAttribute() {
    assertThat(errors("test.processor \"p\" {\n  size     = 50\n  max_size = 10\n  output {}\n}\n"))
        .containsExactly("test.alloy:3:3: max_size must be at least size");
  }

  @Test
  void topLevelAttributeIsRejected() {
    assertThat(errors("x = 1\n")).containsExactly("test.alloy:1:1: attribute \"x\" is not allowed at the top level; only blocks are");
  }

  @Test
  void unsupportedConfigBlock() {
    assertThat(errors("tracing {\n  sampling_fraction = 0.1\n}\n"))
        .containsExactly("test.alloy:1:1: config block \"tracing\" is not supported by mpac-collector");
  }

  @Test
  void loggingBlockIsDecodedAndChecked() throws Exception {
    Pipeline p = builder(Map.of("LOG_LEVEL", "debug")).build(List.of(Parser.parse("test.alloy",
        "logging {\n  level  = coalesce(sys.env(\"LOG_LEVEL\"), \"info\")\n  format = \"json\"\n}\n")), null);
    assertThat(p.logging()).isEqualTo(new LoggingConfig("debug", "json"));
    assertThat(errors("logging {\n  level = \"verbose\"\n}\n")).containsExactly(
        "test.alloy:2:11: attribute \"level\": \"verbose\" is not one of \"error\", \"warn\", \"info\", \"debug\"");
  }

  @Test
  void environmentAndStdlibFeedArguments() throws Exception {
    Pipeline p = builder(Map.of("SINK", "db:5432")).build(List.of(Parser.parse("test.alloy", """
        test.sink "a" {
          endpoint   = coalesce(sys.env("SINK"), "fallback:1")
          headers    = { "X-Scope-OrgID" = string.to_upper("tenant") }
          batch_size = "4MiB"
        }
        """)), null);
    var args = p.node(new ComponentId("test.sink", "a")).args();
    assertThat(args.string("endpoint")).isEqualTo("db:5432");
    assertThat(args.<String>map("headers")).containsExactly(Map.entry("X-Scope-OrgID", "TENANT"));
    assertThat(args.bytes("batch_size")).isEqualTo(4L << 20);
  }

  @Test
  void everyErrorIsReportedAtOnceInFileOrder() {
    assertThat(errors("""
        test.sink "a" {
          signals = 1
        }
        test.sink {}
        otelcol.receiver.otlpp "r" {}
        test.processor "p" {
          output {
            traces = [test.sink.missing.input]
          }
        }
        """)).containsExactly(
            "test.alloy:2:13: attribute \"signals\": expected list(string), got number",
            "test.alloy:4:1: component \"test.sink\" must have a label",
            "test.alloy:5:1: unknown component \"otelcol.receiver.otlpp\"; did you mean \"otelcol.receiver.otlp\"?",
            "test.alloy:8:15: component \"test.sink.missing.input\" does not exist or is out of scope");
  }

  @Test
  void componentsAcrossFilesFormOneConfig() throws Exception {
    Pipeline p = builder(Map.of()).build(List.of(
        Parser.parse("a.alloy", "test.processor \"p\" {\n  output {\n    traces = [test.sink.s.input]\n  }\n}\n"),
        Parser.parse("b.alloy", "test.sink \"s\" {}\n")), null);
    assertThat(p.nodes()).extracting(n -> n.id().toString()).containsExactly("test.sink.s", "test.processor.p");
    assertThatThrownBy(() -> builder(Map.of()).build(List.of(
        Parser.parse("a.alloy", "test.sink \"s\" {}\n"), Parser.parse("b.alloy", "\ntest.sink \"s\" {}\n")), null))
        .isInstanceOf(ConfigException.class)
        .hasMessage("b.alloy:2:1: component \"test.sink.s\" already declared at a.alloy:1:1");
  }
}
