package io.mpac.collector.loadgen;

import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCalls;
import io.mpac.collector.pdata.Signal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * An OTLP/gRPC server that accepts everything and only counts items (by a tag walk, never a
 * decode): the backend of the end-to-end benchmark. Prints its totals once a second.
 *
 * <p>It also measures delivery latency for traces: for every {@code ResourceSpans} that arrives it
 * reads the first span's {@code start_time_unix_nano} (a tag walk, see {@link SpanTimes}) and
 * records the time since then. The generator stamps the send time there, so this is the time from
 * the generator's send to the sink's receipt, through whatever sits in between. Spans without a
 * start time are not sampled. {@link #reset()} starts a new measurement phase.
 *
 * <pre>java -cp mpac-collector.jar io.mpac.collector.loadgen.NullSink --port 4319</pre>
 */
public final class NullSink implements AutoCloseable {

  private static final byte[] EMPTY_RESPONSE = new byte[0];

  private final Server server;
  private final LongAdder requests = new LongAdder();
  private final LongAdder items = new LongAdder();
  private final LongAdder malformed = new LongAdder();
  private final LatencyHistogram latency = new LatencyHistogram();

  public NullSink(InetSocketAddress address) throws IOException {
    NettyServerBuilder b = NettyServerBuilder.forAddress(address).maxInboundMessageSize(64 << 20);
    for (Signal s : Signal.values()) {
      b.addService(ServerServiceDefinition.builder(RawOtlpGrpc.export(s).getServiceName())
          .addMethod(RawOtlpGrpc.export(s), ServerCalls.asyncUnaryCall((request, response) -> {
            long receivedAt = EpochClock.nowNanos();
            int n = ItemCounter.count(s, request);
            requests.increment();
            if (n < 0) {
              malformed.increment();
              response.onError(Status.INVALID_ARGUMENT.withDescription("malformed request").asRuntimeException());
              return;
            }
            items.add(n);
            if (s == Signal.TRACES) recordLatency(request, receivedAt);
            response.onNext(EMPTY_RESPONSE);
            response.onCompleted();
          })).build());
    }
    this.server = b.directExecutor().build().start();
  }

  public int port() {
    return server.getPort();
  }

  public long items() {
    return items.sum();
  }

  public long requests() {
    return requests.sum();
  }

  public long malformed() {
    return malformed.sum();
  }

  private void recordLatency(byte[] request, long receivedAt) {
    SpanTimes.forEachFirstStart(request, start -> {
      if (start > 0) latency.recordMicros(Math.max(0, receivedAt - start) / 1000);
    });
  }

  /** How many latency samples (trace resources with a start time) arrived since the last reset. */
  public long latencySamples() {
    return latency.count();
  }

  /** The {@code q} quantile (0..1) of the delivery latency in microseconds, to about 2%; 0 when nothing arrived. */
  public long latencyMicros(double q) {
    return latency.percentileMicros(q);
  }

  public long latencyP50Micros() {
    return latency.percentileMicros(0.50);
  }

  public long latencyP99Micros() {
    return latency.percentileMicros(0.99);
  }

  /**
   * Zeroes the counters and the latency histogram. Call it while no request is arriving (a request
   * in flight during the reset may be counted partly before and partly after).
   */
  public void reset() {
    requests.reset();
    items.reset();
    malformed.reset();
    latency.reset();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(Args.value(args, "--port", "4319"));
    try (NullSink sink = new NullSink(new InetSocketAddress("127.0.0.1", port))) {
      System.out.println("sink listening on 127.0.0.1:" + sink.port());
      while (!Thread.currentThread().isInterrupted()) {
        Thread.sleep(1000);
        System.out.println("sink requests=" + sink.requests() + " items=" + sink.items() + " malformed=" + sink.malformed()
            + " trace latency p99=" + sink.latencyP99Micros() / 1000.0 + "ms");
      }
    }
  }
}
