package io.mpac.collector.receiver.otlp.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.NoopConsumer;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.ClientMetadata;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.OtlpValidator;
import io.mpac.collector.pdata.Signal;
import java.time.Duration;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What both transports do with a request once its protobuf bytes are in hand: validate and count
 * ({@link OtlpValidator}), hand it to the signal's consumer, count the outcome, and say how to
 * answer. One per receiver instance; thread-safe.
 *
 * <p>Threading: {@link #export} runs on the thread that calls it, which may be a Netty event loop.
 * That is allowed because it does only CPU work proportional to the request and
 * {@link OtlpConsumer#consume} never blocks (a consumer that cannot take data throws
 * {@link ConsumeException.Refused} rather than wait).
 */
public final class ExportPipeline {

  /** The transports, as the {@code transport} metric tag spells them. */
  public enum Transport {
    GRPC("grpc"), HTTP("http");

    final String tag;

    Transport(String tag) {
      this.tag = tag;
    }
  }

  /** Why a request or connection was cut short by a resource limit (the {@code reason} tag). */
  public enum Limit {
    MEMORY("memory"), CONNECTIONS("connections"), TIMEOUT("timeout");

    final String tag;

    Limit(String tag) {
      this.tag = tag;
    }
  }

  /** How a request ended. */
  public enum Kind { ACCEPTED, MALFORMED, REJECTED, REFUSED, UNAVAILABLE, ERROR }

  /**
   * The result of one export.
   *
   * @param message for everything but ACCEPTED, what to tell the client
   * @param retryAfter for REFUSED and UNAVAILABLE, the delay to advertise
   */
  public record Outcome(Kind kind, int items, String message, Duration retryAfter) {
    static final Outcome EMPTY_OK = new Outcome(Kind.ACCEPTED, 0, null, null);
  }

  /** Advertised when a consumer refuses without saying how long to wait. */
  public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

  private final OtlpConsumer[] consumers = new OtlpConsumer[3];
  private final Logger logger;
  private final Meters[][] meters = new Meters[2][3];
  private final Counter[][] limited = new Counter[2][Limit.values().length];
  private final Counter[] unauthenticated = new Counter[2];
  private volatile boolean stopping;
  private long lastErrorLog;

  private static final class Meters {
    final Counter accepted;
    final Counter refused;
    final Counter dropped;
    final Counter malformed;
    final DistributionSummary bytes;
    final Timer[] duration = new Timer[Kind.values().length];

    Meters(MeterRegistry r, Tags tags, Signal s) {
      String items = s.itemName();
      accepted = Counter.builder("otelcol.receiver.accepted." + items)
          .description("Items the receiver accepted and handed on").tags(tags).register(r);
      refused = Counter.builder("otelcol.receiver.refused." + items)
          .description("Items the receiver could not hand on (malformed, refused or rejected downstream)")
          .tags(tags).register(r);
      dropped = Counter.builder("otelcol.receiver.dropped." + items)
          .description("Items accepted but discarded because the output lists no consumer for the signal")
          .tags(tags).register(r);
      malformed = Counter.builder("otelcol.receiver.malformed.requests")
          .description("Requests refused whole as malformed (bad protobuf or JSON, bad ids, too large)")
          .tags(tags).tag("signal", s.lowerName()).register(r);
      bytes = DistributionSummary.builder("otelcol.receiver.request.size").baseUnit("bytes")
          .description("Size of request bodies as received (before decompression)")
          .tags(tags).tag("signal", s.lowerName()).register(r);
      for (Kind k : Kind.values()) {
        duration[k.ordinal()] = Timer.builder("otelcol.receiver.request.duration")
            .description("Time to decode, validate and hand on one request")
            .tags(tags).tag("signal", s.lowerName()).tag("outcome", k.name().toLowerCase(java.util.Locale.ROOT))
            .register(r);
      }
    }
  }

  public ExportPipeline(Function<Signal, OtlpConsumer> consumers, MeterRegistry registry, Tags tags, Logger logger) {
    this.logger = logger;
    for (Signal s : Signal.values()) {
      this.consumers[s.ordinal()] = consumers.apply(s);
      for (Transport t : Transport.values()) {
        meters[t.ordinal()][s.ordinal()] = new Meters(registry, tags.and("transport", t.tag), s);
      }
    }
    for (Transport t : Transport.values()) {
      unauthenticated[t.ordinal()] = Counter.builder("otelcol.receiver.unauthenticated")
          .description("Requests refused for a missing or wrong credential (401 / UNAUTHENTICATED)")
          .tags(tags).tag("transport", t.tag).register(registry);
      for (Limit l : Limit.values()) {
        limited[t.ordinal()][l.ordinal()] = Counter.builder("otelcol.receiver.limited")
            .description("Requests refused or connections closed by a resource limit: memory (in-flight byte "
                + "budget, answered 429 / RESOURCE_EXHAUSTED), connections (max_connections), timeout (read timeouts)")
            .tags(tags).tag("transport", t.tag).tag("reason", l.tag).register(registry);
      }
    }
  }

  /** From now on every export answers UNAVAILABLE (the receiver is shutting down). */
  public void stopAccepting() {
    stopping = true;
  }

  /** Counts one request refused for its credential. */
  public void unauthenticated(Transport t) {
    unauthenticated[t.ordinal()].increment();
  }

  /** Counts one request or connection cut short by {@code limit}. */
  public void limited(Transport t, Limit limit) {
    limited[t.ordinal()][limit.ordinal()].increment();
  }

  /** Counts the size of a request body as it arrived. */
  public void recordBytes(Transport t, Signal s, long wireBytes) {
    meters[t.ordinal()][s.ordinal()].bytes.record(wireBytes);
  }

  /** Counts a request refused before it could be decoded (too large, bad JSON, bad encoding). */
  public Outcome malformed(Transport t, Signal s, long startNanos, String message) {
    Meters m = meters[t.ordinal()][s.ordinal()];
    m.malformed.increment();
    m.duration[Kind.MALFORMED.ordinal()].record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    return new Outcome(Kind.MALFORMED, 0, message, null);
  }

  /**
   * Validates {@code protobuf} (the encoded export request), hands it on and returns how to
   * answer. Never throws.
   */
  public Outcome export(Transport t, Signal s, byte[] protobuf, ClientMetadata metadata, long startNanos) {
    Meters m = meters[t.ordinal()][s.ordinal()];
    Outcome outcome;
    int items = 0;
    try {
      items = OtlpValidator.validateAndCount(s, protobuf);
    } catch (OtlpValidator.InvalidOtlpException e) {
      m.malformed.increment();
      outcome = new Outcome(Kind.MALFORMED, 0, "invalid " + s.lowerName() + " request: " + e.getMessage(), null);
      m.duration[Kind.MALFORMED.ordinal()].record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
      return outcome;
    }
    if (stopping) {
      m.refused.increment(items);
      outcome = new Outcome(Kind.UNAVAILABLE, items, "the receiver is shutting down", DEFAULT_RETRY_AFTER);
    } else if (items == 0 && protobuf.length == 0) {
      outcome = Outcome.EMPTY_OK;
    } else {
      OtlpConsumer c = consumers[s.ordinal()];
      try {
        c.consume(new OtlpRequest(s, protobuf, items, metadata));
        m.accepted.increment(items);
        if (c == NoopConsumer.INSTANCE) m.dropped.increment(items);
        outcome = new Outcome(Kind.ACCEPTED, items, null, null);
      } catch (ConsumeException e) {
        m.refused.increment(items);
        if (e instanceof ConsumeException.Refused r) {
          Duration after = r.retryAfter() != null && !r.retryAfter().isNegative() ? r.retryAfter() : DEFAULT_RETRY_AFTER;
          outcome = new Outcome(Kind.REFUSED, items, r.getMessage() == null ? "refused" : r.getMessage(), after);
        } else {
          outcome = new Outcome(Kind.REJECTED, items, e.getMessage() == null ? "rejected" : e.getMessage(), null);
        }
      } catch (RuntimeException | Error e) {
        m.refused.increment(items);
        logError(s, e);
        outcome = new Outcome(Kind.ERROR, items, "internal error in the pipeline", null);
      }
    }
    m.duration[outcome.kind().ordinal()].record(System.nanoTime() - startNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    return outcome;
  }

  private void logError(Signal s, Throwable e) {
    long now = System.nanoTime();
    synchronized (this) {
      if (lastErrorLog != 0 && now - lastErrorLog < 10_000_000_000L) return;
      lastErrorLog = now;
    }
    logger.log(Level.WARNING, "consumer of " + s.lowerName() + " failed (logged at most every 10s)", e);
  }
}
