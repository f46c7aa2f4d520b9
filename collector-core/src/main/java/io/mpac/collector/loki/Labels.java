package io.mpac.collector.loki;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.BiPredicate;

/**
 * An immutable Loki label set: names and values sorted by name, each name once. What identifies a
 * Loki stream. {@link #toString()} is the Prometheus text form Loki's push API expects,
 * {@code {job="api", level="INFO"}}.
 *
 * <p>Labels whose name starts with {@code __} are internal to the pipeline (for example
 * {@value #TENANT_ID}, which {@code loki.write} reads as the tenant); {@code loki.write} removes
 * them before sending. An empty value means "no such label", as in Prometheus.
 *
 * <p>Cheap to compare and hash (the hash is computed once), so it serves as a map key for
 * grouping entries into streams.
 */
public final class Labels implements Comparable<Labels> {

  /** The reserved label that overrides the tenant ({@code X-Scope-OrgID}) of an entry. */
  public static final String TENANT_ID = "__tenant_id__";

  public static final Labels EMPTY = new Labels(new String[0], new String[0]);

  private final String[] names;
  private final String[] values;
  private int hash;
  private String text;

  private Labels(String[] names, String[] values) {
    this.names = names;
    this.values = values;
  }

  /** The labels of {@code map} (null values are not allowed). */
  public static Labels of(Map<String, String> map) {
    if (map.isEmpty()) return EMPTY;
    TreeMap<String, String> sorted = new TreeMap<>(map);
    String[] n = new String[sorted.size()];
    String[] v = new String[sorted.size()];
    int i = 0;
    for (Map.Entry<String, String> e : sorted.entrySet()) {
      n[i] = Objects.requireNonNull(e.getKey(), "label name");
      v[i] = Objects.requireNonNull(e.getValue(), () -> "value of label " + e.getKey());
      i++;
    }
    return new Labels(n, v);
  }

  /** Labels from alternating names and values: {@code of("job", "api", "level", "INFO")}. */
  public static Labels of(String... namesAndValues) {
    if (namesAndValues.length % 2 != 0) throw new IllegalArgumentException("odd number of arguments");
    Builder b = builder();
    for (int i = 0; i < namesAndValues.length; i += 2) b.put(namesAndValues[i], namesAndValues[i + 1]);
    return b.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public int size() {
    return names.length;
  }

  public boolean isEmpty() {
    return names.length == 0;
  }

  /** The i-th name in sorted order. */
  public String name(int i) {
    return names[i];
  }

  /** The i-th value (of {@link #name(int)}). */
  public String value(int i) {
    return values[i];
  }

  /** The value of {@code name}, or null. */
  public String get(String name) {
    int i = Arrays.binarySearch(names, name);
    return i >= 0 ? values[i] : null;
  }

  public boolean contains(String name) {
    return Arrays.binarySearch(names, name) >= 0;
  }

  /** True when some name starts with {@code __} or some value is empty: {@link #cleaned()} would change it. */
  public boolean needsCleaning() {
    for (int i = 0; i < names.length; i++) {
      if (names[i].startsWith("__") || values[i].isEmpty()) return true;
    }
    return false;
  }

  /** These labels without internal ({@code __}-prefixed) names and without empty values. */
  public Labels cleaned() {
    return needsCleaning() ? filter((n, v) -> !n.startsWith("__") && !v.isEmpty()) : this;
  }

  /** The labels for which {@code keep(name, value)} is true. */
  public Labels filter(BiPredicate<String, String> keep) {
    int count = 0;
    boolean[] k = new boolean[names.length];
    for (int i = 0; i < names.length; i++) {
      if (keep.test(names[i], values[i])) {
        k[i] = true;
        count++;
      }
    }
    if (count == names.length) return this;
    String[] n = new String[count];
    String[] v = new String[count];
    int j = 0;
    for (int i = 0; i < names.length; i++) {
      if (k[i]) {
        n[j] = names[i];
        v[j++] = values[i];
      }
    }
    return new Labels(n, v);
  }

  /** These labels with {@code other}'s added; where both have a name, {@code other}'s value wins. */
  public Labels merge(Labels other) {
    if (other.isEmpty()) return this;
    if (isEmpty()) return other;
    Builder b = toBuilder();
    for (int i = 0; i < other.names.length; i++) b.put(other.names[i], other.values[i]);
    return b.build();
  }

  /** These labels with {@code name} set to {@code value}. */
  public Labels with(String name, String value) {
    return toBuilder().put(name, value).build();
  }

  public Labels without(String name) {
    return contains(name) ? filter((n, v) -> !n.equals(name)) : this;
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    for (int i = 0; i < names.length; i++) b.put(names[i], values[i]);
    return b;
  }

  /** The labels as an ordered (sorted) unmodifiable map. */
  public Map<String, String> toMap() {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) m.put(names[i], values[i]);
    return Collections.unmodifiableMap(m);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof Labels l)) return false;
    return hashCode() == l.hashCode() && Arrays.equals(names, l.names) && Arrays.equals(values, l.values);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = 31 * Arrays.hashCode(names) + Arrays.hashCode(values);
      if (h == 0) h = 1;
      hash = h;
    }
    return h;
  }

  @Override
  public int compareTo(Labels o) {
    int n = Math.min(names.length, o.names.length);
    for (int i = 0; i < n; i++) {
      int c = names[i].compareTo(o.names[i]);
      if (c != 0) return c;
      c = values[i].compareTo(o.values[i]);
      if (c != 0) return c;
    }
    return Integer.compare(names.length, o.names.length);
  }

  /**
   * The Prometheus text form, {@code {a="1", b="x\"y"}}: names in order, values double-quoted
   * with Go escapes ({@code \\ \" \n \r \t}, other control characters as {@code \\u00XX}), the
   * form Loki's label parser reads.
   */
  @Override
  public String toString() {
    String t = text;
    if (t == null) {
      StringBuilder sb = new StringBuilder(16 * names.length + 2).append('{');
      for (int i = 0; i < names.length; i++) {
        if (i > 0) sb.append(", ");
        sb.append(names[i]).append("=\"");
        appendEscaped(sb, values[i]);
        sb.append('"');
      }
      t = text = sb.append('}').toString();
    }
    return t;
  }

  private static void appendEscaped(StringBuilder sb, String v) {
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '\\' -> sb.append("\\\\");
        case '"' -> sb.append("\\\"");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
  }

  /** Collects labels; a later {@link #put} of the same name replaces the value. */
  public static final class Builder {
    private final TreeMap<String, String> map = new TreeMap<>();

    private Builder() {}

    public Builder put(String name, String value) {
      map.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public Builder remove(String name) {
      map.remove(name);
      return this;
    }

    public String get(String name) {
      return map.get(name);
    }

    public boolean isEmpty() {
      return map.isEmpty();
    }

    public Labels build() {
      return Labels.of(map);
    }
  }
}
