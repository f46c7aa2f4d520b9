package io.mpac.collector.processor.loki;

import java.util.List;

/** Stages in file order; stops at the first stage that drops the entry. */
final class StagePipeline implements Stage {

  private final Stage[] stages;

  StagePipeline(List<Stage> stages) {
    this.stages = stages.toArray(new Stage[0]);
  }

  @Override
  public void process(EntryState entry) {
    for (Stage s : stages) {
      s.process(entry);
      if (entry.dropped()) return;
    }
  }
}
