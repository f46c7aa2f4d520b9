package io.mpac.collector.kafka;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Schema.BlockSpec.Cardinality;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.exporter.tls.TlsBlocks;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * What the exporter and the receiver share about reaching Kafka: {@code brokers},
 * {@code protocol_version}, {@code client_id}, and the {@code authentication} / {@code tls} blocks.
 *
 * <p>{@code protocol_version}: kafka-clients negotiates each request's API version with the broker,
 * so the value does not pin a wire version. It is checked: it must be a version string, and at least
 * 2.1.0, the oldest broker this client talks to (an older one is a config error here rather than a
 * failure at run time).
 *
 * @param brokers bootstrap servers, {@code host:port}
 * @param protocolVersion as configured
 * @param clientId Kafka's {@code client.id}
 * @param security transport and authentication
 */
public record KafkaClientConfig(List<String> brokers, String protocolVersion, String clientId, KafkaSecurity security) {

  public static final String DEFAULT_CLIENT_ID = "otel-collector";
  private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?(?:\\.\\d+)?");
  private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:.]+\\]|[^:\\s\\[\\]]+):(\\d{1,5})");

  public KafkaClientConfig {
    brokers = List.copyOf(brokers);
    Objects.requireNonNull(protocolVersion, "protocolVersion");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(security, "security");
  }

  static final Schema PLAINTEXT = Schema.builder()
      .required("username", Types.STRING)
      .required("password", Types.SECRET)
      .build();

  static final Schema SASL = Schema.builder()
      .required("username", Types.STRING)
      .required("password", Types.SECRET)
      .required("mechanism", Types.STRING, "PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
      .optional("version", Types.INT, 0L, "0 or 1; the Java client always uses the current SASL handshake")
      .build();

  static final Schema AUTHENTICATION = Schema.builder()
      .block("plaintext", PLAINTEXT, Cardinality.OPTIONAL, "(deprecated) SASL PLAIN")
      .block("sasl", SASL, Cardinality.OPTIONAL)
      .block("tls", TlsBlocks.OTLP_TLS, Cardinality.OPTIONAL, "(deprecated) use the top-level tls block")
      .build();

  /** Declares the shared arguments and blocks on a component's schema. */
  public static Schema.Builder declare(Schema.Builder b, boolean brokersRequired) {
    if (brokersRequired) {
      b.required("brokers", Types.STRING_LIST, "bootstrap brokers, host:port");
    } else {
      b.optional("brokers", Types.STRING_LIST, List.of("localhost:9092"), "bootstrap brokers, host:port");
    }
    return b.required("protocol_version", Types.STRING, "Kafka version of the brokers, at least 2.1.0")
        .optional("client_id", Types.STRING, DEFAULT_CLIENT_ID, "Kafka client.id")
        .onlyValue("resolve_canonical_bootstrap_servers_only", Types.BOOL, false,
            "kafka-clients connects to the brokers as listed (Alloy's client ignores it too)")
        .refused("conn_idle_timeout", Types.DURATION, "kafka-clients' connections.max.idle.ms is left at its default")
        .block("authentication", AUTHENTICATION, Cardinality.OPTIONAL)
        .block("tls", TlsBlocks.OTLP_TLS, Cardinality.OPTIONAL, "TLS to the brokers; absent = plaintext");
  }

  /** Reads the shared arguments; problems go to {@code diags} and the result is then null. */
  public static KafkaClientConfig from(Args args, String component, List<Diagnostic> diags) {
    int before = diags.size();
    List<String> brokers = args.list("brokers");
    if (brokers.isEmpty()) diags.add(new Diagnostic(args.positionOf("brokers"), "brokers must not be empty"));
    for (String broker : brokers) {
      if (!HOST_PORT.matcher(broker).matches() || Integer.parseInt(broker.substring(broker.lastIndexOf(':') + 1)) > 65535) {
        diags.add(new Diagnostic(args.positionOf("brokers"), "broker \"" + broker + "\" is not host:port"));
      }
    }
    String version = args.string("protocol_version");
    String versionProblem = versionProblem(version);
    if (versionProblem != null) diags.add(new Diagnostic(args.positionOf("protocol_version"), versionProblem));
    KafkaSecurity security = KafkaSecurity.from(args.block("authentication"), args.block("tls"), diags);
    if (diags.size() > before) return null;
    return new KafkaClientConfig(brokers, version, args.string("client_id"), security);
  }

  /** Why {@code v} is not an acceptable protocol_version, or null. */
  static String versionProblem(String v) {
    Matcher m = VERSION.matcher(v == null ? "" : v);
    if (!m.matches()) return "protocol_version \"" + v + "\" is not a Kafka version such as \"2.1.0\"";
    int major = Integer.parseInt(m.group(1));
    int minor = Integer.parseInt(m.group(2));
    if (major < 2 || (major == 2 && minor < 1)) {
      return "protocol_version \"" + v + "\": brokers older than 2.1.0 are not supported by the Kafka client";
    }
    return null;
  }

  /** The kafka-clients properties common to producer and consumer. */
  public Map<String, Object> clientProperties() {
    Map<String, Object> p = new HashMap<>();
    p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, String.join(",", brokers));
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, clientId);
    p.putAll(security.clientProperties());
    return p;
  }

  /** Brokers and client id for log lines (no credentials). */
  public String describe() {
    return String.join(",", brokers) + " (" + security.describe() + ")";
  }

}
