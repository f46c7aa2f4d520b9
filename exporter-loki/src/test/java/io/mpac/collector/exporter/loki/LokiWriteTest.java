package io.mpac.collector.exporter.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.exporter.Timing;
import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LokiEntry;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** loki.write against a push endpoint in the test: wire format, batching, retries, drops, back-pressure. */
class LokiWriteTest {

  private final List<AutoCloseable> closers = new ArrayList<>();
  private final List<Long> sleeps = new CopyOnWriteArrayList<>();
  private final List<String> logLines = new CopyOnWriteArrayList<>();
  private MeterRegistry registry = new SimpleMeterRegistry();
  private Runnable onSleep = () -> { };

  /** Backoff waits return at once, are recorded and move this clock on, so retry schedules run without sleeping. */
  private final java.util.concurrent.atomic.AtomicLong skipped = new java.util.concurrent.atomic.AtomicLong();
  private final Timing fakeTiming = new Timing(() -> System.nanoTime() + skipped.get(), (nanos, wake) -> {
    sleeps.add(nanos);
    skipped.addAndGet(nanos);
    onSleep.run();
    return false;
  }, () -> 0.5);

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : closers) c.close();
  }

  private FakeLoki loki() throws Exception {
    FakeLoki l = new FakeLoki();
    closers.add(l);
    return l;
  }

  private LokiWrite write(LokiWriteConfig cfg) throws Exception {
    return write(cfg, null);
  }

  private LokiWrite write(LokiWriteConfig cfg, java.util.function.Function<EndpointConfig, PushSender> senders)
      throws Exception {
    Logger logger = Logger.getLogger("test.loki.write." + System.nanoTime());
    logger.setUseParentHandlers(false);
    logger.addHandler(new Handler() {
      @Override
      public void publish(LogRecord r) {
        logLines.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
    ComponentContext ctx = new ComponentContext(new ComponentId("loki.write", "test"), Path.of("unused"), registry, logger);
    LokiWrite w = new LokiWrite(ctx, cfg, senders, fakeTiming);
    w.start();
    closers.add(0, () -> w.shutdown(Duration.ofSeconds(2)));
    return w;
  }

  private static EndpointConfig endpoint(URI url) {
    return EndpointConfig.defaults(url).withBatching(Duration.ofMillis(20), EndpointConfig.DEFAULT_BATCH_SIZE);
  }

  private static LokiWriteConfig config(EndpointConfig... endpoints) {
    return new LokiWriteConfig(Map.of(), 0, List.of(endpoints));
  }

  private static LokiEntry entry(Labels labels, long ts, String line) {
    return new LokiEntry(labels, ts, line);
  }

  /**
   * The backoff waits: a retry sleeps until its wake-up time, so each recorded sleep is the delay
   * less the few milliseconds (real time) between scheduling and sleeping.
   */
  private void assertWaits(long... delays) {
    assertThat(sleeps).hasSize(delays.length);
    for (int i = 0; i < delays.length; i++) {
      assertThat(sleeps.get(i)).as("wait %d", i).isBetween(delays[i] - 100_000_000L, delays[i]);
    }
  }

  private double counter(String name, String... tags) {
    var c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void pushesStreamsSortedWithHeadersLabelsAndMetadata() throws Exception {
    FakeLoki loki = loki();
    EndpointConfig ep = endpoint(loki.url()).withTenant("team-a")
        .withHeaders(Map.of("X-Custom", "yes"), "", "", "");
    LokiWrite w = write(new LokiWriteConfig(Map.of("env", "dev", "job", "ext"), 0, List.of(ep)));

    Labels api = Labels.of("job", "api", "level", "INFO", "__path__", "/var/log/x", "empty", "");
    Labels db = Labels.of("job", "db");
    w.push(List.of(
        entry(api, 3_000_000_002L, "third"),
        new LokiEntry(db, 5, "db line", Map.of("trace_id", "0af7651916cd43dd8448eb211c80319c", "span_id", "b7ad6b7169203331")),
        entry(api, 1_000_000_000L, "first"),
        entry(api, 2_000_000_001L, "second")));

    assertThat(FakeLoki.await(() -> loki.requests().size() == 1, 5000)).isTrue();
    FakeLoki.Request r = loki.requests().get(0);
    assertThat(r.header("Content-Type")).isEqualTo("application/x-protobuf");
    assertThat(r.header("Content-Encoding")).isNull();
    assertThat(r.header("X-Scope-OrgID")).isEqualTo("team-a");
    assertThat(r.header("X-Custom")).isEqualTo("yes");
    assertThat(r.header("User-Agent")).startsWith("mpac-collector/");
    assertThat(loki.errors()).isEmpty();

    assertThat(r.streams()).hasSize(2);
    PushDecoder.Stream s0 = r.streams().get(0);
    assertThat(s0.labels()).isEqualTo("{env=\"dev\", job=\"api\", level=\"INFO\"}");
    assertThat(s0.labelMap()).containsExactly(Map.entry("env", "dev"), Map.entry("job", "api"), Map.entry("level", "INFO"));
    assertThat(s0.entries()).extracting(PushDecoder.Entry::line).containsExactly("first", "second", "third");
    assertThat(s0.entries()).extracting(PushDecoder.Entry::timestampNanos)
        .containsExactly(1_000_000_000L, 2_000_000_001L, 3_000_000_002L);
    PushDecoder.Stream s1 = r.streams().get(1);
    assertThat(s1.labels()).isEqualTo("{env=\"dev\", job=\"db\"}");
    assertThat(s1.entries()).containsExactly(new PushDecoder.Entry(5, "db line",
        Map.of("trace_id", "0af7651916cd43dd8448eb211c80319c", "span_id", "b7ad6b7169203331")));

    assertThat(FakeLoki.await(() -> counter("loki.write.sent.entries", "tenant", "team-a") == 4, 2000)).isTrue();
    assertThat(counter("loki.write.sent.bytes", "tenant", "team-a")).isEqualTo(r.body().length);
  }

  @Test
  void tenantLabelOverridesTheEndpointTenantAndEmptyTenantSendsNoHeader() throws Exception {
    FakeLoki loki = loki();
    LokiWrite w = write(config(endpoint(loki.url())));
    w.push(List.of(entry(Labels.of("job", "a"), 1, "no tenant"),
        entry(Labels.of("job", "a", Labels.TENANT_ID, "t2"), 2, "tenant t2")));
    assertThat(FakeLoki.await(() -> loki.requests().size() == 2, 5000)).isTrue();
    Map<String, String> byTenant = new java.util.HashMap<>();
    for (FakeLoki.Request r : loki.requests()) {
      byTenant.put(String.valueOf(r.header("X-Scope-OrgID")), r.streams().get(0).entries().get(0).line());
      assertThat(r.streams().get(0).labels()).isEqualTo("{job=\"a\"}");
    }
    assertThat(byTenant).containsExactlyInAnyOrderEntriesOf(Map.of("null", "no tenant", "t2", "tenant t2"));
  }

  @Test
  void lokiDownThenUp() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    URI url = URI.create("http://127.0.0.1:" + port + "/loki/api/v1/push");
    FakeLoki[] up = new FakeLoki[1];
    onSleep = () -> {
      if (sleeps.size() == 2 && up[0] == null) {
        try {
          up[0] = new FakeLoki(port);
          closers.add(up[0]);
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
    LokiWrite w = write(config(endpoint(url).withRemoteTimeout(Duration.ofSeconds(2))));
    List<LokiEntry> entries = new ArrayList<>();
    for (int i = 0; i < 10; i++) entries.add(entry(Labels.of("job", "a"), i, "line " + i));
    w.push(entries);

    assertThat(FakeLoki.await(() -> up[0] != null && up[0].acceptedEntries() == 10, 10_000)).isTrue();
    assertThat(FakeLoki.await(() -> counter("loki.write.sent.entries") == 10, 2000)).isTrue();
    assertThat(counter("loki.write.batch.retries")).isEqualTo(2);
    assertThat(registry.find("loki.write.request.duration").tag("status_code", "-1").timer().count()).isEqualTo(2);
    assertThat(registry.find("loki.write.request.duration").tag("status_code", "204").timer().count()).isEqualTo(1);
    assertThat(counter("loki.write.dropped.entries")).isZero();
    // min_backoff 500ms doubling with jitter in [min, 2min): 0.75s then 1.5s at random = 0.5
    assertWaits(750_000_000L, 1_500_000_000L);
  }

  @Test
  void retryAfterOn429IsHonoured() throws Exception {
    FakeLoki loki = loki().answer(new FakeLoki.Answer(429, "Ingestion rate limit exceeded", Map.of("Retry-After", "7")));
    LokiWrite w = write(config(endpoint(loki.url())));
    w.push(List.of(entry(Labels.of("job", "a"), 1, "x"), entry(Labels.of("job", "a"), 2, "y")));
    assertThat(FakeLoki.await(() -> counter("loki.write.sent.entries") == 2, 5000)).isTrue();
    assertThat(loki.requests()).extracting(FakeLoki.Request::status).containsExactly(429, 204);
    assertWaits(TimeUnit.SECONDS.toNanos(7));
    assertThat(counter("loki.write.batch.retries")).isEqualTo(1);
    assertThat(loki.acceptedEntries()).isEqualTo(2);
  }

  @Test
  void serverErrorThenSuccess() throws Exception {
    FakeLoki loki = loki().answer(FakeLoki.Answer.of(500, "internal"), FakeLoki.Answer.of(503));
    LokiWrite w = write(config(endpoint(loki.url())));
    w.push(List.of(entry(Labels.of("job", "a"), 1, "x")));
    assertThat(FakeLoki.await(() -> counter("loki.write.sent.entries") == 1, 5000)).isTrue();
    assertThat(loki.requests()).extracting(FakeLoki.Request::status).containsExactly(500, 503, 204);
    assertThat(counter("loki.write.batch.retries")).isEqualTo(2);
    assertThat(counter("loki.write.dropped.entries")).isZero();
    // each retry sends the same bytes
    assertThat(loki.requests().get(0).body()).isEqualTo(loki.requests().get(2).body());
  }

  @Test
  void badRequestIsDroppedCountedNotRetriedAndLoggedWithLokisReason() throws Exception {
    String reason = "entry with timestamp 2024-01-01 ignored, reason: 'entry out of order' for stream: {job=\"a\"}";
    FakeLoki loki = loki().answer(FakeLoki.Answer.of(400, reason + "\nsecond line"), FakeLoki.Answer.of(400, reason));
    LokiWrite w = write(config(endpoint(loki.url())));
    w.push(List.of(entry(Labels.of("job", "a"), 1, "x"), entry(Labels.of("job", "a"), 2, "y"),
        entry(Labels.of("job", "a"), 3, "z")));
    assertThat(FakeLoki.await(() -> counter("loki.write.dropped.entries", "reason", "out_of_order") == 3, 5000))
        .isTrue();
    w.push(List.of(entry(Labels.of("job", "a"), 4, "w")));
    assertThat(FakeLoki.await(() -> counter("loki.write.dropped.entries", "reason", "out_of_order") == 4, 5000))
        .isTrue();
    w.shutdown(Duration.ofSeconds(2));
    assertThat(loki.requests()).hasSize(2);
    assertThat(counter("loki.write.batch.retries")).isZero();
    assertThat(counter("loki.write.sent.entries")).isZero();
    assertThat(sleeps).isEmpty();
    // logged once (rate-limited): the second drop of the same reason is only counted
    List<String> drops = logLines.stream().filter(l -> l.contains("dropping")).toList();
    assertThat(drops).hasSize(1);
    assertThat(drops.get(0)).contains("reason out_of_order").contains("HTTP 400").contains(reason)
        .doesNotContain("second line");
  }

  @Test
  void retriesRunOutThenTheBatchIsDropped() throws Exception {
    FakeLoki loki = loki();
    for (int i = 0; i < 5; i++) loki.answer(FakeLoki.Answer.of(503));
    LokiWrite w = write(config(endpoint(loki.url()).withRetries(Duration.ofMillis(100), Duration.ofMillis(250), 2, true)));
    w.push(List.of(entry(Labels.of("job", "a"), 1, "x"), entry(Labels.of("job", "b"), 1, "y")));
    assertThat(FakeLoki.await(() -> counter("loki.write.dropped.entries", "reason", "ingester_error") == 2, 5000))
        .isTrue();
    assertThat(loki.requests()).hasSize(3);
    assertThat(counter("loki.write.batch.retries")).isEqualTo(2);
    // 100ms·[1,2) then capped: [200ms, 250ms)
    assertWaits(150_000_000L, 225_000_000L);
  }

  @Test
  void rateLimitedBatchesAreDroppedWhenRetryOn429IsOff() throws Exception {
    FakeLoki loki = loki().answer(FakeLoki.Answer.of(429, "rate limited"));
    LokiWrite w = write(config(endpoint(loki.url()).withRetries(Duration.ofMillis(500), Duration.ofMinutes(5), 10,
        false)));
    w.push(List.of(entry(Labels.of("job", "a"), 1, "x")));
    assertThat(FakeLoki.await(() -> counter("loki.write.dropped.entries", "reason", "rate_limited") == 1, 5000))
        .isTrue();
    assertThat(loki.requests()).hasSize(1);
  }

  @Test
  void burstLargerThanBatchSizeIsSplit() throws Exception {
    FakeLoki loki = loki();
    // each entry counts 100 bytes: ten fit in a 1000-byte batch
    EndpointConfig ep = EndpointConfig.defaults(loki.url()).withBatching(Duration.ofSeconds(30), 1000);
    LokiWrite w = write(config(ep));
    List<LokiEntry> burst = new ArrayList<>();
    for (int i = 0; i < 45; i++) burst.add(entry(Labels.of("job", "a"), i, String.format("%03d", i) + "x".repeat(97)));
    w.push(burst);
    // four full batches go at once; the last five wait for batch_wait (30s) or shutdown
    assertThat(FakeLoki.await(() -> loki.requests().size() == 4, 5000)).isTrue();
    w.shutdown(Duration.ofSeconds(5));
    List<FakeLoki.Request> reqs = loki.requests();
    assertThat(reqs).extracting(FakeLoki.Request::entryCount).containsExactly(10, 10, 10, 10, 5);
    List<String> lines = new ArrayList<>();
    for (PushDecoder.Stream s : loki.acceptedStreams()) s.entries().forEach(e -> lines.add(e.line().substring(0, 3)));
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 45; i++) expected.add(String.format("%03d", i));
    assertThat(lines).isEqualTo(expected);
    assertThat(counter("loki.write.sent.entries")).isEqualTo(45);
  }

  @Test
  void fullQueueRefusesAndTakesAgainOnceDrained() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<Integer> sent = new CopyOnWriteArrayList<>();
    PushSender blocking = (tenant, body, timeout) -> {
      release.await(10, TimeUnit.SECONDS);
      sent.add(body.length);
      return new PushSender.Result(204, "", null, null);
    };
    EndpointConfig ep = endpoint(URI.create("http://127.0.0.1:9/loki/api/v1/push"))
        .withQueue(1000, false, EndpointConfig.DEFAULT_DRAIN_TIMEOUT);
    LokiWrite w = write(config(ep), e -> blocking);
    w.push(List.of(entry(Labels.of("job", "a"), 1, "x".repeat(600))));
    assertThatThrownBy(() -> w.push(List.of(entry(Labels.of("job", "a"), 2, "y".repeat(600)))))
        .isInstanceOf(ConsumeException.Refused.class).hasMessageContaining("is full");
    assertThat(w.usedBytes()).isEqualTo(600);
    release.countDown();
    assertThat(FakeLoki.await(() -> w.usedBytes() == 0, 5000)).isTrue();
    w.push(List.of(entry(Labels.of("job", "a"), 2, "y".repeat(600))));
    assertThat(FakeLoki.await(() -> sent.size() == 2, 5000)).isTrue();
  }

  @Test
  void pushIsAllOrNothingAcrossEndpoints() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    PushSender blocking = (tenant, body, timeout) -> {
      release.await(10, TimeUnit.SECONDS);
      return new PushSender.Result(204, "", null, null);
    };
    EndpointConfig big = endpoint(URI.create("http://127.0.0.1:9/a")).withQueueCapacity(100_000);
    EndpointConfig small = endpoint(URI.create("http://127.0.0.1:10/b"))
        .withQueue(1000, false, EndpointConfig.DEFAULT_DRAIN_TIMEOUT);
    LokiWrite w = write(config(big, small), e -> blocking);
    w.push(List.of(entry(Labels.of("job", "a"), 1, "x".repeat(600))));
    assertThat(w.usedBytes()).isEqualTo(1200);
    assertThatThrownBy(() -> w.push(List.of(entry(Labels.of("job", "a"), 2, "y".repeat(600)))))
        .isInstanceOf(ConsumeException.Refused.class);
    assertThat(w.usedBytes()).as("the first endpoint's reservation was given back").isEqualTo(1200);
    release.countDown();
  }

  @Test
  void maxStreamsDropsEntriesOfFurtherStreams() throws Exception {
    FakeLoki loki = loki();
    LokiWrite w = write(new LokiWriteConfig(Map.of(), 2, List.of(endpoint(loki.url()))));
    w.push(List.of(entry(Labels.of("s", "1"), 1, "a"), entry(Labels.of("s", "2"), 1, "b"),
        entry(Labels.of("s", "3"), 1, "c"), entry(Labels.of("s", "1"), 2, "d")));
    assertThat(FakeLoki.await(() -> counter("loki.write.sent.entries") == 3, 5000)).isTrue();
    assertThat(counter("loki.write.dropped.entries", "reason", "stream_limited")).isEqualTo(1);
    assertThat(loki.acceptedStreams()).extracting(PushDecoder.Stream::labels)
        .containsExactly("{s=\"1\"}", "{s=\"2\"}");
  }

  @Test
  void shutdownDrainsWhatIsBatched() throws Exception {
    FakeLoki loki = loki();
    LokiWrite w = write(config(EndpointConfig.defaults(loki.url()).withBatching(Duration.ofMinutes(1), 1 << 20)));
    w.push(List.of(entry(Labels.of("job", "a"), 1, "x"), entry(Labels.of("job", "a"), 2, "y")));
    w.shutdown(Duration.ofSeconds(5));
    assertThat(loki.acceptedEntries()).isEqualTo(2);
    assertThatThrownBy(() -> w.push(List.of(entry(Labels.of("job", "a"), 3, "z"))))
        .isInstanceOf(ConsumeException.Refused.class);
  }

  @Test
  void shutdownDeadlineCountsWhatCouldNotBeSent() throws Exception {
    FakeLoki loki = loki();
    for (int i = 0; i < 20; i++) loki.answer(FakeLoki.Answer.of(503));
    EndpointConfig ep = endpoint(loki.url()).withRetries(Duration.ofSeconds(30), Duration.ofMinutes(5), 10, true);
    LokiWrite w = new LokiWrite(new ComponentContext(new ComponentId("loki.write", "t"), Path.of("x"), registry,
        Logger.getLogger("test")), config(ep), null, Timing.SYSTEM);
    w.start();
    w.push(List.of(entry(Labels.of("job", "a"), 1, "x")));
    assertThat(FakeLoki.await(() -> loki.requests().size() == 1, 5000)).isTrue();
    long start = System.nanoTime();
    w.shutdown(Duration.ofMillis(300));
    assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(3));
    assertThat(counter("loki.write.dropped.entries", "reason", "shutdown")).isEqualTo(1);
  }

  @Test
  void prometheusNamesAreAlloys() throws Exception {
    PrometheusMeterRegistry prom = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry = prom;
    FakeLoki loki = loki().answer(FakeLoki.Answer.of(500), FakeLoki.Answer.of(400, "line too long"));
    LokiWrite w = write(config(endpoint(loki.url())));
    w.push(List.of(entry(Labels.of("job", "a"), 1, "x")));
    assertThat(FakeLoki.await(() -> counter("loki.write.dropped.entries", "reason", "line_too_long") == 1, 5000))
        .isTrue();
    String text = prom.scrape();
    assertThat(text).contains("loki_write_sent_entries_total{component_id=\"loki.write.test\",host=\"127.0.0.1:");
    assertThat(text).containsPattern("loki_write_dropped_entries_total\\{component_id=\"loki.write.test\",host=\"[^\"]+\","
        + "reason=\"line_too_long\",tenant=\"\"} 1.0");
    assertThat(text).contains("loki_write_dropped_bytes_total{");
    assertThat(text).contains("loki_write_sent_bytes_total{");
    assertThat(text).contains("loki_write_encoded_bytes_total{");
    assertThat(text).containsPattern("loki_write_batch_retries_total\\{[^}]*} 1.0");
    assertThat(text).containsPattern("loki_write_request_duration_seconds_bucket\\{[^}]*status_code=\"500\"");
    assertThat(text).contains("# TYPE loki_write_request_duration_seconds histogram");
    assertThat(text).contains("loki_write_request_size_bytes_bucket{");
    Timer t = prom.find("loki.write.request.duration").tag("status_code", "400").timer();
    assertThat(t.count()).isEqualTo(1);
  }
}
