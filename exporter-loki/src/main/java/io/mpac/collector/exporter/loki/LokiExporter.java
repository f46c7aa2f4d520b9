package io.mpac.collector.exporter.loki;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.logging.RateLimitedLogger;
import io.mpac.collector.loki.LogsFanout;
import io.mpac.collector.loki.LogsReceiver;
import io.mpac.collector.loki.LokiEntry;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;

/**
 * The {@code otelcol.exporter.loki} instance: an OTLP consumer (logs only) that converts each
 * encoded request in one streaming pass ({@link LogsConverter}, {@link WireLogsConverter}) and
 * pushes the entries, in request order, to every receiver of {@code forward_to}. Back-pressure
 * passes through: when a receiver refuses, the request is refused and the sender retries it.
 *
 * <p>Metrics (Alloy's names, with {@code _total} added to every counter):
 * {@code otelcol_exporter_loki_entries_total}, {@code otelcol_exporter_loki_entries_failed_total}
 * (records that could not be converted) and {@code otelcol_exporter_loki_entries_processed_total}.
 */
final class LokiExporter implements Component, OtlpConsumer {

  private static final Set<Signal> LOGS = Set.of(Signal.LOGS);

  private final LogsReceiver next;
  private final StructuredMetadataConfig metadata;
  private final ThreadLocal<LogsConverter> converters;
  private final Counter total;
  private final Counter failed;
  private final Counter processed;
  private final RateLimitedLogger errors;

  LokiExporter(ComponentContext context, LokiExporterConfig config) {
    this.next = LogsFanout.of(config.forwardTo());
    this.metadata = config.structuredMetadata();
    this.converters = ThreadLocal.withInitial(() -> new LogsConverter(metadata, LokiExporter::nowNanos));
    var reg = context.meterRegistry();
    this.total = Counter.builder("otelcol.exporter.loki.entries")
        .description("Total number of log entries passed through the converter").tags(context.tags()).register(reg);
    this.failed = Counter.builder("otelcol.exporter.loki.entries.failed")
        .description("Total number of log entries failed to convert").tags(context.tags()).register(reg);
    this.processed = Counter.builder("otelcol.exporter.loki.entries.processed")
        .description("Total number of log entries successfully converted").tags(context.tags()).register(reg);
    this.errors = new RateLimitedLogger(context.logger(), Duration.ofSeconds(30), System::nanoTime);
  }

  private static long nowNanos() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of("input", this);
  }

  @Override
  public Set<Signal> signals() {
    return LOGS;
  }

  @Override
  public void start() {}

  @Override
  public void shutdown(Duration timeout) {}

  @Override
  public void consume(OtlpRequest request) throws ConsumeException {
    if (request.signal() != Signal.LOGS) {
      throw new ConsumeException.Rejected("otelcol.exporter.loki accepts logs only, got " + request.signal().lowerName());
    }
    List<LokiEntry> entries = new ArrayList<>(Math.max(request.itemCount(), 4));
    LogsConverter.Result r;
    try {
      r = converters.get().convert(request.bytes(), entries);
    } catch (InvalidProtocolBufferException e) {
      throw new ConsumeException.Rejected("cannot decode logs request: " + e.getMessage());
    }
    total.increment(r.converted() + r.failed());
    processed.increment(r.converted());
    if (r.failed() > 0) {
      failed.increment(r.failed());
      errors.log(Level.WARNING, "convert", () -> "failed to convert " + r.failed() + " log record(s) to Loki entries,"
          + " dropped: " + r.firstError());
    }
    if (!entries.isEmpty()) next.push(entries);
  }
}
