package io.mpac.collector.loadgen;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.mpac.collector.pdata.Signal;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Sends one encoded request and says how it went: {@code "OK"}, a gRPC status name, or {@code "HTTP 429"}. */
public sealed interface Transport extends AutoCloseable permits Transport.Grpc, Transport.Http {

  /** Blocks until the server answered (or the deadline passed). */
  String send(byte[] request);

  @Override
  void close();

  /** OTLP/gRPC over one plaintext channel, shared by all workers (HTTP/2 multiplexes them). */
  final class Grpc implements Transport {
    private final ManagedChannel channel;
    private final Signal signal;

    public Grpc(String endpoint, Signal signal) {
      this.channel = NettyChannelBuilder.forTarget(endpoint).usePlaintext().maxInboundMessageSize(64 << 20).build();
      this.signal = signal;
    }

    @Override
    public String send(byte[] request) {
      try {
        ClientCalls.blockingUnaryCall(channel, RawOtlpGrpc.export(signal),
            CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), request);
        return "OK";
      } catch (StatusRuntimeException e) {
        return e.getStatus().getCode().name();
      } catch (RuntimeException e) {
        return Status.fromThrowable(e).getCode().name();
      }
    }

    @Override
    public void close() {
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** OTLP/HTTP, protobuf or JSON. */
  final class Http implements Transport {
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI uri;
    private final String contentType;

    public Http(String endpoint, Signal signal, boolean json) {
      String base = endpoint.startsWith("http://") || endpoint.startsWith("https://") ? endpoint : "http://" + endpoint;
      this.uri = URI.create(base.replaceAll("/+$", "") + RawOtlpGrpc.httpPath(signal));
      this.contentType = json ? "application/json" : "application/x-protobuf";
    }

    @Override
    public String send(byte[] request) {
      HttpRequest r = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
          .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(request)).build();
      try {
        HttpResponse<Void> response = client.send(r, HttpResponse.BodyHandlers.discarding());
        return response.statusCode() / 100 == 2 ? "OK" : "HTTP " + response.statusCode();
      } catch (IOException e) {
        return "IO " + e.getClass().getSimpleName();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return "INTERRUPTED";
      }
    }

    @Override
    public void close() {
      // java.net.http.HttpClient has no close() before Java 21; its threads are daemons.
    }
  }
}
