package io.mpac.collector.processor.loki;

import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import java.util.Map;
import java.util.TreeMap;

/** {@code stage.labels}: sets each label whose extracted value exists and is not empty. */
final class LabelsStage implements Stage {

  private static final String VALUES = "values";

  static final StageType TYPE = new StageType("stage.labels", "Sets labels from extracted values.",
      depth -> Schema.builder()
          .optional(VALUES, Types.STRING_MAP, Map.of(), "Label name = extracted key (empty: same name).").build(),
      a -> Stages.blaming(a, VALUES, () -> new Config(a.map(VALUES))));

  /** Label name → extracted key (empty = same name). */
  record Config(Map<String, String> values) implements StageConfig {
    Config {
      values = Map.copyOf(values);
      for (String name : values.keySet()) Stages.requireLabelName(name);
    }

    public String blockName() {
      return TYPE.blockName();
    }

    public Stage build(StageContext c) {
      return new LabelsStage(values);
    }
  }

  private final String[][] pairs;

  LabelsStage(Map<String, String> values) {
    this.pairs = pairs(values);
  }

  @Override
  public void process(EntryState entry) {
    for (String[] kv : pairs) {
      String v = entry.extracted.get(kv[1]);
      if (v != null && !v.isEmpty()) entry.setLabel(kv[0], v);
    }
  }

  /** name → extracted key pairs in name order, an empty key meaning the name itself. */
  static String[][] pairs(Map<String, String> values) {
    String[][] out = new String[values.size()][];
    int i = 0;
    for (Map.Entry<String, String> e : new TreeMap<>(values).entrySet()) {
      String key = e.getValue() == null || e.getValue().isEmpty() ? e.getKey() : e.getValue();
      out[i++] = new String[] {e.getKey(), key.intern()}; // interned: see Extracted
    }
    return out;
  }
}
