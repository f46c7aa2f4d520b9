package io.mpac.collector.processor.loki;

import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import java.time.ZoneId;
import java.util.List;
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

  private static final String SOURCE = "source";
  private static final String FORMAT = "format";
  private static final String FALLBACK_FORMATS = "fallback_formats";
  private static final String LOCATION = "location";
  private static final String ACTION_ON_FAILURE = "action_on_failure";

  static final StageType TYPE = new StageType("stage.timestamp", "Sets the entry's timestamp from an extracted value.",
      depth -> Schema.builder()
          .required(SOURCE, Types.STRING, "Extracted key holding the time.")
          .required(FORMAT, Types.STRING,
              "Go reference layout (2006-01-02T15:04:05.999999999Z07:00) or a named format: ANSIC, UnixDate, RubyDate, RFC822, RFC822Z, RFC850, RFC1123, RFC1123Z, RFC3339, RFC3339Nano, Unix, UnixMs, UnixUs, UnixNs.")
          .optional(FALLBACK_FORMATS, Types.STRING_LIST, List.of(), "Formats tried in order when format fails.")
          .optional(LOCATION, Types.STRING, "", "IANA time zone for layouts without a zone (default UTC).")
          .optional(ACTION_ON_FAILURE, Types.oneOf("fudge", "skip"), "fudge",
              "fudge: last timestamp of the stream + 1ns; skip: keep the entry's time.")
          .build(),
      a -> {
        String loc = a.string(LOCATION);
        ZoneId zone = Stages.blaming(a, LOCATION, () -> loc.isEmpty() ? null : ZoneId.of(loc));
        return Stages.blaming(a, FORMAT, () -> new Config(a.string(SOURCE), a.string(FORMAT),
            a.list(FALLBACK_FORMATS), zone,
            OnFailure.valueOf(a.string(ACTION_ON_FAILURE).toUpperCase(java.util.Locale.ROOT))));
      });

  /** What the stage does when the value cannot be parsed. */
  enum OnFailure { FUDGE, SKIP }

  /**
   * Sets the entry's time from {@code extracted[source]}, parsed with {@code format} (a Go layout
   * or a named format) or else the {@code fallbackFormats} in order.
   */
  record Config(String source, String format, List<String> fallbackFormats, ZoneId location,
      OnFailure actionOnFailure) implements StageConfig {
    Config {
      if (source == null || source.isEmpty()) throw new IllegalArgumentException("stage.timestamp needs a source");
      if (format == null || format.isEmpty()) throw new IllegalArgumentException("stage.timestamp needs a format");
      fallbackFormats = List.copyOf(fallbackFormats);
      GoTime.parser(format, location);
      for (String f : fallbackFormats) GoTime.parser(f, location);
    }

    public String blockName() {
      return TYPE.blockName();
    }

    public Stage build(StageContext c) {
      return new TimestampStage(this);
    }
  }

  static final int MAX_STREAMS = 10_000;

  private final String source;
  private final GoTime.Parser[] parsers;
  private final boolean fudge;
  private final Map<Labels, Long> lastByStream;

  TimestampStage(Config config) {
    this.source = config.source().intern(); // see Extracted
    this.parsers = new GoTime.Parser[1 + config.fallbackFormats().size()];
    parsers[0] = GoTime.parser(config.format(), config.location());
    for (int i = 0; i < config.fallbackFormats().size(); i++) {
      parsers[i + 1] = GoTime.parser(config.fallbackFormats().get(i), config.location());
    }
    this.fudge = config.actionOnFailure() == OnFailure.FUDGE;
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
