package io.mpac.collector.exporter.loki;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Health;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.exporter.Timing;
import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LogsReceiver;
import io.mpac.collector.loki.LokiEntry;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The {@code loki.write} instance: a {@link LogsReceiver} that prepares each entry once (external
 * labels added, {@code __} labels and empty values removed, tenant from {@code __tenant_id__}) and
 * hands it to every endpoint. A push is taken by all endpoints or by none: when one endpoint's
 * queue is full the push is refused, so a retry does not duplicate entries at the others.
 */
final class LokiWrite implements Component, LogsReceiver {

  private static final int LABEL_CACHE_LIMIT = 10_000;
  private static final int SEEN = 8;
  private static final Duration REFUSAL_HINT = Duration.ofSeconds(1);

  private final ComponentContext context;
  private final LokiWriteConfig config;
  private final Labels external;
  private final Function<EndpointConfig, PushSender> senders;
  private final Timing timing;
  private final List<Endpoint> endpoints = new ArrayList<>();
  private final ConcurrentHashMap<Labels, Labels> streamLabels = new ConcurrentHashMap<>();
  private final Object lifecycle = new Object();
  private volatile boolean started;
  private volatile boolean stopped;

  LokiWrite(ComponentContext context, LokiWriteConfig config) {
    this(context, config, null, Timing.SYSTEM);
  }

  /**
   * @param senders makes each endpoint's transport (null: HTTP); tests inject fakes
   * @param timing the backoff's sleeper and random source
   */
  LokiWrite(ComponentContext context, LokiWriteConfig config, Function<EndpointConfig, PushSender> senders,
      Timing timing) {
    this.context = context;
    this.config = config;
    this.external = Labels.of(config.externalLabels());
    this.senders = senders;
    this.timing = timing;
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of("receiver", this);
  }

  @Override
  public void start() throws IOException, GeneralSecurityException {
    synchronized (lifecycle) {
      if (started || stopped) return;
      for (EndpointConfig e : config.endpoints()) {
        PushSender s = senders != null ? senders.apply(e) : HttpPushSender.create(e);
        WriteMetrics m = new WriteMetrics(context.meterRegistry(), context.tags(), EndpointConfig.hostOf(e.url()));
        endpoints.add(new Endpoint(context.id().toString(), e, config.maxStreams(), context.logger(), m, s, timing));
      }
      for (Endpoint e : endpoints) e.start();
      started = true;
    }
  }

  @Override
  public void push(List<LokiEntry> entries) throws ConsumeException {
    if (entries.isEmpty()) return;
    if (stopped) throw new ConsumeException.Refused("loki.write " + context.id() + " is shutting down", REFUSAL_HINT);
    if (!started) throw new ConsumeException.Refused("loki.write " + context.id() + " is not started", REFUSAL_HINT);
    QueuedEntry[] chunk = new QueuedEntry[entries.size()];
    int n = 0;
    long bytes = 0;
    // the entries of a push share a few Labels objects (one per stream of a converted request):
    // look each one up once per push, by identity
    Labels[] seenRaw = new Labels[SEEN];
    Labels[] seenStream = new Labels[SEEN];
    String[] seenTenant = new String[SEEN];
    int seen = 0;
    for (LokiEntry e : entries) {
      Labels raw = e.labels();
      int k = 0;
      while (k < seen && seenRaw[k] != raw) k++;
      Labels stream;
      String tenant;
      if (k < seen) {
        stream = seenStream[k];
        tenant = seenTenant[k];
      } else {
        tenant = raw.get(Labels.TENANT_ID);
        stream = stream(raw);
        if (seen < SEEN) {
          seenRaw[seen] = raw;
          seenStream[seen] = stream;
          seenTenant[seen++] = tenant;
        }
      }
      if (stream.isEmpty()) continue; // Loki rejects a stream without labels; nothing to send it as
      QueuedEntry q = QueuedEntry.of(stream, tenant, e);
      chunk[n++] = q;
      bytes += q.size();
    }
    if (n == 0) return;
    if (n < chunk.length) chunk = java.util.Arrays.copyOf(chunk, n);
    int reserved = 0;
    for (; reserved < endpoints.size(); reserved++) {
      if (!endpoints.get(reserved).tryReserve(bytes)) break;
    }
    if (reserved < endpoints.size()) {
      Endpoint full = endpoints.get(reserved);
      for (int i = 0; i < reserved; i++) endpoints.get(i).release(bytes);
      if (full.isClosed()) {
        throw new ConsumeException.Refused("loki.write " + context.id() + " is shutting down", REFUSAL_HINT);
      }
      throw new ConsumeException.Refused("loki.write " + context.id() + ": queue of endpoint " + full.config().name()
          + " is full (" + full.config().queueCapacity() + " bytes)", REFUSAL_HINT);
    }
    for (Endpoint e : endpoints) e.enqueue(chunk);
  }

  /** The labels a stream is sent with: external labels under the entry's, no internal or empty labels. */
  private Labels stream(Labels raw) {
    Labels cached = streamLabels.get(raw);
    if (cached != null) return cached;
    Labels s = external.merge(raw).cleaned();
    if (streamLabels.size() >= LABEL_CACHE_LIMIT) streamLabels.clear();
    streamLabels.put(raw, s);
    return s;
  }

  @Override
  public void shutdown(Duration timeout) {
    List<Endpoint> toStop;
    synchronized (lifecycle) {
      if (stopped) return;
      stopped = true;
      toStop = List.copyOf(endpoints);
    }
    long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
    for (Endpoint e : toStop) e.close(deadline);
    for (Endpoint e : toStop) e.awaitStopped();
  }

  @Override
  public Health health() {
    return stopped ? Health.unknown("stopped") : Health.healthy(started ? "started" : "created");
  }

  /** Bytes waiting or in flight, summed over endpoints (tests and diagnostics). */
  long usedBytes() {
    long sum = 0;
    for (Endpoint e : endpoints) sum += e.usedBytes();
    return sum;
  }
}
