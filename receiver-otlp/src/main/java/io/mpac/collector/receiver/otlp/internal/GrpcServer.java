package io.mpac.collector.receiver.otlp.internal;

import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerTransportFilter;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.mpac.collector.pdata.ClientMetadata;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.receiver.otlp.ReceiverOtlpConfig;
import io.mpac.collector.receiver.otlp.internal.ExportPipeline.Outcome;
import io.mpac.collector.receiver.otlp.internal.ExportPipeline.Transport;
import io.mpac.collector.tls.FileReloader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The OTLP/gRPC server: the three {@code Export} methods, registered with a byte-array marshaller
 * so the request is validated in its encoded form and never parsed into objects.
 *
 * <p>Handlers run on the transport's event loop ({@code directExecutor}): {@link ExportPipeline}
 * does bounded CPU work and consumers do not block. grpc-java enforces {@code max_recv_msg_size}
 * (after decompression too) with {@code RESOURCE_EXHAUSTED}, and decodes gzip.
 *
 * <p>Resource limits: a connection beyond {@code max_connections} is closed when accepted
 * ({@link LimitedServerChannel}); each stream's message bytes are held against the in-flight
 * budget and the connection's limit as they arrive ({@link MessageBudget}), and a call whose
 * message does not fit ends with RESOURCE_EXHAUSTED and a one-second RetryInfo; a call whose
 * message is not complete within {@code read_timeout} ends with DEADLINE_EXCEEDED (counted as a
 * timeout). Closing a call frees what its stream's deframer held.
 */
public final class GrpcServer {

  static final Metadata.Key<byte[]> STATUS_DETAILS =
      Metadata.Key.of("grpc-status-details-bin", Metadata.BINARY_BYTE_MARSHALLER);

  /**
   * Returned by {@link #BYTES} when the message could not be read (grpc-java's size limit hit
   * while inflating a compressed message); compared by identity. An exception thrown from a
   * marshaller would end the call as UNKNOWN, so the handler answers for it instead.
   */
  static final byte[] TOO_LARGE = new byte[0];
  static final byte[] UNREADABLE = new byte[0];

