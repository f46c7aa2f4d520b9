package io.mpac.collector.exporter.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mpac.collector.exporter.RequestSender;
import io.mpac.collector.exporter.SendOutcome;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Sends one OTLP request as Kafka records and waits for the brokers' acknowledgements: the
 * {@link io.mpac.collector.exporter.SendingQueue}'s transport. Success only when every record of the
 * request was acknowledged (per {@code required_acks}); a timeout or a retriable broker error is
 * {@link SendOutcome.Retryable} (the queue retries the whole request, so records acknowledged in the
 * failed attempt come again: at-least-once); a record the brokers will never take (too large, bad
 * topic) is {@link SendOutcome.Permanent}.
 */
final class KafkaRecordSender implements RequestSender<OtlpRequest> {

  static final String SIGNAL_HEADER = "otelcol.signal";

  private final KafkaExporterConfig config;
  private final KafkaRecords records;
  private final Counter[] produced = new Counter[Signal.values().length];
  private final Counter[] producedBytes = new Counter[Signal.values().length];
  private volatile Producer<byte[], byte[]> producer;

  KafkaRecordSender(KafkaExporterConfig config, MeterRegistry registry, Tags tags) {
    this.config = config;
    this.records = new KafkaRecords(config);
    for (Signal s : Signal.values()) {
      Tags t = tags.and("signal", s.lowerName());
      produced[s.ordinal()] = Counter.builder("otelcol.exporter.kafka.records.produced")
          .description("Kafka records acknowledged by the brokers").tags(t).register(registry);
      producedBytes[s.ordinal()] = Counter.builder("otelcol.exporter.kafka.record.bytes.produced").baseUnit("bytes")
          .description("value bytes of the acknowledged records").tags(t).register(registry);
    }
  }

  /** The producer's properties: the shared client settings plus the {@code producer} block. */
  Map<String, Object> producerProperties() {
    Map<String, Object> p = config.client().clientProperties();
    KafkaExporterConfig.Producer pc = config.producer();
    long timeoutMs = config.timeout().toMillis();
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.ACKS_CONFIG, pc.acks());
    // idempotence needs acks=all; with fewer acks it is off (Kafka refuses the combination)
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, pc.requiredAcks() == -1);
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, pc.compression());
    p.put(ProducerConfig.LINGER_MS_CONFIG, (int) pc.linger().toMillis());
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, pc.maxMessageBytes());
    // a send never blocks a worker longer than the exporter's timeout (metadata while brokers are down)
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) (timeoutMs + pc.linger().toMillis()));
    return p;
  }

  void start() {
    producer = new KafkaProducer<>(producerProperties());
  }

  /** For tests: a producer of their own (a mock or a differently configured one). */
  void start(Producer<byte[], byte[]> p) {
    producer = p;
  }

  void close(Duration timeout) {
    Producer<byte[], byte[]> p = producer;
    if (p != null) p.close(timeout);
  }

  @Override
  public SendOutcome send(OtlpRequest request, Duration timeout) throws InterruptedException {
    Producer<byte[], byte[]> p = producer;
    if (p == null) return SendOutcome.retryable("the Kafka producer is not started");
    List<KafkaRecords.Keyed> recs;
    try {
      recs = records.records(request);
    } catch (KafkaRecords.TooLarge e) {
      return SendOutcome.permanent(e.getMessage());
    } catch (IOException e) {
      return SendOutcome.permanent("cannot encode the request: " + e.getMessage());
    }
    String topic = config.topics().get(request.signal()).topic();
    long deadline = System.nanoTime() + timeout.toNanos();
    int flushMax = config.producer().flushMaxMessages();
    List<Future<RecordMetadata>> pending = new ArrayList<>(Math.min(recs.size(), flushMax));
    long bytes = 0;
    for (KafkaRecords.Keyed r : recs) {
      RecordHeaders headers = new RecordHeaders();
      if (config.signalHeader()) {
        headers.add(new RecordHeader(SIGNAL_HEADER, request.signal().lowerName().getBytes(StandardCharsets.UTF_8)));
      }
      try {
        pending.add(p.send(new ProducerRecord<>(topic, null, r.key(), r.value(), headers)));
      } catch (KafkaException e) {
        return outcome(e);
      }
      bytes += r.value().length;
      if (pending.size() >= flushMax) {
        SendOutcome o = await(pending, deadline);
        if (o != null) return o;
        pending.clear();
      }
    }
    SendOutcome o = await(pending, deadline);
    if (o != null) return o;
    produced[request.signal().ordinal()].increment(recs.size());
    producedBytes[request.signal().ordinal()].increment(bytes);
    return SendOutcome.success();
  }

  /** Waits for every future until the deadline: null when all were acknowledged, else the failure. */
  private static SendOutcome await(List<Future<RecordMetadata>> pending, long deadline) throws InterruptedException {
    for (Future<RecordMetadata> f : pending) {
      long left = deadline - System.nanoTime();
      try {
        f.get(Math.max(left, 0), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        return SendOutcome.retryable("no acknowledgement from the brokers within the timeout");
      } catch (ExecutionException e) {
        return outcome(e.getCause());
      }
    }
    return null;
  }

  /** What a producer error means for the request. */
  static SendOutcome outcome(Throwable t) {
    String reason = t.getClass().getSimpleName() + ": " + t.getMessage();
    if (t instanceof RecordTooLargeException || t instanceof RecordBatchTooLargeException
        || t instanceof InvalidTopicException) {
      return SendOutcome.permanent(reason);
    }
    // everything else may pass (brokers down, leader moving, credentials rotated): retry, never drop
    return SendOutcome.retryable(reason);
  }

  String describe() {
    return config.client().describe();
  }
}
