package io.mpac.collector.exporter.prometheus;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A bounded, lock-free cache from a 64-bit hash (plus a key the caller compares) to an entry: an
 * open-addressing table that readers probe without locks and writers fill with plain stores.
 *
 * <p>It is a cache, so races are allowed to lose entries: two threads inserting at once may
 * overwrite each other, an insert during a resize may be dropped, and when the table is full (at
 * its largest size, half its slots used) new entries overwrite old ones at their home slot. Each of
 * these only costs a later miss, which the caller recomputes. Entries are immutable in what the
 * lookup compares (final fields), so a reader that sees an entry sees it whole.
 *
 * <p>Callers probe with {@link #slots()} and {@link #index}: at most {@link #PROBES} slots from the
 * home slot, stopping at an empty one.
 */
final class CacheTable<E extends CacheTable.Entry> {

  /** How many slots a lookup or insert looks at. */
  static final int PROBES = 8;

  /** Something a cache holds, with the hash it was filed under. */
  abstract static class Entry {
    final long hash;

    Entry(long hash) {
      this.hash = hash;
    }
  }

  private final int maxSlots;
  private final AtomicInteger used = new AtomicInteger();
  private volatile Entry[] table;

  CacheTable(int initialSlots, int maxSlots) {
    this.maxSlots = Integer.highestOneBit(maxSlots);
    this.table = new Entry[Math.min(this.maxSlots, Integer.highestOneBit(Math.max(16, initialSlots)))];
  }

  /** The current slots; probe them with {@link #index}. */
  Entry[] slots() {
    return table;
  }

  /** Slot {@code probe} (0 .. {@link #PROBES}-1) for {@code hash} in a table of {@code length} slots. */
  static int index(long hash, int probe, int length) {
    return ((int) (hash >>> 32) ^ (int) hash) + probe & (length - 1);
  }

  /** Files {@code e} (see the class comment for what may be lost). */
  void put(E e) {
    Entry[] t = table;
    for (int p = 0; p < PROBES; p++) {
      int i = index(e.hash, p, t.length);
      if (t[i] == null) {
        t[i] = e;
        if (used.incrementAndGet() > t.length / 2 && t.length < maxSlots) grow(t);
        return;
      }
    }
    t[index(e.hash, 0, t.length)] = e; // neighbourhood full: replace the entry at the home slot
  }

  private synchronized void grow(Entry[] old) {
    if (table != old) return;
    rebuild(old, old.length * 2, e -> true);
  }

  /** Keeps only the entries {@code keep} accepts (not concurrent with itself; lookups go on). */
  synchronized void retain(Predicate<? super E> keep) {
    Entry[] t = table;
    rebuild(t, t.length, keep);
  }

  @SuppressWarnings("unchecked")
  private void rebuild(Entry[] old, int length, Predicate<? super E> keep) {
    Entry[] n = new Entry[length];
    int count = 0;
    for (Entry e : old) {
      if (e == null || !keep.test((E) e)) continue;
      for (int p = 0; p < PROBES; p++) {
        int i = index(e.hash, p, length);
        if (n[i] == null) {
          n[i] = e;
          count++;
          break;
        }
      }
    }
    used.set(count);
    table = n;
  }

  /** Entries held now (approximate under concurrent inserts). */
  int size() {
    return used.get();
  }

  void clear() {
    synchronized (this) {
      Entry[] t = table;
      Arrays.fill(t, null);
      used.set(0);
    }
  }
}
