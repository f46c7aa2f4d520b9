package io.mpac.collector.app.hostile;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
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
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * gRPC Export streams that never finish their message, over raw HTTP/2 frames: each stream's
 * message prefix declares {@code declared} bytes, {@code sent} are sent, the stream stays open.
 * Streams the server ends are opened again while the attack runs.
 */
final class RawGrpcStreams {

  private RawGrpcStreams() {}

  static void unfinished(int port, int connections, int streamsPerConnection, int declared, int sent,
      AtomicBoolean running) throws Exception {
    unfinished("127.0.0.1", port, connections, streamsPerConnection, declared, sent, running);
  }

  /** The same from {@code from} (another loopback address is another client to the collector). */
  static void unfinished(String from, int port, int connections, int streamsPerConnection, int declared, int sent,
      AtomicBoolean running) throws Exception {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    List<Channel> conns = new ArrayList<>();
    try {
      while (running.get()) {
        conns.removeIf(c -> !c.isActive());
        while (conns.size() < connections && running.get()) {
          conns.add(new Bootstrap().group(group).channel(NioSocketChannel.class)
              .handler(new ChannelInitializer<Channel>() {
                @Override
                protected void initChannel(Channel c) {
                  c.pipeline().addLast(Http2FrameCodecBuilder.forClient().build());
                  c.pipeline().addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                }
              }).connect(new java.net.InetSocketAddress("127.0.0.1", port), new java.net.InetSocketAddress(from, 0))
              .sync().channel());
        }
        for (Channel c : conns) {
          c.attr(OPEN).setIfAbsent(new ArrayList<>());
          List<Http2StreamChannel> mine = c.attr(OPEN).get();
          mine.removeIf(s -> !s.isActive());
          for (int i = mine.size(); i < streamsPerConnection && running.get() && c.isActive(); i++) {
            mine.add(open(c, port, declared, sent));
          }
        }
        Thread.sleep(500);
      }
    } finally {
      for (Channel c : conns) c.close().awaitUninterruptibly(2000);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5000);
    }
  }

  private static final io.netty.util.AttributeKey<List<Http2StreamChannel>> OPEN =
      io.netty.util.AttributeKey.valueOf("hostile-open-streams");

  private static Http2StreamChannel open(Channel connection, int port, int declared, int sent) throws Exception {
    Http2StreamChannel stream = new Http2StreamChannelBootstrap(connection)
        .handler(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
            io.netty.util.ReferenceCountUtil.release(msg);
          }
        })
        .open().sync().getNow();
    DefaultHttp2Headers headers = new DefaultHttp2Headers();
    headers.method("POST").scheme("http").authority("127.0.0.1:" + port)
        .path("/opentelemetry.proto.collector.trace.v1.TraceService/Export");
    headers.add("content-type", "application/grpc");
    headers.add("te", "trailers");
    stream.write(new DefaultHttp2HeadersFrame(headers, false));
    ByteBuf data = Unpooled.buffer(5 + sent);
    data.writeByte(0).writeInt(declared).writeZero(sent);
    stream.writeAndFlush(new DefaultHttp2DataFrame(data, false));
    return stream;
  }
}
