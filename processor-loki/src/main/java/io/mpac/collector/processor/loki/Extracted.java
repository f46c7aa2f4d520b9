package io.mpac.collector.processor.loki;

import java.util.Arrays;

/**
 * The extracted map the stages of one entry share: string keys to string values. A handful of
 * keys per entry is usual, so it is two arrays plus a small open-addressing index by {@code
 * String.hashCode()} (cached in the key strings, which come from the configuration), cleared and
 * reused for the next entry of the same thread. Not thread-safe; confined to its
 * {@link EntryState}.
 *
 * <p>{@link #clear()} only forgets the index: the references the arrays still hold beyond
 * {@link #size()} are overwritten by later entries, so what one thread keeps alive is bounded by the
 * arrays' length.
 */
final class Extracted {

  private String[] keys = new String[16];
  private String[] values = new String[16];
  private int size;
  /** Index + 1 of the key whose hash falls in the slot (linear probing), 0 when empty; twice the capacity. */
  private int[] slots = new int[32];

  /** The value of {@code key}, or null. */
  String get(String key) {
    int i = indexOf(key);
    return i >= 0 ? values[i] : null;
  }

  /** Sets {@code key} (not null) to {@code value} (not null). */
  void put(String key, String value) {
    int h = key.hashCode();
    int mask = slots.length - 1;
    int slot = spread(h) & mask;
    for (int s; (s = slots[slot]) != 0; slot = (slot + 1) & mask) {
      String k = keys[s - 1];
      if (k == key || (k.hashCode() == h && k.equals(key))) {
        values[s - 1] = value;
        return;
      }
    }
    if (size == keys.length) {
      grow();
      put(key, value);
      return;
    }
    keys[size] = key;
    values[size++] = value;
    slots[slot] = size;
  }

  int size() {
    return size;
  }

  /** Forgets every value. */
  void clear() {
    if (size > 0) {
      Arrays.fill(slots, 0);
      size = 0;
    }
  }

  private int indexOf(String key) {
    int h = key.hashCode();
    int mask = slots.length - 1;
    for (int slot = spread(h) & mask, s; (s = slots[slot]) != 0; slot = (slot + 1) & mask) {
      String k = keys[s - 1];
      if (k == key || (k.hashCode() == h && k.equals(key))) return s - 1;
    }
    return -1;
  }

  private static int spread(int h) {
    return h ^ (h >>> 16);
  }

  private void grow() {
    keys = Arrays.copyOf(keys, size * 2);
    values = Arrays.copyOf(values, size * 2);
    slots = new int[keys.length * 2];
    int mask = slots.length - 1;
    for (int i = 0; i < size; i++) {
      int slot = spread(keys[i].hashCode()) & mask;
      while (slots[slot] != 0) slot = (slot + 1) & mask;
      slots[slot] = i + 1;
    }
  }
}
