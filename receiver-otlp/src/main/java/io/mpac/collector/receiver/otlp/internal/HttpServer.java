package io.mpac.collector.receiver.otlp.internal;

import io.mpac.collector.receiver.otlp.ReceiverOtlpConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import io.mpac.collector.tls.FileReloader;

/**
 * The OTLP/HTTP server (Netty, HTTP/1.1 with keep-alive). Per connection:
 * <pre>
 *   [SslHandler] → {@link RequestDeadlines} → RequestDecoder, HttpResponseEncoder → IdleStateHandler (60s idle)
 *     → {@link HttpExportHandler}
 * </pre>
 * A connection beyond {@code max_connections} is closed as soon as it is accepted (counted).
 * Small uncompressed protobuf bodies are handled on the event loop; JSON, compressed and large
 * bodies go to a small bounded worker pool so a 20 MiB gzip or JSON body cannot stall the other
 * connections of that loop. A full pool answers 503 with {@code Retry-After}.
 */
public final class HttpServer {

  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);

  private final ReceiverOtlpConfig.Http config;
  private final ExportPipeline pipeline;
  private final Logger logger;
  private final String componentId;
  private final InFlightBudget budget;
  private final ConnectionCounter connections;
  private EventLoopGroup group;
  private ThreadPoolExecutor workers;
  private Channel serverChannel;
  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  private final FileReloader.Listener tlsReloads;
  private final ClientBudgets clients;
  private ServerTls serverTls;

  public HttpServer(ReceiverOtlpConfig.Http config, ExportPipeline pipeline, Logger logger, String componentId,
      InFlightBudget budget, ClientBudgets clients, FileReloader.Listener tlsReloads) {
    this.clients = clients;
    this.tlsReloads = tlsReloads;
    this.budget = budget;
    this.connections = new ConnectionCounter(config.limits().maxConnections());
    this.config = config;
    this.pipeline = pipeline;
    this.logger = logger;
    this.componentId = componentId;
  }

  /** Binds and starts; throws {@link IOException} whose cause is the bind error if it cannot. */
  public void start() throws IOException {
    SslContext ssl = null;
    ReceiverOtlpConfig.Tls tls = config.tls();
    if (tls != null) {
      // JDK provider: it asks the (reloadable) key and trust managers at every handshake
      try {
        serverTls = ServerTls.start(tls, "HTTP", tlsReloads);
      } catch (java.security.GeneralSecurityException e) {
        throw new IOException("TLS: " + e.getMessage(), e);
      }
      SslContextBuilder b = SslContextBuilder.forServer(serverTls.keys).sslProvider(SslProvider.JDK);
      if (serverTls.clientCas != null) b.trustManager(serverTls.clientCas).clientAuth(ClientAuth.REQUIRE);
      ssl = b.build();
    }
    int cores = Runtime.getRuntime().availableProcessors();
    group = new MultiThreadIoEventLoopGroup(Math.max(1, cores),
        new DefaultThreadFactory("otlp-http-" + componentId, true), NioIoHandler.newFactory());
    workers = new ThreadPoolExecutor(Math.max(2, cores), Math.max(2, cores), 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(256), new DefaultThreadFactory("otlp-http-worker-" + componentId, true),
        new ThreadPoolExecutor.AbortPolicy());
    workers.allowCoreThreadTimeOut(true);
    SslContext sslContext = ssl;
    ServerBootstrap b = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (!connections.tryOpen()) {
              pipeline.limited(ExportPipeline.Transport.HTTP, ExportPipeline.Limit.CONNECTIONS);
              ch.close();
              return;
            }
            java.net.SocketAddress remote = ch.remoteAddress();
            InFlightBudget clientBudget = clients.open(remote);
            ch.closeFuture().addListener(f -> {
              connections.closed();
              clients.close(remote);
            });
            channels.add(ch);
            if (sslContext != null) ch.pipeline().addLast(sslContext.newHandler(ch.alloc()));
            RequestDecoder decoder = new RequestDecoder();
            RequestDeadlines deadlines = new RequestDeadlines(config.limits().readHeaderTimeout(),
                config.limits().readTimeout(),
                () -> pipeline.limited(ExportPipeline.Transport.HTTP, ExportPipeline.Limit.TIMEOUT),
                decoder::holdsBytes);
            ch.pipeline().addLast(deadlines);
            ch.pipeline().addLast(decoder);
            ch.pipeline().addLast(new HttpResponseEncoder());
            ch.pipeline().addLast(new IdleStateHandler(0, 0, IDLE_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            ch.pipeline().addLast(new IdleCloser());
            ch.pipeline().addLast(new HttpExportHandler(config, pipeline, workers, logger, clientBudget, deadlines));
          }
        });
    try {
      serverChannel = b.bind(new InetSocketAddress(config.host(), config.port())).sync().channel();
    } catch (Exception e) {
      shutdownGroups(Duration.ZERO);
      throw new IOException(e.getMessage(), e);
    }
  }

  /** The bound address (the real port when configured with port 0). */
  public InetSocketAddress address() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /** Stops accepting, lets in-flight requests finish within {@code timeout}, then closes. */
  public void shutdown(Duration timeout) {
    if (serverChannel != null) serverChannel.close().awaitUninterruptibly(timeout.toMillis());
    if (workers != null) {
      workers.shutdown();
      try {
        workers.awaitTermination(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    channels.close().awaitUninterruptibly(Math.max(1, timeout.toMillis()));
    shutdownGroups(timeout);
  }

  private void shutdownGroups(Duration timeout) {
    if (serverTls != null) serverTls.close();
    if (group != null) {
      group.shutdownGracefully(0, Math.max(100, timeout.toMillis()), TimeUnit.MILLISECONDS)
          .awaitUninterruptibly(Math.max(100, timeout.toMillis()) + 1000);
    }
    if (workers != null) workers.shutdownNow();
  }

  /** Netty's request decoder, telling whether it holds bytes of an unfinished request. */
  private static final class RequestDecoder extends HttpRequestDecoder {
    RequestDecoder() {
      super(4096, 16384, 65536);
    }

    boolean holdsBytes() {
      io.netty.buffer.ByteBuf b = internalBuffer();
      return b != null && b.isReadable();
    }
  }

  /** Closes a connection that has been idle (no read or write) for {@link #IDLE_TIMEOUT}. */
  private static final class IdleCloser extends ChannelInboundHandlerAdapter {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof IdleStateEvent) ctx.close(); else super.userEventTriggered(ctx, evt);
    }
  }
}
