package io.mpac.collector.deploy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a Docker engine answers here, asked without Testcontainers (whose search for an engine
 * logs a page of errors when there is none): {@code GET /_ping} on the local socket.
 */
final class DockerEngine {

  static final Path SOCKET = Path.of("/var/run/docker.sock");
  private static final long PING_TIMEOUT_MS = 5_000;

  private DockerEngine() {}

  /**
   * Why there is no Docker engine to use, or empty when there may be one: {@code DOCKER_HOST} is set
   * (Testcontainers then finds it or says why not) or the local socket answers the ping.
   */
  static Optional<String> absentBecause() {
    String host = System.getenv("DOCKER_HOST");
    if (host != null && !host.isBlank()) return Optional.empty();
    if (!Files.exists(SOCKET)) {
      return Optional.of("no Docker engine: DOCKER_HOST is unset and " + SOCKET + " does not exist");
    }
    try {
      String answer = ping(SOCKET);
      return answer.startsWith("HTTP/1.1 200") || answer.startsWith("HTTP/1.0 200") ? Optional.empty()
          : Optional.of("no Docker engine: " + SOCKET + " answered \"" + firstLine(answer) + "\" to GET /_ping");
    } catch (IOException e) {
      return Optional.of("no Docker engine: " + SOCKET + " does not answer (" + e.getMessage() + ")");
    }
  }

  /** The group that owns the socket (compose's {@code DOCKER_GID}), or "0" when unknown. */
  static String socketGroup() {
    try {
      return String.valueOf(Files.getAttribute(SOCKET, "unix:gid"));
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "0";
    }
  }

  /** The engine's answer to {@code GET /_ping}; at most {@link #PING_TIMEOUT_MS} of waiting for it. */
  private static String ping(Path socket) throws IOException {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX); Selector selector = Selector.open()) {
      ch.connect(UnixDomainSocketAddress.of(socket));
      ch.write(ByteBuffer.wrap("GET /_ping HTTP/1.0\r\nHost: docker\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));
      ch.configureBlocking(false);
      ch.register(selector, SelectionKey.OP_READ);
      if (selector.select(PING_TIMEOUT_MS) == 0) throw new IOException("no answer to GET /_ping in " + PING_TIMEOUT_MS + " ms");
      ByteBuffer buf = ByteBuffer.allocate(512);
      int n = ch.read(buf);
      return n <= 0 ? "" : new String(buf.array(), 0, n, StandardCharsets.US_ASCII);
    }
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\r');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
