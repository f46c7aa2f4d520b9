package io.mpac.collector.processor.loki;

import io.mpac.collector.loki.Labels;
import java.time.DateTimeException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code stage.timestamp}. When {@code extracted[source]} is absent the entry keeps its time. When
 * no format parses it: {@code skip} keeps the entry's time; {@code fudge} uses the last time this
 * stage set for the same label set plus one nanosecond (keeping order within a stream), or the
 * entry's time when there is none yet. The per-stream memory is bounded (LRU).
 */
final class TimestampStage implements Stage {

  static final int MAX_STREAMS = 10_000;

  private final String source;
  private final GoTime.Parser[] parsers;
  private final boolean fudge;
  private final Map<Labels, Long> lastByStream;

  TimestampStage(StageConfig.Timestamp config) {
    this.source = config.source().intern(); // see Extracted
    this.parsers = new GoTime.Parser[1 + config.fallbackFormats().size()];
    parsers[0] = GoTime.parser(config.format(), config.location());
    for (int i = 0; i < config.fallbackFormats().size(); i++) {
      parsers[i + 1] = GoTime.parser(config.fallbackFormats().get(i), config.location());
    }
    this.fudge = config.actionOnFailure() == StageConfig.OnFailure.FUDGE;
    this.lastByStream = fudge ? new LinkedHashMap<>(256, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Labels, Long> eldest) {
        return size() > MAX_STREAMS;
      }
    } : null;
  }

  @Override
  public void process(EntryState entry) {
    String v = entry.extracted.get(source);
    if (v == null) return;
    for (GoTime.Parser p : parsers) {
      try {
        long t = p.parse(v);
        entry.timestampNanos = t;
        if (fudge) remember(entry.labels(), t);
        return;
      } catch (DateTimeException | ArithmeticException e) {
        // try the next format
      }
    }
    if (fudge) {
      Labels stream = entry.labels();
      synchronized (lastByStream) {
        Long last = lastByStream.get(stream);
        if (last != null) {
          entry.timestampNanos = last + 1;
          lastByStream.put(stream, last + 1);
        }
      }
    }
  }

  private void remember(Labels stream, long t) {
    synchronized (lastByStream) {
      lastByStream.put(stream, t);
    }
  }
}
