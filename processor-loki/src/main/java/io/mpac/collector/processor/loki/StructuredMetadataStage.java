package io.mpac.collector.processor.loki;

import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import java.util.Map;

/**
 * {@code stage.structured_metadata}: adds each existing, non-empty extracted value to the entry's
 * metadata; a label of the same name is removed so the value is not both.
 */
final class StructuredMetadataStage implements Stage {

  private static final String VALUES = "values";

  static final StageType TYPE = new StageType("stage.structured_metadata",
      "Adds extracted values to the entry's structured metadata.",
      depth -> Schema.builder()
          .optional(VALUES, Types.STRING_MAP, Map.of(), "Metadata name = extracted key (empty: same name).").build(),
      a -> Stages.blaming(a, VALUES, () -> new Config(a.map(VALUES))));

  /** Metadata name → extracted key (empty = same name). */
  record Config(Map<String, String> values) implements StageConfig {
    Config {
      values = Map.copyOf(values);
    }

    public String blockName() {
      return TYPE.blockName();
    }

    public Stage build(StageContext c) {
      return new StructuredMetadataStage(values);
    }
  }

  private final String[][] pairs;

  StructuredMetadataStage(Map<String, String> values) {
    this.pairs = LabelsStage.pairs(values);
  }

  @Override
  public void process(EntryState entry) {
    for (String[] kv : pairs) {
      String v = entry.extracted.get(kv[1]);
      if (v != null && !v.isEmpty()) {
        entry.putMetadata(kv[0], v);
        entry.removeLabel(kv[0]);
      }
    }
  }
}
