package io.mpac.collector.receiver.kafka;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.DebugMetrics;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Schema.BlockSpec.Cardinality;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.consumer.FanoutConsumer;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.kafka.DefaultTopics;
import io.mpac.collector.kafka.Encoding;
import io.mpac.collector.kafka.KafkaClientConfig;
import io.mpac.collector.pdata.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.clients.consumer.StickyAssignor;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Arguments of {@code otelcol.receiver.kafka}, with Alloy's names and defaults.
 *
 * <pre>
 * otelcol.receiver.kafka "writer" {
 *   brokers          = ["b-1.msk:9098"]
 *   protocol_version = "3.6.0"
 *   group_id         = "otel-writers"
 *   initial_offset   = "earliest"
 *   traces { topics = ["otlp_spans"] }                 // and metrics { }, logs { }
 *   message_marking { after_execution = true }         // commit only what was handed on
 *   output { traces = [otelcol.exporter.otlp.tempo.input] }
 * }
 * </pre>
 *
 * @param client brokers, client id, security
 * @param groupId consumer group
 * @param groupInstanceId static membership id, "" for dynamic membership
 * @param assignors Kafka assignor classes, in order of preference
 * @param initialOffset "earliest" or "latest": where a group without a committed offset starts
 * @param heartbeatInterval Kafka's heartbeat.interval.ms
 * @param sessionTimeout Kafka's session.timeout.ms
 * @param fetch fetch sizes and wait
 * @param rackId Kafka's client.rack, "" for none
 * @param autocommit commit marked offsets every {@code interval}, else after every polled batch
 * @param autocommitInterval how often to commit with autocommit on
 * @param afterExecution mark a record only after its data was accepted downstream
 * @param includeUnsuccessful with afterExecution, mark records whose data was rejected for good
 * @param topics topic name to the signal and encoding read from it
 * @param outputs per signal, where its data goes (signals without an output are not consumed; with
 *     none at all, nothing is read)
 */
