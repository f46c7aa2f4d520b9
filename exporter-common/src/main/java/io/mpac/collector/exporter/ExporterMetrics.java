package io.mpac.collector.exporter;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mpac.collector.component.InstanceGauges;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The self-metrics of one exporter, with the OpenTelemetry Collector's names where one exists.
 * Every meter carries the component's tags ({@code component_id}). {@code <items>} is
 * {@code spans}, {@code metric_points} or {@code log_records}.
 *
 * <table>
 *   <caption>Exporter metrics (Prometheus name in parentheses)</caption>
 *   <tr><td>{@code otelcol.exporter.sent.<items>}</td><td>items the backend accepted
 *       ({@code otelcol_exporter_sent_spans_total})</td></tr>
 *   <tr><td>{@code otelcol.exporter.send.failed.<items>}</td><td>items taken into the queue but
 *       never delivered: permanent errors, retries exhausted, partial-success rejections, lost at
 *       shutdown</td></tr>
 *   <tr><td>{@code otelcol.exporter.enqueue.failed.<items>}</td><td>items refused at the door
 *       (queue full or shutting down); the sender was told to retry</td></tr>
 *   <tr><td>{@code otelcol.exporter.dropped.<items>} {@code reason=...}</td><td>(ours) the
 *       breakdown of send.failed: {@code permanent}, {@code retries_exhausted},
 *       {@code partial_success}, {@code shutdown}, {@code worker_failed} (a payload whose worker
 *       crashed twice while sending it)</td></tr>
 *   <tr><td>{@code otelcol.exporter.kept.<items>}</td><td>(ours) items a persistent queue still held
 *       at shutdown: sent after the next start, not lost</td></tr>
 *   <tr><td>{@code otelcol.exporter.retries}</td><td>(ours) retry attempts scheduled</td></tr>
 *   <tr><td>{@code otelcol.exporter.queue.size}</td><td>what waits in the queue, in the sizer's
 *       unit</td></tr>
 *   <tr><td>{@code otelcol.exporter.queue.capacity}</td><td>{@code queue_size}</td></tr>
 * </table>
 */
public final class ExporterMetrics {

  public static final String SENT = "otelcol.exporter.sent.";
  public static final String SEND_FAILED = "otelcol.exporter.send.failed.";
  public static final String ENQUEUE_FAILED = "otelcol.exporter.enqueue.failed.";
  public static final String DROPPED = "otelcol.exporter.dropped.";
  public static final String RETRIES = "otelcol.exporter.retries";
  public static final String KEPT = "otelcol.exporter.kept.";
  public static final String QUEUE_SIZE = "otelcol.exporter.queue.size";
  public static final String QUEUE_CAPACITY = "otelcol.exporter.queue.capacity";

  /** Why items that were queued were not delivered. */
  public enum DropReason {
    PERMANENT("permanent"), RETRIES_EXHAUSTED("retries_exhausted"), PARTIAL_SUCCESS("partial_success"),
    SHUTDOWN("shutdown"), WORKER_FAILED("worker_failed");

    private final String tag;

    DropReason(String tag) {
      this.tag = tag;
    }

    public String tag() {
      return tag;
    }
  }

  /** The counters of one item unit. */
  static final class ItemCounters {
    final Counter sent;
    final Counter sendFailed;
    final Counter enqueueFailed;
    final Counter[] dropped;
    final Counter kept;

    ItemCounters(MeterRegistry registry, Tags tags, String items) {
      sent = Counter.builder(SENT + items).tags(tags).description("Items successfully sent").register(registry);
      sendFailed = Counter.builder(SEND_FAILED + items).tags(tags)
          .description("Items that were queued but could not be sent").register(registry);
      enqueueFailed = Counter.builder(ENQUEUE_FAILED + items).tags(tags)
          .description("Items refused because the sending queue was full or closed").register(registry);
      kept = Counter.builder(KEPT + items).tags(tags)
          .description("Items a persistent queue kept on disk at shutdown, to send after the next start")
          .register(registry);
      dropped = new Counter[DropReason.values().length];
      for (DropReason r : DropReason.values()) {
        dropped[r.ordinal()] = Counter.builder(DROPPED + items).tags(tags.and("reason", r.tag()))
            .description("Items not delivered, by reason").register(registry);
      }
    }

    void drop(DropReason reason, long n) {
      sendFailed.increment(n);
      dropped[reason.ordinal()].increment(n);
    }
  }

  private final Map<String, ItemCounters> byItem;
  private final Counter retries;
  private final InstanceGauges gauges;

  ExporterMetrics(MeterRegistry registry, Tags tags, List<String> itemNames) {
    this.gauges = new InstanceGauges(registry);
    Map<String, ItemCounters> m = new HashMap<>();
    for (String items : itemNames) m.put(items, new ItemCounters(registry, tags, items));
    this.byItem = Map.copyOf(m);
    this.retries = Counter.builder(RETRIES).tags(tags).description("Retry attempts scheduled").register(registry);
  }

  /** Declares the queue gauges; {@link #registerGauges()} registers them when the queue starts. */
  void declareQueueGauges(Tags tags, Supplier<Number> size, long capacity) {
    gauges.add(Gauge.builder(QUEUE_SIZE, size).tags(tags)
        .description("Current size of the sending queue, in the sizer's unit").strongReference(true));
    gauges.add(Gauge.builder(QUEUE_CAPACITY, () -> capacity).tags(tags)
        .description("Capacity of the sending queue, in the sizer's unit").strongReference(true));
  }

  void registerGauges() {
    gauges.register();
  }

  /** Removes the gauges, which point at this instance (a reload builds a new one under the same id). */
  void close() {
    gauges.remove();
  }

  ItemCounters items(String itemName) {
    ItemCounters c = byItem.get(itemName);
    if (c == null) throw new IllegalArgumentException("exporter was not built for items \"" + itemName + "\"");
    return c;
  }

  void retried() {
    retries.increment();
  }
}
