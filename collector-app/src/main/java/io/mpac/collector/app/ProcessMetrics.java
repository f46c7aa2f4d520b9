package io.mpac.collector.app;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The standard Prometheus process metrics that dashboards for every exporter use:
 * {@code process_cpu_seconds_total} (user plus system CPU time) and
 * {@code process_resident_memory_bytes} (from {@code /proc/self/status}; absent off Linux).
 */
final class ProcessMetrics implements MeterBinder {

  private static final Path STATUS = Path.of("/proc/self/status");

  @Override
  public void bindTo(MeterRegistry registry) {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean sun && sun.getProcessCpuTime() >= 0) {
      FunctionCounter.builder("process.cpu.seconds", sun, b -> b.getProcessCpuTime() / 1e9)
          .description("Total user and system CPU time spent in seconds.")
          .register(registry);
    }
    if (residentBytes() >= 0) {
      Gauge.builder("process.resident.memory.bytes", ProcessMetrics::residentBytes)
          .description("Resident memory size in bytes.")
          .register(registry);
    }
  }

  /** VmRSS of this process in bytes, or -1 when the system does not tell. */
  static double residentBytes() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("VmRSS:")) {
          String[] parts = line.substring(6).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024.0; // the kernel writes "kB", meaning KiB
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