public record KafkaReceiverConfig(KafkaClientConfig client, String groupId, String groupInstanceId,
    List<Class<?>> assignors, String initialOffset, Duration heartbeatInterval, Duration sessionTimeout, Fetch fetch,
    String rackId, boolean autocommit, Duration autocommitInterval, boolean afterExecution,
    boolean includeUnsuccessful, Map<String, TopicSource> topics, Map<Signal, OtlpConsumer> outputs) {

  static final String COMPONENT = KafkaReceiverFactory.NAME;

  /** What one topic holds. */
  public record TopicSource(Signal signal, Encoding encoding) {}

  /** Fetch settings, in Kafka's units. */
  public record Fetch(int maxBytes, Duration maxWait, int maxPartitionBytes, int minBytes) {}

  private static final Map<String, Class<?>> ASSIGNORS = Map.of("range", RangeAssignor.class, "roundrobin",
      RoundRobinAssignor.class, "sticky", StickyAssignor.class, "cooperative-sticky", CooperativeStickyAssignor.class);

  static final Schema SIGNAL_SCHEMA = Schema.builder()
      .optional("encoding", Types.STRING, null, "otlp_proto or otlp_json")
      .optional("topic", Types.STRING, "", "(deprecated) one topic; wins over topics")
      .optional("topics", Types.STRING_LIST, null, "topics of this signal")
      .build();

  static final Schema OUTPUT = Schema.builder()
      .optional("traces", Types.consumersOf(Signal.TRACES), List.of())
      .optional("metrics", Types.consumersOf(Signal.METRICS), List.of())
      .optional("logs", Types.consumersOf(Signal.LOGS), List.of())
      .build();

  static final Schema AUTOCOMMIT = Schema.builder()
      .optional("enable", Types.BOOL, true, "commit marked offsets every interval; false: after every polled batch")
      .optional("interval", Types.DURATION, Duration.ofSeconds(1), "how often to commit")
      .build();

  static final Schema MESSAGE_MARKING = Schema.builder()
      .optional("after_execution", Types.BOOL, false, "mark a record only once its data was accepted downstream")
      .optional("include_unsuccessful", Types.BOOL, false, "with after_execution: also mark rejected records")
      .build();

  public static final Schema SCHEMA = KafkaClientConfig.declare(Schema.builder(), true)
      .optional("encoding", Types.STRING, "otlp_proto", "(deprecated) encoding of every signal")
      .optional("group_id", Types.STRING, "otel-collector", "consumer group")
      .optional("group_instance_id", Types.STRING, "", "static group membership id")
      .optional("group_rebalance_strategy", Types.STRING, null, "(deprecated) range, roundrobin, sticky, cooperative-sticky")
      .optional("group_rebalance_strategies", Types.STRING_LIST, List.of(), "assignors in order of preference")
      .optional("heartbeat_interval", Types.DURATION, Duration.ofSeconds(3), "Kafka heartbeat.interval.ms")
      .optional("session_timeout", Types.DURATION, Duration.ofSeconds(10), "Kafka session.timeout.ms")
      .optional("initial_offset", Types.STRING, "latest", "latest or earliest, for a group without committed offsets")
      .optional("max_fetch_size", Types.INT, 1_048_576L, "bytes per fetch; 0 = no limit")
      .optional("max_fetch_wait", Types.DURATION, Duration.ofMillis(250), "how long the broker waits for min_fetch_size")
      .optional("max_partition_fetch_size", Types.INT, 1_048_576L, "bytes per partition per fetch")
      .optional("min_fetch_size", Types.INT, 1L, "bytes the broker waits for")
      .optional("rack_id", Types.STRING, "", "Kafka client.rack")
      .onlyValue("use_leader_epoch", Types.BOOL, true, "kafka-clients always uses leader epochs (KIP-320)")
      .block("traces", SIGNAL_SCHEMA, Cardinality.OPTIONAL)
      .block("metrics", SIGNAL_SCHEMA, Cardinality.OPTIONAL)
      .block("logs", SIGNAL_SCHEMA, Cardinality.OPTIONAL)
      .block("autocommit", AUTOCOMMIT, Cardinality.OPTIONAL)
      .block("message_marking", MESSAGE_MARKING, Cardinality.OPTIONAL)
      .block("output", OUTPUT, Cardinality.REQUIRED)
      .block("debug_metrics", DebugMetrics.SCHEMA, Cardinality.OPTIONAL, DebugMetrics.DOC)
      .build();

  public KafkaReceiverConfig {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(groupId, "groupId");
    assignors = List.copyOf(assignors);
    topics = Map.copyOf(topics);
    outputs = Map.copyOf(outputs);
  }

  /** Reads and checks the component's arguments, reporting every problem at once. */
  public static KafkaReceiverConfig from(Args args) throws ConfigException {
    List<Diagnostic> diags = new ArrayList<>();
    KafkaClientConfig client = KafkaClientConfig.from(args, COMPONENT, diags);
    String groupId = args.string("group_id");
    if (groupId.isEmpty()) diags.add(new Diagnostic(args.positionOf("group_id"), "group_id must not be empty"));
    List<Class<?>> assignors = assignors(args, diags);
    String initial = args.string("initial_offset");
    if (!initial.equals("latest") && !initial.equals("earliest")) {
      diags.add(new Diagnostic(args.positionOf("initial_offset"), "initial_offset must be \"latest\" or \"earliest\", got \""
          + initial + "\""));
    }
    Duration heartbeat = positive(args, "heartbeat_interval", diags);
    Duration session = positive(args, "session_timeout", diags);
    if (heartbeat != null && session != null && heartbeat.compareTo(session) >= 0) {
      diags.add(new Diagnostic(args.positionOf("heartbeat_interval"), "heartbeat_interval must be below session_timeout"));
    }
    Fetch fetch = fetch(args, diags);

    Args out = args.blockOrDefaults("output");
    Map<Signal, OtlpConsumer> outputs = new EnumMap<>(Signal.class);
    Map<String, TopicSource> topics = new LinkedHashMap<>();
    Map<String, Signal> firstSignalOf = new HashMap<>();
    for (Signal s : Signal.values()) {
      Args block = args.block(s.lowerName());
      Args encodingAt = block != null && block.isSet("encoding") ? block : args;
      Encoding encoding = Encoding.parse(encodingAt.string("encoding"));
      if (encoding == null) { // checked for every signal, consumed or not
        Diagnostic bad = new Diagnostic(encodingAt.positionOf("encoding"), Encoding.unsupported(encodingAt.string("encoding")));
        if (!diags.contains(bad)) diags.add(bad); // the top-level one once, not per signal
        continue;
      }
      List<OtlpConsumer> consumers = out.list(s.lowerName());
      if (consumers.isEmpty()) continue;
      outputs.put(s, FanoutConsumer.of(consumers));
      for (String topic : topicsOf(block, s)) {
        Signal other = firstSignalOf.putIfAbsent(topic, s);
        if (topic.isEmpty()) {
          diags.add(new Diagnostic(block == null ? args.position() : block.position(), "topic names must not be empty"));
        } else if (other != null) {
          diags.add(new Diagnostic(block == null ? out.position() : block.position(), "topic \"" + topic + "\" is read for "
              + other.lowerName() + " and " + s.lowerName() + "; a topic holds one signal"));
        } else {
          topics.put(topic, new TopicSource(s, encoding));
        }
      }
    }
    Args ac = args.blockOrDefaults("autocommit");
    Duration interval = positive(ac, "interval", diags);
    Args mm = args.blockOrDefaults("message_marking");
    if (!diags.isEmpty()) throw new ConfigException(diags);
    return new KafkaReceiverConfig(client, groupId, args.string("group_instance_id"), assignors, initial, heartbeat,
        session, fetch, args.string("rack_id"), ac.bool("enable"), interval, mm.bool("after_execution"),
        mm.bool("include_unsuccessful"), topics, outputs);
  }

  private static List<String> topicsOf(Args block, Signal s) {
    if (block == null) return List.of(DefaultTopics.of(s));
    if (!block.string("topic").isEmpty()) return List.of(block.string("topic"));
    List<String> topics = block.isSet("topics") ? block.list("topics") : List.of(DefaultTopics.of(s));
    return topics;
  }

  private static List<Class<?>> assignors(Args args, List<Diagnostic> diags) {
    boolean one = args.isSet("group_rebalance_strategy");
    boolean many = args.isSet("group_rebalance_strategies") && !args.list("group_rebalance_strategies").isEmpty();
    if (one && many) {
      diags.add(new Diagnostic(args.positionOf("group_rebalance_strategies"),
          "set group_rebalance_strategy or group_rebalance_strategies, not both"));
    }
    List<String> names = many ? args.list("group_rebalance_strategies")
        : List.of(one ? args.string("group_rebalance_strategy") : "range");
    String attr = many ? "group_rebalance_strategies" : "group_rebalance_strategy";
    List<Class<?>> out = new ArrayList<>();
    for (String n : names) {
      Class<?> c = ASSIGNORS.get(n);
      if (c == null) {
        diags.add(new Diagnostic(args.positionOf(attr), "unknown rebalance strategy \"" + n
            + "\"; use range, roundrobin, sticky or cooperative-sticky"));
      } else {
        out.add(c);
      }
    }
    return out;
  }

  private static Fetch fetch(Args args, List<Diagnostic> diags) {
    long max = args.integer("max_fetch_size");
    long partition = args.integer("max_partition_fetch_size");
    long min = args.integer("min_fetch_size");
    Duration wait = args.duration("max_fetch_wait");
    if (max < 0 || max > Integer.MAX_VALUE) {
      diags.add(new Diagnostic(args.positionOf("max_fetch_size"), "max_fetch_size must be between 0 and 2147483647"));
    }
    if (partition < 1 || partition > Integer.MAX_VALUE) {
      diags.add(new Diagnostic(args.positionOf("max_partition_fetch_size"),
          "max_partition_fetch_size must be between 1 and 2147483647"));
    }
    if (min < 1 || min > Integer.MAX_VALUE) {
      diags.add(new Diagnostic(args.positionOf("min_fetch_size"), "min_fetch_size must be between 1 and 2147483647"));
    }
    if (wait.isNegative() || wait.toMillis() > 60_000) {
      diags.add(new Diagnostic(args.positionOf("max_fetch_wait"), "max_fetch_wait must be between 0s and 1m"));
    }
    return new Fetch(max == 0 ? Integer.MAX_VALUE : (int) max, wait, (int) Math.max(partition, 1), (int) Math.max(min, 1));
  }

  private static Duration positive(Args a, String name, List<Diagnostic> diags) {
    Duration d = a.duration(name);
    if (d.isNegative() || d.isZero()) {
      diags.add(new Diagnostic(a.positionOf(name), name + " must be greater than 0"));
      return null;
    }
    return d;
  }

  /** The consumer's properties: the shared client settings plus the group and fetch settings. */
  public Map<String, Object> consumerProperties() {
    Map<String, Object> p = client.clientProperties();
    p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    if (!groupInstanceId.isEmpty()) p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, groupInstanceId);
    p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignors.stream().map(Class::getName).toList());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, initialOffset);
    // offsets are committed by the receiver, only for what was handed on (message_marking)
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, (int) heartbeatInterval.toMillis());
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, (int) sessionTimeout.toMillis());
    p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, fetch.maxBytes());
    p.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, (int) fetch.maxWait().toMillis());
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, fetch.maxPartitionBytes());
    p.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, fetch.minBytes());
    if (!rackId.isEmpty()) p.put(ConsumerConfig.CLIENT_RACK_CONFIG, rackId);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    return p;
  }
}
