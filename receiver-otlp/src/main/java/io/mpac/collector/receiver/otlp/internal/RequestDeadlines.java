package io.mpac.collector.receiver.otlp.internal;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Slow-loris protection for one HTTP connection, placed before the HTTP codec so it sees raw
 * bytes. The first byte of a request starts two clocks: its headers must be complete within
 * {@code headerTimeout} and the whole request within {@code readTimeout}; {@link HttpExportHandler}
 * reports {@link #headersDone()} and {@link #requestDone()}. A clock that runs out closes the
 * connection and is counted. Waiting between requests is the idle timeout's business, not this;
 * but when a request ends with bytes of the next one already buffered by the decoder (pipelined,
 * or garbage without a line end), the next request's clocks start at once.
 * Runs on the channel's event loop only.
 */
final class RequestDeadlines extends ChannelDuplexHandler {

  private enum Phase { BETWEEN, HEADERS, BODY }

  private final long headerNanos;
  private final long readNanos;
  private final Runnable onTimeout;
  private final java.util.function.BooleanSupplier leftover;
  private Phase phase = Phase.BETWEEN;
  private ChannelHandlerContext ctx;
  private ScheduledFuture<?> headerClock;
  private ScheduledFuture<?> readClock;

  /** {@code leftover}: whether the HTTP decoder holds bytes of a request it has not finished. */
  RequestDeadlines(Duration headerTimeout, Duration readTimeout, Runnable onTimeout,
      java.util.function.BooleanSupplier leftover) {
    this.leftover = leftover;
    this.headerNanos = headerTimeout.toNanos();
    this.readNanos = readTimeout.toNanos();
    this.onTimeout = onTimeout;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    if (phase == Phase.BETWEEN && msg instanceof ByteBuf b && b.isReadable()) start();
    super.channelRead(ctx, msg);
  }

  private void start() {
    phase = Phase.HEADERS;
    headerClock = ctx.executor().schedule(this::expire, headerNanos, TimeUnit.NANOSECONDS);
    readClock = ctx.executor().schedule(this::expire, readNanos, TimeUnit.NANOSECONDS);
  }

  /** The current request's headers are complete. */
  void headersDone() {
    cancel(headerClock);
    headerClock = null;
    if (phase == Phase.HEADERS) phase = Phase.BODY;
  }

  /** The current request has been read whole (or refused); the next byte starts a new request. */
  void requestDone() {
    cancel(headerClock);
    cancel(readClock);
    headerClock = null;
    readClock = null;
    phase = Phase.BETWEEN;
    if (ctx != null && ctx.channel().isActive() && leftover.getAsBoolean()) start();
  }

  private void expire() {
    if (phase == Phase.BETWEEN || !ctx.channel().isActive()) return;
    cancel(headerClock);
    cancel(readClock);
    phase = Phase.BETWEEN;
    onTimeout.run();
    ctx.close();
  }

  private static void cancel(ScheduledFuture<?> f) {
    if (f != null) f.cancel(false);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancel(headerClock);
    cancel(readClock);
    phase = Phase.BETWEEN;
    super.channelInactive(ctx);
  }
}
