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
 * @param wal the write-ahead log (off by default)
 */
public record LokiWriteConfig(Map<String, String> externalLabels, long maxStreams, List<EndpointConfig> endpoints,
    WalConfig wal) {

  static final Schema SCHEMA = Schema.builder()
      .optional("external_labels", Types.STRING_MAP, Map.of(), "labels added to every entry; the entry's own win")
      .optional("max_streams", Types.INT, 0L, "most streams per batch; entries of further streams are dropped; 0 = unlimited")
      .block("endpoint", EndpointConfig.SCHEMA, Schema.BlockSpec.Cardinality.REPEATED, "a Loki push endpoint")
      .block("wal", WalConfig.SCHEMA, Schema.BlockSpec.Cardinality.OPTIONAL,
          "write-ahead log: entries are on disk before they are accepted and survive restarts and crashes")
      .build();

  public LokiWriteConfig {
    externalLabels = Map.copyOf(externalLabels);
    endpoints = List.copyOf(endpoints);
    java.util.Objects.requireNonNull(wal, "wal");
    if (maxStreams < 0) throw new IllegalArgumentException("max_streams must not be negative");
  }

  /** Without a WAL. */
  public LokiWriteConfig(Map<String, String> externalLabels, long maxStreams, List<EndpointConfig> endpoints) {
    this(externalLabels, maxStreams, endpoints, WalConfig.DISABLED);
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
    WalConfig wal = WalConfig.from(args.blockOrDefaults("wal"), diags);
    if (wal != null && wal.enabled() && endpoints.size() == args.blocks("endpoint").size()) {
      // each endpoint's WAL lives in a directory named after the endpoint: names must differ
      java.util.Set<String> dirs = new java.util.HashSet<>();
      List<Args> blocks = args.blocks("endpoint");
      for (int i = 0; i < endpoints.size() && i < blocks.size(); i++) {
        if (!dirs.add(walDirName(endpoints.get(i)))) {
          diags.add(new Diagnostic(blocks.get(i).position(), "two endpoints named \"" + endpoints.get(i).name()
              + "\": with the WAL enabled every endpoint needs its own name (set name = \"...\")"));
        }
      }
    }
    if (!diags.isEmpty()) throw new ConfigException(diags);
    return new LokiWriteConfig(ext, maxStreams, endpoints, wal);
  }

  /** The directory under {@code wal/} that holds an endpoint's WAL: its name, made file-safe. */
  static String walDirName(EndpointConfig e) {
    StringBuilder sb = new StringBuilder(e.name().length());
    for (int i = 0; i < e.name().length(); i++) {
      char c = e.name().charAt(i);
      sb.append((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ? c : '_');
    }
    return sb.length() == 0 ? "_" : sb.toString();
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
