package io.mpac.collector.exporter.prometheus;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.prometheus.Exemplar;
import io.mpac.collector.prometheus.HistogramSample;
import io.mpac.collector.prometheus.Labels;
import io.mpac.collector.prometheus.Metadata;
import io.mpac.collector.prometheus.MetricType;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.NativeHistogram;
import io.mpac.collector.prometheus.Sample;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What {@code prometheus.remote_write} puts on the wire, read back with the tests' own decoder. */
class RemoteWriteWireTest {

  private static final long T = 1_700_000_000_000L;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private FakeRemoteWriteServer server;
  private RemoteWrite rw;

  @AfterEach
  void tearDown() {
    if (rw != null) rw.shutdown(Duration.ofSeconds(2));
    if (server != null) server.close();
  }

  private RemoteWriteConfig.Endpoint endpoint(RemoteWriteConfig.Queue queue) {
    return RemoteWriteConfig.Endpoint.defaults(server.url()).withQueue(queue);
  }

  private static RemoteWriteConfig.Queue queue(int maxPerSend, Duration deadline) {
    return new RemoteWriteConfig.Queue(10_000, 1, 50, maxPerSend, deadline, Duration.ofMillis(10),
        Duration.ofMillis(100), true, Duration.ZERO);
  }

  private RemoteWrite start(Map<String, String> external, RemoteWriteConfig.Endpoint... endpoints) throws Exception {
    rw = new RemoteWrite(TestContexts.context("prometheus.remote_write", "test", registry),
        new RemoteWriteConfig(external, List.of(endpoints)));
    rw.start();
    return rw;
  }

  @Test
  void requestHasTheProtocolHeadersAndSortedGroupedTimeOrderedSeries() throws Exception {
    server = new FakeRemoteWriteServer();
    RemoteWriteConfig.Endpoint ep = endpoint(queue(2000, Duration.ofMillis(50)))
        .withAuth(new RemoteWriteConfig.Auth.Basic("u", "p"),
            Map.of("X-Scope-OrgID", "tenant-1", "Content-Type", "text/plain"));
    start(Map.of("cluster", "eu", "job", "external-job"), ep);
    Labels a = Labels.of("__name__", "up", "job", "api", "instance", "i-1", "__tmp_internal", "x");
    Labels b = Labels.of("__name__", "requests_total", "zone", "z1", "code", "200");
    rw.append(MetricsBatch.ofSamples(List.of(
        new Sample(a, T + 2000, 1), new Sample(b, T + 1000, 7,
            List.of(new Exemplar(Labels.of("trace_id", "0af7651916cd43dd8448eb211c80319c"), 0.5, T + 900))),
        new Sample(a, T + 1000, 0), new Sample(a, T + 3000, Sample.STALE_NAN))));
    FakeRemoteWriteServer.await(() -> TestContexts.count(registry, "prometheus.remote.storage.samples") == 4, 5000,
        "4 samples sent");

    FakeRemoteWriteServer.Received r = server.received.get(0);
    assertThat(r.header("Content-Encoding")).isEqualTo("snappy");
    assertThat(r.header("Content-Type")).isEqualTo("application/x-protobuf");
    assertThat(r.header("X-Prometheus-Remote-Write-Version")).isEqualTo("0.1.0");
    assertThat(r.header("User-Agent")).startsWith("mpac-collector/");
    assertThat(r.header("X-Scope-OrgID")).isEqualTo("tenant-1");
    assertThat(r.header("Authorization")).isEqualTo("Basic dTpw");

    List<RemoteWriteDecoder.TimeSeries> ts = server.series();
    assertThat(ts).hasSize(2);
    for (RemoteWriteDecoder.TimeSeries t : ts) {
      List<String> names = t.labels().stream().map(RemoteWriteDecoder.Label::name).toList();
      assertThat(names).isSorted().doesNotHaveDuplicates().contains("__name__");
      assertThat(t.labels()).allSatisfy(l -> assertThat(l.value()).isNotEmpty());
    }
    RemoteWriteDecoder.TimeSeries up = ts.stream().filter(t -> t.name().equals("up")).findFirst().orElseThrow();
    assertThat(up.labelMap()).containsExactly(Map.entry("__name__", "up"), Map.entry("cluster", "eu"),
        Map.entry("instance", "i-1"), Map.entry("job", "api")); // __tmp removed, existing job kept
    assertThat(up.samples()).extracting(RemoteWriteDecoder.Sample::timestamp).containsExactly(T + 1000, T + 2000,
        T + 3000);
    assertThat(up.samples().get(0).value()).isEqualTo(0.0);
    assertThat(Double.doubleToRawLongBits(up.samples().get(2).value())).isEqualTo(Sample.STALE_NAN_BITS);
    RemoteWriteDecoder.TimeSeries req = ts.stream().filter(t -> t.name().equals("requests_total")).findFirst()
        .orElseThrow();
    assertThat(req.labelMap()).containsEntry("job", "external-job").containsEntry("cluster", "eu");
    assertThat(req.exemplars()).containsExactly(new RemoteWriteDecoder.Exemplar(
        Map.of("trace_id", "0af7651916cd43dd8448eb211c80319c"), 0.5, T + 900));
    assertThat(TestContexts.count(registry, "prometheus.remote.storage.samples")).isEqualTo(4);
    assertThat(TestContexts.count(registry, "prometheus.remote.storage.exemplars")).isEqualTo(1);
  }

