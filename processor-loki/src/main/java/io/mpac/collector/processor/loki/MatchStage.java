package io.mpac.collector.processor.loki;

import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import java.util.ArrayList;
import java.util.List;

/** {@code stage.match}: nested stages for entries that match the selector, or dropping them. */
final class MatchStage implements Stage {

  private static final String SELECTOR = "selector";
  private static final String ACTION = "action";
  private static final String PIPELINE_NAME = "pipeline_name";
  private static final String DROP_COUNTER_REASON = "drop_counter_reason";

  static final StageType TYPE = new StageType("stage.match",
      "Runs nested stages on, or drops, entries matching a selector.",
      depth -> depth >= Stages.MAX_MATCH_DEPTH ? null : Stages.addBlocks(Schema.builder()
          .required(SELECTOR, Types.STRING, "LogQL stream selector, optionally with line filters: {app=\"api\"} |= \"error\".")
          .optional(ACTION, Types.oneOf("keep", "drop"), "keep", "keep: run the nested stages on matches; drop: drop matches.")
          .refused(PIPELINE_NAME, Types.STRING,
              "it names a nested pipeline in Alloy's debug output, which this collector does not have; remove it")
          .optional(DROP_COUNTER_REASON, Types.STRING, "match_stage", "The reason label when action is drop."),
          depth + 1).build(),
      a -> {
        List<StageConfig> nested = Stages.fromChildren(a);
        return Stages.blaming(a, SELECTOR, () -> new Config(a.string(SELECTOR),
            Action.valueOf(a.string(ACTION).toUpperCase(java.util.Locale.ROOT)), "", // pipeline_name is refused
            a.string(DROP_COUNTER_REASON), nested));
      });

  /** What the stage does with matching entries. */
  enum Action { KEEP, DROP }

  /**
   * Runs {@code stages} on entries whose labels (and line) match {@code selector}, or drops them
   * ({@code action = "drop"}).
   */
  record Config(String selector, Action action, String pipelineName, String dropCounterReason,
      List<StageConfig> stages) implements StageConfig {
    Config {
      Selector.parse(selector);
      stages = List.copyOf(stages);
      if (dropCounterReason == null || dropCounterReason.isEmpty()) dropCounterReason = "match_stage";
      if (action == Action.DROP && !stages.isEmpty()) {
        throw new IllegalArgumentException("stage.match with action \"drop\" cannot have nested stages");
      }
      if (action == Action.KEEP && stages.isEmpty()) {
        throw new IllegalArgumentException("stage.match with action \"keep\" needs at least one nested stage");
      }
    }

    public String blockName() {
      return TYPE.blockName();
    }

    public Stage build(StageContext c) {
      return new MatchStage(this, c);
    }
  }

  private final Selector selector;
  private final boolean drop;
  private final String reason;
  private final Stage nested;

  MatchStage(Config c, StageContext context) {
    this.selector = Selector.parse(c.selector());
    this.drop = c.action() == Action.DROP;
    this.reason = c.dropCounterReason();
    List<Stage> stages = new ArrayList<>();
    for (StageConfig sc : c.stages()) stages.add(sc.build(context));
    this.nested = new StagePipeline(stages);
  }

  @Override
  public void process(EntryState entry) {
    if (!selector.matches(entry)) return;
    if (drop) {
      entry.drop(reason);
    } else {
      nested.process(entry);
    }
  }
}
