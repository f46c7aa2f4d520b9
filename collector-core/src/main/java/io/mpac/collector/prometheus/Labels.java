package io.mpac.collector.prometheus;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable set of labels identifying one series, sorted by name (in code-unit order, which is
 * byte order for the ASCII names Prometheus allows), each name at most once, no empty values (in
 * Prometheus an empty value is the same as an absent label). The metric name is the label
 * {@value #NAME}.
 *
 * <p>Equality is by content; the hash is computed once. Build with {@link #of(String...)} or
 * {@link #builder()}, derive variants with {@link #with(String, String)}.
 */
public final class Labels {

  /** The label holding the metric name. */
  public static final String NAME = "__name__";

  public static final Labels EMPTY = new Labels(new String[0]);

  /** Names and values interleaved: {@code [name0, value0, name1, value1, ...]}, sorted by name. */
  private final String[] kv;
  private int hash;
  /** See {@link #memo(Object)}: set once (compare-and-set from null). */
  private Object memoOwner;
  /** Written only by threads of {@link #memoOwner}, with release semantics; read with acquire. */
  private Object memoValue;

  private static final VarHandle MEMO_OWNER;
  private static final VarHandle MEMO_VALUE;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.lookup();
      MEMO_OWNER = l.findVarHandle(Labels.class, "memoOwner", Object.class);
      MEMO_VALUE = l.findVarHandle(Labels.class, "memoValue", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Labels(String[] kv) {
    this.kv = kv;
  }

  /**
   * Labels from name/value pairs in any order. A later pair replaces an earlier one of the same
   * name; pairs with an empty value are left out.
   *
   * @throws IllegalArgumentException on an odd number of arguments or an empty name
   */
  public static Labels of(String... pairs) {
    if ((pairs.length & 1) != 0) throw new IllegalArgumentException("labels come in name/value pairs");
    Builder b = new Builder(pairs.length / 2);
    for (int i = 0; i < pairs.length; i += 2) b.set(pairs[i], pairs[i + 1]);
    return b.build();
  }

  /** Labels from a map (iteration order does not matter). */
  public static Labels of(Map<String, String> map) {
    Builder b = new Builder(map.size());
    map.forEach(b::set);
    return b.build();
  }

  public static Builder builder() {
    return new Builder(8);
  }

  /** A builder starting from these labels. */
  public Builder toBuilder() {
    Builder b = new Builder(size() + 4);
    for (int i = 0; i < kv.length; i += 2) b.set(kv[i], kv[i + 1]);
    return b;
  }

  public int size() {
    return kv.length / 2;
  }

  public boolean isEmpty() {
    return kv.length == 0;
  }

  /** The name of the i-th label in sort order. */
  public String name(int i) {
    return kv[2 * i];
  }

  /** The value of the i-th label in sort order. */
  public String value(int i) {
    return kv[2 * i + 1];
  }

  /** The value of {@code name}, or null when absent. */
  public String get(String name) {
    int i = indexOf(name);
    return i < 0 ? null : kv[2 * i + 1];
  }

  /** The metric name ({@value #NAME}), or null. */
  public String metricName() {
    return get(NAME);
  }

  /** Index of {@code name} in sort order, or {@code -(insertion point) - 1}. */
  private int indexOf(String name) {
    int lo = 0;
    int hi = size() - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = kv[2 * mid].compareTo(name);
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return mid;
      }
    }
    return -(lo + 1);
  }

  /**
   * These labels with {@code name} set to {@code value} (replaced if present; removed if
   * {@code value} is empty).
   */
  public Labels with(String name, String value) {
    checkName(name);
    Objects.requireNonNull(value, "value");
    int i = indexOf(name);
    if (value.isEmpty()) return i < 0 ? this : without(name);
    if (i >= 0) {
      if (kv[2 * i + 1].equals(value)) return this;
      String[] copy = kv.clone();
      copy[2 * i + 1] = value;
      return new Labels(copy);
    }
    int at = -(i + 1);
    String[] out = new String[kv.length + 2];
    System.arraycopy(kv, 0, out, 0, 2 * at);
    out[2 * at] = name;
    out[2 * at + 1] = value;
    System.arraycopy(kv, 2 * at, out, 2 * at + 2, kv.length - 2 * at);
    return new Labels(out);
  }

  /** These labels without {@code name}. */
  public Labels without(String name) {
    int i = indexOf(name);
    if (i < 0) return this;
    String[] out = new String[kv.length - 2];
    System.arraycopy(kv, 0, out, 0, 2 * i);
    System.arraycopy(kv, 2 * i + 2, out, 2 * i, kv.length - 2 * i - 2);
    return new Labels(out);
  }

  /**
   * A value derived from these labels by {@code owner} (e.g. their encoding in a wire protocol)
   * and kept with them by {@link #memoize}, or null. Lets a hot path that sees the same label set
   * again and again skip both the derivation and a side table keyed by labels.
   *
   * <p>One owner per label set: the first to memoize keeps the slot, others get false from
   * {@link #memoize} and keep their own cache. Not part of equality. Thread-safe: a reader sees
   * null or a complete value (it may miss a value another thread has just set).
   */
  @SuppressWarnings("unchecked")
  public <T> T memo(Object owner) {
    return memoOwner == owner ? (T) MEMO_VALUE.getAcquire(this) : null;
  }

  /**
   * Keeps {@code value} for {@link #memo(Object) memo(owner)}; returns false (and keeps nothing)
   * when another owner holds the slot. The value must be immutable, or at least never changed
   * after this call.
   */
  public boolean memoize(Object owner, Object value) {
    Objects.requireNonNull(owner, "owner");
    Object o = memoOwner;
    if (o == null && !MEMO_OWNER.compareAndSet(this, null, owner)) o = memoOwner;
    if (o != null && o != owner) return false;
    MEMO_VALUE.setRelease(this, value); // the value's contents are visible to every reader of it
    return true;
  }

  /** True when some label other than {@value #NAME} starts with {@code __} (reserved, internal). */
  public boolean hasReservedLabels() {
    for (int i = 0; i < kv.length; i += 2) {
      String n = kv[i];
      if (n.startsWith("__") && !n.equals(NAME)) return true;
    }
    return false;
  }

  /** These labels without every {@code __}-prefixed label except {@value #NAME}. */
  public Labels withoutReservedLabels() {
    if (!hasReservedLabels()) return this;
    Builder b = new Builder(size());
    for (int i = 0; i < kv.length; i += 2) {
      String n = kv[i];
      if (!n.startsWith("__") || n.equals(NAME)) b.set(n, kv[i + 1]);
    }
    return b.build();
  }

  /** An ordered copy as a map (name → value). */
  public Map<String, String> toMap() {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return Collections.unmodifiableMap(m);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) return true;
    if (!(o instanceof Labels other)) return false;
    if (other.kv.length != kv.length || other.hashCode() != hashCode()) return false;
    return Arrays.equals(kv, other.kv);
  }

  @Override
  public int hashCode() {
    int h = hash;
    if (h == 0) {
      h = Arrays.hashCode(kv);
      if (h == 0) h = 1;
      hash = h;
    }
    return h;
  }

  /** Prometheus' text form: {@code name{a="1", b="2"}}, or {@code {a="1"}} without a name. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    String metric = metricName();
    if (metric != null) sb.append(metric);
    sb.append('{');
    boolean first = true;
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i].equals(NAME)) continue;
      if (!first) sb.append(", ");
      first = false;
      sb.append(kv[i]).append("=\"");
      String v = kv[i + 1];
      for (int j = 0; j < v.length(); j++) {
        char c = v.charAt(j);
        switch (c) {
          case '\\' -> sb.append("\\\\");
          case '"' -> sb.append("\\\"");
          case '\n' -> sb.append("\\n");
          default -> sb.append(c);
        }
      }
      sb.append('"');
    }
    return sb.append('}').toString();
  }

  private static void checkName(String name) {
    if (name == null || name.isEmpty()) throw new IllegalArgumentException("label name must not be empty");
  }

  /**
   * Collects labels, then sorts them once in {@link #build()}. {@link #set} replaces a label of the
   * same name; an empty value removes it. Reusable after {@link #reset()}. Not thread-safe.
   */
  public static final class Builder {
    private String[] kv;
    private int n; // number of pairs

    Builder(int capacity) {
      kv = new String[Math.max(2, capacity * 2)];
    }

    public Builder reset() {
      Arrays.fill(kv, 0, 2 * n, null);
      n = 0;
      return this;
    }

    public Builder set(String name, String value) {
      checkName(name);
      if (value == null) throw new NullPointerException("value of label " + name);
      for (int i = 0; i < n; i++) {
        if (kv[2 * i].equals(name)) {
          kv[2 * i + 1] = value;
          return this;
        }
      }
      if (2 * n + 2 > kv.length) kv = Arrays.copyOf(kv, kv.length * 2);
      kv[2 * n] = name;
      kv[2 * n + 1] = value;
      n++;
      return this;
    }

    /** The current value of {@code name}, or null. */
    public String get(String name) {
      for (int i = 0; i < n; i++) {
        if (kv[2 * i].equals(name)) return kv[2 * i + 1];
      }
      return null;
    }

    public Builder remove(String name) {
      for (int i = 0; i < n; i++) {
        if (kv[2 * i].equals(name)) {
          System.arraycopy(kv, 2 * i + 2, kv, 2 * i, 2 * (n - i - 1));
          n--;
          kv[2 * n] = null;
          kv[2 * n + 1] = null;
          return this;
        }
      }
      return this;
    }

    public Labels build() {
      int count = 0;
      for (int i = 0; i < n; i++) {
        if (!kv[2 * i + 1].isEmpty()) count++;
      }
      String[] out = new String[2 * count];
      int m = 0;
      for (int i = 0; i < n; i++) {
        String name = kv[2 * i];
        String value = kv[2 * i + 1];
        if (value.isEmpty()) continue;
        // insertion sort: label sets are small
        int j = m;
        while (j > 0 && out[2 * (j - 1)].compareTo(name) > 0) {
          out[2 * j] = out[2 * (j - 1)];
          out[2 * j + 1] = out[2 * (j - 1) + 1];
          j--;
        }
        out[2 * j] = name;
        out[2 * j + 1] = value;
        m++;
      }
      return new Labels(out);
    }
  }
}
