package io.mpac.collector.processor.loki;

import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import java.time.Duration;
import java.nio.charset.StandardCharsets;
import java.time.Clock;

/**
 * {@code stage.drop}: drops the entry when every condition that is set holds.
 * <ul>
 *   <li>{@code older_than}: the entry's time is before now − older_than;</li>
 *   <li>{@code longer_than}: the line is longer than that many bytes (UTF-8);</li>
 *   <li>{@code source} (comma-separated extracted keys, all present, joined with {@code
 *       separator}) or else the line, tested with {@code expression} (RE2, unanchored) or
 *       {@code value} (exact); a {@code source} with neither drops when the keys are present.</li>
 * </ul>
 */
final class DropStage implements Stage {

  private static final String SOURCE = "source";
  private static final String SEPARATOR = "separator";
  private static final String EXPRESSION = "expression";
  private static final String VALUE = "value";
  private static final String OLDER_THAN = "older_than";
  private static final String LONGER_THAN = "longer_than";
  private static final String DROP_COUNTER_REASON = "drop_counter_reason";

  static final StageType TYPE = new StageType("stage.drop", "Drops entries matching every condition set.",
      depth -> Schema.builder()
          .optional(SOURCE, Types.STRING, "", "Comma-separated extracted keys to test (default: the line).")
          .optional(SEPARATOR, Types.STRING, ";", "Joins the values of several sources.")
          .optional(EXPRESSION, Types.STRING, null, "RE2 regular expression that must match (unanchored).")
          .optional(VALUE, Types.STRING, null, "Exact value that must match.")
          .optional(OLDER_THAN, Types.DURATION, null, "Drop entries older than this.")
          .optional(LONGER_THAN, Types.BYTES, 0L, "Drop lines longer than this many bytes.")
          .optional(DROP_COUNTER_REASON, Types.STRING, "drop_stage", "The reason label of loki_process_dropped_lines_total.")
          .build(),
      a -> Stages.blaming(a, a.isSet(EXPRESSION) ? EXPRESSION : null, () -> new Config(a.string(SOURCE),
          a.string(SEPARATOR), a.string(EXPRESSION), a.string(VALUE), a.duration(OLDER_THAN), a.bytes(LONGER_THAN),
          a.string(DROP_COUNTER_REASON))));

  /**
   * Drops the entry when every condition that is set holds (several blocks act as OR).
   * {@code source} is a comma-separated list of extracted keys, joined with {@code separator}.
   */
  record Config(String source, String separator, String expression, String value, Duration olderThan,
      long longerThan, String dropCounterReason) implements StageConfig {
    Config {
      if (source == null) source = "";
      if (separator == null) separator = ";";
      if (dropCounterReason == null || dropCounterReason.isEmpty()) dropCounterReason = "drop_stage";
      if (expression != null && value != null) {
        throw new IllegalArgumentException("stage.drop: expression and value cannot both be set");
      }
      if (expression != null) Stages.compileUnanchored(expression);
      if (source.isEmpty() && expression == null && value == null && olderThan == null && longerThan <= 0) {
        throw new IllegalArgumentException(
            "stage.drop needs at least one of source, expression, value, older_than, longer_than");
      }
    }

    public String blockName() {
      return TYPE.blockName();
    }

    public Stage build(StageContext c) {
      return new DropStage(this, c);
    }
  }

  private final String[] sources;
  private final String separator;
  private final FastRegex expression;
  private final String value;
  private final long olderThanNanos;
  private final long longerThan;
  private final String reason;
  private final Clock clock;

  DropStage(Config c, StageContext context) {
    this.sources = c.source().isEmpty() ? new String[0]
        : java.util.Arrays.stream(c.source().split(",")).map(String::trim).filter(s -> !s.isEmpty()).map(String::intern)
            .toArray(String[]::new);
    this.separator = c.separator();
    this.expression = c.expression() == null ? null : new FastRegex(c.expression());
    this.value = c.value();
    this.olderThanNanos = c.olderThan() == null ? -1 : c.olderThan().toNanos();
    this.longerThan = c.longerThan();
    this.reason = c.dropCounterReason();
    this.clock = context.clock();
  }

  @Override
  public void process(EntryState entry) {
    if (olderThanNanos >= 0) {
      java.time.Instant now = clock.instant();
      long nowNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
      if (entry.timestampNanos >= nowNanos - olderThanNanos) return;
    }
    if (longerThan > 0 && utf8Length(entry.line) <= longerThan) return;
    if (sources.length > 0) {
      String joined;
      if (sources.length == 1) {
        joined = entry.extracted.get(sources[0]);
        if (joined == null) return;
      } else {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sources.length; i++) {
          String v = entry.extracted.get(sources[i]);
          if (v == null) return;
          if (i > 0) sb.append(separator);
          sb.append(v);
        }
        joined = sb.toString();
      }
      if (!test(joined)) return;
    } else if ((expression != null || value != null) && !test(entry.line)) {
      return;
    }
    entry.drop(reason);
  }

  private boolean test(String s) {
    if (expression != null) return expression.find(s);
    if (value != null) return value.equals(s);
    return true;
  }

  private static long utf8Length(String s) {
    int n = s.length();
    long bytes = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        return s.getBytes(StandardCharsets.UTF_8).length;
      }
    }
    return bytes;
  }
}
