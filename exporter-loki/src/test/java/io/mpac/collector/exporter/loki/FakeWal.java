package io.mpac.collector.exporter.loki;

import io.mpac.collector.exporter.queue.Lease;
import io.mpac.collector.exporter.queue.QueueLimits;
import io.mpac.collector.exporter.queue.QueueStore;
import io.mpac.collector.exporter.queue.RecordCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A persistent {@link QueueStore} for loki.write's tests, keeping its "disk" (encoded records and
 * which are acked) in this object by directory, so a store opened again on the same directory
 * hands out every unacked record again, decoded with the codec, as a real WAL does after a restart.
 * It checks the store contract loki.write relies on (nothing acked twice, nothing unknown acked);
 * the real file store is tested on its own and in collector-app's crash test.
 */
final class FakeWal implements WalStoreOpener {

  /** One record on the "disk". */
  static final class Record {
    final long id;
    final byte[] bytes;
    final int items;
    volatile boolean acked;

    Record(long id, byte[] bytes, int items) {
      this.id = id;
      this.bytes = bytes;
      this.items = items;
    }
  }

  final Map<Path, List<Record>> disk = new ConcurrentHashMap<>();
  final List<Path> opened = new CopyOnWriteArrayList<>();
  final List<Long> takeWaits = new CopyOnWriteArrayList<>();
  final List<String> contractErrors = new CopyOnWriteArrayList<>();
  volatile boolean diskFull;
  final java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public QueueStore<EntryChunk> open(Path dir, QueueLimits limits, RecordCodec<EntryChunk> codec,
      java.util.logging.Logger logger) throws IOException {
    opened.add(dir);
    return new Store(disk.computeIfAbsent(dir, d -> new CopyOnWriteArrayList<>()), limits, codec);
  }

  long unacked(Path dir) {
    return disk.getOrDefault(dir, List.of()).stream().filter(r -> !r.acked).count();
  }

  private final class Store implements QueueStore<EntryChunk> {
    private final List<Record> records;
    private final QueueLimits limits;
    private final RecordCodec<EntryChunk> codec;
    private final ArrayDeque<Lease<EntryChunk>> waiting = new ArrayDeque<>();
    private final Map<Long, Record> inFlight = new ConcurrentHashMap<>();
    private boolean closed;

    Store(List<Record> records, QueueLimits limits, RecordCodec<EntryChunk> codec) throws IOException {
      this.records = records;
      this.limits = limits;
      this.codec = codec;
      for (Record r : records) {
        if (!r.acked) waiting.add(new Lease<>(r.id, codec.decode(r.bytes, 0, r.bytes.length), r.items, r.bytes.length, true));
      }
    }

    @Override
    public synchronized OfferResult offer(EntryChunk payload, int items, long bytes, long waitNanos)
        throws InterruptedException {
      long deadline = System.nanoTime() + waitNanos;
      while (!closed && (diskFull || !limits.fits(usage(), items, bytes))) {
        long left = deadline - System.nanoTime();
        if (left <= 0) return OfferResult.FULL;
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      if (closed) return OfferResult.CLOSED;
      byte[] enc = codec.encode(payload);
      Record r = new Record(records.size(), enc, items);
      records.add(r);
      try {
        waiting.add(new Lease<>(r.id, codec.decode(enc, 0, enc.length), items, enc.length, false));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      notifyAll();
      return OfferResult.ACCEPTED;
    }

    @Override
    public synchronized Lease<EntryChunk> take(long maxWaitNanos) throws InterruptedException {
      takeWaits.add(maxWaitNanos);
      long deadline = System.nanoTime() + maxWaitNanos;
      while (waiting.isEmpty() && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) return null;
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      Lease<EntryChunk> l = waiting.poll();
      if (l != null) {
        inFlight.put(l.id(), records.get((int) l.id()));
        taken.incrementAndGet();
      }
      return l;
    }

    @Override
    public synchronized void ack(Lease<EntryChunk> lease) {
      Record r = inFlight.remove(lease.id());
      if (r == null) {
        contractErrors.add("ack of a lease not in flight: " + lease.id());
        return;
      }
      if (r.acked) contractErrors.add("acked twice: " + lease.id());
      r.acked = true;
      notifyAll();
    }

    @Override
    public synchronized void closeForOffers() {
      closed = true;
      notifyAll();
    }

    @Override
    public List<Lease<EntryChunk>> abandon() {
      closeForOffers();
      return List.of();
    }

    @Override
    public synchronized boolean finished() {
      return closed && waiting.isEmpty();
    }

    @Override
    public boolean persistent() {
      return true;
    }

    @Override
    public synchronized Usage usage() {
      long count = 0;
      long items = 0;
      long bytes = 0;
      for (Record r : new ArrayList<>(records)) {
        if (r.acked) continue;
        count++;
        items += r.items;
        bytes += r.bytes.length;
      }
      return new Usage(count, items, bytes);
    }

    @Override
    public QueueLimits limits() {
      return limits;
    }

    @Override
    public void close() {
      closeForOffers();
    }
  }
}
