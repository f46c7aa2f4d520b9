package io.mpac.collector.exporter.loadbalancing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A consistent-hash ring over back-end names: each member owns {@link #POINTS_PER_MEMBER} points
 * (hashes of {@code name#i}), and a key belongs to the member owning the first point at or after
 * the key's hash, wrapping around. Adding or removing one of N members therefore moves only the
 * keys of the arcs it gains or loses, about 1/N of them, and many points per member keep the
 * shares even. Immutable; lookups allocate nothing.
 */
final class HashRing {

  /** Points per member: with 3 members each share is within a few percent of a third. */
  static final int POINTS_PER_MEMBER = 1000;

  private final List<String> members;
  private final long[] points;
  private final int[] owners;

  /** A ring over {@code members} (distinct names, in any order: the ring depends only on the set). */
  HashRing(List<String> members) {
    this.members = List.copyOf(members);
    int n = this.members.size() * POINTS_PER_MEMBER;
    long[] raw = new long[n];
    int[] rawOwner = new int[n];
    int k = 0;
    for (int m = 0; m < this.members.size(); m++) {
      for (int i = 0; i < POINTS_PER_MEMBER; i++) {
        raw[k] = hash((this.members.get(m) + "#" + i).getBytes(StandardCharsets.UTF_8));
        rawOwner[k] = m;
        k++;
      }
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) order[i] = i;
    // Ties (vanishingly rare) break by member name, so the ring does not depend on list order.
    Arrays.sort(order, (a, b) -> raw[a] != raw[b] ? Long.compare(raw[a], raw[b])
        : this.members.get(rawOwner[a]).compareTo(this.members.get(rawOwner[b])));
    points = new long[n];
    owners = new int[n];
    for (int i = 0; i < n; i++) {
      points[i] = raw[order[i]];
      owners[i] = rawOwner[order[i]];
    }
  }

  List<String> members() {
    return members;
  }

  boolean isEmpty() {
    return members.isEmpty();
  }

  /** The index in {@link #members()} of the member owning a key hash; the ring must not be empty. */
  int ownerOf(long keyHash) {
    int i = Arrays.binarySearch(points, keyHash);
    if (i < 0) i = -i - 1;
    if (i == points.length) i = 0;
    return owners[i];
  }

  /** The owner of {@code key[off, off+len)}. */
  int ownerOf(byte[] key, int off, int len) {
    return ownerOf(hash(key, off, len));
  }

  static long hash(byte[] b) {
    return hash(b, 0, b.length);
  }

  /**
   * 64-bit FNV-1a followed by MurmurHash3's fmix64 finalizer: fast, stable across runs and JVMs
   * (the ring must agree between collector replicas), and well mixed even for keys that differ in
   * one byte.
   */
  static long hash(byte[] b, int off, int len) {
    long h = 0xcbf29ce484222325L;
    for (int i = off; i < off + len; i++) {
      h ^= b[i] & 0xff;
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
