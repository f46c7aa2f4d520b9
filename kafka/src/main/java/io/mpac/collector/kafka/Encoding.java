package io.mpac.collector.kafka;

import java.util.List;

/**
 * How an OTLP request is written into a Kafka record's value. Only the two OTLP encodings are
 * implemented; Alloy's other names (Jaeger, Zipkin, raw, text, json, extensions) are config errors.
 */
public enum Encoding {
  /** The {@code Export*ServiceRequest} protobuf bytes, exactly as received. */
  OTLP_PROTO("otlp_proto"),
  /** OTLP/JSON of the same request. */
  OTLP_JSON("otlp_json");

  private final String configName;

  Encoding(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  /** The encoding named {@code s}, or null when it is not one we implement. */
  public static Encoding parse(String s) {
    for (Encoding e : values()) {
      if (e.configName.equals(s)) return e;
    }
    return null;
  }

  /** The message for an encoding we do not implement. */
  public static String unsupported(String s) {
    return "encoding \"" + s + "\" is not supported; use one of " + List.of("otlp_proto", "otlp_json");
  }
}
