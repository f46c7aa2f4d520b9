package io.mpac.collector.exporter.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.mpac.collector.exporter.queue.QueueStore.OfferResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Property: for any sequence of offer, take, ack, repeated ack, compaction and reopen, an acked
 * record never comes back and an unacked one always does, in offer order, flagged redelivered
 * exactly when it was offered before the last reopen.
 *
 * <p>Sequences come from seeded {@link Random}s (the seed is in the test name, so a failure
 * reproduces); a failing sequence is shrunk by dropping operations while it still fails, and the
 * shortest one is reported.
 */
class FileQueuePropertyTest {

  private static final int SEQUENCES = 200;
  private static final QueueLimits UNLIMITED =
      new QueueLimits(QueueLimits.UNLIMITED, QueueLimits.UNLIMITED, QueueLimits.UNLIMITED);

  sealed interface Op permits Offer, Take, Ack, AckAgain, Compact, Reopen, LoseJournals {}

  record Offer(int size) implements Op {}

  record Take() implements Op {}

  record Ack(int pick) implements Op {}

  record AckAgain(int pick) implements Op {}

  record Compact() implements Op {}

  record Reopen() implements Op {}

  /** Sabotage, never generated: closes the store and deletes its ack journals (acked records come back). */
  record LoseJournals() implements Op {}

  static LongStream seeds() {
    return LongStream.range(0, SEQUENCES).map(i -> 0x5EED_0000L + i);
  }

