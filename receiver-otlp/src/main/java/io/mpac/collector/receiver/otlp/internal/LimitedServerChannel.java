package io.mpac.collector.receiver.otlp.internal;

import io.netty.channel.Channel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.List;

/**
 * The gRPC server's listening socket with {@code max_connections}: a connection accepted beyond
 * the limit is closed before grpc-java sees it (grpc-java has no such setting). The HTTP server
 * does the same in its channel initializer.
 */
final class LimitedServerChannel extends NioServerSocketChannel {

  private final ConnectionCounter counter;
  private final Runnable onRefused;

  LimitedServerChannel(ConnectionCounter counter, Runnable onRefused) {
    this.counter = counter;
    this.onRefused = onRefused;
  }

  @Override
  protected int doReadMessages(List<Object> buf) throws Exception {
    int before = buf.size();
    int n = super.doReadMessages(buf);
    if (n <= 0) return n;
    int kept = 0;
    for (int i = before; i < buf.size(); ) {
      Channel child = (Channel) buf.get(i);
      if (counter.tryOpen()) {
        child.closeFuture().addListener(f -> counter.closed());
        kept++;
        i++;
      } else {
        buf.remove(i);
        child.unsafe().closeForcibly();
        onRefused.run();
      }
    }
    return kept;
  }
}
