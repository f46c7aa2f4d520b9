package io.mpac.collector.receiver.kafka;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.mpac.collector.component.InstanceGauges;
import io.mpac.collector.pdata.Signal;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receiver's own metrics: records consumed and skipped, items accepted and refused downstream
 * (the OTLP receiver's names), offsets committed, and the consumer's lag and paused state.
 */
final class ReceiverMetrics {

  private final Counter[] consumed = new Counter[Signal.values().length];
  private final Counter[] accepted = new Counter[Signal.values().length];
  private final Counter[] refused = new Counter[Signal.values().length];
  private final Counter[] rejected = new Counter[Signal.values().length];
  final Counter malformed;
  final Counter commits;
  final Counter commitFailures;
  final Counter errors;
  final AtomicLong lag = new AtomicLong();
  final AtomicLong paused = new AtomicLong();
  final AtomicLong assigned = new AtomicLong();
  /** The gauges hold this instance: registered at start, removed at shutdown. */
  final InstanceGauges gauges;

  ReceiverMetrics(MeterRegistry registry, Tags tags) {
    for (Signal s : Signal.values()) {
      Tags t = tags.and("signal", s.lowerName());
      consumed[s.ordinal()] = Counter.builder("otelcol.receiver.kafka.records.consumed")
          .description("Kafka records read").tags(t).register(registry);
      accepted[s.ordinal()] = Counter.builder("otelcol.receiver.accepted." + s.itemName())
          .description("items handed on and accepted downstream").tags(tags).register(registry);
      refused[s.ordinal()] = Counter.builder("otelcol.receiver.refused." + s.itemName())
          .description("items refused downstream for now (retried; consumption paused)").tags(tags).register(registry);
      rejected[s.ordinal()] = Counter.builder("otelcol.receiver.kafka.records.rejected")
          .description("records whose data was rejected downstream for good").tags(t).register(registry);
    }
    malformed = Counter.builder("otelcol.receiver.kafka.records.malformed")
        .description("records that could not be decoded; skipped").tags(tags).register(registry);
    commits = Counter.builder("otelcol.receiver.kafka.offset.commits").description("offset commits that succeeded")
        .tags(tags).register(registry);
    commitFailures = Counter.builder("otelcol.receiver.kafka.offset.commit.failures")
        .description("offset commits that failed (retried with later offsets)").tags(tags).register(registry);
    errors = Counter.builder("otelcol.receiver.kafka.consumer.errors")
        .description("errors of the Kafka consumer (poll)").tags(tags).register(registry);
    gauges = new InstanceGauges(registry)
        .add(Gauge.builder("otelcol.receiver.kafka.lag", lag, AtomicLong::get)
            .description("records behind the end of the assigned partitions, at the last poll").tags(tags))
        .add(Gauge.builder("otelcol.receiver.kafka.paused", paused, AtomicLong::get)
            .description("1 while consumption is paused by downstream back-pressure").tags(tags))
        .add(Gauge.builder("otelcol.receiver.kafka.partitions.assigned", assigned, AtomicLong::get)
            .description("partitions assigned to this consumer").tags(tags));
  }

  void consumed(Signal s) {
    consumed[s.ordinal()].increment();
  }

  void accepted(Signal s, int items) {
    accepted[s.ordinal()].increment(items);
  }

  void refused(Signal s, int items) {
    refused[s.ordinal()].increment(items);
  }

  void rejected(Signal s) {
    rejected[s.ordinal()].increment();
  }
}
