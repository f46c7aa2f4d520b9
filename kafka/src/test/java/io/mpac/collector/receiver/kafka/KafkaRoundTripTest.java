package io.mpac.collector.receiver.kafka;

import static io.mpac.collector.exporter.ExporterTestArgs.block;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.exporter.ExporterTestArgs;
import io.mpac.collector.exporter.kafka.KafkaExporterConfig;
import io.mpac.collector.exporter.kafka.KafkaExporterFactory;
import io.mpac.collector.kafka.Encoding;
import io.mpac.collector.kafka.KafkaClientConfig;
import io.mpac.collector.kafka.KafkaSecurity;
import io.mpac.collector.kafka.testing.KafkaBroker;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.Gauge.Builder;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.Span;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter and the receiver against one real Kafka broker (KRaft, child JVM) shared by the
 * class; every test uses its own topics and group. What the exporter wrote is read back with a plain
 * kafka-clients consumer and decoded with protobuf-java, independently of the receiver.
 */
class KafkaRoundTripTest {

  @TempDir static Path dir;
  static KafkaBroker broker;

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<Component> components = new ArrayList<>();

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaBroker.start(dir.resolve("broker"), 3);
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) broker.close();
  }

  @AfterEach
  void stopComponents() {
    Collections.reverse(components);
    for (Component c : components) c.shutdown(Duration.ofSeconds(1)); // failing exporters give up quickly
  }

  private ComponentContext context(String name, String label) throws Exception {
    Path storage = Files.createDirectories(dir.resolve(name + "." + label));
    return new ComponentContext(new ComponentId(name, label), storage, registry, Logger.getLogger(name + "." + label));
  }

  /** An exporter from Alloy arguments (brokers and protocol_version added), started. */
  private OtlpConsumer exporter(String label, Map<String, Object> args) throws Exception {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("brokers", List.of(broker.bootstrap()));
    body.put("protocol_version", "4.0.0");
    body.putAll(args);
    var decoded = ExporterTestArgs.decode(KafkaExporterFactory.NAME, KafkaExporterConfig.SCHEMA, body);
    Component c = new KafkaExporterFactory().create(context(KafkaExporterFactory.NAME, label), decoded);
    c.start();
    components.add(c);
    return (OtlpConsumer) c.exports().get("input");
  }

  private static Map<String, Object> fastRetry() {
    return Map.of("initial_interval", "100ms", "max_interval", "500ms");
  }

  private KafkaReceiver receiver(String label, String topic, Encoding encoding, boolean afterExecution,
      OtlpConsumer out) throws Exception {
    KafkaClientConfig client = new KafkaClientConfig(List.of(broker.bootstrap()), "4.0.0", "test", KafkaSecurity.NONE);
    KafkaReceiverConfig config = new KafkaReceiverConfig(client, "group-" + label, "",
        List.of(org.apache.kafka.clients.consumer.RangeAssignor.class), "earliest", Duration.ofSeconds(1),
        Duration.ofSeconds(10), new KafkaReceiverConfig.Fetch(1 << 20, Duration.ofMillis(100), 1 << 20, 1), "", true,
        Duration.ofMillis(200), afterExecution, false, Map.of(topic, new KafkaReceiverConfig.TopicSource(Signal.TRACES,
        encoding)), Map.of(Signal.TRACES, out));
    KafkaReceiver r = new KafkaReceiver(context(KafkaReceiverFactory.NAME, label), config);
    r.start();
    components.add(r);
    return r;
  }

  /** Collects what the receiver hands on; refuses the first {@code refuse} requests. */
  static final class Collecting implements OtlpConsumer {
    final List<OtlpRequest> got = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger refuse = new AtomicInteger();
    volatile boolean refuseAll;

    @Override
    public Set<Signal> signals() {
      return Set.of(Signal.values());
    }

    @Override
    public void consume(OtlpRequest request) throws ConsumeException {
      if (refuseAll || refuse.getAndDecrement() > 0) throw new ConsumeException.Refused("test: full");
      got.add(request);
    }

    List<String> spanIds() {
      List<String> ids = new ArrayList<>();
      synchronized (got) {
        for (OtlpRequest r : got) ids.addAll(Spans.spanIds(r.bytes()));
      }
      return ids;
    }
  }

  /** Reads every record of {@code topic} with a plain consumer until {@code n} arrived (30 s or {@code limit}). */
  private static List<ConsumerRecord<byte[], byte[]>> readRaw(String topic, int n) {
    return readRaw(topic, n, Duration.ofSeconds(30));
  }

  private static List<ConsumerRecord<byte[], byte[]>> readRaw(String topic, int n, Duration limit) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p)) {
      // assigned, not subscribed: no group to join, reads every partition from the start
      List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
          .map(i -> new TopicPartition(topic, i.partition())).toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      long end = System.nanoTime() + limit.toNanos();
      while (out.size() < n && System.nanoTime() < end) c.poll(Duration.ofMillis(200)).forEach(out::add);
      // a little longer: more than n would show here
      c.poll(Duration.ofMillis(300)).forEach(out::add);
    }
    return out;
  }

  private static void await(Duration limit, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) throw new AssertionError("condition not met within " + limit);
      Thread.sleep(50);
    }
  }

  private double counter(String name, String... tags) {
    Counter c = registry.find(name).tags(tags).counter();
    return c == null ? 0 : c.count();
  }

  private double gauge(String name, String... tags) {
    Gauge g = registry.find(name).tags(tags).gauge();
    return g == null ? Double.NaN : g.value();
  }

  private static void offer(OtlpConsumer c, OtlpRequest r) throws InterruptedException {
    for (int i = 0; i < 200; i++) {
      try {
        c.consume(r);
        return;
      } catch (ConsumeException e) {
        Thread.sleep(50);
      }
    }
    throw new AssertionError("the exporter kept refusing");
  }

  @Test
  void protoRecordsAreTheRequestBytesAndTheReceiverHandsOnEverySpanOnce() throws Exception {
    broker.createTopic("t-proto", 3);
    OtlpConsumer in = exporter("proto", Map.of("traces", block(Map.of("topic", "t-proto")),
        "retry_on_failure", block(fastRetry())));
    List<OtlpRequest> sent = new ArrayList<>();
    Set<String> sentIds = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      OtlpRequest r = Spans.request(i, 10, 5, 20);
      sent.add(r);
      sentIds.addAll(Spans.spanIds(r.bytes()));
      offer(in, r);
    }
    List<ConsumerRecord<byte[], byte[]>> raw = readRaw("t-proto", 20);
    assertThat(raw).hasSize(20);
    Set<String> rawValues = new HashSet<>();
    for (ConsumerRecord<byte[], byte[]> r : raw) {
      assertThat(r.key()).isNull();
      rawValues.add(HexFormat.of().formatHex(r.value()));
    }
    Set<String> sentValues = new HashSet<>();
    for (OtlpRequest r : sent) sentValues.add(HexFormat.of().formatHex(r.bytes()));
    assertThat(rawValues).as("each record value is a request's bytes as received").isEqualTo(sentValues);

    Collecting out = new Collecting();
    receiver("proto", "t-proto", Encoding.OTLP_PROTO, true, out);
    await(Duration.ofSeconds(30), () -> out.spanIds().size() >= sentIds.size());
    Thread.sleep(300);
    assertThat(out.spanIds()).hasSize(sentIds.size()).containsExactlyInAnyOrderElementsOf(sentIds);
    assertThat(counter("otelcol.receiver.accepted.spans", "component_id", "otelcol.receiver.kafka.proto"))
        .isEqualTo(1000);
    assertThat(counter("otelcol.exporter.kafka.records.produced", "signal", "traces")).isEqualTo(20);
    await(Duration.ofSeconds(10), () -> committed("group-proto", "t-proto") == 20);
  }

  /** The group's committed offsets on {@code topic}, summed over partitions. */
  private static long committed(String group, String topic) {
    try (var admin = broker.admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
      return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset()).sum();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void partitionTracesByIdKeysEveryRecordByItsTraceId() throws Exception {
    broker.createTopic("t-byid", 3);
    OtlpConsumer in = exporter("byid", Map.of("traces", block(Map.of("topic", "t-byid")),
        "partition_traces_by_id", true));
    int spans = 0;
    for (int i = 0; i < 5; i++) {
      OtlpRequest r = Spans.request(100 + i, 10, 3, 10);
      spans += r.itemCount();
      offer(in, r);
    }
    List<ConsumerRecord<byte[], byte[]>> raw = readRaw("t-byid", 50);
    assertThat(raw).hasSize(50);
    Map<String, Integer> partitionOf = new HashMap<>();
    int seen = 0;
    for (ConsumerRecord<byte[], byte[]> r : raw) {
      String key = new String(r.key(), StandardCharsets.UTF_8);
      List<Span> inRecord = Spans.spans(r.value());
      assertThat(inRecord).hasSize(3);
      for (Span s : inRecord) assertThat(HexFormat.of().formatHex(s.getTraceId().toByteArray())).isEqualTo(key);
      assertThat(partitionOf.put(key, r.partition())).as("one record per trace").isNull();
      seen += inRecord.size();
    }
    assertThat(seen).isEqualTo(spans);
    assertThat(new HashSet<>(partitionOf.values())).as("keys spread over partitions").hasSizeGreaterThan(1);
  }

  @Test
  void partitionMetricsByResourceAttributesKeysByTheSortedAttributes() throws Exception {
    broker.createTopic("t-metrics", 3);
    OtlpConsumer in = exporter("metrics", Map.of("metrics", block(Map.of("topic", "t-metrics")),
        "partition_metrics_by_resource_attributes", true));
    ExportMetricsServiceRequest req = ExportMetricsServiceRequest.newBuilder()
        .addResourceMetrics(resourceMetrics(List.of("a", "1", "b", "2"), 2))
        .addResourceMetrics(resourceMetrics(List.of("b", "2", "a", "1"), 3)) // same attributes, other order
        .addResourceMetrics(resourceMetrics(List.of("a", "1", "b", "3"), 4))
        .build();
    offer(in, new OtlpRequest(Signal.METRICS, req.toByteArray(), 9));
    List<ConsumerRecord<byte[], byte[]>> raw = readRaw("t-metrics", 3);
    assertThat(raw).hasSize(3);
    Map<Integer, String> keyByPoints = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : raw) {
      ExportMetricsServiceRequest part = ExportMetricsServiceRequest.parseFrom(r.value());
      assertThat(part.getResourceMetricsCount()).isEqualTo(1);
      int points = part.getResourceMetrics(0).getScopeMetrics(0).getMetrics(0).getGauge().getDataPointsCount();
      keyByPoints.put(points, new String(r.key(), StandardCharsets.UTF_8));
    }
    assertThat(keyByPoints.get(2)).isEqualTo(keyByPoints.get(3)).isNotEqualTo(keyByPoints.get(4));
  }

  private static ResourceMetrics resourceMetrics(List<String> kv, int points) {
    Resource.Builder res = Resource.newBuilder();
    for (int i = 0; i < kv.size(); i += 2) {
      res.addAttributes(KeyValue.newBuilder().setKey(kv.get(i)).setValue(AnyValue.newBuilder().setStringValue(kv.get(i + 1))));
    }
    Builder g = io.opentelemetry.proto.metrics.v1.Gauge.newBuilder();
    for (int i = 0; i < points; i++) g.addDataPoints(NumberDataPoint.newBuilder().setAsInt(i).setTimeUnixNano(i + 1));
    return ResourceMetrics.newBuilder().setResource(res).addScopeMetrics(ScopeMetrics.newBuilder()
        .addMetrics(Metric.newBuilder().setName("m").setGauge(g))).build();
  }

  @Test
  void otlpJsonIsWrittenAsOtlpJsonAndReadBack() throws Exception {
    broker.createTopic("t-json", 1);
    OtlpConsumer in = exporter("json", Map.of("traces", block(Map.of("topic", "t-json", "encoding", "otlp_json"))));
    OtlpRequest r = Spans.request(7, 2, 2, 5);
    offer(in, r);
    List<ConsumerRecord<byte[], byte[]>> raw = readRaw("t-json", 1);
    assertThat(raw).hasSize(1);
    JsonNode tree = new ObjectMapper().readTree(raw.get(0).value());
    JsonNode span = tree.get("resourceSpans").get(0).get("scopeSpans").get(0).get("spans").get(0);
    Span first = Spans.spans(r.bytes()).get(0);
    assertThat(span.get("traceId").asText()).isEqualTo(HexFormat.of().formatHex(first.getTraceId().toByteArray()));
    assertThat(span.get("spanId").asText()).isEqualTo(HexFormat.of().formatHex(first.getSpanId().toByteArray()));

    Collecting out = new Collecting();
    receiver("json", "t-json", Encoding.OTLP_JSON, true, out);
    await(Duration.ofSeconds(30), () -> out.spanIds().size() >= 4);
    assertThat(out.spanIds()).containsExactlyInAnyOrderElementsOf(Spans.spanIds(r.bytes()));
  }

  @Test
  void anOversizedRequestIsSplitAndASingleTooLargeSpanIsRefusedAndCounted() throws Exception {
    broker.createTopic("t-big", 1);
    OtlpConsumer in = exporter("big", Map.of("traces", block(Map.of("topic", "t-big")),
        "producer", block(Map.of("max_message_bytes", 4096))));
    OtlpRequest big = Spans.request(9, 20, 5, 200); // 100 spans of ~250 bytes
    assertThat(big.sizeBytes()).isGreaterThan(20_000);
    offer(in, big);
    List<ConsumerRecord<byte[], byte[]>> raw = readRaw("t-big", 8);
    assertThat(raw.size()).isGreaterThanOrEqualTo(8);
    List<String> ids = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : raw) {
      assertThat(r.value().length).isLessThanOrEqualTo(4096);
      ids.addAll(Spans.spanIds(r.value()));
    }
    assertThat(ids).containsExactlyInAnyOrderElementsOf(Spans.spanIds(big.bytes()));

    OtlpRequest huge = Spans.request(10, 1, 1, 8_000);
    offer(in, huge);
    await(Duration.ofSeconds(10), () -> counter("otelcol.exporter.dropped.spans", "component_id",
        "otelcol.exporter.kafka.big", "reason", "permanent") == 1);
  }

  @Test
  void aRefusingDownstreamPausesConsumptionAndNothingIsLost() throws Exception {
    broker.createTopic("t-pressure", 3);
    OtlpConsumer in = exporter("pressure", Map.of("traces", block(Map.of("topic", "t-pressure"))));
    Set<String> sent = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      OtlpRequest r = Spans.request(200 + i, 2, 2, 10);
      sent.addAll(Spans.spanIds(r.bytes()));
      offer(in, r);
    }
    Collecting out = new Collecting();
    out.refuseAll = true;
    receiver("pressure", "t-pressure", Encoding.OTLP_PROTO, true, out);
    String id = "otelcol.receiver.kafka.pressure";
    await(Duration.ofSeconds(30), () -> gauge("otelcol.receiver.kafka.paused", "component_id", id) == 1);
    Thread.sleep(700); // several autocommit intervals while refused
    assertThat(committed("group-pressure", "t-pressure")).as("nothing refused is committed").isZero();
    assertThat(counter("otelcol.receiver.refused.spans", "component_id", id)).isPositive();
    out.refuseAll = false;
    await(Duration.ofSeconds(30), () -> out.spanIds().size() >= sent.size());
    Thread.sleep(300);
    assertThat(out.spanIds()).hasSize(sent.size()).containsExactlyInAnyOrderElementsOf(sent);
    await(Duration.ofSeconds(10), () -> gauge("otelcol.receiver.kafka.paused", "component_id", id) == 0);
    await(Duration.ofSeconds(10), () -> committed("group-pressure", "t-pressure") == 30);
  }

  @Test
  void malformedRecordsAreCountedAndSkipped() throws Exception {
    broker.createTopic("t-bad", 1);
    OtlpRequest good = Spans.request(300, 1, 3, 10);
    Map<String, Object> p = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(),
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class,
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
      producer.send(new ProducerRecord<>("t-bad", "not protobuf at all \u00ff".getBytes(StandardCharsets.UTF_8))).get();
      producer.send(new ProducerRecord<>("t-bad", new byte[] {0x0a, 0x7f, 0x01})).get(); // truncated field
      producer.send(new ProducerRecord<>("t-bad", null, null)).get(); // no value
      producer.send(new ProducerRecord<>("t-bad", good.bytes())).get();
    }
    Collecting out = new Collecting();
    receiver("bad", "t-bad", Encoding.OTLP_PROTO, true, out);
    await(Duration.ofSeconds(30), () -> out.spanIds().size() >= 3);
    assertThat(out.spanIds()).containsExactlyInAnyOrderElementsOf(Spans.spanIds(good.bytes()));
    assertThat(counter("otelcol.receiver.kafka.records.malformed", "component_id", "otelcol.receiver.kafka.bad"))
        .isEqualTo(3);
    await(Duration.ofSeconds(10), () -> committed("group-bad", "t-bad") == 4);
  }

  @Test
  void tlsWithTheBrokersCaOrSkipVerifyDeliversAndAnUntrustedCertificateDeliversNothing() throws Exception {
    Map<String, Map<String, Object>> trusted = new LinkedHashMap<>();
    trusted.put("ca", Map.of("ca_file", broker.caPem().toString()));
    trusted.put("skip", Map.of("insecure_skip_verify", true));
    trusted.put("name", Map.of("ca_file", broker.caPem().toString(), "server_name", "localhost"));
    for (Map.Entry<String, Map<String, Object>> e : trusted.entrySet()) {
      String topic = "t-tls-" + e.getKey();
      broker.createTopic(topic, 1);
      OtlpConsumer in = exporter("tls" + e.getKey(), Map.of("brokers", List.of(broker.tlsBootstrap()),
          "traces", block(Map.of("topic", topic)), "tls", block(e.getValue())));
      OtlpRequest r = Spans.request(e.getKey().hashCode(), 1, 2, 5);
      offer(in, r);
      List<ConsumerRecord<byte[], byte[]>> raw = readRaw(topic, 1);
      assertThat(raw).as(e.getKey()).hasSize(1);
      assertThat(raw.get(0).value()).isEqualTo(r.bytes());
    }
    // the system CAs do not know the throw-away certificate; a wrong server_name fails the check too
    Map<String, Map<String, Object>> untrusted = new LinkedHashMap<>();
    untrusted.put("system", Map.of());
    untrusted.put("wrongname", Map.of("ca_file", broker.caPem().toString(), "server_name", "other.example"));
    for (Map.Entry<String, Map<String, Object>> e : untrusted.entrySet()) {
      String topic = "t-tls-" + e.getKey();
      broker.createTopic(topic, 1);
      String label = "tls" + e.getKey();
      OtlpConsumer in = exporter(label, Map.of("brokers", List.of(broker.tlsBootstrap()), "timeout", "1s",
          "traces", block(Map.of("topic", topic)), "tls", block(e.getValue()), "retry_on_failure", block(fastRetry())));
      offer(in, Spans.request(5, 1, 1, 5));
      await(Duration.ofSeconds(20), () -> counter("otelcol.exporter.retries", "component_id",
          "otelcol.exporter.kafka." + label) > 0);
      assertThat(readRaw(topic, 1, Duration.ofSeconds(2))).as(e.getKey()).isEmpty();
    }
  }

  @Test
  void saslPlainAndScramAuthenticateAndAWrongPasswordDeliversNothing() throws Exception {
    for (String mechanism : List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")) {
      String topic = "t-sasl-" + mechanism.toLowerCase().replace("-", "");
      broker.createTopic(topic, 1);
      Map<String, Object> args = new LinkedHashMap<>();
      args.put("brokers", List.of(broker.saslBootstrap()));
      args.put("traces", block(Map.of("topic", topic)));
      args.put("authentication", block(Map.of("sasl", block(Map.of("username", KafkaBroker.USER,
          "password", KafkaBroker.PASSWORD, "mechanism", mechanism)))));
      OtlpConsumer in = exporter("sasl" + mechanism.hashCode(), args);
      OtlpRequest r = Spans.request(mechanism.hashCode(), 1, 2, 5);
      offer(in, r);
      List<ConsumerRecord<byte[], byte[]>> raw = readRaw(topic, 1);
      assertThat(raw).as(mechanism).hasSize(1);
      assertThat(raw.get(0).value()).isEqualTo(r.bytes());
    }
    broker.createTopic("t-sasl-wrong", 1);
    Map<String, Object> args = new LinkedHashMap<>();
    args.put("brokers", List.of(broker.saslBootstrap()));
    args.put("timeout", "1s");
    args.put("traces", block(Map.of("topic", "t-sasl-wrong")));
    args.put("retry_on_failure", block(fastRetry()));
    args.put("authentication", block(Map.of("sasl", block(Map.of("username", KafkaBroker.USER,
        "password", "wrong-password", "mechanism", "SCRAM-SHA-512")))));
    OtlpConsumer in = exporter("saslwrong", args);
    offer(in, Spans.request(1, 1, 1, 5));
    await(Duration.ofSeconds(20), () -> counter("otelcol.exporter.send.failed.spans", "component_id",
        "otelcol.exporter.kafka.saslwrong") > 0 || counter("otelcol.exporter.retries", "component_id",
        "otelcol.exporter.kafka.saslwrong") > 0);
    assertThat(readRaw("t-sasl-wrong", 1, Duration.ofSeconds(3))).isEmpty();
  }
}
