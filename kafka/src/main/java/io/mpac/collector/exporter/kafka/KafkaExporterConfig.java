package io.mpac.collector.exporter.kafka;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.DebugMetrics;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Schema.BlockSpec.Cardinality;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.exporter.DeliveryBlocks;
import io.mpac.collector.exporter.QueueConfig;
import io.mpac.collector.exporter.RetryConfig;
import io.mpac.collector.kafka.DefaultTopics;
import io.mpac.collector.kafka.Encoding;
import io.mpac.collector.kafka.KafkaClientConfig;
import io.mpac.collector.pdata.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Arguments of {@code otelcol.exporter.kafka}, with Alloy's names and defaults.
 *
 * <pre>
 * otelcol.exporter.kafka "gateway" {
 *   brokers          = ["b-1.msk:9098"]
 *   protocol_version = "3.6.0"
 *   traces { topic = "otlp_spans" }            // and metrics { }, logs { }: topic, encoding
 *   partition_traces_by_id = true              // key = trace id; a request is split per trace
 *   producer { max_message_bytes = 1000000  required_acks = -1  compression = "zstd" }
 *   sending_queue { storage = otelcol.storage.file.q.handler }
 *   retry_on_failure { max_elapsed_time = "0s" }
 * }
 * </pre>
 *
 * @param client brokers, client id, security
 * @param timeout how long one send attempt waits for the brokers' acknowledgements
 * @param topics per signal: topic and encoding
 * @param partitionTracesById key trace records by trace id, one record per trace
 * @param partitionMetricsByResourceAttributes key metric records by a hash of the resource's attributes,
 *     one record per resource
 * @param signalHeader add the {@code otelcol.signal} header to every record
 * @param producer producer settings
 * @param queue the sending queue
 * @param retry the retry policy
 */
