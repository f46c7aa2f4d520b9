package io.mpac.collector.receiver.docker;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * A response of the daemon read from one HTTP/1.1 connection: status, headers and a body stream
 * that undoes chunked transfer encoding or stops at Content-Length. Closing it closes the
 * connection, which also unblocks a thread reading the body (how followers are stopped).
 */
final class HttpResponse implements Closeable {

  /** The most a non-streaming body may hold (a container list of a busy host is far below). */
  static final int MAX_BODY = 64 << 20;

  private final SocketChannel channel;
  final int status;
  final Map<String, String> headers;
  final InputStream body;
  private final java.util.concurrent.Future<?> watchdog;

  HttpResponse(SocketChannel channel, int status, Map<String, String> headers, InputStream body,
      java.util.concurrent.Future<?> watchdog) {
    this.watchdog = watchdog;
    this.channel = channel;
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  /** Reads the whole body (at most {@link #MAX_BODY}) and closes the connection. */
  byte[] readBody() throws IOException {
    try (this) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      int n;
      while ((n = body.read(buf)) > 0) {
        out.write(buf, 0, n);
        if (out.size() > MAX_BODY) throw new IOException("response body larger than " + MAX_BODY + " bytes");
      }
      return out.toByteArray();
    }
  }

  String readBodyText() throws IOException {
    return new String(readBody(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws IOException {
    watchdog.cancel(false);
    channel.close();
  }

  // ------------------------------------------------------------------ body decoders

  /** Reads a CRLF- (or LF-) terminated header line as ISO-8859-1; null at EOF before any byte. */
  static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    while (true) {
      int c = in.read();
      if (c < 0) {
        if (sb.length() == 0) return null;
        throw new EOFException("connection closed in the middle of a line");
      }
      if (c == '\n') {
        int len = sb.length();
        if (len > 0 && sb.charAt(len - 1) == '\r') sb.setLength(len - 1);
        return sb.toString();
      }
      if (sb.length() > 16 * 1024) throw new IOException("header line too long");
      sb.append((char) c);
    }
  }

  /** A body of known length. */
  static final class FixedLength extends InputStream {
    private final InputStream in;
    private long left;

    FixedLength(InputStream in, long length) {
      this.in = in;
      this.left = length;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (left <= 0) return -1;
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) throw new EOFException("connection closed with " + left + " body bytes missing");
      left -= n;
      return n;
    }
  }

  /** A chunked body (RFC 9112 §7.1); trailers are read and ignored. */
  static final class Chunked extends InputStream {
    private final InputStream in;
    private long left; // bytes left in the current chunk
    private boolean done;

    Chunked(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (done) return -1;
      if (left == 0) {
        String size = readLine(in);
        if (size == null) throw new EOFException("connection closed before the last chunk");
        int semi = size.indexOf(';');
        String hex = (semi >= 0 ? size.substring(0, semi) : size).trim();
        try {
          left = Long.parseLong(hex, 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size \"" + size + "\"");
        }
        if (left < 0) throw new IOException("bad chunk size \"" + size + "\"");
        if (left == 0) {
          String trailer;
          while ((trailer = readLine(in)) != null && !trailer.isEmpty()) {
            // ignore trailers
          }
          done = true;
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) throw new EOFException("connection closed inside a chunk");
      left -= n;
      if (left == 0) {
        String crlf = readLine(in);
        if (crlf == null || !crlf.isEmpty()) throw new IOException("missing CRLF after chunk");
      }
      return n;
    }
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
