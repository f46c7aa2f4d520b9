package io.mpac.collector.exporter.prometheus;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.ConsumeException;
import io.mpac.collector.prometheus.MetricsBatch;
import io.mpac.collector.prometheus.MetricsReceiver;
import io.mpac.collector.prometheus.Sample;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;

/** Component contexts, metric reads and a recording receiver for tests. */
final class TestContexts {

  private TestContexts() {}

  static ComponentContext context(String name, String label, MeterRegistry registry) {
    return new ComponentContext(new ComponentId(name, label), Path.of("target", "test-data"), registry,
        Logger.getLogger("component." + name + "." + label));
  }

  static ComponentContext context(String name) {
    return context(name, "test", new SimpleMeterRegistry());
  }

  /** The sum of a counter (over all its tag sets matching {@code tags}, given as key, value pairs). */
  static double count(MeterRegistry registry, String name, String... tags) {
    var search = registry.find(name);
    if (tags.length > 0) search = search.tags(tags);
    return search.counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
  }

  /** A receiver that records batches, optionally refusing. */
  static final class Recording implements MetricsReceiver {
    final List<MetricsBatch> batches = new CopyOnWriteArrayList<>();
    volatile ConsumeException refuseWith;

    @Override
    public void append(MetricsBatch batch) throws ConsumeException {
      if (refuseWith != null) throw refuseWith;
      batches.add(batch);
    }

    List<Sample> samples() {
      return batches.stream().flatMap(b -> b.samples().stream()).toList();
    }
  }
}
