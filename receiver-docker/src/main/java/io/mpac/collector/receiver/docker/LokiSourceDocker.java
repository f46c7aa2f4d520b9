package io.mpac.collector.receiver.docker;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Health;
import io.mpac.collector.component.InstanceGauges;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LogsFanout;
import io.mpac.collector.loki.LogsReceiver;
import io.mpac.collector.loki.LokiEntry;
import io.mpac.collector.relabel.Relabeler;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * {@code loki.source.docker}: follows the logs of every target container and pushes each line to
 * {@code forward_to} as a Loki entry.
 *
 * <pre>
 *   targets ─▶ dedupe by container id ─▶ one Follower thread per container
 *   Follower: inspect (TTY?) ─▶ /logs?follow&timestamps&since=position ─▶ LogStream lines
 *             ─▶ skip what the position says was sent ─▶ labels (target + labels + log stream,
 *             relabel_rules, minus __ labels) ─▶ push (retry while Refused) ─▶ advance position
 * </pre>
 *
 * <p>A follower outlives its stream: when a container stops the stream ends and the follower looks
 * again after a growing wait (up to {@code refresh_interval}); when the daemon is unreachable it
 * retries with backoff. Nothing is dropped silently: a refused push is retried until it is taken or
 * the component stops (then the position is not advanced and the line is read again next time).
 * Positions are written every few seconds and on shutdown ({@link Positions}).
 */
public final class LokiSourceDocker implements Component {

  private static final String LOG_STREAM = "__meta_docker_container_log_stream";
  private static final String CONTAINER_ID = "__meta_docker_container_id";

  private final ComponentContext context;
  private final LokiSourceDockerConfig config;
  private final Logger log;
  private final LogsReceiver next;
  private final Positions positions;
  /** Container id → target labels (merged with {@code labels}), deduplicated. */
  private final Map<String, Map<String, String>> containers;
  private final Map<String, Follower> followers = new ConcurrentHashMap<>();
  private final Counter entries;
  private final Counter parsingErrors;
  private final Counter rejected;
  private final InstanceGauges gauges;
  private volatile boolean stopping;
  private volatile Health health = Health.healthy("started");
  private ScheduledExecutorService sync;
  private DockerClient client;

  public LokiSourceDocker(ComponentContext context, LokiSourceDockerConfig config) {
    this(context, config, Clock.systemUTC());
  }

  LokiSourceDocker(ComponentContext context, LokiSourceDockerConfig config, Clock clock) {
    this.context = context;
    this.config = config;
    this.log = context.logger();
    this.next = LogsFanout.of(config.forwardTo());
    this.positions = new Positions(context.storageDir(), clock);
    this.containers = dedupe(config.targets(), config.labels());
    MeterRegistry m = context.meterRegistry();
    this.entries = Counter.builder("loki.source.docker.target.entries")
        .description("Log lines read from containers and handed on.").tags(context.tags()).register(m);
    this.parsingErrors = Counter.builder("loki.source.docker.target.parsing.errors")
        .description("Log lines whose Docker timestamp could not be parsed.").tags(context.tags()).register(m);
    this.rejected = Counter.builder("loki.source.docker.dropped.entries")
        .description("Entries a downstream component rejected for good.").tags(context.tags()).register(m);
    this.gauges = new InstanceGauges(m).add(Gauge.builder("loki.source.docker.followers", followers, Map::size)
        .description("Containers being followed.").tags(context.tags()));
  }

  /** Targets merged with {@code labels} (which win), one per container: the first by label text. */
  static Map<String, Map<String, String>> dedupe(List<Map<String, String>> targets, Map<String, String> labels) {
    List<Map<String, String>> merged = new ArrayList<>();
    for (Map<String, String> t : targets) {
      Map<String, String> m = new TreeMap<>(t);
      m.putAll(labels);
      merged.add(m);
    }
    merged.sort(Comparator.comparing(Object::toString));
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    for (Map<String, String> m : merged) {
      String id = m.get(CONTAINER_ID);
      if (id == null || id.isEmpty()) continue;
      out.putIfAbsent(id, m);
    }
    return out;
  }

  /** The labels of a container's stream, or null when the relabel rules drop it. */
  static Labels streamLabels(Map<String, String> target, String stream, Relabeler relabeler) {
    Map<String, String> m = new TreeMap<>(target);
    m.put(LOG_STREAM, stream);
    if (!relabeler.apply(m)) return null;
    m.keySet().removeIf(k -> k.startsWith("__"));
    m.values().removeIf(String::isEmpty);
    return Labels.of(m);
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of();
  }

