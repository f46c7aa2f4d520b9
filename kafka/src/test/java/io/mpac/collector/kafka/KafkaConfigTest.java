package io.mpac.collector.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.exporter.kafka.KafkaExporterConfig;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Pipeline;
import io.mpac.collector.pipeline.PipelineBuilder;
import io.mpac.collector.receiver.kafka.KafkaReceiverConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.config.SaslConfigs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Both components' arguments, built from Alloy text through the real pipeline builder. */
class KafkaConfigTest {

  @TempDir Path dir;

  private static final String DEBUG = "otelcol.exporter.debug \"d\" { }\n";

  private Pipeline build(String config) throws ConfigException {
    return new PipelineBuilder(new PipelineBuilder.Settings(ComponentRegistry.fromClassPath(), Map.of(), dir,
        new SimpleMeterRegistry())).build(List.of(Parser.parse("k.alloy", config)), null);
  }

  private List<String> errors(String config) {
    try {
      build(config);
    } catch (ConfigException e) {
      return e.diagnostics().stream().map(Object::toString).toList();
    }
    throw new AssertionError("config was accepted:\n" + config);
  }

  private static String exporter(String body) {
    return "otelcol.exporter.kafka \"k\" {\n  protocol_version = \"3.6.0\"\n" + body + "}\n";
  }

  private static String receiver(String body) {
    return DEBUG + "otelcol.receiver.kafka \"k\" {\n  brokers = [\"b:9092\"]\n  protocol_version = \"3.6.0\"\n" + body
        + "  output {\n    traces = [otelcol.exporter.debug.d.input]\n  }\n}\n";
  }

  private static Args argsOf(Pipeline p, String name) {
    return p.nodes().stream().filter(n -> n.id().name().equals(name)).findFirst().orElseThrow().args();
  }

  @Test
  void exporterDefaultsAreAlloys() throws Exception {
    KafkaExporterConfig c = KafkaExporterConfig.from(argsOf(build(exporter("")), "otelcol.exporter.kafka"));
    assertThat(c.client().brokers()).containsExactly("localhost:9092");
    assertThat(c.client().clientId()).isEqualTo("otel-collector");
    assertThat(c.client().security()).isEqualTo(KafkaSecurity.NONE);
    assertThat(c.topics().get(io.mpac.collector.pdata.Signal.TRACES).topic()).isEqualTo("otlp_spans");
    assertThat(c.topics().get(io.mpac.collector.pdata.Signal.METRICS).topic()).isEqualTo("otlp_metrics");
    assertThat(c.topics().get(io.mpac.collector.pdata.Signal.LOGS).topic()).isEqualTo("otlp_logs");
    assertThat(c.topics().get(io.mpac.collector.pdata.Signal.LOGS).encoding()).isEqualTo(Encoding.OTLP_PROTO);
    assertThat(c.producer()).isEqualTo(KafkaExporterConfig.Producer.DEFAULTS);
    assertThat(c.producer().acks()).isEqualTo("1");
    assertThat(c.partitionTracesById()).isFalse();
    assertThat(c.timeout()).hasSeconds(5);
  }

  @Test
  void deprecatedTopLevelTopicAndEncodingApplyUnlessASignalBlockSetsItsOwn() throws Exception {
    KafkaExporterConfig c = KafkaExporterConfig.from(argsOf(build(exporter("""
          topic = "all"
          encoding = "otlp_json"
          logs {
            topic = "just-logs"
            encoding = "otlp_proto"
          }
        """)), "otelcol.exporter.kafka"));
    assertThat(c.topics().get(io.mpac.collector.pdata.Signal.TRACES).topic()).isEqualTo("all");
    assertThat(c.topics().get(io.mpac.collector.pdata.Signal.TRACES).encoding()).isEqualTo(Encoding.OTLP_JSON);
    assertThat(c.topics().get(io.mpac.collector.pdata.Signal.LOGS).topic()).isEqualTo("just-logs");
    assertThat(c.topics().get(io.mpac.collector.pdata.Signal.LOGS).encoding()).isEqualTo(Encoding.OTLP_PROTO);
  }

  @Test
  void otherEncodingsAreAPositionedError() {
    assertThat(errors(exporter("  traces {\n    encoding = \"jaeger_proto\"\n  }\n")))
        .containsExactly("k.alloy:4:5: encoding \"jaeger_proto\" is not supported; use one of [otlp_proto, otlp_json]");
    assertThat(errors(exporter("  encoding = \"zipkin_json\"\n")))
        .containsExactly("k.alloy:3:3: encoding \"zipkin_json\" is not supported; use one of [otlp_proto, otlp_json]");
    assertThat(errors(receiver("  logs {\n    encoding = \"raw\"\n  }\n")).toString()).contains("raw");
  }

