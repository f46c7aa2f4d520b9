package io.mpac.collector.exporter.prometheus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.InstanceGauges;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.exporter.ExporterMetrics;
import io.mpac.collector.logging.RateLimitedLogger;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.prometheus.MetricsReceiver;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code otelcol.exporter.prometheus}: converts each OTLP metrics request, read straight from its
 * encoded bytes ({@link OtlpToPrometheus}), and appends the samples to every receiver in
 * {@code forward_to}.
 *
 * <p>Back-pressure: if any receiver refuses (its queue is full), the request is refused upstream
 * and nothing the converter remembers changes, so the retried request converts to the same
 * samples. A receiver that did accept gets them again; Prometheus ignores a sample identical to one
 * it has (same series, time and value).
 *
 * <p>Self-metrics (tag {@code component_id}): {@code otelcol_exporter_sent_metric_points_total},
 * {@code otelcol_exporter_send_failed_metric_points_total},
 * {@code otelcol_exporter_enqueue_failed_metric_points_total},
 * {@code otelcol_exporter_prometheus_dropped_metric_points_total{reason}} and the gauge
 * {@code otelcol_exporter_prometheus_series_state}.
 */
final class PrometheusExporter implements Component, OtlpConsumer {

  /** How many streams the converter remembers at most (order check and delta totals). */
  static final int MAX_STREAMS = 500_000;

  private final ComponentContext context;
  private final PrometheusExporterConfig config;
  private final Logger logger;
  private final MetricsReceiver[] receivers;
  private final SeriesStates states = new SeriesStates(MAX_STREAMS);
  private final OtlpToPrometheus converter;
  private final Object deltaLock = new Object();
  private final Counter sent;
  private final Counter sendFailed;
  private final Counter enqueueFailed;
  private final EnumMap<OtlpToPrometheus.DropReason, Counter> dropped = new EnumMap<>(OtlpToPrometheus.DropReason.class);
  private final Object lifecycleLock = new Object();
  private final InstanceGauges gauges;
  private ScheduledExecutorService gc;
  private final RateLimitedLogger dropLog;

  PrometheusExporter(ComponentContext context, PrometheusExporterConfig config) {
    this.context = context;
    this.config = config;
    this.logger = context.logger();
    this.dropLog = new RateLimitedLogger(logger, Duration.ofSeconds(30), System::nanoTime);
    this.receivers = config.forwardTo().toArray(new MetricsReceiver[0]);
    this.converter = new OtlpToPrometheus(config.options(), states);
    var reg = context.meterRegistry();
    var tags = context.tags();
    sent = Counter.builder(ExporterMetrics.SENT + Signal.METRICS.itemName())
        .description("Metric points converted and handed to every receiver.").tags(tags).register(reg);
    sendFailed = Counter.builder(ExporterMetrics.SEND_FAILED + Signal.METRICS.itemName())
        .description("Metric points in requests a receiver rejected for good.").tags(tags).register(reg);
    enqueueFailed = Counter.builder(ExporterMetrics.ENQUEUE_FAILED + Signal.METRICS.itemName())
        .description("Metric points refused because a receiver's queue was full (the sender retries).")
        .tags(tags).register(reg);
    for (OtlpToPrometheus.DropReason r : OtlpToPrometheus.DropReason.values()) {
      dropped.put(r, Counter.builder("otelcol.exporter.prometheus.dropped.metric_points")
          .description("Metric points not converted, by reason.").tags(tags).tag("reason", r.tag).register(reg));
    }
    this.gauges = new InstanceGauges(reg).add(Gauge.builder("otelcol.exporter.prometheus.series.state", states,
        SeriesStates::size).description("Streams remembered for ordering and delta accumulation.").tags(tags));
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of("input", this);
  }

  @Override
  public Set<Signal> signals() {
    return Set.of(Signal.METRICS);
  }

  @Override
  public void start() {
    synchronized (lifecycleLock) {
      if (gc != null) return;
      gauges.register();
      gc = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "prometheus-gc-" + context.id());
        t.setDaemon(true);
        return t;
      });
      long every = config.gcFrequency().toNanos();
      gc.scheduleWithFixedDelay(this::gcNow, every, every, TimeUnit.NANOSECONDS);
    }
  }

  /** Forgets streams not seen within {@code gc_frequency}. */
  int gcNow() {
    try {
      int removed = states.gc(System.nanoTime(), config.gcFrequency().toNanos());
      if (removed > 0) converter.forgetEvicted();
      return removed;
    } catch (RuntimeException e) {
      logger.log(Level.WARNING, "series state clean-up failed", e);
      return 0;
    }
  }

  @Override
  public void shutdown(Duration timeout) {
    synchronized (lifecycleLock) {
      if (gc != null) gc.shutdownNow();
      gauges.remove();
    }
  }

  @Override
  public void consume(OtlpRequest request) throws ConsumeException {
    if (request.signal() != Signal.METRICS) {
      throw new ConsumeException.Rejected("otelcol.exporter.prometheus accepts metrics only, got "
          + request.signal().lowerName());
    }
    // a receiver that is full now would refuse the samples: refuse before converting them
    for (MetricsReceiver r : receivers) {
      ConsumeException.Refused full = r.wouldRefuse(request.itemCount());
      if (full != null) {
        enqueueFailed.increment(request.itemCount());
        throw full;
      }
    }
    byte[] bytes = request.bytes();
    boolean delta;
    try {
      delta = OtlpToPrometheus.hasDelta(bytes);
    } catch (WireCursor.MalformedException e) {
      throw undecodable(request, e);
    }
    if (delta) {
      synchronized (deltaLock) {
        convertAndForward(request);
      }
    } else {
      convertAndForward(request);
    }
  }

  private ConsumeException.Rejected undecodable(OtlpRequest request, WireCursor.MalformedException e) {
    sendFailed.increment(request.itemCount());
    return new ConsumeException.Rejected("cannot decode metrics request: " + e.getMessage());
  }

  private void convertAndForward(OtlpRequest request) throws ConsumeException {
    OtlpToPrometheus.Result result;
    try {
      result = converter.convert(request.bytes(), System.nanoTime(), System.currentTimeMillis());
    } catch (WireCursor.MalformedException e) {
      throw undecodable(request, e);
    }
    countDrops(result);
    int points = result.points - result.droppedPoints();
    ConsumeException failure = null;
    if (!result.batch.isEmpty()) {
      for (MetricsReceiver r : receivers) {
        try {
          r.append(result.batch);
        } catch (ConsumeException.Rejected e) {
          failure = e;
        } catch (ConsumeException.Refused e) {
          if (failure == null) failure = e;
        }
      }
    }
    if (failure instanceof ConsumeException.Refused) {
      enqueueFailed.increment(Math.max(points, 0));
      throw failure;
    }
    result.pending.commit();
    if (failure != null) {
      sendFailed.increment(Math.max(points, 0));
      throw failure;
    }
    sent.increment(Math.max(points, 0));
  }

  private void countDrops(OtlpToPrometheus.Result result) {
    if (result.dropped.isEmpty()) return;
    result.dropped.forEach((reason, n) -> dropped.get(reason).increment(n));
    dropLog.log(Level.WARNING, "dropped", () -> "metric points not converted (counted in "
        + "otelcol_exporter_prometheus_dropped_metric_points_total): " + result.dropped);
  }

  /** For tests. */
  SeriesStates states() {
    return states;
  }

  List<MetricsReceiver> receivers() {
    return List.of(receivers);
  }
}
