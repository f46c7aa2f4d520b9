package io.mpac.collector.processor.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpac.collector.component.schema.Schema;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A stage is one class plus one line in {@link Stages#ALL}: this checks the line was not forgotten
 * (every stage class in the package is listed) and that the list is consistent.
 */
class StageRegistryTest {

  @Test
  void everyStageClassInThePackageIsRegistered() throws Exception {
    List<String> stageClasses = new ArrayList<>();
    Path dir = classesDirectory();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.map(Path::getFileName).toList()) {
        String name = f.toString();
        if (!name.endsWith("$Config.class")) continue;
        Class<?> config = Class.forName(getClass().getPackageName() + "." + name.replace(".class", ""));
        if (StageConfig.class.isAssignableFrom(config)) stageClasses.add(config.getEnclosingClass().getSimpleName());
      }
    }
    List<String> registered = new ArrayList<>();
    for (StageType t : Stages.ALL) {
      for (String c : stageClasses) {
        Class<?> stage = Class.forName(getClass().getPackageName() + "." + c);
        if (stage.getDeclaredField("TYPE").get(null) == t) registered.add(c);
      }
    }
    assertThat(stageClasses).as("stage classes found").hasSizeGreaterThanOrEqualTo(10);
    assertThat(registered).as("stage classes listed in Stages.ALL").containsExactlyInAnyOrderElementsOf(stageClasses);
  }

  @Test
  void everyRegisteredStageIsInTheComponentSchemaWithItsArguments() {
    Schema schema = LokiProcessConfig.SCHEMA;
    for (StageType t : Stages.ALL) {
      assertThat(schema.blocks()).as("loki.process blocks").containsKey(t.blockName());
      assertThat(schema.blocks().get(t.blockName()).schema().names()).isEqualTo(t.schema().at(0).names());
    }
    assertThat(schema.blocks().keySet().stream().filter(n -> n.startsWith("stage.")).toList())
        .hasSize(Stages.ALL.size());
  }

  @Test
  void matchNestsUpToTheLimitAndNoDeeper() {
    Schema level = LokiProcessConfig.SCHEMA;
    int depth = 0;
    while (level.blocks().containsKey("stage.match")) {
      level = level.blocks().get("stage.match").schema();
      depth++;
      assertThat(depth).isLessThanOrEqualTo(Stages.MAX_MATCH_DEPTH);
    }
    assertThat(depth).isEqualTo(Stages.MAX_MATCH_DEPTH);
  }

  @Test
  void duplicateOrMisnamedStagesAreRefused() {
    assertThatThrownBy(() -> Stages.byName(List.of(JsonStage.TYPE, JsonStage.TYPE)))
        .hasMessageContaining("two stages named stage.json");
    StageType odd = new StageType("json", "", d -> Schema.EMPTY, a -> null);
    assertThatThrownBy(() -> Stages.byName(List.of(odd))).hasMessageContaining("start with \"stage.\"");
  }

  private Path classesDirectory() throws URISyntaxException {
    Path root = Path.of(StageConfig.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    return root.resolve(getClass().getPackageName().replace('.', '/'));
  }
}
