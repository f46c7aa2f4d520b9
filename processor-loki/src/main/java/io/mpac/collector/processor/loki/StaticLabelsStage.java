package io.mpac.collector.processor.loki;

import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import java.util.Map;
import java.util.TreeMap;

/** {@code stage.static_labels}: sets fixed labels. */
final class StaticLabelsStage implements Stage {

  private static final String VALUES = "values";

  static final StageType TYPE = new StageType("stage.static_labels", "Sets fixed labels.",
      depth -> Schema.builder().optional(VALUES, Types.STRING_MAP, Map.of(), "Labels to set.").build(),
      a -> Stages.blaming(a, VALUES, () -> new Config(a.map(VALUES))));

  /** The labels to set. */
  record Config(Map<String, String> values) implements StageConfig {
    Config {
      values = Map.copyOf(values);
      for (String name : values.keySet()) Stages.requireLabelName(name);
    }

    public String blockName() {
      return TYPE.blockName();
    }

    public Stage build(StageContext c) {
      return new StaticLabelsStage(values);
    }
  }

  private final String[][] labels;

  StaticLabelsStage(Map<String, String> values) {
    this.labels = new String[values.size()][];
    int i = 0;
    for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
      labels[i++] = new String[] {e.getKey(), e.getValue() == null ? "" : e.getValue()};
    }
  }

  @Override
  public void process(EntryState entry) {
    for (String[] kv : labels) entry.setLabel(kv[0], kv[1]);
  }
}
