package io.mpac.collector.component;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps a component's worker threads alive. A worker whose body throws is logged (with its stack
 * trace the first time that worker fails with that exception class, one line after that), counted
 * ({@value #RESTARTS_METRIC}), and started again after a short backoff; its component reports
 * {@link #health() unhealthy}, naming the worker, until the restarted body has run for
 * {@link #STABLE_AFTER} and reached a {@link Worker#checkpoint()}. What the dead body held is the
 * component's to account for: the {@link CrashHandler} is told before the restart.
 *
 * <p>A body is a loop that calls {@link Worker#checkpoint()} once per iteration (where it holds
 * nothing) and returns when its component is done. {@link InterruptedException} ends it quietly.
 * A {@link VirtualMachineError} other than {@link StackOverflowError} (out of memory, an internal
 * error) is not a bug of the worker: it is logged and the worker is not restarted, and its
 * component stays unhealthy, naming it. After {@link #stopRestarting()} a failing body is logged
 * and its crash handler told, but it is not restarted (and no restart is counted).
 *
 * <p>Test hook: {@link #injectFault(String)} makes the next checkpoint of a matching worker throw.
 */
public final class Supervisor {

  /** The counter of worker restarts, per component. */
  public static final String RESTARTS_METRIC = "mpac.worker.restarts";
  /** How long a restarted worker must run before its component is healthy again. */
  public static final Duration STABLE_AFTER = Duration.ofSeconds(1);
  private static final long FIRST_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** Worker-name fragments armed by {@link #injectFault}; each fires once. */
  private static final Set<String> FAULTS = ConcurrentHashMap.newKeySet();

  /** A worker's loop. */
  @FunctionalInterface
  public interface Body {
    void run(Worker self) throws InterruptedException;
  }

  /** Told when a worker's body died, before it is restarted: count (or give back) what it held. */
  @FunctionalInterface
  public interface CrashHandler {
    void crashed(Worker worker, Throwable cause);
  }

  private final String componentId;
  private final Logger logger;
  private final Counter restarts;
  private final List<Worker> workers = new CopyOnWriteArrayList<>();
  private final Map<String, Boolean> tracesLogged = new ConcurrentHashMap<>();
  private volatile boolean stopping;

  public Supervisor(ComponentContext context) {
    this(context.id().toString(), context.logger(), context.meterRegistry(), context);
  }

  private Supervisor(String componentId, Logger logger, MeterRegistry registry, ComponentContext context) {
    this.componentId = componentId;
    this.logger = logger;
    this.restarts = Counter.builder(RESTARTS_METRIC).tags(context.tags())
        .description("Worker threads restarted after an unexpected exception").register(registry);
  }

  /** Starts a supervised daemon thread named {@code name} running {@code body}. */
  public Worker start(String name, Body body, CrashHandler onCrash) {
    Worker w = new Worker(name, body, onCrash == null ? (x, y) -> { } : onCrash);
    workers.add(w);
    w.thread.start();
    return w;
  }

  public Worker start(String name, Body body) {
    return start(name, body, null);
  }

  /** No restarts from now on (the component is stopping; bodies end on their own). */
  public void stopRestarting() {
    stopping = true;
  }

  /** Restarts so far, all workers together. */
  public long restarts() {
    return (long) restarts.count();
  }

  /** Healthy unless a worker died and has not yet recovered; the message names the workers. */
  public Health health() {
    List<String> down = new ArrayList<>();
    for (Worker w : workers) {
      String why = w.problem();
      if (why != null) down.add(why);
    }
    return down.isEmpty() ? Health.healthy("workers running") : Health.unhealthy(String.join("; ", down));
  }

  /** Test hook: the next checkpoint of a worker whose name contains {@code fragment} throws. */
  public static void injectFault(String fragment) {
    FAULTS.add(Objects.requireNonNull(fragment));
  }

  /** Thrown by a checkpoint armed with {@link #injectFault}. */
  public static final class InjectedFault extends RuntimeException {
    InjectedFault(String worker) {
      super("fault injected into worker " + worker + " (test hook)");
    }
  }

  /** One supervised thread. */
  public final class Worker {
    private final String name;
    private final Body body;
    private final CrashHandler onCrash;
    private final Thread thread;
    private volatile String problem;
    private volatile long restartedAtNanos;
    private volatile long backoffNanos = FIRST_BACKOFF_NANOS;

    private Worker(String name, Body body, CrashHandler onCrash) {
      this.name = name;
      this.body = body;
      this.onCrash = onCrash;
      this.thread = new Thread(this::loop, name);
      thread.setDaemon(true);
    }

    public String name() {
      return name;
    }

    public Thread thread() {
      return thread;
    }

    /**
     * Called by the body once per iteration, where it holds nothing: marks the worker recovered
     * after a restart once it has run for {@link #STABLE_AFTER}, and fires an injected fault.
     */
    public void checkpoint() {
      if (!FAULTS.isEmpty()) {
        for (String f : FAULTS) {
          if (name.contains(f) && FAULTS.remove(f)) throw new InjectedFault(name);
        }
      }
      if (problem != null && System.nanoTime() - restartedAtNanos >= STABLE_AFTER.toNanos()) {
        problem = null;
        backoffNanos = FIRST_BACKOFF_NANOS;
        logger.info("worker " + name + " recovered");
      }
    }

    String problem() {
      return problem;
    }

    public boolean isAlive() {
      return thread.isAlive();
    }

    public void interrupt() {
      thread.interrupt();
    }

    /** Waits up to {@code millis} (at least 1) for the thread to end. */
    public void join(long millis) throws InterruptedException {
      thread.join(Math.max(1, millis));
    }

    private void loop() {
      while (true) {
        try {
          body.run(this);
          problem = null; // finished its work: nothing is down
          workers.remove(this); // nothing left to report (components that replace workers do not pile them up)
          return;
        } catch (InterruptedException e) {
          return;
        } catch (VirtualMachineError e) {
          if (!(e instanceof StackOverflowError)) {
            problem = "worker " + name + " of " + componentId + " died: " + e;
            logger.log(Level.SEVERE, "worker " + name + " died; it is not restarted", e);
            return;
          }
          if (!crashed(e)) return;
        } catch (RuntimeException | Error e) {
          if (!crashed(e)) return;
        }
      }
    }

    /** Logs, counts and reports a failure of the body, then waits out the backoff; true to restart it. */
    private boolean crashed(Throwable e) {
      problem = "worker " + name + " of " + componentId + " failed: " + e;
      boolean restart = !stopping;
      String what = restart ? "; restarting it" : "; not restarted, its component is stopping";
      String key = name + "|" + e.getClass().getName();
      if (tracesLogged.putIfAbsent(key, Boolean.TRUE) == null) {
        logger.log(Level.SEVERE, "worker " + name + " failed" + what, e);
      } else {
        logger.severe("worker " + name + " failed again (" + e + ")" + what);
      }
      try {
        onCrash.crashed(this, e);
      } catch (RuntimeException handlerBug) {
        logger.log(Level.SEVERE, "crash handler of worker " + name + " failed", handlerBug);
      }
      if (!restart || stopping) return false;
      restarts.increment();
      try {
        TimeUnit.NANOSECONDS.sleep(backoffNanos);
      } catch (InterruptedException ie) {
        return false;
      }
      backoffNanos = Math.min(backoffNanos * 2, MAX_BACKOFF_NANOS);
      restartedAtNanos = System.nanoTime();
      return true;
    }
  }
}
