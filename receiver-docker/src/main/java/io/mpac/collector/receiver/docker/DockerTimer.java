package io.mpac.collector.receiver.docker;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** One daemon thread that closes Docker API connections whose calls took too long. */
final class DockerTimer {

  private static final ScheduledThreadPoolExecutor TIMER = new ScheduledThreadPoolExecutor(1, r -> {
    Thread t = new Thread(r, "docker-api-timeouts");
    t.setDaemon(true);
    return t;
  });

  static {
    TIMER.setRemoveOnCancelPolicy(true);
  }

  private DockerTimer() {}

  static ScheduledExecutorService get() {
    return TIMER;
  }
}
