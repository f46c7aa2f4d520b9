package io.mpac.collector.processor.loki;

import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import java.util.List;
import java.util.Set;

/** {@code stage.label_keep}: keeps only the named labels. */
final class LabelKeepStage implements Stage {

  private static final String VALUES = "values";

  static final StageType TYPE = new StageType("stage.label_keep", "Keeps only the named labels.",
      depth -> Schema.builder()
          .optional(VALUES, Types.STRING_LIST, List.of(), "Labels to keep; all others are removed.").build(),
      a -> Stages.blaming(a, VALUES, () -> new Config(a.list(VALUES))));

  /** The labels to keep. */
  record Config(List<String> values) implements StageConfig {
    Config {
      values = List.copyOf(values);
    }

    public String blockName() {
      return TYPE.blockName();
    }

    public Stage build(StageContext c) {
      return new LabelKeepStage(values);
    }
  }

  private final Set<String> keep;

  LabelKeepStage(List<String> names) {
    this.keep = Set.copyOf(names);
  }

  @Override
  public void process(EntryState entry) {
    for (String name : entry.labelNames()) {
      if (!keep.contains(name)) entry.removeLabel(name);
    }
  }
}
