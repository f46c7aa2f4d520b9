package io.mpac.collector.receiver.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.testing.Fuzz;
import io.mpac.collector.testing.Mutator;
import io.mpac.collector.testing.TimeBound;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the Docker log stream reader ({@link LogStream}): multiplexed frames
 * ({@code [stream, 0, 0, 0, size u32 BE] payload}) and TTY raw streams as the daemon sends them for
 * {@code /containers/{id}/logs?timestamps=1} (stdout and stderr interleaved, lines split across
 * frames, lines longer than Docker's 16 KiB pieces re-joined, bad timestamps, daemon error frames),
 * and byte-level mutations of them. Property, per input and within a time bound: reading ends in
 * null or an {@link IOException} (nothing else); every line is non-empty, has no newline, and comes
 * from stdout or stderr (stdout only on a TTY); there are no more lines than newlines in the input
 * plus two; and the same bytes delivered in small random reads give the same lines, timestamps and
 * outcome (a line's time differs only when it had no valid timestamp, and then both are "now").
 */
class DockerFrameFuzz {

  /** Docker's timestamp prefixes (declared before the seeds, which use them); the last is invalid. */
  private static final String[] TIMES = {"2026-01-02T03:04:05.123456789Z", "2026-01-02T03:04:05Z",
      "2026-01-02T03:04:05.5+02:00", "2026-13-02T03:04:05Z"};
  private static final List<byte[]> MULTIPLEXED = multiplexedSeeds();
  private static final List<byte[]> TTY = ttySeeds();

  @Test
  void multiplexed() {
    fuzz("docker-frames", MULTIPLEXED, false);
  }

  @Test
  void tty() {
    fuzz("docker-tty", TTY, true);
  }

  /** Found by this fuzzer: the daemon's error text was decoded read by read, garbling split characters. */
  @Test
  void daemonErrorTextIsDecodedWholeAndBounded() {
    byte[] error = frame(3, utf8("Error grabbing logs: ünïcödé 😀 context canceled"));
    Outcome whole = read(new ByteArrayInputStream(error), false);
    assertThat(whole.error()).isEqualTo(
        "java.io.IOException: daemon reported an error in the log stream: Error grabbing logs: ünïcödé 😀 context canceled");
    for (long seed = 0; seed < 20; seed++) {
      assertThat(read(new Trickle(error, new Random(seed)), false).error()).isEqualTo(whole.error());
    }
    byte[] huge = frame(3, utf8("e".repeat(1 << 20)));
    assertThat(read(new ByteArrayInputStream(huge), false).error())
        .hasSize("java.io.IOException: daemon reported an error in the log stream: ".length() + LogStream.MAX_ERROR);
  }

  private record Outcome(List<LogStream.Line> lines, String error, long badTimestamps) {}

  private static void fuzz(String target, List<byte[]> seeds, boolean tty) {
    Fuzz.run(target, seed -> Mutator.mutate(seeds, seed), TimeBound.of(Duration.ofSeconds(10), input -> {
      long before = System.currentTimeMillis() * 1_000_000L;
      Outcome whole = read(new ByteArrayInputStream(input), tty);
      Outcome pieces = read(new Trickle(input, new Random(input.length)), tty);
      int newlines = 0;
      for (byte b : input) if (b == '\n') newlines++;
      assertThat(whole.lines().size()).as("lines bounded by the newlines").isLessThanOrEqualTo(newlines + 2);
      for (LogStream.Line l : whole.lines()) {
        assertThat(l.stream()).isIn(tty ? List.of("stdout") : List.of("stdout", "stderr"));
        assertThat(l.text()).isNotEmpty().doesNotContain("\n");
      }
      assertThat(pieces.error()).as("outcome in small reads").isEqualTo(whole.error());
      assertThat(pieces.badTimestamps()).isEqualTo(whole.badTimestamps());
      assertThat(pieces.lines()).hasSameSizeAs(whole.lines());
      for (int i = 0; i < whole.lines().size(); i++) {
        LogStream.Line w = whole.lines().get(i);
        LogStream.Line p = pieces.lines().get(i);
        assertThat(p.stream()).isEqualTo(w.stream());
        assertThat(p.text()).isEqualTo(w.text());
        if (p.timestampNanos() != w.timestampNanos()) {
          assertThat(Math.min(p.timestampNanos(), w.timestampNanos())).as("line %d: differing times are now", i)
              .isGreaterThanOrEqualTo(before - 1_000_000L);
        }
      }
    }));
  }

  private static Outcome read(InputStream in, boolean tty) {
    List<LogStream.Line> lines = new ArrayList<>();
    String error = null;
    LogStream s = new LogStream(in, tty);
    try {
      for (LogStream.Line l; (l = s.next()) != null; ) lines.add(l);
    } catch (IOException e) {
      error = e.getClass().getName() + ": " + e.getMessage();
    }
    return new Outcome(lines, error, s.badTimestamps());
  }

  /** An input stream that hands out 1 to 13 bytes per read. */
  private static final class Trickle extends InputStream {
    private final byte[] b;
    private final Random r;
    private int pos;

    Trickle(byte[] b, Random r) {
      this.b = b;
      this.r = r;
    }

    @Override
    public int read() {
      return pos < b.length ? b[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] into, int off, int len) {
      if (len == 0) return 0;
      if (pos >= b.length) return -1;
      int n = Math.min(Math.min(len, 1 + r.nextInt(13)), b.length - pos);
      System.arraycopy(b, pos, into, off, n);
      pos += n;
      return n;
    }
  }

  // ---- seeds: what the daemon sends ----

  private static byte[] frame(int stream, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int n = payload.length;
    out.writeBytes(new byte[] {(byte) stream, 0, 0, 0, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    out.writeBytes(payload);
    return out.toByteArray();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<byte[]> multiplexedSeeds() {
    List<byte[]> out = new ArrayList<>();
    ByteArrayOutputStream s = new ByteArrayOutputStream();
    for (int i = 0; i < 8; i++) {
      s.writeBytes(frame(1 + i % 2, utf8(TIMES[i % TIMES.length] + " line " + i + " ünïcödé 😀\n")));
    }
    out.add(s.toByteArray());
    // one line split across frames, interleaved with the other stream
    s.reset();
    s.writeBytes(frame(1, utf8(TIMES[0] + " first half ")));
    s.writeBytes(frame(2, utf8(TIMES[1] + " an error\n")));
    s.writeBytes(frame(1, utf8("second half\n" + TIMES[0] + " no newline at the end")));
    out.add(s.toByteArray());
    // a long line in Docker's 16 KiB pieces, each with its own timestamp
    s.reset();
    StringBuilder piece = new StringBuilder();
    piece.append("x".repeat(LogStream.DOCKER_CHUNK));
    s.writeBytes(frame(1, utf8(TIMES[0] + " " + piece + "\n")));
    s.writeBytes(frame(1, utf8(TIMES[0] + " " + piece)));
    s.writeBytes(frame(1, utf8(TIMES[1] + " tail\n")));
    out.add(s.toByteArray());
    // the daemon reports an error; an empty frame; a stdin-typed frame
    s.reset();
    s.writeBytes(frame(0, utf8(TIMES[0] + " stdin?\n")));
    s.writeBytes(frame(1, new byte[0]));
    s.writeBytes(frame(3, utf8("Error grabbing logs: ünïcödé context canceled")));
    out.add(s.toByteArray());
    return List.copyOf(out);
  }

  private static List<byte[]> ttySeeds() {
    return List.of(
        utf8(TIMES[0] + " tty line\r\n" + TIMES[1] + " second ünïcödé 😀\r\n\r\n" + TIMES[2] + " last"),
        utf8(TIMES[3] + " bad time\n" + "no time at all\n" + TIMES[0] + " " + "y".repeat(LogStream.DOCKER_CHUNK) + "\n"));
  }
}
