package io.mpac.collector.exporter.queue;

import io.mpac.collector.exporter.queue.QueueStore.OfferResult;
import java.nio.file.Path;

/**
 * The child process of {@link FileQueueCrashTest}: offers records to a store until it is killed,
 * printing {@code accepted <n>} once each offer has returned ACCEPTED. With a third argument
 * {@code consume}, a second thread takes every record as it comes (from the store's handoff while
 * it keeps up) and acks those whose number is not a multiple of 3, printing
 * {@code acked <n> <records handed over so far>} once each ack has returned; the others stay in
 * flight until the kill.
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
    if (args.length > 2 && args[2].equals("consume")) {
      Thread consumer = new Thread(() -> consume(store), "consumer");
      consumer.setDaemon(true);
      consumer.start();
    }
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

  private static void consume(FileQueueStore<String> store) {
    try {
      while (true) {
        Lease<String> lease = store.take(1_000_000_000L);
        if (lease == null) continue;
        String payload = lease.payload();
        int n = Integer.parseInt(payload.substring(6, payload.indexOf(':')));
        if (!payload.equals(record(n))) {
          System.out.println("damaged " + n);
          continue;
        }
        if (n % 3 == 0) continue; // stays in flight: must come back after the kill
        store.ack(lease);
        System.out.println("acked " + n + " " + store.stats().handedOver());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
