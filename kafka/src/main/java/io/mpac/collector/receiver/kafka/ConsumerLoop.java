package io.mpac.collector.receiver.kafka;

import io.mpac.collector.component.Supervisor;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.logging.RateLimitedLogger;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.receiver.kafka.KafkaReceiverConfig.TopicSource;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * The receiver's one consumer thread: poll, hand each record's request on in order, mark, commit.
 *
 * <p><b>Marking and commits.</b> A record is <i>marked</i> when its offset may be committed: with
 * {@code message_marking { after_execution = true }} once its data was accepted downstream (or was
 * malformed, or rejected for good with {@code include_unsuccessful}); otherwise as soon as it is
 * polled (Alloy's default). Records of a partition are handed on in offset order, so the committed
 * offset of a partition is always one past a record after which everything was marked. Commits run
 * every {@code autocommit.interval}, or after every polled batch with {@code autocommit.enable = false},
 * when partitions are revoked, and at shutdown.
 *
 * <p><b>Back-pressure.</b> A downstream refusal ({@link ConsumeException.Refused}) pauses every
 * assigned partition (Kafka's {@code pause}), and the same record is offered again after the delay
 * the consumer asked for, or a backoff growing from 100 ms to 5 s; polling goes on meanwhile (empty)
 * so the group membership stays alive. Nothing is dropped; consumption resumes once the held records
 * are taken.
 *
 * <p><b>Bad records.</b> A value that does not decode is counted, logged (rate-limited) and marked:
 * it is skipped, never retried, and never stops the consumer.
 */
final class ConsumerLoop implements Supervisor.Body {

  private static final long MIN_BACKOFF_MS = 100;
  private static final long MAX_BACKOFF_MS = 5_000;
  private static final Duration IDLE_POLL = Duration.ofMillis(250);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final KafkaReceiverConfig config;
  private final Supplier<Consumer<byte[], byte[]>> consumers;
  private final ReceiverMetrics metrics;
  private final Logger logger;
  private final RateLimitedLogger rateLimited;
  private volatile boolean stopping;
  private volatile Consumer<byte[], byte[]> current;

  // state of one consumer instance, reset when the worker restarts
  private final ArrayDeque<ConsumerRecord<byte[], byte[]>> held = new ArrayDeque<>();
  private final Map<TopicPartition, Long> marked = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();
  private OtlpRequest headRequest;
  private long retryAtNanos;
  private long backoffMs = MIN_BACKOFF_MS;
  private boolean paused;
  private long nextCommitNanos;

  ConsumerLoop(KafkaReceiverConfig config, Supplier<Consumer<byte[], byte[]>> consumers, ReceiverMetrics metrics,
      Logger logger) {
    this.config = config;
    this.consumers = consumers;
    this.metrics = metrics;
    this.logger = logger;
    this.rateLimited = new RateLimitedLogger(logger, Duration.ofSeconds(10), System::nanoTime);
  }

  /** Ends the loop: the current poll returns at once, marked offsets are committed, the consumer closes. */
  void stop() {
    stopping = true;
    Consumer<byte[], byte[]> c = current;
    if (c != null) c.wakeup();
  }

  @Override
  public void run(Supervisor.Worker self) throws InterruptedException {
    resetState();
    Consumer<byte[], byte[]> consumer = consumers.get();
    current = consumer;
    try {
      consumer.subscribe(config.topics().keySet(), new Rebalance(consumer));
      logger.info("consuming " + config.topics().keySet() + " from " + config.client().describe() + " as group "
          + config.groupId());
      nextCommitNanos = System.nanoTime() + config.autocommitInterval().toNanos();
      while (!stopping) {
        self.checkpoint();
        pollOnce(consumer);
      }
    } finally {
      current = null;
      closeQuietly(consumer);
    }
  }

  private void resetState() {
    held.clear();
    marked.clear();
    committed.clear();
    headRequest = null;
    paused = false;
    backoffMs = MIN_BACKOFF_MS;
    metrics.paused.set(0);
  }

  private void pollOnce(Consumer<byte[], byte[]> consumer) throws InterruptedException {
    Duration wait = IDLE_POLL;
    if (!held.isEmpty()) wait = Duration.ofNanos(Math.max(0, Math.min(retryAtNanos - System.nanoTime(), 100_000_000L)));
    ConsumerRecords<byte[], byte[]> records;
    try {
      records = consumer.poll(wait);
    } catch (WakeupException e) {
      return; // stop() was called; the loop ends
    } catch (KafkaException e) {
      metrics.errors.increment();
      rateLimited.log(Level.WARNING, "poll", () -> "Kafka consumer error (retrying): " + e);
      Thread.sleep(backoff());
      return;
    }
    for (ConsumerRecord<byte[], byte[]> r : records) {
      TopicSource src = config.topics().get(r.topic());
      if (src != null) metrics.consumed(src.signal());
      held.add(r);
      if (!config.afterExecution()) mark(r);
    }
    handOn();
    if (!held.isEmpty() && !paused) {
      consumer.pause(consumer.assignment());
      paused = true;
      metrics.paused.set(1);
    } else if (held.isEmpty() && paused) {
      Set<TopicPartition> resume = new HashSet<>(consumer.paused());
      resume.retainAll(consumer.assignment()); // partitions paused before a rebalance may be gone
      consumer.resume(resume);
      paused = false;
      metrics.paused.set(0);
    }
    if (!config.autocommit() || System.nanoTime() - nextCommitNanos >= 0) {
      commitAsync(consumer);
      nextCommitNanos = System.nanoTime() + config.autocommitInterval().toNanos();
    }
    updateLag(consumer);
  }

  /** Hands held records on in order until one is refused (then waits for the retry time). */
  private void handOn() {
    while (!held.isEmpty() && System.nanoTime() - retryAtNanos >= 0) {
      ConsumerRecord<byte[], byte[]> r = held.peek();
      TopicSource src = config.topics().get(r.topic());
      if (src == null) { // a topic we no longer read (cannot happen with subscribe; be safe)
        held.poll();
        continue;
      }
      if (headRequest == null) {
        try {
          headRequest = RecordDecoder.decode(src.signal(), src.encoding(), r.value());
        } catch (RecordDecoder.Malformed e) {
          metrics.malformed.increment();
          rateLimited.log(Level.WARNING, "malformed", () -> "skipping record " + r.topic() + "/" + r.partition() + "@"
              + r.offset() + ": " + e.getMessage());
          done(r);
          continue;
        }
      }
      OtlpConsumer out = config.outputs().get(src.signal());
      try {
        out.consume(headRequest);
        metrics.accepted(src.signal(), headRequest.itemCount());
        backoffMs = MIN_BACKOFF_MS;
        done(r);
      } catch (ConsumeException ce) {
        if (ce instanceof ConsumeException.Rejected e) {
          if (rejected(r, src, e)) continue;
          return;
        }
        ConsumeException.Refused e = (ConsumeException.Refused) ce;
        metrics.refused(src.signal(), headRequest.itemCount());
        long delay = e.retryAfter() != null ? Math.min(e.retryAfter().toMillis(), MAX_BACKOFF_MS) : backoff();
        retryAtNanos = System.nanoTime() + delay * 1_000_000L;
        rateLimited.log(Level.INFO, "refused", () -> "downstream refused " + r.topic() + "/" + r.partition() + "@"
            + r.offset() + " (" + e.getMessage() + "); consumption paused, retrying");
        return;
      }
    }
  }

  /** A permanent refusal downstream: skipped (true), or held and retried as Alloy does (false). */
  private boolean rejected(ConsumerRecord<byte[], byte[]> r, TopicSource src, ConsumeException.Rejected e) {
    metrics.rejected(src.signal());
    if (!config.afterExecution() || config.includeUnsuccessful()) {
      rateLimited.log(Level.WARNING, "rejected", () -> "downstream rejected " + r.topic() + "/" + r.partition() + "@"
          + r.offset() + " for good (" + e.getMessage() + "); skipped");
      done(r);
      return true;
    }
    retryAtNanos = System.nanoTime() + backoff() * 1_000_000L;
    rateLimited.log(Level.WARNING, "rejected", () -> "downstream rejected " + r.topic() + "/" + r.partition() + "@"
        + r.offset() + " (" + e.getMessage() + "); the partition waits: message_marking { include_unsuccessful = "
        + "false }");
    return false;
  }

  private void done(ConsumerRecord<byte[], byte[]> r) {
    held.poll();
    headRequest = null;
    mark(r);
  }

  private void mark(ConsumerRecord<byte[], byte[]> r) {
    marked.put(new TopicPartition(r.topic(), r.partition()), r.offset() + 1);
  }

  private long backoff() {
    long b = backoffMs;
    backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    return b;
  }

  /** Offsets marked since the last commit, for the partitions in {@code only} (null: all). */
  private Map<TopicPartition, OffsetAndMetadata> toCommit(Collection<TopicPartition> only) {
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (Map.Entry<TopicPartition, Long> e : marked.entrySet()) {
      if (only != null && !only.contains(e.getKey())) continue;
      Long done = committed.get(e.getKey());
      if (done == null || done < e.getValue()) out.put(e.getKey(), new OffsetAndMetadata(e.getValue()));
    }
    return out;
  }

  private void commitAsync(Consumer<byte[], byte[]> consumer) {
    Map<TopicPartition, OffsetAndMetadata> offsets = toCommit(null);
    if (offsets.isEmpty()) return;
    consumer.commitAsync(offsets, (done, error) -> {
      if (error == null) {
        metrics.commits.increment();
        done.forEach((tp, o) -> committed.merge(tp, o.offset(), Math::max));
      } else {
        metrics.commitFailures.increment();
        rateLimited.log(Level.WARNING, "commit", () -> "offset commit failed (later offsets will be committed): " + error);
      }
    });
  }

  private void commitSync(Consumer<byte[], byte[]> consumer, Collection<TopicPartition> only) {
    Map<TopicPartition, OffsetAndMetadata> offsets = toCommit(only);
    if (offsets.isEmpty()) return;
    try {
      consumer.commitSync(offsets, CLOSE_TIMEOUT);
      metrics.commits.increment();
      offsets.forEach((tp, o) -> committed.merge(tp, o.offset(), Math::max));
    } catch (KafkaException e) {
      metrics.commitFailures.increment();
      rateLimited.log(Level.WARNING, "commit", () -> "offset commit failed: " + e);
    }
  }

  private void updateLag(Consumer<byte[], byte[]> consumer) {
    long sum = 0;
    Collection<TopicPartition> assigned = consumer.assignment();
    for (TopicPartition tp : assigned) {
      OptionalLong l = consumer.currentLag(tp);
      if (l.isPresent()) sum += l.getAsLong();
    }
    metrics.lag.set(sum);
    metrics.assigned.set(assigned.size());
  }

  private void closeQuietly(Consumer<byte[], byte[]> consumer) {
    try {
      commitSync(consumer, null);
    } catch (RuntimeException e) {
      logger.log(Level.WARNING, "final offset commit failed", e);
    }
    try {
      consumer.close(CLOSE_TIMEOUT);
    } catch (RuntimeException e) {
      logger.log(Level.WARNING, "closing the Kafka consumer failed", e);
    }
  }

  /** Commits what was marked before partitions go; forgets held records of partitions that went. */
  private final class Rebalance implements ConsumerRebalanceListener {
    private final Consumer<byte[], byte[]> consumer;

    Rebalance(Consumer<byte[], byte[]> consumer) {
      this.consumer = consumer;
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      commitSync(consumer, partitions);
      forget(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      forget(partitions); // another member owns them already: committing could move its offsets back
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      logger.info("assigned " + partitions.size() + " partitions: " + partitions);
    }

    private void forget(Collection<TopicPartition> partitions) {
      ConsumerRecord<byte[], byte[]> head = held.peek();
      Iterator<ConsumerRecord<byte[], byte[]>> it = held.iterator();
      boolean headGone = false;
      while (it.hasNext()) {
        ConsumerRecord<byte[], byte[]> r = it.next();
        if (partitions.contains(new TopicPartition(r.topic(), r.partition()))) {
          if (r == head) headGone = true;
          it.remove();
        }
      }
      if (headGone) headRequest = null;
      for (TopicPartition tp : partitions) {
        marked.remove(tp);
        committed.remove(tp);
      }
    }
  }
}
