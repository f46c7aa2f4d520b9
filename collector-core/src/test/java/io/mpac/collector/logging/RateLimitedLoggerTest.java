package io.mpac.collector.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

class RateLimitedLoggerTest {

  @Test
  void logsTheFirstAtOnceThenOncePerIntervalWithTheSuppressedCount() {
    Logger logger = Logger.getLogger("test.ratelimited." + System.nanoTime());
    logger.setUseParentHandlers(false);
    List<String> lines = new CopyOnWriteArrayList<>();
    logger.addHandler(new Handler() {
      @Override
      public void publish(LogRecord r) {
        lines.add(r.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    });
    AtomicLong now = new AtomicLong(0);
    RateLimitedLogger rl = new RateLimitedLogger(logger, Duration.ofSeconds(30), now::get);
    assertThat(rl.log(Level.WARNING, "permanent", () -> "dropping: bad id")).isTrue();
    for (int i = 0; i < 1000; i++) assertThat(rl.log(Level.WARNING, "permanent", () -> "dropping: bad id")).isFalse();
    assertThat(rl.log(Level.WARNING, "other", () -> "queue full")).isTrue(); // keys are independent
    now.addAndGet(Duration.ofSeconds(31).toNanos());
    assertThat(rl.log(Level.WARNING, "permanent", () -> "dropping: bad id")).isTrue();
    assertThat(lines).containsExactly("dropping: bad id", "queue full",
        "dropping: bad id (and 1000 similar since the last such message)");
  }
}