  @Test
  void unimplementedAlloyArgumentsAreRefusedByName() {
    assertThat(errors(exporter("  topic_from_attribute = \"svc\"\n")))
        .containsExactly("k.alloy:3:3: attribute \"topic_from_attribute\" in otelcol.exporter.kafka is not supported by "
            + "mpac-collector: every record of a signal goes to that signal's topic");
    assertThat(errors(exporter("  partition_logs_by_trace_id = true\n")).get(0))
        .startsWith("k.alloy:3:3: attribute \"partition_logs_by_trace_id\" in otelcol.exporter.kafka: only false");
    assertThat(errors(exporter("  include_metadata_keys = [\"a\"]\n")).get(0))
        .startsWith("k.alloy:3:3: attribute \"include_metadata_keys\"");
    assertThat(errors(exporter("  conn_idle_timeout = \"1m\"\n")).get(0)).startsWith("k.alloy:3:3: attribute \"conn_idle_timeout\"");
    assertThat(errors(exporter("  producer {\n    max_broker_write_bytes = 200000000\n  }\n")).get(0))
        .startsWith("k.alloy:4:5: attribute \"max_broker_write_bytes\"");
    assertThat(errors(exporter("  traces {\n    topic_from_metadata_key = \"t\"\n  }\n")).get(0))
        .startsWith("k.alloy:4:5: attribute \"topic_from_metadata_key\"");
    assertThat(errors(exporter("  metadata {\n  }\n")).get(0)).startsWith("k.alloy:3:3: unknown block \"metadata\"");
    assertThat(errors(exporter("  authentication {\n    kerberos {\n    }\n  }\n")).get(0))
        .startsWith("k.alloy:4:5: unknown block \"kerberos\"");
    assertThat(errors(receiver("  use_leader_epoch = false\n")).get(0)).contains("k.alloy:5:3: attribute \"use_leader_epoch\"");
    assertThat(errors(receiver("  header_extraction {\n  }\n")).get(0)).contains("unknown block \"header_extraction\"");
  }

  @Test
  void producerAndSignalSettingsReachTheProducer() throws Exception {
    KafkaExporterConfig c = KafkaExporterConfig.from(argsOf(build(exporter("""
          signal_header = true
          client_id = "gw-1"
          metrics {
            encoding = "otlp_json"
          }
          producer {
            required_acks = -1
            compression = "zstd"
            flush_max_messages = 500
            linger = "25ms"
          }
        """)), "otelcol.exporter.kafka"));
    assertThat(c.signalHeader()).isTrue();
    assertThat(c.client().clientId()).isEqualTo("gw-1");
    assertThat(c.topics().get(io.mpac.collector.pdata.Signal.METRICS).encoding()).isEqualTo(Encoding.OTLP_JSON);
    assertThat(c.topics().get(io.mpac.collector.pdata.Signal.TRACES).encoding()).isEqualTo(Encoding.OTLP_PROTO);
    assertThat(c.producer().acks()).isEqualTo("all");
    assertThat(c.producer().compression()).isEqualTo("zstd");
    assertThat(c.producer().flushMaxMessages()).isEqualTo(500);
    assertThat(c.producer().linger()).hasMillis(25);
    assertThat(c.client().clientProperties().get(CommonClientConfigs.CLIENT_ID_CONFIG)).isEqualTo("gw-1");
  }

  @Test
  void tlsReloadIntervalIsRefused() {
    assertThat(errors(exporter("  tls {\n    reload_interval = \"1m\"\n  }\n")))
        .containsExactly("k.alloy:4:5: reload_interval is not supported for Kafka: the client reads its TLS files once, at start");
    assertThat(errors(receiver("  authentication {\n    tls {\n      reload_interval = \"1m\"\n    }\n  }\n")).get(0))
        .startsWith("k.alloy:7:7: reload_interval is not supported for Kafka");
  }

  @Test
  void producerSettingsAreCheckedAtTheirPositions() {
    assertThat(errors(exporter("  producer {\n    required_acks = 2\n    compression = \"brotli\"\n"
        + "    flush_max_messages = 0\n    max_message_bytes = 10\n  }\n")))
        .containsExactlyInAnyOrder(
            "k.alloy:4:5: required_acks must be 0, 1 or -1, got 2",
            "k.alloy:5:5: compression \"brotli\" is not one of [none, gzip, snappy, lz4, zstd]",
            "k.alloy:6:5: flush_max_messages must be between 1 and 1000000",
            "k.alloy:7:5: max_message_bytes must be between 1024 and 104857600");
  }

  @Test
  void clientSettingsAreChecked() {
    assertThat(errors("otelcol.exporter.kafka \"k\" {\n  protocol_version = \"0.10.2\"\n  brokers = [\"nohost\"]\n}\n"))
        .containsExactlyInAnyOrder(
            "k.alloy:3:3: broker \"nohost\" is not host:port",
            "k.alloy:2:3: protocol_version \"0.10.2\": brokers older than 2.1.0 are not supported by the Kafka client");
    assertThat(errors("otelcol.exporter.kafka \"k\" {\n}\n").toString()).contains("protocol_version");
    assertThat(errors(exporter("  authentication {\n    sasl {\n      username = \"u\"\n      password = \"p\"\n"
        + "      mechanism = \"AWS_MSK_IAM\"\n    }\n  }\n")))
        .containsExactly("k.alloy:7:7: SASL mechanism \"AWS_MSK_IAM\" is not supported; use one of "
            + "[PLAIN, SCRAM-SHA-256, SCRAM-SHA-512]");
  }

