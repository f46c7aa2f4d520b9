package io.mpac.collector.exporter.loadbalancing;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HashRingTest {

  private static final int KEYS = 100_000;

  private static List<byte[]> traceIds(long seed) {
    Random random = new Random(seed);
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < KEYS; i++) {
      byte[] id = new byte[16];
      random.nextBytes(id);
      keys.add(id);
    }
    return keys;
  }

  private static List<String> members(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) out.add("10.0.1." + (10 + i) + ":4317");
    return out;
  }

  private static String[] owners(HashRing ring, List<byte[]> keys) {
    String[] out = new String[keys.size()];
    for (int i = 0; i < keys.size(); i++) out[i] = ring.members().get(ring.ownerOf(keys.get(i), 0, 16));
    return out;
  }

  @Test
  void removingOneOfFourMovesOnlyItsKeysAboutAQuarter() {
    List<byte[]> keys = traceIds(1);
    List<String> four = members(4);
    String[] before = owners(new HashRing(four), keys);
    String[] after = owners(new HashRing(four.subList(0, 3)), keys);
    int moved = 0;
    for (int i = 0; i < KEYS; i++) {
      if (!before[i].equals(after[i])) {
        moved++;
        assertThat(before[i]).as("only keys of the removed member move").isEqualTo(four.get(3));
      }
    }
    double fraction = moved / (double) KEYS;
    assertThat(fraction).as("moved fraction").isBetween(0.25 * 0.85, 0.25 * 1.15);
  }

  @Test
  void addingAFifthMovesAboutAFifthAllToTheNewMember() {
    List<byte[]> keys = traceIds(2);
    String[] before = owners(new HashRing(members(4)), keys);
    String[] after = owners(new HashRing(members(5)), keys);
    int moved = 0;
    for (int i = 0; i < KEYS; i++) {
      if (!before[i].equals(after[i])) {
        moved++;
        assertThat(after[i]).isEqualTo(members(5).get(4));
      }
    }
    assertThat(moved / (double) KEYS).isBetween(0.20 * 0.85, 0.20 * 1.15);
  }

  @Test
  void sharesAreEvenAndTheRingDependsOnlyOnTheSet() {
    List<byte[]> keys = traceIds(3);
    List<String> three = List.of("127.0.0.1:40001", "127.0.0.1:40002", "127.0.0.1:40003");
    HashRing ring = new HashRing(three);
    HashRing reversed = new HashRing(List.of(three.get(2), three.get(1), three.get(0)));
    int[] counts = new int[3];
    for (byte[] k : keys) {
      String a = ring.members().get(ring.ownerOf(k, 0, 16));
      String b = reversed.members().get(reversed.ownerOf(k, 0, 16));
      assertThat(b).isEqualTo(a);
      counts[three.indexOf(a)]++;
    }
    for (int c : counts) assertThat(c).isBetween((int) (KEYS / 3.0 * 0.9), (int) (KEYS / 3.0 * 1.1));
  }

  @Test
  void hashIsStableAcrossRunsAndMixesSmallDifferences() {
    // Pinned: replicas of the front tier must agree on the ring, so the hash may never change.
    assertThat(HashRing.hash("abc".getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEqualTo(3741276987793851837L);
    long a = HashRing.hash(ByteBuffer.allocate(16).putLong(8, 1).array());
    long b = HashRing.hash(ByteBuffer.allocate(16).putLong(8, 2).array());
    assertThat(Long.bitCount(a ^ b)).as("one-bit change flips about half the bits").isBetween(16, 48);
    assertThat(RequestRouter.hash(com.google.protobuf.ByteString.copyFromUtf8("abc")))
        .isEqualTo(HashRing.hash("abc".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }
}
