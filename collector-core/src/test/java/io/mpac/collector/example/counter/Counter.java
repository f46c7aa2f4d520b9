package io.mpac.collector.example.counter;

import io.micrometer.core.instrument.Gauge;
import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.Health;
import io.mpac.collector.component.InstanceGauges;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/** {@code example.counter}: counts the spans passing through and hands them on unchanged. */
public final class Counter implements Component, OtlpConsumer {

  private final ComponentContext context;
  private final CounterConfig config;
  private final AtomicLong spans = new AtomicLong();
  private final InstanceGauges gauges;
  private volatile Health health = Health.unknown("not started");

  Counter(ComponentContext context, CounterConfig config) {
    this.context = context;
    this.config = config;
    this.gauges = new InstanceGauges(context.meterRegistry())
        .add(Gauge.builder("example.counter.spans", spans, AtomicLong::get).tags(context.tags()));
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of("input", this);
  }

  @Override
  public void start() {
    gauges.register();
    health = Health.healthy("counting");
  }

  @Override
  public void shutdown(Duration timeout) {
    gauges.remove();
    context.logger().info(config.name() + " counted " + spans.get() + " spans");
    health = Health.unknown("stopped");
  }

  @Override
  public Health health() {
    return health;
  }

  @Override
  public Set<Signal> signals() {
    return EnumSet.of(Signal.TRACES);
  }

  @Override
  public void consume(OtlpRequest request) throws ConsumeException {
    config.next().consume(request);
    spans.addAndGet(request.itemCount());
  }

  long spans() {
    return spans.get();
  }
}
