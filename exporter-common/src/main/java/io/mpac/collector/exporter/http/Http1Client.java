package io.mpac.collector.exporter.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A minimal blocking HTTP/1.1 client for a plain {@code http://} URL: one POST at a time per
 * connection, on the calling (sender) thread, over persistent connections kept in a small pool (one
 * per sending thread in practice).
 *
 * <p>Why not {@link java.net.http.HttpClient}: for each request it hands work between its selector
 * thread, its worker threads and the caller, which cost about half a millisecond of CPU per
 * remote-write request in the benchmark, several times what writing and reading the bytes costs
 * here. {@link HttpTransport} still uses the JDK client for {@code https://}, HTTP/2, proxies and
 * redirects.
 *
 * <p>What it does: {@code Host} and {@code Content-Length} headers plus the caller's; responses
 * with {@code Content-Length}, chunked or read-to-close bodies (at most {@link #MAX_BODY} bytes kept,
 * the rest read and dropped); {@code 1xx} interim responses skipped; the connection reused unless
 * the server says {@code Connection: close} or the exchange failed. A reused connection that the
 * server had closed in the meantime fails before any response byte: the request is then sent once
 * more on a new connection. The whole exchange is bounded by the timeout: a watchdog closes the
 * socket when it expires (which unblocks a write to a server that stopped reading).
 */
final class Http1Client implements AutoCloseable {

  /** Body bytes kept from a response by default (for the error reason); the rest is read and dropped. */
  static final int MAX_BODY = 4096;
  /** A response body larger than this is not read: the connection is closed instead. */
  private static final long MAX_DRAIN = 1 << 20;
  private static final int MAX_LINE = 16 * 1024;
  private static final int MAX_HEADERS = 200;

  /** A response: status, the headers a sender cares about, and the start of the body. */
  record Response(int status, String retryAfter, String location, String contentType, byte[] body) {}

  /** The exchange did not complete within its timeout. */
  static final class TimeoutException extends IOException {
    TimeoutException(String message) {
      super(message);
    }
  }

  private final String host;
  private final int port;
  /** Request line and headers up to (not including) {@code Content-Length}. */
  private final byte[] head;
  private final int connectTimeoutMillis;
  private final ScheduledExecutorService watchdog;
  private final int maxBody;
  private final ConcurrentLinkedDeque<Conn> idle = new ConcurrentLinkedDeque<>();
  /** Connections in an exchange, so that {@link #abort()} can close them. */
  private final Set<Conn> busy = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /**
   * @param headers name, value, name, value, ... (neither may contain CR or LF)
   */
  Http1Client(URI url, String[] headers, int connectTimeoutMillis, ScheduledExecutorService watchdog) {
    this(url, headers, connectTimeoutMillis, watchdog, MAX_BODY);
  }

  /**
   * @param headers name, value, name, value, ... (neither may contain CR or LF)
   * @param maxBody response body bytes kept at most
   */
  Http1Client(URI url, String[] headers, int connectTimeoutMillis, ScheduledExecutorService watchdog, int maxBody) {
    if (!"http".equalsIgnoreCase(url.getScheme())) throw new IllegalArgumentException("not an http:// URL: " + url);
    this.host = url.getHost();
    this.port = url.getPort() < 0 ? 80 : url.getPort();
    this.connectTimeoutMillis = connectTimeoutMillis;
    this.watchdog = watchdog;
    this.maxBody = maxBody;
    String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
    if (url.getRawQuery() != null) path += "?" + url.getRawQuery();
    StringBuilder sb = new StringBuilder();
    sb.append("POST ").append(path).append(" HTTP/1.1\r\n");
    String hostHeader = url.getHost().contains(":") && !url.getHost().startsWith("[") ? "[" + url.getHost() + "]"
        : url.getHost();
    sb.append("Host: ").append(hostHeader).append(url.getPort() < 0 ? "" : ":" + url.getPort()).append("\r\n");
    appendHeaders(sb, headers);
    this.head = sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void appendHeaders(StringBuilder sb, String[] headers) {
    for (int i = 0; i < headers.length; i += 2) {
      checkHeader(headers[i], headers[i]);
      checkHeader(headers[i], headers[i + 1]);
      sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
    }
  }

  /** Refuses line breaks (header injection); names only the header, since its value may be a secret. */
  private static void checkHeader(String name, String s) {
    if (s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("HTTP header " + name.replaceAll("[\\r\\n]", " ")
          + ": names and values must not contain line breaks");
    }
  }

  /** One open connection. */
  private static final class Conn {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    /** Set by the watchdog when it closed the socket. */
    volatile boolean timedOut;
    /** Exchanges completed on this connection (one thread uses it at a time). */
    int exchanges;

    Conn(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream(), 8192);
      this.out = new BufferedOutputStream(socket.getOutputStream(), 1024);
    }

    void close() {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }

  /**
   * Posts {@code body[0, length)} and reads the response, within {@code timeoutNanos}.
   *
   * @throws TimeoutException when the exchange did not complete in time
   * @throws IOException when the connection failed
   */
  Response post(byte[] body, int length, long timeoutNanos) throws IOException {
    return post(body, length, null, timeoutNanos);
  }

  /**
   * Posts {@code body[0, length)} with {@code extraHeaders} (name, value, ...; may be null) after
   * the client's own, and reads the response, within {@code timeoutNanos}.
   */
  Response post(byte[] body, int length, String[] extraHeaders, long timeoutNanos) throws IOException {
    if (closed) throw new IOException("client closed");
    byte[] extra = null;
    if (extraHeaders != null && extraHeaders.length > 0) {
      StringBuilder sb = new StringBuilder();
      appendHeaders(sb, extraHeaders);
      extra = sb.toString().getBytes(StandardCharsets.UTF_8);
    }
    long deadline = System.nanoTime() + timeoutNanos;
    Conn c = idle.pollFirst();
    if (c != null) {
      try {
        return exchange(c, body, length, extra, deadline);
      } catch (StaleConnection e) {
        // the server closed this idle connection: once more on a new one
      }
    }
    c = open(deadline);
    try {
      return exchange(c, body, length, extra, deadline);
    } catch (StaleConnection e) {
      throw new IOException("connection closed by the server before it answered", e);
    }
  }

  /** A reused connection failed before any byte of the response arrived. */
  private static final class StaleConnection extends IOException {
    StaleConnection(IOException cause) {
      super(cause);
    }
  }

  private Conn open(long deadline) throws IOException {
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (left <= 0) throw new TimeoutException("no time left to connect");
    Socket s = new Socket();
    try {
      s.setTcpNoDelay(true);
      s.setKeepAlive(true);
      s.connect(new InetSocketAddress(host, port), (int) Math.max(1, Math.min(left, connectTimeoutMillis)));
      return new Conn(s);
    } catch (SocketTimeoutException e) {
      s.close();
      throw new TimeoutException("connect timed out");
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  private Response exchange(Conn c, byte[] body, int length, byte[] extra, long deadline) throws IOException {
    boolean reused = c.exchanges > 0;
    long left = deadline - System.nanoTime();
    if (left <= 0) {
      idle.offerFirst(c);
      throw new TimeoutException("no time left");
    }
    ScheduledFuture<?> dog = watchdog.schedule(() -> {
      c.timedOut = true;
      c.close();
    }, left, TimeUnit.NANOSECONDS);
    boolean keep = false;
    int[] progress = {0}; // response bytes seen
    busy.add(c);
    try {
      if (closed) throw new IOException("client closed");
      c.socket.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      c.out.write(head);
      if (extra != null) c.out.write(extra);
      c.out.write(("Content-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      c.out.write(body, 0, length);
      c.out.flush();
      Response r;
      boolean close;
      while (true) {
        String status = readLine(c.in, progress);
        if (status == null) throw new IOException("connection closed by the server before it answered");
        int code = statusCode(status);
        Headers h = readHeaders(c.in, progress);
        if (code >= 100 && code < 200) continue; // interim response
        close = h.close || status.startsWith("HTTP/1.0") && !h.keepAlive;
        byte[] kept;
        if (code == 204 || code == 304) {
          kept = new byte[0];
        } else if (h.chunked) {
          kept = readChunked(c.in, maxBody);
        } else if (h.contentLength >= 0) {
          if (h.contentLength > MAX_DRAIN) {
            kept = readAtMost(c.in, maxBody);
            close = true;
          } else {
            kept = readFixed(c.in, h.contentLength, maxBody);
          }
        } else {
          kept = readToEnd(c.in, maxBody);
          close = true;
        }
        r = new Response(code, h.retryAfter, h.location, h.contentType, kept);
        break;
      }
      keep = !close;
      return r;
    } catch (IOException e) {
      // The socket's read timeout and the watchdog fire at the same deadline: either means a timeout.
      if (c.timedOut || e instanceof SocketTimeoutException) throw new TimeoutException("timed out");
      if (reused && progress[0] == 0) throw new StaleConnection(e);
      throw e;
    } finally {
      dog.cancel(false);
      busy.remove(c);
      if (keep && !c.timedOut && !closed) {
        c.exchanges++;
        idle.offerFirst(c);
      } else {
        c.close();
      }
    }
  }

  private static int statusCode(String line) throws IOException {
    // HTTP/1.1 204 No Content
    if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' ') {
      throw new IOException("not an HTTP/1.x response: " + truncate(line));
    }
    try {
      return Integer.parseInt(line.substring(9, 12));
    } catch (NumberFormatException e) {
      throw new IOException("bad HTTP status line: " + truncate(line));
    }
  }

  private static String truncate(String s) {
    return s.length() > 100 ? s.substring(0, 100) + "..." : s;
  }

  /** The response headers remote write looks at. */
  private static final class Headers {
    long contentLength = -1;
    boolean chunked;
    boolean close;
    boolean keepAlive;
    String retryAfter;
    String location;
    String contentType;
  }

  private static Headers readHeaders(InputStream in, int[] progress) throws IOException {
    Headers h = new Headers();
    for (int n = 0; ; n++) {
      if (n > MAX_HEADERS) throw new IOException("too many response headers");
      String line = readLine(in, progress);
      if (line == null) throw new IOException("connection closed in the response headers");
      if (line.isEmpty()) return h;
      int colon = line.indexOf(':');
      if (colon <= 0) continue;
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      switch (name) {
        case "content-length" -> {
          try {
            h.contentLength = Long.parseLong(value);
          } catch (NumberFormatException e) {
            throw new IOException("bad Content-Length: " + truncate(value));
          }
        }
        case "transfer-encoding" -> h.chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
        case "connection" -> {
          String v = value.toLowerCase(Locale.ROOT);
          h.close = v.contains("close");
          h.keepAlive = v.contains("keep-alive");
        }
        case "retry-after" -> h.retryAfter = value;
        case "location" -> h.location = value;
        case "content-type" -> h.contentType = value;
        default -> { }
      }
    }
  }

  /** A line without its CRLF (or LF); null at the end of the stream before any byte. */
  private static String readLine(InputStream in, int[] progress) throws IOException {
    StringBuilder sb = new StringBuilder(64);
    while (true) {
      int b = in.read();
      if (b < 0) {
        if (sb.length() == 0) return null;
        throw new IOException("connection closed inside a response line");
      }
      progress[0]++;
      if (b == '\n') {
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == '\r') sb.setLength(len - 1);
        return sb.toString();
      }
      if (sb.length() >= MAX_LINE) throw new IOException("response line longer than " + MAX_LINE + " bytes");
      sb.append((char) b);
    }
  }

  private static byte[] readFixed(InputStream in, long n, int maxBody) throws IOException {
    byte[] kept = new byte[(int) Math.min(n, maxBody)];
    int got = 0;
    while (got < kept.length) {
      int r = in.read(kept, got, kept.length - got);
      if (r < 0) throw new IOException("connection closed inside the response body");
      got += r;
    }
    skip(in, n - kept.length);
    return kept;
  }

  private static void skip(InputStream in, long n) throws IOException {
    byte[] scratch = n > 0 ? new byte[(int) Math.min(n, 8192)] : null;
    while (n > 0) {
      int r = in.read(scratch, 0, (int) Math.min(n, scratch.length));
      if (r < 0) throw new IOException("connection closed inside the response body");
      n -= r;
    }
  }

  private static byte[] readAtMost(InputStream in, int max) throws IOException {
    byte[] kept = new byte[max];
    int got = 0;
    while (got < max) {
      int r = in.read(kept, got, max - got);
      if (r < 0) break;
      got += r;
    }
    return java.util.Arrays.copyOf(kept, got);
  }

  private static byte[] readToEnd(InputStream in, int maxBody) throws IOException {
    byte[] kept = readAtMost(in, maxBody);
    long drained = 0;
    byte[] scratch = new byte[8192];
    int r;
    while ((r = in.read(scratch)) >= 0) {
      drained += r;
      if (drained > MAX_DRAIN) break; // closed afterwards anyway
    }
    return kept;
  }

  private static byte[] readChunked(InputStream in, int maxBody) throws IOException {
    java.io.ByteArrayOutputStream kept = new java.io.ByteArrayOutputStream();
    long total = 0;
    int[] ignored = {0};
    while (true) {
      String line = readLine(in, ignored);
      if (line == null) throw new IOException("connection closed inside a chunked body");
      int semi = line.indexOf(';');
      long size;
      try {
        size = Long.parseLong((semi >= 0 ? line.substring(0, semi) : line).trim(), 16);
      } catch (NumberFormatException e) {
        throw new IOException("bad chunk size: " + truncate(line));
      }
      if (size < 0) throw new IOException("bad chunk size: " + truncate(line));
      if (size == 0) {
        // trailers, up to the empty line
        while (true) {
          String t = readLine(in, ignored);
          if (t == null || t.isEmpty()) return kept.toByteArray();
        }
      }
      total += size;
      if (total > MAX_DRAIN) throw new IOException("response body too large");
      int keep = (int) Math.max(0, Math.min(size, maxBody - kept.size()));
      if (keep > 0) kept.write(readFixed(in, keep, keep));
      skip(in, size - keep);
      String end = readLine(in, ignored);
      if (end == null || !end.isEmpty()) throw new IOException("bad chunk terminator");
    }
  }

  /** Closes idle connections; exchanges in progress finish, later posts fail. */
  @Override
  public void close() {
    closed = true;
    Conn c;
    while ((c = idle.pollFirst()) != null) c.close();
  }

  /** Closes every connection, including those of exchanges in progress (they fail at once). */
  void abort() {
    close();
    for (Conn c : busy) c.close();
  }
}
