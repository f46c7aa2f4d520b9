package io.mpac.collector.processor.loki;

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

  private final String[] sources;
  private final String separator;
  private final FastRegex expression;
  private final String value;
  private final long olderThanNanos;
  private final long longerThan;
  private final String reason;
  private final Clock clock;

  DropStage(StageConfig.Drop c, StageContext context) {
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