  @Test
  void batchesHoldAtMostMaxSamplesPerSend() throws Exception {
    server = new FakeRemoteWriteServer();
    start(Map.of(), endpoint(queue(3, Duration.ofMillis(50))));
    List<Sample> samples = new java.util.ArrayList<>();
    for (int i = 0; i < 7; i++) samples.add(new Sample(Labels.of("__name__", "m", "i", "" + i), T, i));
    rw.append(MetricsBatch.ofSamples(samples));
    FakeRemoteWriteServer.await(() -> server.sampleCount() == 7, 5000, "7 samples");
    assertThat(server.received).allSatisfy(r -> assertThat(r.request().timeseries()).hasSizeLessThanOrEqualTo(3));
    assertThat(server.received).hasSize(3);
  }

  @Test
  void nativeHistogramsAreSentWhenEnabledAndCountedAsDroppedOtherwise() throws Exception {
    server = new FakeRemoteWriteServer();
    RemoteWriteConfig.Endpoint on = endpoint(queue(2000, Duration.ofMillis(20))).withNativeHistograms(true);
    try (FakeRemoteWriteServer other = new FakeRemoteWriteServer()) {
      RemoteWriteConfig.Endpoint off = new RemoteWriteConfig.Endpoint(other.url(), "off", Duration.ofSeconds(5),
          Map.of(), true, false, false, true, RemoteWriteConfig.Auth.NONE, io.mpac.collector.exporter.tls.TlsSettings.NONE,
          queue(2000, Duration.ofMillis(20)), RemoteWriteConfig.MetadataSettings.DEFAULTS);
      start(Map.of(), on, off);
      NativeHistogram h = new NativeHistogram(3, 1e-128, 1, 7, 20.5, new int[] {-1, 1, 1, 1}, new long[] {2, 1},
          new int[] {6, 1}, new long[] {1}, NativeHistogram.ResetHint.UNKNOWN, T);
      rw.append(new MetricsBatch(List.of(new Sample(Labels.of("__name__", "g"), T, 1)),
          List.of(new HistogramSample(Labels.of("__name__", "lat_seconds"), h, List.of())), List.of()));
      FakeRemoteWriteServer.await(() -> server.series().size() == 2 && other.series().size() == 1, 5000, "series");
      RemoteWriteDecoder.Histogram got = server.series().stream().filter(t -> t.name().equals("lat_seconds"))
          .findFirst().orElseThrow().histograms().get(0);
      assertThat(got).isEqualTo(new RemoteWriteDecoder.Histogram(7, 20.5, 3, 1e-128, 1,
          List.of(new RemoteWriteDecoder.Span(6, 1)), List.of(1L),
          List.of(new RemoteWriteDecoder.Span(-1, 1), new RemoteWriteDecoder.Span(1, 1)), List.of(2L, 1L), 0, T));
      assertThat(other.series()).extracting(RemoteWriteDecoder.TimeSeries::name).containsExactly("g");
      assertThat(TestContexts.count(registry, "prometheus.remote.storage.histograms.dropped", "reason",
          "native_histograms_disabled", "remote_name", "off")).isEqualTo(1);
    }
  }

  @Test
  void metadataIsSentInItsOwnRequests() throws Exception {
    server = new FakeRemoteWriteServer();
    start(Map.of(), endpoint(queue(2000, Duration.ofMillis(20)))
        .withMetadata(new RemoteWriteConfig.MetadataSettings(true, Duration.ofMillis(50), 2000)));
    rw.append(new MetricsBatch(List.of(new Sample(Labels.of("__name__", "x_total"), T, 1)), List.of(),
        List.of(new Metadata("x_total", MetricType.COUNTER, "Things done.", ""))));
    FakeRemoteWriteServer.await(() -> server.received.stream().anyMatch(r -> !r.request().metadata().isEmpty()),
        5000, "metadata");
    RemoteWriteDecoder.Metadata md = server.received.stream().flatMap(r -> r.request().metadata().stream())
        .findFirst().orElseThrow();
    assertThat(md).isEqualTo(new RemoteWriteDecoder.Metadata(1, "x_total", "Things done.", ""));
  }
}
