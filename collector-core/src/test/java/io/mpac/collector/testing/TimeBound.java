package io.mpac.collector.testing;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Bounds the time of each input of a fuzz {@link Fuzz.Property}: the property runs on one daemon
 * worker thread and an input that takes longer than the limit is a finding ("hang"), so a looping
 * converter fails the run instead of stalling it. The limit is generous (it catches hangs; speed is
 * measured by the run's figures, never asserted). After a hang every later input fails at once
 * (the stuck thread is abandoned), so the driver's shrinking ends quickly; the reported seed
 * replays the hang.
 */
public final class TimeBound {

  private TimeBound() {}

  /** {@code property}, each input run within {@code limit}. */
  public static Fuzz.Property of(Duration limit, Fuzz.Property property) {
    ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz-bounded");
      t.setDaemon(true);
      return t;
    });
    boolean[] hung = {false};
    return input -> {
      if (hung[0]) throw new AssertionError("an earlier input hung");
      Future<?> f = worker.submit(() -> {
        property.check(input);
        return null;
      });
      try {
        f.get(limit.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        f.cancel(true);
        hung[0] = true;
        throw new AssertionError("input took longer than " + limit + " (hang?)");
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Exception x) throw x;
        if (cause instanceof Error x) throw x;
        throw e;
      }
    };
  }
}
