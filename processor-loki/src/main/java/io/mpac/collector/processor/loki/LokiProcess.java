package io.mpac.collector.processor.loki;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.loki.LogsFanout;
import io.mpac.collector.loki.LogsReceiver;
import io.mpac.collector.loki.LokiEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code loki.process}: runs each pushed entry through the stages on the pushing thread and
 * forwards what is left to {@code forward_to} in one push. A refusal downstream is passed back to
 * the pusher (which retries the whole list); drops are counted only once the list was accepted, so
 * a retry does not count them twice. Exports {@code receiver}.
 *
 * <p>Metric: {@code loki_process_dropped_lines_total{reason, component_id}}.
 */
public final class LokiProcess implements Component, LogsReceiver {

  private final LokiProcessor processor;
  private final LogsReceiver next;
  private final MeterRegistry registry;
  private final Tags tags;
  private final Map<String, Counter> dropped = new ConcurrentHashMap<>();

  public LokiProcess(ComponentContext context, LokiProcessConfig config, StageContext stageContext) {
    this.processor = new LokiProcessor(config.stages(), stageContext);
    this.next = LogsFanout.of(config.forwardTo());
    this.registry = context.meterRegistry();
    this.tags = context.tags();
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of("receiver", this);
  }

  @Override
  public void start() {
    // Nothing to start: processing runs on the pushing threads.
  }

  @Override
  public void shutdown(Duration timeout) {
    // Stateless between pushes; nothing to flush.
  }

  @Override
  public void push(List<LokiEntry> entries) throws ConsumeException {
    if (entries.size() == 1) {
      pushOne(entries.get(0));
      return;
    }
    List<LokiEntry> out = new ArrayList<>(entries.size());
    String[] reason = new String[1];
    List<String> reasons = null;
    for (LokiEntry e : entries) {
      LokiEntry processed = processor.process(e, reason);
      if (processed != null) {
        out.add(processed);
      } else {
        if (reasons == null) reasons = new ArrayList<>(4);
        reasons.add(reason[0]);
      }
    }
    if (!out.isEmpty()) next.push(out);
    if (reasons != null) {
      for (String r : reasons) counter(r).increment();
    }
  }

  /** {@link #push} of one entry (what {@code loki.source.docker} sends), without the list bookkeeping. */
  private void pushOne(LokiEntry entry) throws ConsumeException {
    String[] reason = new String[1];
    LokiEntry processed = processor.process(entry, reason);
    if (processed == null) {
      counter(reason[0]).increment();
    } else {
      next.push(List.of(processed));
    }
  }

  /** How many lines were dropped for {@code reason} so far. */
  public double droppedLines(String reason) {
    Counter c = dropped.get(reason);
    return c == null ? 0 : c.count();
  }

  private Counter counter(String reason) {
    return dropped.computeIfAbsent(reason, r -> Counter.builder("loki.process.dropped.lines")
        .description("Lines dropped by loki.process stages, by reason.")
        .tags(tags).tag("reason", r).register(registry));
  }
}
