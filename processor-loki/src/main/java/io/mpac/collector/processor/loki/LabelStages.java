package io.mpac.collector.processor.loki;

import java.util.List;
import java.util.Map;

/** The small stages that move values between the extracted map, labels, metadata and the line. */
final class LabelStages {

  private LabelStages() {}

  /** name → extracted key pairs, with an empty key meaning the name itself. */
  private static String[][] pairs(Map<String, String> values) {
    String[][] out = new String[values.size()][];
    int i = 0;
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(values).entrySet()) {
      String key = e.getValue() == null || e.getValue().isEmpty() ? e.getKey() : e.getValue();
      out[i++] = new String[] {e.getKey(), key.intern()}; // interned: see Extracted
    }
    return out;
  }

  /** {@code stage.labels}: sets each label whose extracted value exists and is not empty. */
  static Stage fromExtracted(Map<String, String> values) {
    String[][] p = pairs(values);
    return entry -> {
      for (String[] kv : p) {
        String v = entry.extracted.get(kv[1]);
        if (v != null && !v.isEmpty()) entry.setLabel(kv[0], v);
      }
    };
  }

  /**
   * {@code stage.structured_metadata}: adds each existing, non-empty extracted value to the
   * metadata; a label of the same name is removed so the value is not both.
   */
  static Stage structuredMetadata(Map<String, String> values) {
    String[][] p = pairs(values);
    return entry -> {
      for (String[] kv : p) {
        String v = entry.extracted.get(kv[1]);
        if (v != null && !v.isEmpty()) {
          entry.putMetadata(kv[0], v);
          entry.removeLabel(kv[0]);
        }
      }
    };
  }

  /** {@code stage.static_labels}. */
  static Stage staticLabels(Map<String, String> values) {
    String[][] p = new String[values.size()][];
    int i = 0;
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(values).entrySet()) {
      p[i++] = new String[] {e.getKey(), e.getValue() == null ? "" : e.getValue()};
    }
    return entry -> {
      for (String[] kv : p) entry.setLabel(kv[0], kv[1]);
    };
  }

  /** {@code stage.label_drop}. */
  static Stage drop(List<String> names) {
    String[] n = names.toArray(new String[0]);
    return entry -> {
      for (String name : n) entry.removeLabel(name);
    };
  }

  /** {@code stage.label_keep}. */
  static Stage keep(List<String> names) {
    java.util.Set<String> keep = java.util.Set.copyOf(names);
    return entry -> {
      for (String name : entry.labelNames()) {
        if (!keep.contains(name)) entry.removeLabel(name);
      }
    };
  }

  /** {@code stage.output}. */
  static Stage output(String source) {
    String key = source.intern();
    return entry -> {
      String v = entry.extracted.get(key);
      if (v != null) entry.line = v;
    };
  }
}
