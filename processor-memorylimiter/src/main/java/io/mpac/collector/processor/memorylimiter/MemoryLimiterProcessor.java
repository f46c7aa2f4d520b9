package io.mpac.collector.processor.memorylimiter;

import static io.mpac.collector.processor.memorylimiter.MemoryLimiterConfig.mib;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Health;
import io.mpac.collector.component.InstanceGauges;
import io.mpac.collector.component.Supervisor;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.FanoutConsumer;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * {@code otelcol.processor.memory_limiter}: passes data on while the heap is below the soft limit
 * ({@code limit} minus {@code spike_limit}) and refuses it above, with back-pressure
 * ({@link ConsumeException.Refused}, which the OTLP receiver answers with 429 /
 * {@code RESOURCE_EXHAUSTED}); above the hard limit ({@code limit}) it also asks for a garbage
 * collection. Exports {@code input}, which accepts all three signals.
 *
 * <p>A checker thread measures the heap every {@code check_interval} and publishes the outcome in
 * one volatile field: the refusal to throw, or null. {@code consume} reads that field and nothing
 * else, so refusing costs one volatile read and no allocation.
 *
 * <p><b>What is measured.</b> A JVM lets garbage pile up until a collection, so the momentary heap
 * use says little about what the process holds. The limiter measures the heap occupied right after
 * the most recent collection (live data plus old garbage not yet reclaimed), or the momentary use
 * when that is smaller or no collection has run yet.
 *
 * <p><b>Forced collections</b> are spaced out: over the hard limit at most every
 * {@link #HARD_GC_INTERVAL}, over the soft limit at most every {@link #SOFT_GC_INTERVAL}. When a
 * forced collection leaves the heap above the soft limit (the memory is held by live data, e.g. a
 * backed-up queue), the interval doubles up to {@link #MAX_GC_INTERVAL}, and resets once one helps.
 */
public final class MemoryLimiterProcessor implements Component {

  static final Duration HARD_GC_INTERVAL = Duration.ofSeconds(1);
  static final Duration SOFT_GC_INTERVAL = Duration.ofSeconds(10);
  static final Duration MAX_GC_INTERVAL = Duration.ofSeconds(30);
  private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final Set<Signal> ALL_SIGNALS = Set.copyOf(EnumSet.allOf(Signal.class));

  /** The limiter's state, as the {@code mpac.processor.memory_limiter.state} gauge shows it. */
  enum State {
    /** Below the soft limit: data passes. */
    ACCEPTING,
    /** Above the soft limit: data is refused. */
    SOFT_LIMITED,
    /** Above the hard limit: data is refused and collections are forced. */
    HARD_LIMITED
  }

  private final ComponentContext context;
  private final MemoryLimiterConfig config;
  private final HeapProbe probe;
  private final long hardLimit;
  private final long softLimit;
  private final OtlpConsumer[] next = new OtlpConsumer[Signal.values().length];
  private final Counter[] accepted = new Counter[Signal.values().length];
  private final Counter[] refused = new Counter[Signal.values().length];
  private final Counter forcedGcs;
  private final Supervisor supervisor;
  private final InstanceGauges gauges;
  private final Logger logger;
  private final OtlpConsumer input = new Input();

  /** The refusal consume throws, or null while accepting. Written by the checker only. */
  private volatile ConsumeException.Refused refusal;
  private volatile State state = State.ACCEPTING;
  private volatile long inUse;
  private volatile long heapUsedNow;
  private volatile boolean started;
  private volatile boolean stopped;
  private Supervisor.Worker checker;

  // checker thread only
  private long lastGcNanos;
  private boolean gcDone;
  private long hardGcIntervalNanos = HARD_GC_INTERVAL.toNanos();
  private long softGcIntervalNanos = SOFT_GC_INTERVAL.toNanos();
  private long lastLogNanos;
  private long unloggedTransitions;

  public MemoryLimiterProcessor(ComponentContext context, MemoryLimiterConfig config) {
    this(context, config, new JvmHeapProbe());
  }

  // Visible for testing
  MemoryLimiterProcessor(ComponentContext context, MemoryLimiterConfig config, HeapProbe probe) {
    this.context = context;
    this.config = config;
    this.probe = probe;
    this.logger = context.logger();
    long max = probe.max();
    this.hardLimit = config.hardLimit(max);
    this.softLimit = config.softLimit(max);
    MeterRegistry registry = context.meterRegistry();
    Tags tags = context.tags();
    for (Signal s : Signal.values()) {
      next[s.ordinal()] = FanoutConsumer.of(config.output(s));
      accepted[s.ordinal()] = Counter.builder("otelcol.processor.accepted." + s.itemName())
          .description("Items passed on to the next consumer").tags(tags).register(registry);
      refused[s.ordinal()] = Counter.builder("otelcol.processor.refused." + s.itemName())
          .description("Items refused because the heap was above the soft limit").tags(tags).register(registry);
    }
    forcedGcs = Counter.builder("mpac.processor.memory_limiter.forced.gcs")
        .description("Garbage collections the limiter asked for").tags(tags).register(registry);
    this.gauges = new InstanceGauges(registry);
    gauges.add(Gauge.builder("mpac.processor.memory_limiter.state", this, p -> p.state.ordinal())
        .description("0 accepting, 1 refusing (above the soft limit), 2 refusing and forcing collections (above the hard limit)")
        .tags(tags));
    gauges.add(Gauge.builder("mpac.processor.memory_limiter.heap.in.use", this, p -> p.inUse).baseUnit("bytes")
        .description("Heap in use at the last check, as the limiter measures it").tags(tags));
    gauges.add(Gauge.builder("mpac.processor.memory_limiter.soft.limit", this, p -> p.softLimit).baseUnit("bytes")
        .description("Heap in use above which data is refused").tags(tags));
    gauges.add(Gauge.builder("mpac.processor.memory_limiter.hard.limit", this, p -> p.hardLimit).baseUnit("bytes")
        .description("Heap in use above which garbage collections are forced").tags(tags));
    this.supervisor = new Supervisor(context);
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of("input", input);
  }

  /** The exported consumer. */
  public OtlpConsumer input() {
    return input;
  }

  @Override
  public synchronized void start() {
    if (started || stopped) return;
    started = true;
    long max = probe.max();
    if (softLimit >= max) {
      logger.warning("otelcol.processor.memory_limiter: the soft limit (" + mib(softLimit) + ") is not below the max heap ("
          + mib(max) + "), so the heap cannot reach it and nothing is ever refused; lower limit or raise -Xmx");
    } else if (hardLimit > max) {
      logger.warning("otelcol.processor.memory_limiter: limit (" + mib(hardLimit) + ") is above the max heap (" + mib(max)
          + "); data is refused above the soft limit (" + mib(softLimit) + ") but no collection is ever forced");
    }
    probe.open();
    check();
    gauges.register();
    long sleepNanos = config.checkInterval().toNanos();
    checker = supervisor.start("memory-limiter-" + context.id(), self -> {
      while (!stopped) {
        self.checkpoint();
        TimeUnit.NANOSECONDS.sleep(sleepNanos);
        check();
      }
    });
  }

  @Override
  public synchronized void shutdown(Duration timeout) {
    if (stopped) return;
    stopped = true;
    supervisor.stopRestarting();
    if (checker != null) {
      checker.interrupt();
      try {
        checker.join(timeout.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    probe.close();
    gauges.remove();
  }

  /** Healthy while the checker runs, refusing or not; the message says which. */
  @Override
  public Health health() {
    if (stopped) return Health.unknown("stopped");
    if (!started) return Health.unknown("not started");
    Health workers = supervisor.health();
    if (!workers.isHealthy()) return workers;
    return Health.healthy(describe());
  }

  State state() {
    return state;
  }

  private String describe() {
    String what = switch (state) {
      case ACCEPTING -> "accepting data";
      case SOFT_LIMITED -> "refusing data (heap above the soft limit)";
      case HARD_LIMITED -> "refusing data and forcing garbage collections (heap above the hard limit)";
    };
    return what + ": heap in use " + mib(inUse) + " (momentarily " + mib(heapUsedNow) + "), soft limit "
        + mib(softLimit) + ", limit " + mib(hardLimit) + ", max heap " + mib(probe.max());
  }

  /** Measures the heap, forces a collection when due, and publishes the state. Checker thread (and start). */
  void check() {
    long now = System.nanoTime();
    long used = probe.used();
    long after = probe.usedAfterLastGc();
    long measured = after < 0 ? used : Math.min(used, after);
    if (measured > softLimit) {
      boolean hard = measured > hardLimit;
      long interval = hard ? hardGcIntervalNanos : softGcIntervalNanos;
      if (!gcDone || now - lastGcNanos >= interval) {
        gcDone = true;
        lastGcNanos = now;
        forcedGcs.increment();
        measured = Math.min(measured, probe.collect());
        long max = MAX_GC_INTERVAL.toNanos();
        if (measured > softLimit) {
          // the memory is held by live data: a collection does not help, so space them out more
          if (hard) {
            hardGcIntervalNanos = Math.min(max, hardGcIntervalNanos * 2);
          } else {
            softGcIntervalNanos = Math.min(max, softGcIntervalNanos * 2);
          }
        } else {
          hardGcIntervalNanos = HARD_GC_INTERVAL.toNanos();
          softGcIntervalNanos = SOFT_GC_INTERVAL.toNanos();
        }
      }
    }
    State next = measured <= softLimit ? State.ACCEPTING : measured <= hardLimit ? State.SOFT_LIMITED : State.HARD_LIMITED;
    inUse = measured;
    heapUsedNow = used;
    State previous = state;
    state = next;
    refusal = next == State.ACCEPTING ? null : new ConsumeException.Refused("otelcol.processor.memory_limiter: heap in use ("
        + mib(measured) + ") is above the soft limit (" + mib(softLimit) + "); retry later", config.checkInterval());
    if ((previous == State.ACCEPTING) != (next == State.ACCEPTING)) logTransition(next, measured, now);
  }

  /** Logs a change between accepting and refusing, at most once per 10 s (with the count of changes in between). */
  private void logTransition(State next, long measured, long now) {
    if (lastLogNanos != 0 && now - lastLogNanos < LOG_INTERVAL_NANOS) {
      unloggedTransitions++;
      return;
    }
    String suffix = unloggedTransitions > 0 ? " (" + unloggedTransitions + " changes between accepting and refusing since the last message)" : "";
    unloggedTransitions = 0;
    lastLogNanos = now;
    if (next == State.ACCEPTING) {
      logger.info("otelcol.processor.memory_limiter: heap in use " + mib(measured) + " is below the soft limit ("
          + mib(softLimit) + "); accepting data again" + suffix);
    } else {
      logger.warning("otelcol.processor.memory_limiter: heap in use " + mib(measured) + " is above the soft limit ("
          + mib(softLimit) + "); refusing data" + suffix);
    }
  }

  private final class Input implements OtlpConsumer {
    @Override
    public Set<Signal> signals() {
      return ALL_SIGNALS;
    }

    @Override
    public void consume(OtlpRequest request) throws ConsumeException {
      int s = request.signal().ordinal();
      ConsumeException.Refused r = refusal;
      if (r != null) {
        refused[s].increment(request.itemCount());
        throw r;
      }
      next[s].consume(request);
      accepted[s].increment(request.itemCount());
    }

    @Override
    public String toString() {
      return context.id() + ".input";
    }
  }
}
