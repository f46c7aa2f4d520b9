package io.mpac.collector.pdata;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Request metadata (HTTP headers or gRPC metadata) that a receiver passes along when
 * {@code include_metadata = true}; the batch processor groups by it ({@code metadata_keys}) and
 * exporters may forward it (e.g. {@code X-Scope-OrgID}). Keys are lower-case.
 */
public record ClientMetadata(Map<String, List<String>> values) {

  public static final ClientMetadata EMPTY = new ClientMetadata(Map.of());

  public ClientMetadata {
    TreeMap<String, List<String>> copy = new TreeMap<>();
    values.forEach((k, v) -> copy.put(k.toLowerCase(java.util.Locale.ROOT), List.copyOf(v)));
    values = java.util.Collections.unmodifiableMap(copy);
  }

  /** The values of {@code key} (any case), or an empty list. */
  public List<String> get(String key) {
    return values.getOrDefault(key.toLowerCase(java.util.Locale.ROOT), List.of());
  }

  public boolean isEmpty() {
    return values.isEmpty();
  }
}
