package io.mpac.collector.exporter.queue;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.exporter.queue.RecoveryReport.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A real crash: a child JVM offering records is killed with SIGKILL; every record it saw accepted survives. */
class FileQueueCrashTest {

  @TempDir Path dir;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void everyAcceptedRecordSurvivesKillDashNine() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path store = dir.resolve("queue");
    Path output = dir.resolve("child.out"); // a file, so every line written before the kill can be read after it
    Process child = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        CrashingProducer.class.getName(), store.toString(), "200000")
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      // kill it mid-stream, once it has accepted a few thousand records (several segments)
      while (System.nanoTime() < deadline && child.isAlive() && countAccepted(output) < 3000) {
        Thread.sleep(20);
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    Set<Integer> accepted = new HashSet<>();
    StringBuilder other = new StringBuilder();
    for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
      if (line.startsWith("accepted ")) accepted.add(Integer.parseInt(line.substring(9)));
      else other.append(line).append('\n');
    }
    assertThat(other.toString()).as("child output: killed mid-stream, no errors")
        .doesNotContain("refused").doesNotContain("Exception").doesNotContain("done");
    assertThat(accepted).hasSizeGreaterThanOrEqualTo(3000);

    QueueLimits limits = new QueueLimits(QueueLimits.UNLIMITED, QueueLimits.UNLIMITED, QueueLimits.UNLIMITED);
    try (FileQueueStore<String> queue = FileQueueStore.open(store, TextCodec.INSTANCE, limits,
        FileQueueOptions.defaults().withSegmentBytes(64 << 10))) {
      RecoveryReport report = queue.recoveryReport();
      assertThat(report.problems()).allMatch(p -> p.reason() == Reason.TORN_TAIL);
      assertThat(report.problems()).hasSizeLessThanOrEqualTo(1);
      Set<Integer> found = new HashSet<>();
      int expectedNext = 0;
      for (Lease<String> l; (l = queue.take(0)) != null; ) {
        String payload = l.payload();
        int n = Integer.parseInt(payload.substring(6, payload.indexOf(':')));
        assertThat(payload).isEqualTo(CrashingProducer.record(n));
        assertThat(n).as("FIFO, no gaps").isEqualTo(expectedNext++);
        assertThat(l.redelivered()).isTrue();
        found.add(n);
      }
      assertThat(found).containsAll(accepted);
      assertThat(queue.stats().undecodableRecords()).isZero();
      // the child may have written one more record than it lived to report
      assertThat(found).hasSizeLessThanOrEqualTo(accepted.size() + 1);
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void handedOverRecordsNotAckedAtKillDashNineComeBackExactlyOnce() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Path store = dir.resolve("queue");
    Path output = dir.resolve("child.out");
    Process child = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
        CrashingProducer.class.getName(), store.toString(), "200000", "consume")
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline && child.isAlive() && countAccepted(output) < 3000) {
        Thread.sleep(20);
      }
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    Set<Integer> accepted = new HashSet<>();
    Set<Integer> acked = new HashSet<>();
    long handedOver = 0;
    StringBuilder other = new StringBuilder();
    for (String line : Files.readAllLines(output, StandardCharsets.UTF_8)) {
      if (line.startsWith("accepted ")) {
        accepted.add(Integer.parseInt(line.substring(9)));
      } else if (line.startsWith("acked ")) {
        String[] f = line.split(" ");
        if (f.length != 3) continue; // the last line may be cut by the kill
        acked.add(Integer.parseInt(f[1]));
        handedOver = Math.max(handedOver, Long.parseLong(f[2]));
      } else {
        other.append(line).append('\n');
      }
    }
    assertThat(other.toString()).as("child output: killed mid-stream, no errors")
        .doesNotContain("refused").doesNotContain("damaged").doesNotContain("Exception").doesNotContain("done");
    assertThat(accepted).hasSizeGreaterThanOrEqualTo(3000);
    assertThat(acked).as("the consumer kept up").hasSizeGreaterThan(1000);
    assertThat(handedOver).as("records went through the handoff").isGreaterThan(1000);

    Set<Integer> expected = new HashSet<>(accepted);
    expected.removeAll(acked);
    QueueLimits limits = new QueueLimits(QueueLimits.UNLIMITED, QueueLimits.UNLIMITED, QueueLimits.UNLIMITED);
    try (FileQueueStore<String> queue = FileQueueStore.open(store, TextCodec.INSTANCE, limits,
        FileQueueOptions.defaults().withSegmentBytes(64 << 10))) {
      assertThat(queue.recoveryReport().problems()).allMatch(p -> p.reason() == Reason.TORN_TAIL);
      List<Integer> found = new ArrayList<>();
      for (Lease<String> l; (l = queue.take(0)) != null; ) {
        String payload = l.payload();
        int n = Integer.parseInt(payload.substring(6, payload.indexOf(':')));
        assertThat(payload).isEqualTo(CrashingProducer.record(n));
        found.add(n);
      }
      assertThat(found).as("in offer order, each once").isSorted().doesNotHaveDuplicates();
      assertThat(found).as("no record whose ack returned comes back").doesNotContainAnyElementsOf(acked);
      // at most one ack was in progress at the kill (journaled, not yet printed): it may be missing
      Set<Integer> missing = new HashSet<>(expected);
      found.forEach(missing::remove);
      assertThat(missing).hasSizeLessThanOrEqualTo(1).allMatch(n -> n % 3 != 0);
      // at most one offer was in progress at the kill (written, not yet printed): it may come extra
      Set<Integer> extra = new HashSet<>(found);
      extra.removeAll(expected);
      assertThat(extra).hasSizeLessThanOrEqualTo(1);
      assertThat(found).as("every record held in flight at the kill").containsAll(
          expected.stream().filter(n -> n % 3 == 0).toList());
    }
  }

  private static long countAccepted(Path output) throws java.io.IOException {
    if (!Files.exists(output)) return 0;
    try (var lines = Files.lines(output, StandardCharsets.UTF_8)) {
      return lines.filter(l -> l.startsWith("accepted ")).count();
    }
  }
}
