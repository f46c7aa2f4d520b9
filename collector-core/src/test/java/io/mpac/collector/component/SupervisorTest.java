package io.mpac.collector.component;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SupervisorTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ConcurrentLinkedQueue<LogRecord> logged = new ConcurrentLinkedQueue<>();
  private final List<Supervisor.Worker> workers = new CopyOnWriteArrayList<>();
  private volatile boolean done;
  private Logger logger;
  private Supervisor supervisor;
  private String workerName;

  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord r) {
      logged.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void setUp(TestInfo info) {
    String test = info.getTestMethod().orElseThrow().getName();
    // unique names: injected faults are process-wide, and so are loggers
    workerName = "sv-" + test;
    logger = Logger.getLogger("component.test.supervisor." + test);
    logger.setUseParentHandlers(false);
    logger.addHandler(capture);
    supervisor = new Supervisor(new ComponentContext(new ComponentId("otelcol.processor.batch", test), Path.of("target"),
        registry, logger));
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    done = true;
    supervisor.stopRestarting();
    for (Supervisor.Worker w : workers) {
      w.interrupt();
      w.join(5000);
    }
    logger.removeHandler(capture);
  }

  private Supervisor.Worker start(Supervisor.Body body, Supervisor.CrashHandler onCrash) {
    Supervisor.Worker w = supervisor.start(workerName, body, onCrash);
    workers.add(w);
    return w;
  }

  /** A loop that checkpoints every millisecond until the test ends. */
  private void loop(Supervisor.Worker self) throws InterruptedException {
    while (!done) {
      self.checkpoint();
      TimeUnit.MILLISECONDS.sleep(1);
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) throw new AssertionError("timed out waiting for " + what);
      TimeUnit.MILLISECONDS.sleep(2);
    }
  }

  private long withStackTrace() {
    return logged.stream().filter(r -> r.getThrown() != null).count();
  }

  private double restartsMetric() {
    return registry.get(Supervisor.RESTARTS_METRIC).tag("component_id", "otelcol.processor.batch." + tagSuffix())
        .counter().count();
  }

  private String tagSuffix() {
    return workerName.substring("sv-".length());
  }

  @Test
  void aThrowingBodyIsRestartedCountedAndHandedToTheCrashHandler() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    List<Throwable> crashes = new CopyOnWriteArrayList<>();
    start(self -> {
      if (runs.incrementAndGet() == 1) throw new IllegalStateException("boom");
      loop(self);
    }, (w, cause) -> crashes.add(cause));
    await(() -> runs.get() == 2, "the restart");
    assertThat(supervisor.restarts()).isEqualTo(1);
    assertThat(restartsMetric()).isEqualTo(1);
    assertThat(crashes).singleElement().satisfies(c -> assertThat(c).hasMessage("boom"));
  }

  @Test
  void healthNamesTheWorkerUntilItRecovered() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    assertThat(supervisor.health().isHealthy()).isTrue();
    // health as seen while the dead worker waits for its restart (a timing-free observation point)
    java.util.concurrent.atomic.AtomicReference<Health> atCrash = new java.util.concurrent.atomic.AtomicReference<>();
    start(self -> {
      if (runs.incrementAndGet() == 1) throw new IllegalStateException("boom");
      loop(self);
    }, (w, cause) -> atCrash.set(supervisor.health()));
    await(() -> runs.get() == 2, "the restart");
    Health down = atCrash.get();
    assertThat(down.state()).isEqualTo(Health.State.UNHEALTHY);
    assertThat(down.message()).contains(workerName).contains("IllegalStateException: boom");
    // recovered once the restarted body has run for STABLE_AFTER and reached a checkpoint
    await(() -> supervisor.health().isHealthy(), "recovery");
    // the worker logs "recovered" just after it clears its problem: wait for the line, not only the state
    await(() -> logged.stream().anyMatch(r -> r.getMessage().contains("worker " + workerName + " recovered")),
        "the recovery's log line");
  }

  @Test
  void theStackTraceIsLoggedOncePerWorkerAndExceptionClass() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    start(self -> {
      if (runs.incrementAndGet() <= 3) throw new IllegalArgumentException("again " + runs.get());
      loop(self);
    }, null);
    await(() -> runs.get() == 4, "three restarts");
    assertThat(supervisor.restarts()).isEqualTo(3);
    assertThat(logged).filteredOn(r -> r.getLevel() == Level.SEVERE).hasSize(3);
    assertThat(withStackTrace()).isEqualTo(1);
    assertThat(logged).filteredOn(r -> r.getThrown() == null)
        .allSatisfy(r -> assertThat(r.getMessage()).contains("failed again").contains("IllegalArgumentException"));
  }

  @Test
  void anInjectedFaultFiresAtTheNextCheckpointOnce() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    List<Throwable> crashes = new CopyOnWriteArrayList<>();
    start(self -> {
      runs.incrementAndGet();
      loop(self);
    }, (w, cause) -> crashes.add(cause));
    await(() -> runs.get() == 1, "the first run");
    Supervisor.injectFault(workerName);
    await(() -> runs.get() == 2, "the restart after the injected fault");
    assertThat(crashes).singleElement().isInstanceOf(Supervisor.InjectedFault.class);
    assertThat(supervisor.restarts()).isEqualTo(1);
    TimeUnit.MILLISECONDS.sleep(50);
    assertThat(runs.get()).as("the fault fires once").isEqualTo(2);
  }

  @Test
  void noRestartAfterStopRestarting() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    AtomicInteger crashes = new AtomicInteger();
    supervisor.stopRestarting();
    Supervisor.Worker w = start(self -> {
      runs.incrementAndGet();
      throw new IllegalStateException("while stopping");
    }, (x, cause) -> crashes.incrementAndGet());
    w.join(WAIT.toMillis());
    assertThat(w.isAlive()).isFalse();
    assertThat(runs.get()).isEqualTo(1);
    assertThat(crashes.get()).as("what it held is still accounted for").isEqualTo(1);
    assertThat(supervisor.restarts()).isZero();
    assertThat(withStackTrace()).isEqualTo(1);
  }

  @Test
  void anInterruptEndsTheWorkerQuietly() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Supervisor.Worker w = start(self -> {
      runs.incrementAndGet();
      while (true) {
        self.checkpoint();
        TimeUnit.SECONDS.sleep(10);
      }
    }, null);
    await(() -> runs.get() == 1, "the first run");
    w.interrupt();
    w.join(WAIT.toMillis());
    assertThat(w.isAlive()).isFalse();
    assertThat(runs.get()).isEqualTo(1);
    assertThat(supervisor.restarts()).isZero();
    assertThat(logged).isEmpty();
    assertThat(supervisor.health().isHealthy()).isTrue();
  }

  @Test
  void aBodyThatFinishesAfterARestartLeavesNothingUnhealthy() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Supervisor.Worker w = start(self -> {
      if (runs.incrementAndGet() == 1) throw new IllegalStateException("once");
    }, null);
    await(() -> runs.get() == 2 && !w.isAlive(), "the restarted body to finish");
    assertThat(supervisor.health().isHealthy()).isTrue();
  }

  @Test
  void aFailingCrashHandlerIsLoggedAndTheWorkerStillRestarts() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    start(self -> {
      if (runs.incrementAndGet() == 1) throw new IllegalStateException("boom");
      loop(self);
    }, (w, cause) -> {
      throw new UnsupportedOperationException("handler bug");
    });
    await(() -> runs.get() == 2, "the restart");
    assertThat(logged).anySatisfy(r -> assertThat(r.getMessage()).contains("crash handler of worker " + workerName));
  }

  @Test
  void outOfMemoryIsNotRestartedAndStaysUnhealthy() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    Supervisor.Worker w = start(self -> {
      runs.incrementAndGet();
      throw new OutOfMemoryError("test: simulated");
    }, null);
    w.join(WAIT.toMillis());
    assertThat(w.isAlive()).isFalse();
    assertThat(runs.get()).isEqualTo(1);
    assertThat(supervisor.restarts()).isZero();
    assertThat(supervisor.health().state()).isEqualTo(Health.State.UNHEALTHY);
    assertThat(supervisor.health().message()).contains(workerName).contains("died").contains("OutOfMemoryError");
  }

  @Test
  void aStackOverflowIsABugOfTheWorkerAndIsRestarted() throws Exception {
    AtomicInteger runs = new AtomicInteger();
    start(self -> {
      if (runs.incrementAndGet() == 1) throw new StackOverflowError("test: simulated");
      loop(self);
    }, null);
    await(() -> runs.get() == 2, "the restart");
    assertThat(supervisor.restarts()).isEqualTo(1);
  }
}
