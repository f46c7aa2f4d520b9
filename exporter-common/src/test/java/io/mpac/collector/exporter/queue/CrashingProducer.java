package io.mpac.collector.exporter.queue;

import io.mpac.collector.exporter.queue.QueueStore.OfferResult;
import java.nio.file.Path;

/**
 * The child process of {@link FileQueueCrashTest}: offers records to a store until it is killed,
 * printing {@code accepted <n>} once each offer has returned ACCEPTED.
 */
public final class CrashingProducer {

  private CrashingProducer() {}

  /** The record {@code n}: its number and a body whose content depends on it, so damage shows. */
  static String record(int n) {
    StringBuilder b = new StringBuilder(2100).append("crash-").append(n).append(':');
    for (int i = 0; b.length() < 2000 + n % 97; i++) b.append((char) ('a' + (n + i) % 26));
    return b.toString();
  }

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int max = Integer.parseInt(args[1]);
    QueueLimits limits = new QueueLimits(QueueLimits.UNLIMITED, QueueLimits.UNLIMITED, QueueLimits.UNLIMITED);
    FileQueueStore<String> store = FileQueueStore.open(dir, TextCodec.INSTANCE, limits,
        FileQueueOptions.defaults().withSegmentBytes(64 << 10));
    for (int n = 0; n < max; n++) {
      if (store.offer(record(n), 1, 2000, 0) != OfferResult.ACCEPTED) {
        System.out.println("refused " + n);
        System.exit(2);
      }
      System.out.println("accepted " + n);
      System.out.flush();
    }
    System.out.println("done");
    Thread.sleep(60_000); // wait to be killed: the store is never closed
  }
}
