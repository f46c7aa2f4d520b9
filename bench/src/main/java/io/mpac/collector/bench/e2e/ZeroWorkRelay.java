package io.mpac.collector.bench.e2e;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Detachable;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NegotiationType;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end benchmark's floor: the cheapest OTLP/gRPC relay we can write. Every {@code Export}
 * call's message is taken as bytes (no protobuf parsing, no validation, no batching) and sent
 * unchanged over one shared channel to the upstream; the upstream's answer is the caller's answer.
 * Server and channel run everything on their event loops (direct executors), with no stubs in
 * between: a {@link ServerCallHandler} starts one {@link ClientCall} per call.
 *
 * <p>Variants, to show the floor is the fastest of what we tried (see docs/BENCHMARKS.md):
 * <ul>
 *   <li>{@code bytes}: the message is read into one exactly sized array and written from it in one
 *       piece ({@link Drainable}): two copies, one allocation per request;</li>
 *   <li>{@code detach}: the server's message stream is detached from the deframer
 *       ({@link Detachable}) and drained straight into the client's frame: one copy, no array;</li>
 *   <li>{@code bytes-1loop}: as {@code bytes}, with server and channel sharing one event loop
 *       thread (fewer threads, no hand-off between loops).</li>
 * </ul>
 *
 * <pre>java -cp benchmarks.jar io.mpac.collector.bench.e2e.ZeroWorkRelay --port P --upstream 127.0.0.1:Q [--variant V]</pre>
 */
public final class ZeroWorkRelay implements AutoCloseable {

  /** How a message crosses the relay. */
  enum Variant {
    BYTES, DETACH, BYTES_1LOOP;

    String label() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static Variant parse(String s) {
      for (Variant v : values()) {
        if (v.label().equals(s)) return v;
      }
      throw new IllegalArgumentException("unknown relay variant \"" + s + "\" (bytes, detach, bytes-1loop)");
    }
  }

  /** The fastest variant of the run of 2026-12-08 (docs/BENCHMARKS.md, issue #16): the floor. */
  static final Variant DEFAULT = Variant.BYTES_1LOOP;

  private static final String[] SERVICES = {
      "opentelemetry.proto.collector.trace.v1.TraceService",
      "opentelemetry.proto.collector.metrics.v1.MetricsService",
      "opentelemetry.proto.collector.logs.v1.LogsService"};

  private final Server server;
  private final ManagedChannel upstream;
  private final EventLoopGroup sharedLoop;

  ZeroWorkRelay(InetSocketAddress address, String upstreamTarget, Variant variant) throws IOException {
    MethodDescriptor.Marshaller<InputStream> marshaller = variant == Variant.DETACH ? DETACHED : ARRAY;
    NettyChannelBuilder cb = NettyChannelBuilder.forTarget(upstreamTarget).negotiationType(NegotiationType.PLAINTEXT)
        .directExecutor().maxInboundMessageSize(64 << 20);
    NettyServerBuilder sb = NettyServerBuilder.forAddress(address).directExecutor().maxInboundMessageSize(64 << 20);
    if (variant == Variant.BYTES_1LOOP) {
      sharedLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("relay", true), NioIoHandler.newFactory());
      cb.eventLoopGroup(sharedLoop).channelType(NioSocketChannel.class);
      sb.bossEventLoopGroup(sharedLoop).workerEventLoopGroup(sharedLoop).channelType(NioServerSocketChannel.class);
    } else {
      sharedLoop = null;
    }
    this.upstream = cb.build();
    for (String service : SERVICES) {
      MethodDescriptor<InputStream, InputStream> method = MethodDescriptor.<InputStream, InputStream>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName(MethodDescriptor.generateFullMethodName(service, "Export"))
          .setRequestMarshaller(marshaller)
          .setResponseMarshaller(marshaller)
          .build();
      sb.addService(ServerServiceDefinition.builder(service).addMethod(method, new Forward(method)).build());
    }
    this.server = sb.build().start();
  }

  int port() {
    return server.getPort();
  }

  /** One server call → one upstream call with the same message; the upstream's outcome is relayed back. */
  private final class Forward implements ServerCallHandler<InputStream, InputStream> {
    private final MethodDescriptor<InputStream, InputStream> method;

    Forward(MethodDescriptor<InputStream, InputStream> method) {
      this.method = method;
    }

    @Override
    public ServerCall.Listener<InputStream> startCall(ServerCall<InputStream, InputStream> in, Metadata headers) {
      ClientCall<InputStream, InputStream> out = upstream.newCall(method, CallOptions.DEFAULT);
      out.start(new ClientCall.Listener<>() {
        @Override
        public void onMessage(InputStream message) {
          in.sendHeaders(new Metadata());
          in.sendMessage(message);
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
          in.close(status, trailers);
        }
      }, new Metadata());
      out.request(1);
      in.request(1);
      return new ServerCall.Listener<>() {
        @Override
        public void onMessage(InputStream message) {
          out.sendMessage(message);
        }

        @Override
        public void onHalfClose() {
          out.halfClose();
        }

        @Override
        public void onCancel() {
          out.cancel("caller cancelled", null);
        }
      };
    }
  }

  /** Reads the message into one exactly sized array; writes it in one piece. */
  private static final MethodDescriptor.Marshaller<InputStream> ARRAY = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream in) {
      try {
        byte[] b = in.available() > 0 && in instanceof KnownLength ? in.readNBytes(in.available()) : in.readAllBytes();
        return new ArrayMessage(b);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  /** Keeps the deframer's buffers (detached, so they outlive the parse) and drains them into the outgoing frame. */
  private static final MethodDescriptor.Marshaller<InputStream> DETACHED = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream in) {
      if (in instanceof Detachable d && in instanceof KnownLength) return new DetachedMessage(d.detach());
      return ARRAY.parse(in);
    }
  };

  /** A whole message in an array; gRPC's framer asks for its length and drains it with one write. */
  private static final class ArrayMessage extends InputStream implements KnownLength, Drainable {
    private final byte[] bytes;
    private int pos;

    ArrayMessage(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int n = bytes.length - pos;
      target.write(bytes, pos, n);
      pos = bytes.length;
      return n;
    }

    @Override
    public int read() {
      return pos < bytes.length ? bytes[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (pos >= bytes.length) return -1;
      int n = Math.min(len, bytes.length - pos);
      System.arraycopy(bytes, pos, b, off, n);
      pos += n;
      return n;
    }

    @Override
    public int available() {
      return bytes.length - pos;
    }
  }

  /** A detached deframer stream; draining copies its buffers into the frame and releases them. */
  private static final class DetachedMessage extends InputStream implements KnownLength, Drainable {
    private final InputStream in;

    DetachedMessage(InputStream in) {
      this.in = in;
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      try (in) {
        return (int) in.transferTo(target);
      }
    }

    @Override
    public int read() throws IOException {
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return in.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
      return in.available();
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
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
    if (sharedLoop != null) sharedLoop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
  }

  public static void main(String[] args) throws Exception {
    int port = 0;
    String upstream = null;
    Variant variant = DEFAULT;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--upstream" -> upstream = args[i + 1];
        case "--variant" -> variant = Variant.parse(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (upstream == null) throw new IllegalArgumentException("--upstream HOST:PORT is required");
    try (ZeroWorkRelay relay = new ZeroWorkRelay(new InetSocketAddress("127.0.0.1", port), upstream, variant)) {
      System.out.println("relay (" + variant.label() + ") listening on 127.0.0.1:" + relay.port() + " -> " + upstream);
      Thread.currentThread().join();
    }
  }
}