  /** Reads a message as the bytes it arrived in. */
  static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new WholeMessage(value);
    }

    @Override
    public byte[] parse(InputStream in) {
      try {
        if (in instanceof KnownLength) {
          int n = in.available();
          byte[] b = new byte[n];
          int read = in.readNBytes(b, 0, n);
          if (read == n && in.read() < 0) return b;
          byte[] rest = in.readAllBytes();
          byte[] all = java.util.Arrays.copyOf(b, read + rest.length);
          System.arraycopy(rest, 0, all, read, rest.length);
          return all;
        }
        return in.readAllBytes();
      } catch (io.grpc.StatusRuntimeException e) {
        return e.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED ? TOO_LARGE : UNREADABLE;
      } catch (IOException | RuntimeException e) {
        return UNREADABLE;
      }
    }
  };

  /**
   * An answer as gRPC's framer wants it: sized ({@link KnownLength}) and written in one piece
   * ({@link Drainable}); a plain {@link ByteArrayInputStream} would be copied through a fresh 8 KiB
   * buffer for every call.
   */
  static final class WholeMessage extends ByteArrayInputStream implements KnownLength, Drainable {
    WholeMessage(byte[] bytes) {
      super(bytes);
    }

    @Override
    public int drainTo(OutputStream target) throws IOException {
      int n = count - pos;
      target.write(buf, pos, n);
      pos = count;
      return n;
    }
  }

  static final String[] SERVICES = {
      "opentelemetry.proto.collector.trace.v1.TraceService",
      "opentelemetry.proto.collector.metrics.v1.MetricsService",
      "opentelemetry.proto.collector.logs.v1.LogsService"};

  private final ReceiverOtlpConfig.Grpc config;
  private final ExportPipeline pipeline;
  private final InFlightBudget budget;
  private final ConnectionCounter connections;
  private Server server;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private ScheduledExecutorService timer;
  /** The worker event loop that runs the current thread, found once per thread (null elsewhere). */
  private final ThreadLocal<EventExecutor> currentLoop = ThreadLocal.withInitial(this::findCurrentLoop);

  private final FileReloader.Listener tlsReloads;
  private ServerTls serverTls;

  private final ClientBudgets clients;

  public GrpcServer(ReceiverOtlpConfig.Grpc config, ExportPipeline pipeline, InFlightBudget budget,
      ClientBudgets clients, FileReloader.Listener tlsReloads) {
    this.clients = clients;
    this.tlsReloads = tlsReloads;
    this.config = config;
    this.pipeline = pipeline;
    this.budget = budget;
    this.connections = new ConnectionCounter(config.limits().maxConnections());
  }

  /** Binds and starts; throws {@link IOException} (cause: the bind error) if it cannot. */
  public void start() throws IOException {
    NettyServerBuilder nb = NettyServerBuilder.forAddress(new InetSocketAddress(config.host(), config.port()));
    ReceiverOtlpConfig.Tls tls = config.tls();
    if (tls != null) {
      // JDK provider: it asks the (reloadable) key and trust managers at every handshake
      try {
        serverTls = ServerTls.start(tls, "gRPC", tlsReloads);
        SslContextBuilder sb = GrpcSslContexts.configure(SslContextBuilder.forServer(serverTls.keys), SslProvider.JDK);
        if (serverTls.clientCas != null) sb.trustManager(serverTls.clientCas).clientAuth(ClientAuth.REQUIRE);
        nb.sslContext(sb.build());
      } catch (GeneralSecurityException e) {
        throw new IOException("TLS: " + e.getMessage(), e);
      }
    }
    nb.directExecutor()
        .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, config.maxRecvMsgSize()));
    boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("otlp-grpc-accept", true),
        NioIoHandler.newFactory());
    workers = new MultiThreadIoEventLoopGroup(Math.max(1, Runtime.getRuntime().availableProcessors()),
        new DefaultThreadFactory("otlp-grpc", true), NioIoHandler.newFactory());
    ScheduledThreadPoolExecutor fallback = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "otlp-grpc-read-timeout");
      t.setDaemon(true);
      return t;
    });
    fallback.setRemoveOnCancelPolicy(true); // a cancelled clock must not stay queued for read_timeout
    timer = fallback;
    nb.bossEventLoopGroup(boss).workerEventLoopGroup(workers)
        .channelFactory(() -> new LimitedServerChannel(connections,
            () -> pipeline.limited(Transport.GRPC, ExportPipeline.Limit.CONNECTIONS)))
        .addTransportFilter(new ServerTransportFilter() {
          @Override
          public Attributes transportReady(Attributes attributes) {
            java.net.SocketAddress remote = attributes.get(io.grpc.Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
            return attributes.toBuilder()
                .set(MessageBudget.CONNECTION, new InFlightBudget(config.connectionInFlightLimit()))
                .set(MessageBudget.CLIENT, clients.open(remote)).build();
          }

          @Override
          public void transportTerminated(Attributes attributes) {
            if (attributes != null && attributes.get(MessageBudget.CLIENT) != null) {
              clients.close(attributes.get(io.grpc.Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
            }
          }
        })
        .addStreamTracerFactory(new MessageBudget.Factory(budget));
    if (config.maxConcurrentStreams() > 0) nb.maxConcurrentCallsPerConnection(config.maxConcurrentStreams());
    ReceiverOtlpConfig.Keepalive k = config.keepalive();
    if (k.maxConnectionIdle() != null) nb.maxConnectionIdle(nanos(k.maxConnectionIdle()), TimeUnit.NANOSECONDS);
    if (k.maxConnectionAge() != null) nb.maxConnectionAge(nanos(k.maxConnectionAge()), TimeUnit.NANOSECONDS);
    if (k.maxConnectionAgeGrace() != null) {
      nb.maxConnectionAgeGrace(nanos(k.maxConnectionAgeGrace()), TimeUnit.NANOSECONDS);
    }
    if (k.time() != null) nb.keepAliveTime(nanos(k.time()), TimeUnit.NANOSECONDS);
    if (k.timeout() != null) nb.keepAliveTimeout(nanos(k.timeout()), TimeUnit.NANOSECONDS);
    if (k.minTime() != null) nb.permitKeepAliveTime(nanos(k.minTime()), TimeUnit.NANOSECONDS);
    nb.permitKeepAliveWithoutCalls(k.permitWithoutStream());
    for (Signal s : Signal.values()) {
      nb.addService(config.auth() == null ? service(s) : ServerInterceptors.intercept(service(s), new Authenticate()));
    }
    Server srv = nb.build();
    try {
      srv.start();
    } catch (IOException | RuntimeException e) {
      releaseThreads();
      throw e;
    }
    server = srv;
  }

  private EventExecutor findCurrentLoop() {
    EventLoopGroup w = workers;
    if (w == null) return null;
    for (EventExecutor e : w) {
      if (e.inEventLoop()) return e;
    }
    return null;
  }

  /**
   * Starts a call's read clock. Calls start on their connection's event loop (directExecutor), so
   * the clock goes into that loop's own timer queue: no lock, no other thread, and cancelling it
   * there removes it at once. Elsewhere (not expected) the shared timer thread keeps it.
   */
  private ScheduledFuture<?> startClock(Runnable onTimeout) {
    long nanos = config.limits().readTimeout().toNanos();
    EventExecutor loop = currentLoop.get();
    if (loop != null) return loop.schedule(onTimeout, nanos, TimeUnit.NANOSECONDS);
    return timer.schedule(onTimeout, nanos, TimeUnit.NANOSECONDS);
  }

  private void releaseThreads() {
    if (serverTls != null) serverTls.close();
    if (timer != null) timer.shutdownNow();
    if (boss != null) boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    if (workers != null) workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
  }

  private static long nanos(Duration d) {
    return d.isZero() ? 1 : d.toNanos();
  }

  /** The bound address (the real port when configured with port 0). */
  public InetSocketAddress address() {
    return (InetSocketAddress) server.getListenSockets().get(0);
  }

  /** Stops accepting calls and waits up to {@code timeout} for running ones. */
  public void shutdown(Duration timeout) {
    Server s = server;
    if (s == null) return;
    s.shutdown();
    try {
      if (!s.awaitTermination(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
        s.shutdownNow();
        s.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      s.shutdownNow();
      Thread.currentThread().interrupt();
    }
    releaseThreads();
    if (boss != null) boss.terminationFuture().awaitUninterruptibly(2000);
    if (workers != null) workers.terminationFuture().awaitUninterruptibly(2000);
  }

  private ServerServiceDefinition service(Signal s) {
    String service = SERVICES[s.ordinal()];
    MethodDescriptor<byte[], byte[]> method = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, "Export"))
        .setRequestMarshaller(BYTES)
        .setResponseMarshaller(BYTES)
        .build();
    return ServerServiceDefinition.builder(service).addMethod(method, new ExportHandler(s)).build();
  }

  /**
   * Refuses a call whose metadata lacks the configured credential with UNAUTHENTICATED before any
   * of its message is requested (so its bytes never enter the budget). The answer says nothing
   * about the credential.
   */
  private final class Authenticate implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      boolean ok;
      try {
        ok = config.auth().authenticate(name -> headers.get(Metadata.Key.of(name, Metadata.ASCII_STRING_MARSHALLER)));
      } catch (RuntimeException e) {
        ok = false; // a malformed header value is a missing credential
      }
      if (ok) return next.startCall(call, headers);
      pipeline.unauthenticated(Transport.GRPC);
      call.close(Status.UNAUTHENTICATED.withDescription("missing or invalid credentials"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
  }

  /** One unary Export call: collect the single message, then answer on half-close. */
  private final class ExportHandler implements ServerCallHandler<byte[], byte[]> {
    private final Signal signal;

    ExportHandler(Signal signal) {
      this.signal = signal;
    }

    @Override
    public ServerCall.Listener<byte[]> startCall(ServerCall<byte[], byte[]> call, Metadata headers) {
      ExportListener listener = new ExportListener(signal, call, headers, System.nanoTime());
      MessageBudget bytes = MessageBudget.KEY.get(Context.current());
      listener.bytes = bytes;
      if (bytes != null) bytes.onOverBudget(listener::overBudget);
      listener.readClock = startClock(listener::readTimedOut);
      call.request(2); // a second message is a protocol error we want to see
      return listener;
    }
  }

  /**
   * One call. Callbacks come from the transport thread (directExecutor), the budget and the read
   * clock from other threads; every use of the call is under this object's lock and the call is
   * closed once.
   */
  private final class ExportListener extends ServerCall.Listener<byte[]> {
    private final Signal signal;
    private final ServerCall<byte[], byte[]> call;
    private final Metadata headers;
    private final long start;
    MessageBudget bytes;
    ScheduledFuture<?> readClock;
    private byte[] request;
    private boolean closed;

    ExportListener(Signal signal, ServerCall<byte[], byte[]> call, Metadata headers, long start) {
      this.signal = signal;
      this.call = call;
      this.headers = headers;
      this.start = start;
    }

    @Override
    public synchronized void onMessage(byte[] message) {
      if (closed) return;
      if (message == TOO_LARGE) {
        close(Status.RESOURCE_EXHAUSTED.withDescription("request exceeds max_recv_msg_size ("
            + config.maxRecvMsgSize() + " bytes) after decompression"), null);
        return;
      }
      if (message == UNREADABLE) {
        close(Status.INVALID_ARGUMENT.withDescription("the request message could not be read"), null);
        return;
      }
      if (request != null) {
        close(Status.INVALID_ARGUMENT.withDescription("more than one request message in a unary call"), null);
        return;
      }
      if (bytes != null && !bytes.take(message.length)) { // the decompressed copy counts too
        overBudget();
        return;
      }
      request = message;
    }

    @Override
    public synchronized void onHalfClose() {
      stopClock();
      if (closed) return;
      if (request == null) {
        close(Status.INVALID_ARGUMENT.withDescription("no request message"), null);
        return;
      }
      pipeline.recordBytes(Transport.GRPC, signal, request.length);
      ClientMetadata md = config.includeMetadata() ? metadata(headers) : ClientMetadata.EMPTY;
      Outcome o = pipeline.export(Transport.GRPC, signal, request, md, start);
      request = null;
      switch (o.kind()) {
        case ACCEPTED -> {
          call.sendHeaders(new Metadata());
          call.sendMessage(Responses.exportSuccess(false));
          closed = true;
          call.close(Status.OK, new Metadata());
        }
        case MALFORMED, REJECTED -> close(Status.INVALID_ARGUMENT.withDescription(o.message()),
            Responses.statusProto(Responses.INVALID_ARGUMENT, o.message(), null));
        case REFUSED -> close(Status.RESOURCE_EXHAUSTED.withDescription(o.message()),
            Responses.statusProto(Responses.RESOURCE_EXHAUSTED, o.message(), o.retryAfter()));
        case UNAVAILABLE -> close(Status.UNAVAILABLE.withDescription(o.message()),
            Responses.statusProto(Responses.UNAVAILABLE, o.message(), o.retryAfter()));
        case ERROR -> close(Status.INTERNAL.withDescription(o.message()), null);
      }
    }

    @Override
    public synchronized void onCancel() {
      stopClock();
      closed = true;
      request = null;
    }

    @Override
    public void onComplete() {
      stopClock();
    }

    /** The message does not fit the in-flight budget or the connection's limit. */
    synchronized void overBudget() {
      if (closed) return;
      pipeline.limited(Transport.GRPC, ExportPipeline.Limit.MEMORY);
      request = null;
      String why = "the receiver is receiving too many request bytes at once, retry later";
      close(Status.RESOURCE_EXHAUSTED.withDescription(why),
          Responses.statusProto(Responses.RESOURCE_EXHAUSTED, why, ExportPipeline.DEFAULT_RETRY_AFTER));
    }

    /** The message was not complete within {@code read_timeout}. */
    synchronized void readTimedOut() {
      if (closed) return;
      pipeline.limited(Transport.GRPC, ExportPipeline.Limit.TIMEOUT);
      request = null;
      close(Status.DEADLINE_EXCEEDED.withDescription("the request message was not complete within "
          + config.limits().readTimeout().toMillis() + " ms"), null);
    }

    private void stopClock() {
      ScheduledFuture<?> f = readClock;
      if (f != null) f.cancel(false);
    }

    private void close(Status status, byte[] details) {
      closed = true;
      stopClock();
      Metadata trailers = new Metadata();
      if (details != null) trailers.put(STATUS_DETAILS, details);
      try {
        call.close(status, trailers);
      } catch (IllegalStateException alreadyClosed) {
        // the transport ended the call first (client reset); nothing to answer
      }
    }
  }

  /** Every ASCII metadata entry, lower-case keys (gRPC keys already are). */
  static ClientMetadata metadata(Metadata headers) {
    Map<String, List<String>> values = new HashMap<>();
    for (String key : headers.keys()) {
      if (key.endsWith(Metadata.BINARY_HEADER_SUFFIX) || key.startsWith(":")) continue;
      Iterable<String> all = headers.getAll(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
      if (all == null) continue;
      List<String> list = new ArrayList<>();
      all.forEach(list::add);
      values.put(key, list);
    }
    return new ClientMetadata(values);
  }
}
