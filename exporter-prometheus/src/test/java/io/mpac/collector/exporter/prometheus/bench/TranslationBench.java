package io.mpac.collector.exporter.prometheus.bench;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.exporter.prometheus.Exporters;
import io.mpac.collector.exporter.prometheus.PrometheusExporterConfig;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.prometheus.MetricsReceiver;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The translation alone ({@code otelcol.exporter.prometheus} into a receiver that drops what it
 * gets), on {@link RemoteWriteBench}'s workload: how much of the end-to-end CPU is translation.
 */
public final class TranslationBench {

  private TranslationBench() {}

  public static void main(String[] args) throws Exception {
    int instances = 40;
    int perInstance = 50;
    int runs = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int warmups = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    double[] cpus = new double[runs];
    double[] rates = new double[runs];
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    for (int run = -warmups; run < runs; run++) {
      List<OtlpRequest> requests = new ArrayList<>();
      long t0 = System.currentTimeMillis() - perInstance * 10_000L;
      for (int k = 0; k < perInstance; k++) {
        for (int i = 0; i < instances; i++) {
          requests.add(RemoteWriteBench.request("t" + run + "-" + i, t0 + k * 10_000L, k));
        }
      }
      AtomicLong samples = new AtomicLong();
      MetricsReceiver sink = batch -> samples.addAndGet(batch.sampleCount());
      OtlpConsumer input = Exporters.create(new ComponentContext(new ComponentId("otelcol.exporter.prometheus", "t"),
          Path.of("target"), new SimpleMeterRegistry(), Logger.getLogger("bench")),
          PrometheusExporterConfig.defaults(List.of(sink)));
      System.gc();
      long cpu0 = os.getProcessCpuTime();
      long w0 = System.nanoTime();
      long points = 0;
      for (OtlpRequest r : requests) {
        input.consume(r);
        points += r.itemCount();
      }
      long w1 = System.nanoTime();
      long cpu1 = os.getProcessCpuTime();
      System.out.printf("%s: translation only: %,.0f points/s, %.2f us CPU/point, %,d samples%n",
          run < 0 ? "warm-up" : "run " + (run + 1), points / ((w1 - w0) / 1e9), (cpu1 - cpu0) / 1e3 / points,
          samples.get());
      if (run >= 0) {
        rates[run] = points / ((w1 - w0) / 1e9);
        cpus[run] = (cpu1 - cpu0) / 1e3 / points;
      }
    }
    java.util.Arrays.sort(rates);
    java.util.Arrays.sort(cpus);
    System.out.printf("median of %d runs: %,.0f data points/s, %.2f us CPU per data point%n", runs, rates[runs / 2],
        cpus[runs / 2]);
  }
}
