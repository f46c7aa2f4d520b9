package io.mpac.collector.processor.loki;

import java.util.ArrayList;
import java.util.List;

/** {@code stage.match}: nested stages for entries that match the selector, or dropping them. */
final class MatchStage implements Stage {

  private final Selector selector;
  private final boolean drop;
  private final String reason;
  private final Stage nested;

  MatchStage(StageConfig.Match c, StageContext context) {
    this.selector = Selector.parse(c.selector());
    this.drop = c.action() == StageConfig.MatchAction.DROP;
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