  @Test
  void saslAndTlsBecomeClientPropertiesAndThePasswordIsNeverPrinted() throws Exception {
    Pipeline p = build(exporter("""
          authentication {
            sasl {
              username = "gw"
              password = "s3cr3t-pw"
              mechanism = "SCRAM-SHA-512"
            }
          }
          tls {
            insecure_skip_verify = true
          }
        """));
    Args args = argsOf(p, "otelcol.exporter.kafka");
    assertThat(args.toString()).doesNotContain("s3cr3t-pw");
    KafkaExporterConfig c = KafkaExporterConfig.from(args);
    assertThat(c.toString()).doesNotContain("s3cr3t-pw");
    Map<String, Object> props = c.client().clientProperties();
    assertThat(props.get(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG)).isEqualTo("SASL_SSL");
    assertThat(props.get(SaslConfigs.SASL_MECHANISM)).isEqualTo("SCRAM-SHA-512");
    // kafka-clients' Password type: its toString (what ProducerConfig logs) is hidden
    assertThat(props.get(SaslConfigs.SASL_JAAS_CONFIG).toString()).doesNotContain("s3cr3t-pw");
    assertThat(props.get(KafkaSslEngineFactory.SETTINGS_KEY)).isNotNull();

    KafkaExporterConfig plain = KafkaExporterConfig.from(argsOf(build(exporter("  authentication {\n    plaintext {\n"
        + "      username = \"u\"\n      password = \"p\"\n    }\n  }\n  tls {\n    insecure = true\n  }\n")),
        "otelcol.exporter.kafka"));
    assertThat(plain.client().security().protocol()).isEqualTo("SASL_PLAINTEXT");
    assertThat(plain.client().security().sasl().mechanism()).isEqualTo("PLAIN");
  }

  @Test
  void receiverArgumentsBecomeConsumerProperties() throws Exception {
    KafkaReceiverConfig c = KafkaReceiverConfig.from(argsOf(build(receiver("""
          group_id = "writers"
          group_instance_id = "w-1"
          initial_offset = "earliest"
          group_rebalance_strategies = ["cooperative-sticky", "range"]
          max_fetch_size = 0
          max_fetch_wait = "40ms"
          max_partition_fetch_size = 65536
          min_fetch_size = 1024
          rack_id = "use1-az1"
          traces {
            topics = ["a", "b"]
          }
          autocommit {
            enable = false
          }
          message_marking {
            after_execution = true
            include_unsuccessful = true
          }
        """)), "otelcol.receiver.kafka"));
    assertThat(c.topics().keySet()).containsExactlyInAnyOrder("a", "b");
    assertThat(c.autocommit()).isFalse();
    assertThat(c.afterExecution()).isTrue();
    assertThat(c.includeUnsuccessful()).isTrue();
    Map<String, Object> p = c.consumerProperties();
    assertThat(p.get(ConsumerConfig.GROUP_ID_CONFIG)).isEqualTo("writers");
    assertThat(p.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)).isEqualTo("w-1");
    assertThat(p.get(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG)).isEqualTo("earliest");
    assertThat(p.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG)).isEqualTo(false);
    assertThat(p.get(ConsumerConfig.FETCH_MAX_BYTES_CONFIG)).isEqualTo(Integer.MAX_VALUE);
    assertThat(p.get(ConsumerConfig.CLIENT_RACK_CONFIG)).isEqualTo("use1-az1");
    assertThat(p.get(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG)).isEqualTo(40);
    assertThat(p.get(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG)).isEqualTo(65536);
    assertThat(p.get(ConsumerConfig.FETCH_MIN_BYTES_CONFIG)).isEqualTo(1024);
    assertThat(p.get(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG).toString())
        .contains("CooperativeStickyAssignor", "RangeAssignor");
  }

  @Test
  void receiverChecksItsArguments() {
    assertThat(errors(receiver("  initial_offset = \"oldest\"\n")))
        .containsExactly("k.alloy:5:3: initial_offset must be \"latest\" or \"earliest\", got \"oldest\"");
    assertThat(errors(receiver("  group_rebalance_strategy = \"fair\"\n")).get(0)).contains("k.alloy:5:3:", "fair");
    assertThat(errors(receiver("  heartbeat_interval = \"20s\"\n")).get(0))
        .isEqualTo("k.alloy:5:3: heartbeat_interval must be below session_timeout");
    assertThat(errors(DEBUG + "otelcol.receiver.kafka \"k\" {\n  brokers = [\"b:1\"]\n  protocol_version = \"3.6.0\"\n"
        + "  traces {\n    topics = [\"x\"]\n  }\n  logs {\n    topics = [\"x\"]\n  }\n  output {\n"
        + "    traces = [otelcol.exporter.debug.d.input]\n    logs = [otelcol.exporter.debug.d.input]\n  }\n}\n").get(0))
        .contains("topic \"x\" is read for traces and logs");
  }
}
