package io.mpac.collector.loadgen;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.mpac.collector.pdata.Signal;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The benchmark's floor: receives each OTLP/gRPC request as bytes and forwards the same bytes
 * upstream, answering when upstream answers. No decode, no validation, no batching: whatever a
 * collector costs beyond this is the cost of its work.
 *
 * <pre>java -cp mpac-collector.jar io.mpac.collector.loadgen.GrpcRelay --port 4320 --upstream 127.0.0.1:4319</pre>
 */
public final class GrpcRelay implements AutoCloseable {

  private final Server server;
  private final ManagedChannel upstream;

  public GrpcRelay(InetSocketAddress address, String upstreamTarget) throws IOException {
    this.upstream = NettyChannelBuilder.forTarget(upstreamTarget).usePlaintext().maxInboundMessageSize(64 << 20).build();
    NettyServerBuilder b = NettyServerBuilder.forAddress(address).maxInboundMessageSize(64 << 20);
    for (Signal s : Signal.values()) {
      b.addService(ServerServiceDefinition.builder(RawOtlpGrpc.export(s).getServiceName())
          .addMethod(RawOtlpGrpc.export(s), ServerCalls.asyncUnaryCall((byte[] request, StreamObserver<byte[]> response) ->
              ClientCalls.asyncUnaryCall(upstream.newCall(RawOtlpGrpc.export(s),
                  CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS)), request, response)))
          .build());
    }
    this.server = b.directExecutor().build().start();
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdownNow();
    upstream.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
      upstream.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(Args.value(args, "--port", "4320"));
    String upstream = Args.value(args, "--upstream", "127.0.0.1:4319");
    try (GrpcRelay relay = new GrpcRelay(new InetSocketAddress("127.0.0.1", port), upstream)) {
      System.out.println("relay listening on 127.0.0.1:" + relay.port() + " -> " + upstream);
      Thread.currentThread().join();
    }
  }
}
