package io.mpac.collector.exporter.queue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Real files whose writes fail like a full disk once a byte budget is spent: the write that would
 * pass the budget writes what fits (a partial record, as a real full disk does) and then throws
 * {@code IOException("No space left on device")}. {@link #refill} gives space back.
 */
final class FailingFileOps implements FileOps {

  private final AtomicLong budget;
  private final AtomicLong failures = new AtomicLong();

  FailingFileOps(long budgetBytes) {
    this.budget = new AtomicLong(budgetBytes);
  }

  void refill(long bytes) {
    budget.set(bytes);
  }

  long failures() {
    return failures.get();
  }

  @Override
  public FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException {
    return new Channel(FileChannel.open(path, options));
  }

  /** Takes up to {@code wanted} bytes of the budget; returns how many were granted. */
  private int grant(int wanted) {
    while (true) {
      long left = budget.get();
      int granted = (int) Math.min(wanted, Math.max(0, left));
      if (budget.compareAndSet(left, left - granted)) return granted;
    }
  }

  private final class Channel extends FileChannel {
    private final FileChannel real;

    Channel(FileChannel real) {
      this.real = real;
    }

    private int limitedWrite(ByteBuffer src, long position, boolean positional) throws IOException {
      int wanted = src.remaining();
      int granted = grant(wanted);
      if (granted == 0 && wanted > 0) {
        failures.incrementAndGet();
        throw new IOException("No space left on device");
      }
      ByteBuffer part = src.duplicate();
      part.limit(part.position() + granted);
      int n = positional ? real.write(part, position) : real.write(part);
      src.position(src.position() + n);
      return n;
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
      return limitedWrite(src, position, true);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
      return limitedWrite(src, 0, false);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
      long n = 0;
      for (int i = offset; i < offset + length; i++) n += write(srcs[i]);
      return n;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
      return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
      return real.read(dsts, offset, length);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      return real.read(dst, position);
    }

    @Override
    public long position() throws IOException {
      return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
      real.position(newPosition);
      return this;
    }

    @Override
    public long size() throws IOException {
      return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
      real.truncate(size);
      return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
      real.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
      throw new UnsupportedOperationException("not used by the store");
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
      throw new UnsupportedOperationException("not used by the store");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
      throw new UnsupportedOperationException("not used by the store");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
      return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
      return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
      real.close();
    }
  }
}