  static List<Op> randomOps(long seed) {
    Random random = new Random(seed);
    int n = 1 + random.nextInt(90);
    List<Op> ops = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int roll = random.nextInt(100);
      if (roll < 35) ops.add(new Offer(random.nextInt(random.nextBoolean() ? 40 : 1800)));
      else if (roll < 60) ops.add(new Take());
      else if (roll < 82) ops.add(new Ack(random.nextInt(1000)));
      else if (roll < 86) ops.add(new AckAgain(random.nextInt(1000)));
      else if (roll < 90) ops.add(new Compact());
      else ops.add(new Reopen());
    }
    return ops;
  }

  @ParameterizedTest(name = "seed {0}")
  @MethodSource("seeds")
  void ackedNeverComesBackAndUnackedAlwaysDoes(long seed) throws IOException {
    List<Op> ops = randomOps(seed);
    long handoff = handoffBytes(seed);
    String failure = run(ops, handoff);
    if (failure == null) return;
    List<Op> shortest = shrink(ops, handoff);
    fail("seed " + seed + " (handoff " + handoff + " bytes) failed: " + failure + "\nshortest failing sequence ("
        + shortest.size() + " ops): " + shortest + "\n-> " + run(shortest, handoff));
  }

  /**
   * The store's handoff for a seed: off (every record read from disk), a few small records' worth
   * (records alternate between memory and disk), or ample (memory whenever the taker keeps up).
   */
  static long handoffBytes(long seed) {
    return switch ((int) (seed % 3)) {
      case 0 -> 0;
      case 1 -> 200;
      default -> 1 << 20;
    };
  }

  /** Greedy shrinking: drop one operation at a time while the sequence still fails. */
  private static List<Op> shrink(List<Op> failing, long handoff) throws IOException {
    List<Op> current = failing;
    boolean smaller = true;
    while (smaller) {
      smaller = false;
      for (int i = 0; i < current.size(); i++) {
        List<Op> candidate = new ArrayList<>(current);
        candidate.remove(i);
        if (run(candidate, handoff) != null) {
          current = candidate;
          smaller = true;
          break;
        }
      }
    }
    return current;
  }

  /** What the model expects of one record. */
  private static final class Expected {
    final String payload;
    int generation;
    boolean taken;

    Expected(String payload, int generation) {
      this.payload = payload;
      this.generation = generation;
    }
  }

  /** Runs {@code ops} against a fresh store and the model; returns the first mismatch, or null. */
  static String run(List<Op> ops, long handoff) throws IOException {
    Path dir = Files.createTempDirectory("queue-property");
    FileQueueStore<String> store = null;
    try {
      store = open(dir, handoff);
      TreeMap<Integer, Expected> model = new TreeMap<>();
      Map<Integer, Lease<String>> held = new HashMap<>();
      List<Lease<String>> acked = new ArrayList<>();
      int nextId = 0;
      int generation = 0;
      for (int step = 0; step < ops.size(); step++) {
        Op op = ops.get(step);
        String at = "step " + step + " " + op + ": ";
        if (op instanceof Offer o) {
          int id = nextId++;
          String payload = "r" + id + ":" + "z".repeat(o.size());
          OfferResult r = store.offer(payload, 1 + id % 3, payload.length(), 0);
          if (r != OfferResult.ACCEPTED) return at + "offer returned " + r;
          model.put(id, new Expected(payload, generation));
        } else if (op instanceof Take) {
          Map.Entry<Integer, Expected> next = model.entrySet().stream()
              .filter(e -> !e.getValue().taken).findFirst().orElse(null);
          Lease<String> lease = store.take(0);
          if (next == null) {
            if (lease != null) return at + "took " + lease.payload() + " but nothing is waiting";
          } else {
            if (lease == null) return at + "took nothing but " + next.getValue().payload + " waits";
            Expected e = next.getValue();
            if (!lease.payload().equals(e.payload)) return at + "took " + lease.payload() + " instead of " + e.payload;
            if (lease.items() != 1 + next.getKey() % 3) return at + "items " + lease.items();
            boolean redelivered = e.generation < generation;
            if (lease.redelivered() != redelivered) return at + "redelivered " + lease.redelivered() + " for " + e.payload;
            e.taken = true;
            held.put(next.getKey(), lease);
          }
        } else if (op instanceof Ack a) {
          if (!held.isEmpty()) {
            List<Integer> ids = new ArrayList<>(held.keySet());
            ids.sort(Comparator.naturalOrder());
            int id = ids.get(a.pick() % ids.size());
            Lease<String> lease = held.remove(id);
            store.ack(lease);
            model.remove(id);
            acked.add(lease);
          }
        } else if (op instanceof AckAgain a) {
          if (!acked.isEmpty()) store.ack(acked.get(a.pick() % acked.size()));
        } else if (op instanceof Compact) {
          store.compact();
        } else if (op instanceof Reopen || op instanceof LoseJournals) {
          store.close();
          if (op instanceof LoseJournals) {
            try (Stream<Path> files = Files.list(dir)) {
              for (Path f : files.filter(f -> f.toString().endsWith(".acks")).toList()) Files.delete(f);
            }
          }
          store = open(dir, handoff);
          generation++;
          held.clear();
          acked.clear(); // a lease of an old store means nothing to the new one
          model.values().forEach(e -> e.taken = false);
          RecoveryReport report = store.recoveryReport();
          if (!report.clean()) return at + "recovery found problems: " + report.problems();
          if (report.recordsRecovered() != model.size()) {
            return at + "recovered " + report.recordsRecovered() + " records, expected " + model.size();
          }
        }
        long expectedItems = model.keySet().stream().mapToLong(id -> 1 + id % 3).sum();
        QueueStore.Usage usage = store.usage();
        if (usage.count() != model.size() || usage.items() != expectedItems) {
          return at + "usage " + usage + ", expected count " + model.size() + " items " + expectedItems;
        }
      }
      // finally: a restart hands out exactly what was never acked, in offer order
      store.close();
      store = open(dir, handoff);
      List<String> rest = new ArrayList<>();
      for (Lease<String> l; (l = store.take(0)) != null; ) rest.add(l.payload());
      List<String> expected = model.values().stream().map(e -> e.payload).toList();
      if (!rest.equals(expected)) return "after the last restart got " + rest + ", expected " + expected;
      return null;
    } catch (AssertionError | InterruptedException e) {
      return e.toString();
    } finally {
      if (store != null) store.close();
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static FileQueueStore<String> open(Path dir, long handoff) throws IOException {
    return FileQueueStore.open(dir, TextCodec.INSTANCE, UNLIMITED,
        FileQueueOptions.defaults().withSegmentBytes(4096).withHandoffBytes(handoff));
  }

  @org.junit.jupiter.api.Test
  void theCheckerCatchesAckedRecordsComingBack() throws IOException {
    List<Op> fine = List.of(new Offer(10), new Offer(20), new Take(), new Ack(0), new Reopen(), new Take());
    assertThat(run(fine, 0)).isNull();
    assertThat(run(fine, 1 << 20)).isNull();
    List<Op> sabotaged = List.of(new Offer(10), new Offer(5000), new Take(), new Take(), new Take(), new Ack(0),
        new Offer(3), new LoseJournals(), new Take());
    assertThat(run(sabotaged, 0)).contains("MISSING_ACK_JOURNAL");
    List<Op> shortest = shrink(sabotaged, 0);
    assertThat(shortest).contains(new LoseJournals()).hasSizeLessThan(sabotaged.size());
    assertThat(run(shortest, 0)).isNotNull();
  }
}
