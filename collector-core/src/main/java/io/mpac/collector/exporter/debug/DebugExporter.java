package io.mpac.collector.exporter.debug;

import com.google.protobuf.InvalidProtocolBufferException;
import io.micrometer.core.instrument.Counter;
import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.io.PrintStream;
import java.time.Duration;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Prints each request it receives: a summary, one line per item, or every field, depending on
 * verbosity. Sampled per second ({@code sampling_initial}, then every {@code
 * sampling_thereafter}-th) so a busy pipeline cannot flood the log. Accepts all signals.
 */
final class DebugExporter implements Component, OtlpConsumer {

  private static final Set<Signal> ALL = Set.copyOf(EnumSet.allOf(Signal.class));

  private final DebugExporterConfig config;
  private final Logger logger;
  private final PrintStream stdout;
  private final Map<Signal, Counter> sent = new EnumMap<>(Signal.class);
  private final Object sampleLock = new Object();
  private long sampleSecond;
  private long sampleCount;

  DebugExporter(ComponentContext context, DebugExporterConfig config) {
    this(context, config, System.out);
  }

  DebugExporter(ComponentContext context, DebugExporterConfig config, PrintStream stdout) {
    this.config = config;
    this.logger = context.logger();
    this.stdout = stdout;
    for (Signal s : Signal.values()) {
      sent.put(s, Counter.builder("otelcol.exporter.sent." + s.itemName())
          .description("Items successfully sent by the exporter.")
          .tags(context.tags()).register(context.meterRegistry()));
    }
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of("input", this);
  }

  @Override
  public Set<Signal> signals() {
    return ALL;
  }

  @Override
  public void consume(OtlpRequest request) throws ConsumeException {
    sent.get(request.signal()).increment(request.itemCount());
    if (!sampled()) return;
    String text;
    try {
      text = DebugRenderer.render(request, config.verbosity());
    } catch (InvalidProtocolBufferException e) {
      throw new ConsumeException.Rejected("cannot decode " + request.signal().lowerName() + ": " + e.getMessage());
    }
    if (config.useInternalLogger()) {
      logger.info(text);
    } else {
      stdout.println(text);
    }
  }

  /** True for the first {@code sampling_initial} requests of each second, then every Nth. */
  private boolean sampled() {
    long second = System.currentTimeMillis() / 1000;
    synchronized (sampleLock) {
      if (second != sampleSecond) {
        sampleSecond = second;
        sampleCount = 0;
      }
      long n = ++sampleCount;
      if (n <= config.samplingInitial()) return true;
      return (n - config.samplingInitial()) % config.samplingThereafter() == 0;
    }
  }

  @Override
  public void start() {}

  @Override
  public void shutdown(Duration timeout) {}
}