public record KafkaExporterConfig(KafkaClientConfig client, Duration timeout, Map<Signal, SignalTopic> topics,
    boolean partitionTracesById, boolean partitionMetricsByResourceAttributes, boolean signalHeader,
    Producer producer, QueueConfig queue, RetryConfig retry) {

  static final String COMPONENT = KafkaExporterFactory.NAME;

  /** Where one signal goes and how it is written. */
  public record SignalTopic(String topic, Encoding encoding) {
    public SignalTopic {
      Objects.requireNonNull(topic, "topic");
      Objects.requireNonNull(encoding, "encoding");
    }
  }

  /** Kafka's {@code compression.type} names. */
  public static final List<String> COMPRESSIONS = List.of("none", "gzip", "snappy", "lz4", "zstd");

  /**
   * The {@code producer} block.
   *
   * @param maxMessageBytes the largest record value; a larger request is split at item boundaries
   * @param requiredAcks 0 (none), 1 (leader) or -1 (all in-sync replicas)
   * @param compression one of {@link #COMPRESSIONS}
   * @param flushMaxMessages records one send attempt hands to the producer before it waits for their
   *     acknowledgements
   * @param linger how long the producer waits to fill a batch
   */
  public record Producer(int maxMessageBytes, int requiredAcks, String compression, int flushMaxMessages,
      Duration linger) {

    public static final Producer DEFAULTS = new Producer(1_000_000, 1, "none", 10_000, Duration.ofMillis(10));

    public Producer {
      if (maxMessageBytes < 1024) throw new IllegalArgumentException("max_message_bytes must be at least 1024");
      if (requiredAcks != 0 && requiredAcks != 1 && requiredAcks != -1) {
        throw new IllegalArgumentException("required_acks must be 0, 1 or -1");
      }
      if (!COMPRESSIONS.contains(compression)) throw new IllegalArgumentException("unknown compression " + compression);
      if (flushMaxMessages < 1) throw new IllegalArgumentException("flush_max_messages must be at least 1");
      if (linger.isNegative()) throw new IllegalArgumentException("linger must not be negative");
    }

    /** Kafka's {@code acks}. */
    public String acks() {
      return requiredAcks == -1 ? "all" : Integer.toString(requiredAcks);
    }
  }

  static final Schema SIGNAL_SCHEMA = Schema.builder()
      .optional("topic", Types.STRING, null, "topic of this signal")
      .optional("encoding", Types.STRING, null, "otlp_proto or otlp_json")
      .refused("topic_from_metadata_key", Types.STRING, "request metadata does not reach exporters")
      .refused("message_key_from_metadata_key", Types.STRING, "request metadata does not reach exporters")
      .build();

  static final Schema PRODUCER_SCHEMA = Schema.builder()
      .optional("max_message_bytes", Types.INT, (long) Producer.DEFAULTS.maxMessageBytes(),
          "largest record value; larger requests are split at item boundaries")
      .optional("required_acks", Types.INT, (long) Producer.DEFAULTS.requiredAcks(), "0, 1 or -1 (all in-sync replicas)")
      .optional("compression", Types.STRING, Producer.DEFAULTS.compression(), "none, gzip, snappy, lz4 or zstd")
      .optional("flush_max_messages", Types.INT, (long) Producer.DEFAULTS.flushMaxMessages(),
          "records handed to the producer before waiting for their acknowledgements")
      .optional("linger", Types.DURATION, Producer.DEFAULTS.linger(), "how long a batch waits for more records")
      .refused("max_broker_write_bytes", Types.INT, "kafka-clients has no such limit; max_message_bytes bounds a request")
      .build();

  public static final Schema SCHEMA = KafkaClientConfig.declare(Schema.builder(), false)
      .optional("timeout", Types.DURATION, Duration.ofSeconds(5), "how long one send waits for acknowledgements")
      .optional("topic", Types.STRING, null, "(deprecated) topic of every signal; use traces/metrics/logs { topic }")
      .optional("encoding", Types.STRING, "otlp_proto", "(deprecated) encoding of every signal")
      .optional("partition_traces_by_id", Types.BOOL, false, "key = trace id; requests are split per trace")
      .optional("partition_metrics_by_resource_attributes", Types.BOOL, false,
          "key = hash of the resource attributes; requests are split per resource")
      .onlyValue("partition_logs_by_resource_attributes", Types.BOOL, false, "log records are not partitioned")
      .onlyValue("partition_logs_by_trace_id", Types.BOOL, false, "log records are not partitioned")
      .optional("signal_header", Types.BOOL, false, "add the otelcol.signal header to every record")
      .onlyValue("allow_auto_topic_creation", Types.BOOL, true,
          "the producer cannot turn it off; the brokers' auto.create.topics.enable decides")
      .refused("topic_from_attribute", Types.STRING, "every record of a signal goes to that signal's topic")
      .refused("include_metadata_keys", Types.STRING_LIST, "request metadata does not reach exporters")
      .block("traces", SIGNAL_SCHEMA, Cardinality.OPTIONAL)
      .block("metrics", SIGNAL_SCHEMA, Cardinality.OPTIONAL)
      .block("logs", SIGNAL_SCHEMA, Cardinality.OPTIONAL)
      .block("producer", PRODUCER_SCHEMA, Cardinality.OPTIONAL)
      .block("sending_queue", QueueConfig.SCHEMA, Cardinality.OPTIONAL)
      .block("retry_on_failure", RetryConfig.SCHEMA, Cardinality.OPTIONAL)
      .block("debug_metrics", DebugMetrics.SCHEMA, Cardinality.OPTIONAL, DebugMetrics.DOC)
      .build();

  public KafkaExporterConfig {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(producer, "producer");
    Objects.requireNonNull(queue, "queue");
    Objects.requireNonNull(retry, "retry");
    topics = Map.copyOf(topics);
    if (topics.size() != Signal.values().length) throw new IllegalArgumentException("a topic per signal");
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be greater than 0");
    }
  }

  /** Reads and checks the component's arguments, reporting every problem at once. */
  public static KafkaExporterConfig from(Args args) throws ConfigException {
    List<Diagnostic> diags = new ArrayList<>();
    KafkaClientConfig client = KafkaClientConfig.from(args, COMPONENT, diags);
    Duration timeout = args.duration("timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      diags.add(new Diagnostic(args.positionOf("timeout"), "timeout must be greater than 0"));
    }
    Map<Signal, SignalTopic> topics = new EnumMap<>(Signal.class);
    for (Signal s : Signal.values()) {
      SignalTopic t = signalTopic(args, s, diags);
      if (t != null) topics.put(s, t);
    }
    Producer producer = producer(args.blockOrDefaults("producer"), diags);
    DeliveryBlocks delivery = DeliveryBlocks.from(args, diags);
    QueueConfig queue = delivery.queue();
    RetryConfig retry = delivery.retry();
    if (!diags.isEmpty()) throw new ConfigException(diags);
    return new KafkaExporterConfig(client, timeout, topics, args.bool("partition_traces_by_id"),
        args.bool("partition_metrics_by_resource_attributes"), args.bool("signal_header"), producer, queue, retry);
  }

  /** The signal block's topic and encoding, else the deprecated top-level ones, else the defaults. */
  private static SignalTopic signalTopic(Args args, Signal s, List<Diagnostic> diags) {
    Args block = args.block(s.lowerName());
    String topic = block != null && block.isSet("topic") ? block.string("topic")
        : args.isSet("topic") ? args.string("topic") : DefaultTopics.of(s);
    Args encodingAt = block != null && block.isSet("encoding") ? block : args;
    String encodingName = encodingAt.string("encoding");
    Encoding encoding = Encoding.parse(encodingName);
    Diagnostic bad = new Diagnostic(encodingAt.positionOf("encoding"), Encoding.unsupported(encodingName));
    if (encoding == null && !diags.contains(bad)) diags.add(bad); // the top-level one once, not per signal
    if (topic.isEmpty()) {
      Args at = block != null && block.isSet("topic") ? block : args;
      diags.add(new Diagnostic(at.positionOf("topic"), "the " + s.lowerName() + " topic must not be empty"));
    }
    return encoding == null || topic.isEmpty() ? null : new SignalTopic(topic, encoding);
  }

  private static Producer producer(Args p, List<Diagnostic> diags) {
    int before = diags.size();
    long max = p.integer("max_message_bytes");
    if (max < 1024 || max > 100L * 1024 * 1024) {
      diags.add(new Diagnostic(p.positionOf("max_message_bytes"), "max_message_bytes must be between 1024 and 104857600"));
    }
    long acks = p.integer("required_acks");
    if (acks != 0 && acks != 1 && acks != -1) {
      diags.add(new Diagnostic(p.positionOf("required_acks"), "required_acks must be 0, 1 or -1, got " + acks));
    }
    String compression = p.string("compression");
    if (!COMPRESSIONS.contains(compression)) {
      diags.add(new Diagnostic(p.positionOf("compression"), "compression \"" + compression + "\" is not one of "
          + COMPRESSIONS));
    }
    long flush = p.integer("flush_max_messages");
    if (flush < 1 || flush > 1_000_000) {
      diags.add(new Diagnostic(p.positionOf("flush_max_messages"), "flush_max_messages must be between 1 and 1000000"));
    }
    Duration linger = p.duration("linger");
    if (linger.isNegative() || linger.toMillis() > 60_000) {
      diags.add(new Diagnostic(p.positionOf("linger"), "linger must be between 0s and 1m"));
    }
    if (diags.size() > before) return null;
    return new Producer((int) max, (int) acks, compression, (int) flush, linger);
  }
}
