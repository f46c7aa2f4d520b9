package io.mpac.collector.processor.loki;

import io.mpac.collector.loki.LokiEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * The stages of one {@code loki.process}, as a function from an entry to the processed entry (or
 * a drop reason). Thread-safe; runs on the caller's thread.
 */
public final class LokiProcessor {

  /** What became of one entry: {@code entry} when kept, else {@code dropReason}. */
  public record Result(LokiEntry entry, String dropReason) {}

  private final StagePipeline pipeline;
  /** One reusable state per pushing thread (stages never run nested, so one is enough). */
  private final ThreadLocal<EntryState> states = ThreadLocal.withInitial(EntryState::new);

  public LokiProcessor(List<StageConfig> stages, StageContext context) {
    List<Stage> built = new ArrayList<>(stages.size());
    for (StageConfig c : stages) built.add(c.build(context));
    this.pipeline = new StagePipeline(built);
  }

  /** Runs the stages; the processed entry, or null when a stage dropped it ({@code reasonOut[0]} says why). */
  public LokiEntry process(LokiEntry entry, String[] reasonOut) {
    EntryState s = states.get();
    s.reset(entry);
    try {
      pipeline.process(s);
      if (s.dropped()) {
        if (reasonOut != null) reasonOut[0] = s.dropReason();
        return null;
      }
      return s.toEntry();
    } finally {
      s.clear();
    }
  }

  public Result process(LokiEntry entry) {
    String[] reason = new String[1];
    LokiEntry out = process(entry, reason);
    return new Result(out, reason[0]);
  }
}
