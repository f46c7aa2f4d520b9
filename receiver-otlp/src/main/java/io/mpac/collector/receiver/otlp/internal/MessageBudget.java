package io.mpac.collector.receiver.otlp.internal;

import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;

/**
 * Holds one gRPC stream's message bytes against the process-wide {@link InFlightBudget} (through
 * the client's share, {@link ClientBudgets}) and its connection's limit. grpc-java reports body bytes through {@link #inboundWireSize} as its
 * deframer pulls them off the wire (each time, before the message is complete, and it returns
 * HTTP/2 flow-control credit only for bytes pulled), so a stream that never finishes its message
 * holds exactly what it sent. When a stream's bytes do not fit, {@link #onOverBudget} runs once
 * (the call handler closes the call with RESOURCE_EXHAUSTED, which frees the deframer's buffers);
 * everything held is given back when the stream closes.
 *
 * <p>Bytes not yet pulled (before the handler requests the message) are bounded by HTTP/2 flow
 * control: the connection window (1 MiB, grpc-java's default).
 */
final class MessageBudget extends ServerStreamTracer {

  /** The stream's tracer, found by the call handler in the call's context. */
  static final Context.Key<MessageBudget> KEY = Context.key("mpac-message-budget");
  /** The per-connection byte limit, attached to every transport by {@link GrpcServer}. */
  static final Attributes.Key<InFlightBudget> CONNECTION = Attributes.Key.create("mpac-connection-bytes");
  /** The client's share of the budget ({@link ClientBudgets}), attached to every transport by {@link GrpcServer}. */
  static final Attributes.Key<InFlightBudget> CLIENT = Attributes.Key.create("mpac-client-bytes");

  /** Creates one tracer per stream. */
  static final class Factory extends ServerStreamTracer.Factory {
    private final InFlightBudget budget;

    Factory(InFlightBudget budget) {
      this.budget = budget;
    }

    @Override
    public ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
      return new MessageBudget(budget);
    }
  }

  private InFlightBudget budget;
  private InFlightBudget connection;
  private long held;
  private boolean exceeded;
  private boolean closed;
  private Runnable onOverBudget;

  MessageBudget(InFlightBudget budget) {
    this.budget = budget;
  }

  @Override
  public Context filterContext(Context context) {
    return context.withValue(KEY, this);
  }

  @Override
  public synchronized void serverCallStarted(ServerCallInfo<?, ?> callInfo) {
    connection = callInfo.getAttributes().get(CONNECTION);
    InFlightBudget client = callInfo.getAttributes().get(CLIENT);
    if (client != null) budget = client; // the client's share, which also takes from the receiver's budget
  }

  /** What to do when this stream's bytes do not fit; set before the message is requested. */
  synchronized void onOverBudget(Runnable action) {
    this.onOverBudget = action;
  }

  @Override
  public void inboundWireSize(long bytes) {
    if (!take(bytes)) fire();
  }

  /**
   * Takes {@code bytes} more (e.g. the decompressed copy of the message); false when they do not
   * fit, in which case the stream is over budget.
   */
  boolean take(long bytes) {
    synchronized (this) {
      if (exceeded || closed) return !exceeded;
      if (connection != null && !connection.tryAcquire(bytes)) {
        exceeded = true;
        return false;
      }
      if (!budget.tryAcquire(bytes)) {
        if (connection != null) connection.release(bytes);
        exceeded = true;
        return false;
      }
      held += bytes;
      return true;
    }
  }

  private void fire() {
    Runnable r;
    synchronized (this) {
      r = onOverBudget;
      onOverBudget = null;
    }
    if (r != null) r.run();
  }

  synchronized boolean exceeded() {
    return exceeded;
  }

  @Override
  public synchronized void streamClosed(Status status) {
    closed = true;
    budget.release(held);
    if (connection != null) connection.release(held);
    held = 0;
    onOverBudget = null;
  }
}
