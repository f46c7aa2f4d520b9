package io.mpac.collector.bench.e2e;

import io.mpac.collector.pdata.Signal;
import java.time.Duration;
import java.util.List;

/**
 * One measured load: a signal at a fixed rate ({@code itemsPerSecond > 0}) or as fast as the
 * target answers ({@code 0}), for {@code duration}, after a warm-up of {@code warmup} at full speed
 * with the same signal and request shape.
 */
record Scenario(String id, String title, Signal signal, double itemsPerSecond, Duration duration, Duration warmup,
    int itemsPerRequest) {

  /** Items in every request (the testbed's 100). */
  static final int ITEMS_PER_REQUEST = 100;

  boolean saturation() {
    return itemsPerSecond <= 0;
  }

  /** Issue #4's scenarios; {@code quick} shortens every window for a smoke run. */
  static List<Scenario> standard(boolean quick) {
    Duration warmup = quick ? Duration.ofSeconds(3) : Duration.ofSeconds(10);
    Duration a = quick ? Duration.ofSeconds(5) : Duration.ofSeconds(30);
    Duration other = quick ? Duration.ofSeconds(4) : Duration.ofSeconds(20);
    return List.of(
        new Scenario("a", "traces, fixed 10,000 spans/s", Signal.TRACES, 10_000, a, warmup, ITEMS_PER_REQUEST),
        new Scenario("b", "traces, saturation (rate max)", Signal.TRACES, 0, other, warmup, ITEMS_PER_REQUEST),
        new Scenario("c", "logs, fixed 10,000 records/s", Signal.LOGS, 10_000, other, warmup, ITEMS_PER_REQUEST),
        new Scenario("d", "metrics, fixed 10,000 points/s", Signal.METRICS, 10_000, other, warmup, ITEMS_PER_REQUEST));
  }

  String unit() {
    return switch (signal) {
      case TRACES -> "span";
      case LOGS -> "record";
      case METRICS -> "point";
    };
  }
}
