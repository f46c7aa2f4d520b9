package io.mpac.collector.processor.loki;

import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import java.util.List;

/** {@code stage.label_drop}: removes the named labels. */
final class LabelDropStage implements Stage {

  private static final String VALUES = "values";

  static final StageType TYPE = new StageType("stage.label_drop", "Removes labels.",
      depth -> Schema.builder().optional(VALUES, Types.STRING_LIST, List.of(), "Labels to remove.").build(),
      a -> Stages.blaming(a, VALUES, () -> new Config(a.list(VALUES))));

  /** The labels to remove. */
  record Config(List<String> values) implements StageConfig {
    Config {
      values = List.copyOf(values);
    }

    public String blockName() {
      return TYPE.blockName();
    }

    public Stage build(StageContext c) {
      return new LabelDropStage(values);
    }
  }

  private final String[] names;

  LabelDropStage(List<String> names) {
    this.names = names.toArray(new String[0]);
  }

  @Override
  public void process(EntryState entry) {
    for (String name : names) entry.removeLabel(name);
  }
}