  @Override
  public synchronized void start() {
    gauges.register();
    try {
      positions.load();
    } catch (IOException e) {
      log.log(Level.WARNING, e.getMessage());
    }
    client = new DockerClient(config.host(), Duration.ofSeconds(30), DockerTimer.get());
    int started = 0;
    for (Map.Entry<String, Map<String, String>> c : containers.entrySet()) {
      if (started == config.maxFollowers()) {
        log.warning("following only " + config.maxFollowers() + " of " + containers.size() + " containers");
        health = Health.unhealthy("more containers than " + config.maxFollowers() + " followers");
        break;
      }
      Follower f = new Follower(c.getKey(), c.getValue());
      followers.put(c.getKey(), f);
      f.thread.start();
      started++;
    }
    sync = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, context.id() + "-positions");
      t.setDaemon(true);
      return t;
    });
    long period = config.positionsSyncPeriod().toMillis();
    sync.scheduleWithFixedDelay(this::savePositions, period, period, TimeUnit.MILLISECONDS);
  }

  private void savePositions() {
    for (String id : followers.keySet()) positions.touch(id);
    try {
      positions.save();
    } catch (IOException e) {
      log.log(Level.WARNING, "cannot write positions file " + positions.file() + ": " + e.getMessage());
    }
  }

  /** Containers currently followed. */
  public java.util.Set<String> followedContainers() {
    return java.util.Set.copyOf(followers.keySet());
  }

  @Override
  public Health health() {
    return health;
  }

  @Override
  public synchronized void shutdown(Duration timeout) {
    gauges.remove();
    if (sync == null) return;
    stopping = true;
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Follower f : followers.values()) f.stop();
    for (Follower f : followers.values()) {
      long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
      try {
        f.thread.join(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      if (f.thread.isAlive()) log.warning("follower of container " + f.id + " did not stop in time");
    }
    sync.shutdownNow();
    sync = null;
    savePositions();
    followers.clear();
  }

  /** Follows one container on its own thread until stopped. */
  private final class Follower implements Runnable {
    final String id;
    final Thread thread;
    final Labels stdoutLabels;
    final Labels stderrLabels;
    private volatile LogStream stream;
    private volatile boolean stopped;
    private long lastError;

    Follower(String id, Map<String, String> target) {
      this.id = id;
      Relabeler r = config.relabelRules().relabeler();
      this.stdoutLabels = streamLabels(target, "stdout", r);
      this.stderrLabels = streamLabels(target, "stderr", r);
      this.thread = new Thread(this, context.id() + "-" + id.substring(0, Math.min(12, id.length())));
      thread.setDaemon(true);
    }

    void stop() {
      stopped = true;
      LogStream s = stream;
      if (s != null) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing
        }
      }
      thread.interrupt();
    }

    @Override
    public void run() {
      long backoff = 250;
      long idleWait = 250;
      while (!stopped && !stopping) {
        try {
          JsonNode info = client.inspect(id);
          if (info == null) {
            pause(config.refreshInterval().toMillis()); // gone; discovery will release us
            continue;
          }
          boolean tty = info.path("Config").path("Tty").asBoolean(false);
          Positions.Position p = positions.get(id);
          long sinceTs = p == null ? 0 : p.timestampNanos();
          long skip = p == null ? 0 : p.countAtTimestamp();
          int read = 0;
          try (LogStream s = client.logs(id, sinceTs, tty)) {
            stream = s;
            if (stopped) break;
            LogStream.Line line;
            long badBefore = 0;
            while ((line = s.next()) != null) {
              if (s.badTimestamps() != badBefore) {
                parsingErrors.increment(s.badTimestamps() - badBefore);
                badBefore = s.badTimestamps();
              }
              if (p != null) {
                if (line.timestampNanos() < sinceTs) continue;
                if (line.timestampNanos() == sinceTs && skip > 0) {
                  skip--;
                  continue;
                }
              }
              Labels labels = "stderr".equals(line.stream()) ? stderrLabels : stdoutLabels;
              if (labels != null) {
                if (!deliver(new LokiEntry(labels, line.timestampNanos(), line.text()))) return;
                entries.increment();
              }
              positions.advance(id, line.timestampNanos());
              read++;
              backoff = 250;
            }
          } finally {
            stream = null;
          }
          // The stream ended: the container stopped (or the daemon closed it). Look again later.
          idleWait = read > 0 ? 250 : Math.min(idleWait * 2, config.refreshInterval().toMillis());
          pause(idleWait);
        } catch (IOException e) {
          if (stopped || stopping) return;
          long now = System.nanoTime();
          if (now - lastError > TimeUnit.MINUTES.toNanos(1)) {
            lastError = now;
            log.warning("following container " + id + ": " + e.getMessage() + " (retrying)");
          }
          pause(backoff);
          backoff = Math.min(backoff * 2, 10_000);
        } catch (RuntimeException e) {
          log.log(Level.SEVERE, "follower of container " + id + " failed", e);
          pause(backoff);
          backoff = Math.min(backoff * 2, 10_000);
        }
      }
    }

    /** Pushes until taken; false when stopped first (the line stays unsent and is read again later). */
    private boolean deliver(LokiEntry entry) {
      List<LokiEntry> one = List.of(entry);
      long delay = 50;
      while (true) {
        try {
          next.push(one);
          return true;
        } catch (ConsumeException.Rejected e) {
          rejected.increment();
          long now = System.nanoTime();
          if (now - lastError > TimeUnit.MINUTES.toNanos(1)) {
            lastError = now;
            log.warning("an entry of container " + id + " was rejected downstream: " + e.getMessage());
          }
          return true;
        } catch (ConsumeException.Refused e) {
          if (stopped || stopping) return false;
          long wait = Math.max(delay, e.retryAfter() == null ? 0 : e.retryAfter().toMillis());
          if (!pause(Math.min(wait, 5_000))) return false;
          delay = Math.min(delay * 2, 5_000);
        } catch (ConsumeException e) {
          if (stopped || stopping) return false;
          if (!pause(delay)) return false;
          delay = Math.min(delay * 2, 5_000);
        }
      }
    }

    /** Sleeps unless stopped; false when stopped. */
    private boolean pause(long millis) {
      if (stopped || stopping) return false;
      try {
        Thread.sleep(millis);
        return !stopped && !stopping;
      } catch (InterruptedException e) {
        return false;
      }
    }
  }
}
