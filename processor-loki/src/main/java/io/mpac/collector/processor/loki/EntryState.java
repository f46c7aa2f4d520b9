package io.mpac.collector.processor.loki;

import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LokiEntry;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One entry while it runs through the stages: labels, timestamp, line, structured metadata and the
 * extracted map stages share. Copies are made lazily, only when a stage changes something, so an
 * entry that passes untouched costs nothing. Confined to the pushing thread.
 */
final class EntryState {

  private Labels original;
  private HashMap<String, String> labels; // null until a stage changes labels
  private Labels built;
  long timestampNanos;
  String line;
  private Map<String, String> originalMetadata;
  private LinkedHashMap<String, String> metadata; // null until a stage changes metadata
  final HashMap<String, String> extracted = new HashMap<>(16);
  private String dropReason;

  EntryState(LokiEntry entry) {
    this.original = entry.labels();
    this.built = original;
    this.timestampNanos = entry.timestampNanos();
    this.line = entry.line();
    this.originalMetadata = entry.structuredMetadata();
  }

  /** The value of a label, or null. */
  String label(String name) {
    return labels != null ? labels.get(name) : original.get(name);
  }

  /** Sets a label; an empty value removes it (Prometheus semantics). */
  void setLabel(String name, String value) {
    if (value == null || value.isEmpty()) {
      removeLabel(name);
      return;
    }
    if (value.equals(label(name))) return;
    mutableLabels().put(name, value);
  }

  void removeLabel(String name) {
    if (label(name) == null) return;
    mutableLabels().remove(name);
  }

  private HashMap<String, String> mutableLabels() {
    if (labels == null) {
      labels = new HashMap<>(original.size() * 2 + 8);
      for (int i = 0; i < original.size(); i++) labels.put(original.name(i), original.value(i));
    }
    built = null;
    return labels;
  }

  /** Every label name currently set (a copy). */
  Iterable<String> labelNames() {
    if (labels != null) return new java.util.ArrayList<>(labels.keySet());
    java.util.List<String> names = new java.util.ArrayList<>(original.size());
    for (int i = 0; i < original.size(); i++) names.add(original.name(i));
    return names;
  }

  /** The current labels as an immutable set (built once per change). */
  Labels labels() {
    Labels b = built;
    if (b == null) built = b = Labels.of(labels);
    return b;
  }

  void putMetadata(String name, String value) {
    if (metadata == null) metadata = new LinkedHashMap<>(originalMetadata);
    metadata.put(name, value);
  }

  Map<String, String> metadata() {
    return metadata != null ? metadata : originalMetadata;
  }

  void drop(String reason) {
    dropReason = reason;
  }

  boolean dropped() {
    return dropReason != null;
  }

  String dropReason() {
    return dropReason;
  }

  /** The entry as it now is. */
  LokiEntry toEntry() {
    return new LokiEntry(labels(), timestampNanos, line, metadata());
  }
}
