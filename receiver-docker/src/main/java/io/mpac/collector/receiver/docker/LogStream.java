package io.mpac.collector.receiver.docker;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * A container's log stream ({@code /containers/{id}/logs?follow=1&timestamps=1}) decoded into
 * lines: demultiplexes the 8-byte-header frames of non-TTY containers ({@code [stream, 0, 0, 0,
 * size uint32 big-endian]}), reads TTY containers' raw stream as stdout, splits at {@code \n},
 * strips Docker's RFC 3339 timestamp prefix (the line's time) and re-joins lines the daemon split
 * into {@value #DOCKER_CHUNK}-byte pieces (each piece carries its own timestamp prefix; the joined
 * line keeps the first). Empty lines are skipped. Read on one thread; {@link #close()} from any.
 */
public final class LogStream implements Closeable {

  /** Docker's log drivers split lines longer than this many bytes. */
  static final int DOCKER_CHUNK = 16 * 1024;
  /** A line is cut here if no newline came (protects memory from a runaway writer). */
  static final int MAX_LINE = 4 << 20;
  /** Bytes of a daemon error frame kept for the exception's message. */
  static final int MAX_ERROR = 4096;

  /** One log line: its stream ({@code stdout}/{@code stderr}), Docker's time, the text. */
  public record Line(String stream, long timestampNanos, String text) {}

  private final HttpResponse response;
  private final InputStream in;
  private final boolean tty;
  private final Acc stdout = new Acc("stdout");
  private final Acc stderr = new Acc("stderr");
  private final ArrayDeque<Line> ready = new ArrayDeque<>();
  private final byte[] header = new byte[8];
  private final byte[] buf = new byte[32 * 1024];
  private long badTimestamps;
  private boolean eof;

  LogStream(HttpResponse response, boolean tty) {
    this(response, response.body, tty);
  }

  /** For tests: decode any stream. */
  LogStream(InputStream in, boolean tty) {
    this(null, in, tty);
  }

  private LogStream(HttpResponse response, InputStream in, boolean tty) {
    this.response = response;
    this.in = in;
    this.tty = tty;
  }

  /** The next line, or null when the stream ended (the container stopped or the daemon closed it). */
  public Line next() throws IOException {
    while (ready.isEmpty()) {
      if (eof) return null;
      if (!readMore()) {
        eof = true;
        stdout.flushRest();
        stderr.flushRest();
      }
    }
    return ready.poll();
  }

  /** Lines whose timestamp prefix could not be parsed (they get the time they were read). */
  public long badTimestamps() {
    return badTimestamps;
  }

  private boolean readMore() throws IOException {
    if (tty) {
      int n = in.read(buf, 0, buf.length);
      if (n < 0) return false;
      stdout.append(buf, 0, n);
      return true;
    }
    int got = readFully(header, 8, true);
    if (got == 0) return false;
    int type = header[0];
    if (header[1] != 0 || header[2] != 0 || header[3] != 0) {
      throw new IOException("log stream is not multiplexed (bad frame header); is the container a TTY?");
    }
    long size = ((header[4] & 0xffL) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8) | (header[7] & 0xff);
    Acc acc = type == 2 ? stderr : stdout;
    // The daemon's error text: bytes decoded once at the end (a read may split a character),
    // at most MAX_ERROR of them kept (the frame's size is the daemon's word, not a budget).
    java.io.ByteArrayOutputStream err = type == 3 ? new java.io.ByteArrayOutputStream() : null;
    while (size > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, size));
      if (n < 0) throw new EOFException("log stream ended inside a frame");
      if (err != null) {
        err.write(buf, 0, Math.min(n, MAX_ERROR - err.size()));
      } else {
        acc.append(buf, 0, n);
      }
      size -= n;
    }
    if (err != null) {
      throw new IOException("daemon reported an error in the log stream: "
          + err.toString(StandardCharsets.UTF_8).trim());
    }
    return true;
  }

  private int readFully(byte[] b, int len, boolean eofOkAtStart) throws IOException {
    int off = 0;
    while (off < len) {
      int n = in.read(b, off, len - off);
      if (n < 0) {
        if (off == 0 && eofOkAtStart) return 0;
        throw new EOFException("log stream ended inside a frame header");
      }
      off += n;
    }
    return off;
  }

  @Override
  public void close() throws IOException {
    if (response != null) {
      response.close();
    } else {
      in.close();
    }
  }

  /** Bytes of one stream waiting for their newline. */
  private final class Acc {
    final String stream;
    byte[] data = new byte[8192];
    int len;
    int scanned;

    Acc(String stream) {
      this.stream = stream;
    }

    void append(byte[] b, int off, int n) {
      if (len + n > data.length) data = java.util.Arrays.copyOf(data, Math.max(data.length * 2, len + n));
      System.arraycopy(b, off, data, len, n);
      len += n;
      int start = 0;
      for (int i = scanned; i < len; i++) {
        if (data[i] == '\n') {
          record(data, start, i - start);
          start = i + 1;
        }
      }
      if (len - start > MAX_LINE) {
        record(data, start, len - start);
        start = len;
      }
      if (start > 0) {
        System.arraycopy(data, start, data, 0, len - start);
        len -= start;
      }
      scanned = len;
      if (data.length > 1 << 20 && len < 8192) data = java.util.Arrays.copyOf(data, 8192);
    }

    void flushRest() {
      if (len > 0) record(data, 0, len);
      len = 0;
      scanned = 0;
    }

    /** One record, {@code <timestamp> <text>}, possibly with continuation pieces inside. */
    void record(byte[] b, int off, int n) {
      if (tty && n > 0 && b[off + n - 1] == '\r') n--;
      int sp = indexOf(b, off, Math.min(off + n, off + 40), (byte) ' ');
      long ts = sp < 0 ? Long.MIN_VALUE : DockerTime.parse(b, off, sp - off);
      int textStart;
      if (ts == Long.MIN_VALUE) {
        badTimestamps++;
        java.time.Instant now = java.time.Instant.now();
        ts = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        textStart = off;
      } else {
        textStart = sp + 1;
      }
      int end = off + n;
      byte[] joined = null;
      int jlen = 0;
      int pos = textStart;
      // Re-join: a piece of exactly DOCKER_CHUNK bytes followed by another timestamp prefix.
      while (end - pos > DOCKER_CHUNK) {
        int cut = pos + DOCKER_CHUNK;
        int sp2 = indexOf(b, cut, Math.min(end, cut + 40), (byte) ' ');
        if (sp2 < 0 || DockerTime.parse(b, cut, sp2 - cut) == Long.MIN_VALUE) break;
        if (joined == null) joined = new byte[end - textStart];
        System.arraycopy(b, pos, joined, jlen, DOCKER_CHUNK);
        jlen += DOCKER_CHUNK;
        pos = sp2 + 1;
      }
      String text;
      if (joined == null) {
        text = new String(b, textStart, end - textStart, StandardCharsets.UTF_8);
      } else {
        System.arraycopy(b, pos, joined, jlen, end - pos);
        jlen += end - pos;
        text = new String(joined, 0, jlen, StandardCharsets.UTF_8);
      }
      if (!text.isEmpty()) ready.add(new Line(stream, ts, text));
    }
  }

  private static int indexOf(byte[] b, int from, int to, byte x) {
    for (int i = from; i < to; i++) {
      if (b[i] == x) return i;
    }
    return -1;
  }
}
