package io.mpac.collector.receiver.otlp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A hostile gRPC client written against raw HTTP/2 frames (the shaded Netty inside grpc-netty):
 * it opens Export streams whose gRPC message prefix declares {@code declared} bytes, sends only
 * {@code sent} of them and never ends the stream. It records the {@code grpc-status} each
 * stream was closed with.
 */
final class UnfinishedGrpcStreams implements AutoCloseable {

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<Channel> connections = new ArrayList<>();
  private final List<Http2StreamChannel> streams = new ArrayList<>();
  /** Stream index → the grpc-status it was answered with. */
  final Map<Integer, String> statuses = new ConcurrentHashMap<>();

  Channel connect(int port) throws InterruptedException {
    return connect(port, "127.0.0.1");
  }

  /** A connection from {@code localAddress} (another loopback address is another client). */
  Channel connect(int port, String localAddress) throws InterruptedException {
    Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel c) {
            c.pipeline().addLast(Http2FrameCodecBuilder.forClient().build());
            c.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
          }
        })
        .connect(new java.net.InetSocketAddress("127.0.0.1", port), new java.net.InetSocketAddress(localAddress, 0))
        .sync().channel();
    connections.add(ch);
    return ch;
  }

  /** Opens one stream on {@code connection} and sends the partial message; returns its index. */
  int open(Channel connection, int port, int declared, int sent) throws InterruptedException {
    int index = streams.size();
    Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
        .handler(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2HeadersFrame h) {
              CharSequence status = h.headers().get("grpc-status");
              if (status != null) statuses.put(index, status.toString());
            }
            ReferenceCountUtil.release(msg);
          }
        })
        .open().sync().getNow();
    DefaultHttp2Headers headers = new DefaultHttp2Headers();
    headers.method("POST").scheme("http").authority("127.0.0.1:" + port)
        .path("/opentelemetry.proto.collector.trace.v1.TraceService/Export");
    headers.add("content-type", "application/grpc");
    headers.add("te", "trailers");
    stream.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false)).sync();
    ByteBuf data = Unpooled.buffer(5 + sent);
    data.writeByte(0).writeInt(declared).writeZero(sent);
    stream.writeAndFlush(new DefaultHttp2DataFrame(data, false)).sync();
    streams.add(stream);
    return index;
  }

  @Override
  public void close() {
    for (Channel c : connections) c.close().awaitUninterruptibly(2000);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5000);
  }
}
