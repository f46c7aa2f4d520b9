package io.mpac.collector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Parser;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Alloy's top-level {@code livedebugging} block. */
class LiveDebuggingBlockTest {

  private final TestComponents components = new TestComponents();

  private Pipeline build(String config) throws ConfigException {
    return new PipelineBuilder(new PipelineBuilder.Settings(components.registry(), Map.of(), Path.of("data"),
        new SimpleMeterRegistry())).build(List.of(Parser.parse("c.alloy", config)), null);
  }

  @Test
  void offUnlessEnabled() throws Exception {
    assertThat(build("test.sink \"s\" {}\n").liveDebugging()).isFalse();
    assertThat(build("livedebugging {}\ntest.sink \"s\" {}\n").liveDebugging()).isFalse();
    assertThat(build("livedebugging {\n  enabled = true\n}\n").liveDebugging()).isTrue();
  }

  @Test
  void mistakesArePositioned() {
    assertThatThrownBy(() -> build("livedebugging {\n  enabled = \"yes\"\n}\n"))
        .hasMessage("c.alloy:2:13: attribute \"enabled\": expected bool, got string");
    assertThatThrownBy(() -> build("livedebugging {\n  enable = true\n}\n"))
        .hasMessageStartingWith("c.alloy:2:3: unknown attribute \"enable\" in livedebugging");
    assertThatThrownBy(() -> build("livedebugging \"x\" {}\n"))
        .hasMessage("c.alloy:1:15: config block \"livedebugging\" does not take a label");
    assertThatThrownBy(() -> build("livedebugging {}\nlivedebugging {}\n"))
        .hasMessageStartingWith("c.alloy:2:1: config block \"livedebugging\" already declared at c.alloy:1:1");
  }
}
