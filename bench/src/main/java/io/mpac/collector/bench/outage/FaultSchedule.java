package io.mpac.collector.bench.outage;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A backend's misbehaviour over time, drawn once from a seed: healthy stretches of 20–60 s, each
 * followed by one fault window. The soak benchmark (bench/soak-faults.sh) gives every sink its own
 * seed, so the three backends fail at different times, and the same seed gives the same schedule.
 *
 * <ul>
 *   <li>{@link Kind#ERROR_5XX}: a 5–15 s burst of 503 answers;
 *   <li>{@link Kind#TOO_MANY_REQUESTS}: a 5–15 s burst of 429 answers with {@code Retry-After: 1..3};
 *   <li>{@link Kind#DROP}: 3–10 s in which the request is read and the connection closed without an answer;
 *   <li>{@link Kind#STALL}: requests arriving in a 10 s window are held 10 s, then answered 503.
 * </ul>
 * No fault is counted as a delivery: the sink only counts requests it answers 2xx.
 */
final class FaultSchedule {

  enum Kind { NONE, ERROR_5XX, TOO_MANY_REQUESTS, DROP, STALL }

  /** A fault from {@code startMs} (inclusive) to {@code endMs} (exclusive) after the sink started. */
  record Window(long startMs, long endMs, Kind kind, int retryAfterSeconds) {}

  /** What to do with one request. */
  record Fault(Kind kind, int retryAfterSeconds) {
    static final Fault NONE = new Fault(Kind.NONE, 0);
  }

  static final long STALL_MS = 10_000;

  private final List<Window> windows;

  private FaultSchedule(List<Window> windows) {
    this.windows = List.copyOf(windows);
  }

  /** No faults at all. */
  static FaultSchedule none() {
    return new FaultSchedule(List.of());
  }

  /** The schedule of {@code seed} covering {@code horizonMs} (healthy after it). */
  static FaultSchedule random(long seed, long horizonMs) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Window> out = new ArrayList<>();
    Kind[] kinds = {Kind.ERROR_5XX, Kind.TOO_MANY_REQUESTS, Kind.DROP, Kind.STALL};
    long t = 0;
    while (true) {
      t += r.nextLong(20_000, 60_001);
      Kind kind = kinds[r.nextInt(kinds.length)];
      long length = switch (kind) {
        case ERROR_5XX, TOO_MANY_REQUESTS -> r.nextLong(5_000, 15_001);
        case DROP -> r.nextLong(3_000, 10_001);
        default -> STALL_MS;
      };
      if (t + length > horizonMs) break;
      out.add(new Window(t, t + length, kind, kind == Kind.TOO_MANY_REQUESTS ? r.nextInt(1, 4) : 0));
      t += length;
    }
    return new FaultSchedule(out);
  }

  /** The fault for a request arriving {@code elapsedMs} after the sink started. */
  Fault at(long elapsedMs) {
    for (Window w : windows) {
      if (elapsedMs < w.startMs()) break;
      if (elapsedMs < w.endMs()) return new Fault(w.kind(), w.retryAfterSeconds());
    }
    return Fault.NONE;
  }

  List<Window> windows() {
    return windows;
  }
}
