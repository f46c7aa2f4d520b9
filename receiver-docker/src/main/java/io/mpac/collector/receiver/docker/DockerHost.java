package io.mpac.collector.receiver.docker;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the Docker daemon listens: {@code unix:///var/run/docker.sock} or {@code tcp://host:2375}
 * ({@code http://} is accepted as a synonym of {@code tcp://}). TLS daemons ({@code https://}) are
 * not supported.
 */
public record DockerHost(String spec, Path socketPath, String hostName, int port) {

  /** Parses a {@code host} argument; throws IllegalArgumentException with a clear message. */
  public static DockerHost parse(String spec) {
    if (spec == null || spec.isBlank()) throw new IllegalArgumentException("host must not be empty");
    if (spec.startsWith("unix://")) {
      String path = spec.substring("unix://".length());
      if (path.isEmpty() || !path.startsWith("/")) {
        throw new IllegalArgumentException("host \"" + spec + "\": expected unix:///absolute/path/to/docker.sock");
      }
      return new DockerHost(spec, Path.of(path), null, 0);
    }
    if (spec.startsWith("tcp://") || spec.startsWith("http://")) {
      URI u;
      try {
        u = URI.create("http://" + spec.substring(spec.indexOf("://") + 3));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("host \"" + spec + "\": " + e.getMessage());
      }
      if (u.getHost() == null) throw new IllegalArgumentException("host \"" + spec + "\": missing host name");
      int port = u.getPort() < 0 ? 2375 : u.getPort();
      return new DockerHost(spec, null, u.getHost(), port);
    }
    if (spec.startsWith("https://")) {
      throw new IllegalArgumentException("host \"" + spec + "\": TLS daemons (https://) are not supported; use unix:// or tcp://");
    }
    throw new IllegalArgumentException("host \"" + spec + "\": expected unix:///path or tcp://host:port");
  }

  public boolean isUnix() {
    return socketPath != null;
  }

  /** The value of the HTTP Host header. */
  String hostHeader() {
    return isUnix() ? "docker" : hostName + ":" + port;
  }

  /** Opens a connected, blocking channel to the daemon. */
  SocketChannel connect() throws IOException {
    SocketAddress addr = isUnix() ? UnixDomainSocketAddress.of(socketPath) : new InetSocketAddress(hostName, port);
    SocketChannel ch = SocketChannel.open(isUnix() ? StandardProtocolFamily.UNIX : (
        ((InetSocketAddress) addr).getAddress() instanceof java.net.Inet6Address
            ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET));
    try {
      ch.connect(addr);
      return ch;
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw new IOException("cannot connect to the Docker daemon at " + spec + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return spec;
  }
}
