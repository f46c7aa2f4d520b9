package io.mpac.collector.processor.loki;

import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LokiEntry;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * One entry while it runs through the stages: labels, timestamp, line, structured metadata and the
 * extracted map stages share.
 *
 * <p>Built for reuse: {@link LokiProcessor} keeps one per thread and {@link #reset(LokiEntry)}s it
 * for each entry, so the arrays below are allocated once. Changes are recorded lazily, only when a
 * stage makes one: labels in sorted parallel arrays, metadata in insertion-ordered arrays. An entry
 * no stage changed comes out as the very {@link LokiEntry} that went in. Changed label sets are
 * looked up in a small per-thread cache of {@link Labels} built before, since a stream's labels
 * repeat from line to line: the usual entry builds no {@code Labels} at all. Confined to one thread.
 */
final class EntryState {

  /** Label sets remembered per thread (direct-mapped by content hash); a power of two. */
  static final int LABELS_CACHE_SIZE = 64;

  private LokiEntry source;
  private Labels original;
  private boolean labelsChanged;
  private String[] names = new String[16]; // sorted, valid while labelsChanged
  private String[] values = new String[16];
  private int labelCount;
  private Labels built; // labels() of the current arrays, null until asked
  private final Labels[] labelsCache = new Labels[LABELS_CACHE_SIZE];

  long timestampNanos;
  String line;

  private Map<String, String> originalMetadata;
  private boolean metadataChanged;
  private String[] metaNames = new String[8]; // insertion order, valid while metadataChanged
  private String[] metaValues = new String[8];
  private int metaCount;
  private final Map<String, String> metadataView = new MetadataView();

  final Extracted extracted = new Extracted();
  private String dropReason;
  private String[] scratch = new String[32];
  private char[] chars = new char[1024];

  EntryState() {}

  EntryState(LokiEntry entry) {
    reset(entry);
  }

  /** Starts over with {@code entry}: nothing changed, nothing extracted, not dropped. */
  void reset(LokiEntry entry) {
    clear();
    this.source = entry;
    this.original = entry.labels();
    this.timestampNanos = entry.timestampNanos();
    this.line = entry.line();
    this.originalMetadata = entry.structuredMetadata();
  }

  /**
   * Lets go of the last entry. The arrays are not wiped: what they still reference is overwritten
   * by later entries, so one thread keeps alive at most the arrays' worth of strings.
   */
  void clear() {
    source = null;
    original = null;
    line = null;
    originalMetadata = null;
    labelsChanged = false;
    labelCount = 0;
    built = null;
    metadataChanged = false;
    metaCount = 0;
    extracted.clear();
    dropReason = null;
  }

  // ---------------------------------------------------------------- labels

  /**
   * The index of label {@code name} in the current labels, or -1. A linear search comparing
   * cached hashes first: label sets are small, and this beats a binary search's compareTo calls.
   */
  private int find(String name) {
    int h = name.hashCode();
    if (!labelsChanged) {
      Labels o = original;
      for (int i = 0, n = o.size(); i < n; i++) {
        String k = o.name(i);
        if (k == name || (k.hashCode() == h && k.equals(name))) return i;
      }
      return -1;
    }
    String[] k = names;
    for (int i = 0; i < labelCount; i++) {
      if (k[i] == name || (k[i].hashCode() == h && k[i].equals(name))) return i;
    }
    return -1;
  }

  /** The value of a label, or null. */
  String label(String name) {
    int i = find(name);
    if (i < 0) return null;
    return labelsChanged ? values[i] : original.value(i);
  }

  /** Sets a label; an empty value removes it (Prometheus semantics). */
  void setLabel(String name, String value) {
    if (value == null || value.isEmpty()) {
      removeLabel(name);
      return;
    }
    int i = find(name);
    if (i >= 0) {
      if (value.equals(labelsChanged ? values[i] : original.value(i))) return;
      mutableLabels();
      values[i] = value;
    } else {
      mutableLabels();
      int at = -Arrays.binarySearch(names, 0, labelCount, name) - 1;
      if (labelCount == names.length) {
        names = Arrays.copyOf(names, labelCount * 2);
        values = Arrays.copyOf(values, labelCount * 2);
      }
      System.arraycopy(names, at, names, at + 1, labelCount - at);
      System.arraycopy(values, at, values, at + 1, labelCount - at);
      names[at] = name;
      values[at] = value;
      labelCount++;
    }
    built = null;
  }

  void removeLabel(String name) {
    int i = find(name);
    if (i < 0) return;
    mutableLabels();
    System.arraycopy(names, i + 1, names, i, labelCount - i - 1);
    System.arraycopy(values, i + 1, values, i, labelCount - i - 1);
    labelCount--;
    names[labelCount] = null;
    values[labelCount] = null;
    built = null;
  }

  private void mutableLabels() {
    if (labelsChanged) return;
    int n = original.size();
    if (names.length < n + 1) {
      names = new String[Math.max(16, n * 2)];
      values = new String[names.length];
    }
    for (int i = 0; i < n; i++) {
      names[i] = original.name(i);
      values[i] = original.value(i);
    }
    labelCount = n;
    labelsChanged = true;
  }

  /** Every label name currently set (a copy). */
  Iterable<String> labelNames() {
    List<String> out = new ArrayList<>(labelsChanged ? labelCount : original.size());
    if (labelsChanged) {
      for (int i = 0; i < labelCount; i++) out.add(names[i]);
    } else {
      for (int i = 0; i < original.size(); i++) out.add(original.name(i));
    }
    return out;
  }

  /** The current labels as an immutable set (the original, a cached equal set, or a new one). */
  Labels labels() {
    if (!labelsChanged) return original;
    Labels b = built;
    if (b == null) built = b = lookUpLabels();
    return b;
  }

  private Labels lookUpLabels() {
    if (sameLabels(original)) return original;
    int h = 1;
    for (int i = 0; i < labelCount; i++) h = 31 * (31 * h + names[i].hashCode()) + values[i].hashCode();
    int slot = (h ^ (h >>> 16)) & (LABELS_CACHE_SIZE - 1);
    Labels cached = labelsCache[slot];
    if (cached != null && sameLabels(cached)) return cached;
    Map<String, String> m = new HashMap<>(labelCount * 2);
    for (int i = 0; i < labelCount; i++) m.put(names[i], values[i]);
    Labels fresh = Labels.of(m);
    labelsCache[slot] = fresh;
    return fresh;
  }

  private boolean sameLabels(Labels l) {
    if (l.size() != labelCount) return false;
    for (int i = 0; i < labelCount; i++) {
      if (!l.name(i).equals(names[i]) || !l.value(i).equals(values[i])) return false;
    }
    return true;
  }

  // ---------------------------------------------------------------- metadata

  /** Sets a structured metadata value; a new name goes after the existing ones. */
  void putMetadata(String name, String value) {
    if (!metadataChanged) {
      metaCount = 0;
      for (Map.Entry<String, String> e : originalMetadata.entrySet()) appendMetadata(e.getKey(), e.getValue());
      metadataChanged = true;
    }
    int h = name.hashCode();
    for (int i = 0; i < metaCount; i++) {
      String k = metaNames[i];
      if (k == name || (k.hashCode() == h && k.equals(name))) {
        metaValues[i] = value;
        return;
      }
    }
    appendMetadata(name, value);
  }

  private void appendMetadata(String name, String value) {
    if (metaCount == metaNames.length) {
      metaNames = Arrays.copyOf(metaNames, metaCount * 2);
      metaValues = Arrays.copyOf(metaValues, metaCount * 2);
    }
    metaNames[metaCount] = name;
    metaValues[metaCount++] = value;
  }

  /**
   * The current structured metadata. When a stage changed it, a read-only view of this state's
   * arrays, valid until the next {@link #reset}; {@link LokiEntry} copies it.
   */
  Map<String, String> metadata() {
    return metadataChanged ? metadataView : originalMetadata;
  }

  // ---------------------------------------------------------------- drop, result

  void drop(String reason) {
    dropReason = reason;
  }

  boolean dropped() {
    return dropReason != null;
  }

  String dropReason() {
    return dropReason;
  }

  /** A scratch array of at least {@code length} characters, for a stage's own use during one call. */
  char[] chars(int length) {
    if (chars.length < length) chars = new char[Math.max(length, chars.length * 2)];
    return chars;
  }

  /** A scratch array of at least {@code length} elements, for a stage's own use during one call. */
  String[] scratch(int length) {
    if (scratch.length < length) scratch = new String[Math.max(length, scratch.length * 2)];
    return scratch;
  }

  /** The entry as it now is: the original entry itself when no stage changed anything. */
  LokiEntry toEntry() {
    if (!labelsChanged && !metadataChanged && line == source.line() && timestampNanos == source.timestampNanos()) {
      return source;
    }
    return new LokiEntry(labels(), timestampNanos, line, metadata());
  }

  /** The metadata arrays as a read-only map, for {@link LokiEntry}'s copy. */
  private final class MetadataView extends AbstractMap<String, String> {
    private final Set<Map.Entry<String, String>> entries = new AbstractSet<>() {
      @Override
      public Iterator<Map.Entry<String, String>> iterator() {
        return new Iterator<>() {
          private int i;

          @Override
          public boolean hasNext() {
            return i < metaCount;
          }

          @Override
          public Map.Entry<String, String> next() {
            if (i >= metaCount) throw new NoSuchElementException();
            int k = i++;
            return new AbstractMap.SimpleImmutableEntry<>(metaNames[k], metaValues[k]);
          }
        };
      }

      @Override
      public int size() {
        return metaCount;
      }
    };

    @Override
    public Set<Map.Entry<String, String>> entrySet() {
      return entries;
    }
  }
}
