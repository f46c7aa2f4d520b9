package io.mpac.collector.processor.loki;

import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;

/** {@code stage.output}: replaces the line with {@code extracted[source]} when it exists. */
final class OutputStage implements Stage {

  private static final String SOURCE = "source";

  static final StageType TYPE = new StageType("stage.output", "Replaces the line with an extracted value.",
      depth -> Schema.builder().required(SOURCE, Types.STRING, "Extracted key whose value becomes the line.").build(),
      a -> Stages.blaming(a, SOURCE, () -> new Config(a.string(SOURCE))));

  /** The extracted key whose value becomes the line. */
  record Config(String source) implements StageConfig {
    Config {
      if (source == null || source.isEmpty()) throw new IllegalArgumentException("stage.output needs a source");
    }

    public String blockName() {
      return TYPE.blockName();
    }

    public Stage build(StageContext c) {
      return new OutputStage(source);
    }
  }

  private final String key;

  OutputStage(String source) {
    this.key = source.intern(); // see Extracted
  }

  @Override
  public void process(EntryState entry) {
    String v = entry.extracted.get(key);
    if (v != null) entry.line = v;
  }
}
