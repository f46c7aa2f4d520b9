package io.mpac.collector.exporter.loki;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Arguments of {@code loki.write}.
 *
 * @param externalLabels labels added to every entry (an entry's own label of the same name wins)
 * @param maxStreams most streams in one batch; entries of further streams are dropped
 *     ({@code reason="stream_limited"}); 0 = unlimited
 * @param endpoints where entries are pushed, each with its own queue, batching and retries
 */
public record LokiWriteConfig(Map<String, String> externalLabels, long maxStreams, List<EndpointConfig> endpoints) {

  static final Schema SCHEMA = Schema.builder()
      .optional("external_labels", Types.STRING_MAP, Map.of(), "labels added to every entry; the entry's own win")
      .optional("max_streams", Types.INT, 0L, "most streams per batch; entries of further streams are dropped; 0 = unlimited")
      .block("endpoint", EndpointConfig.SCHEMA, Schema.BlockSpec.Cardinality.REPEATED, "a Loki push endpoint")
      .build();

  public LokiWriteConfig {
    externalLabels = Map.copyOf(externalLabels);
    endpoints = List.copyOf(endpoints);
    if (maxStreams < 0) throw new IllegalArgumentException("max_streams must not be negative");
  }

  static LokiWriteConfig from(Args args) throws ConfigException {
    List<Diagnostic> diags = new ArrayList<>();
    long maxStreams = args.integer("max_streams");
    if (maxStreams < 0) diags.add(new Diagnostic(args.positionOf("max_streams"), "max_streams must not be negative"));
    Map<String, String> ext = args.map("external_labels");
    for (String name : ext.keySet()) {
      if (!validLabelName(name)) {
        diags.add(new Diagnostic(args.positionOf("external_labels"), "invalid label name \"" + name
            + "\" in external_labels: must match [a-zA-Z_][a-zA-Z0-9_]*"));
      }
    }
    List<EndpointConfig> endpoints = new ArrayList<>();
    for (Args e : args.blocks("endpoint")) {
      EndpointConfig c = EndpointConfig.from(e, diags);
      if (c != null) endpoints.add(c);
    }
    if (!diags.isEmpty()) throw new ConfigException(diags);
    return new LokiWriteConfig(ext, maxStreams, endpoints);
  }

  static boolean validLabelName(String name) {
    if (name.isEmpty()) return false;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
      if (!ok) return false;
    }
    return true;
  }
}
