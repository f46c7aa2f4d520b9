package io.mpac.collector.app;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * {@code alloy_build_info{version, java_version, os, arch} 1}: the build-info gauge under the name
 * Alloy dashboards query (Alloy's own has Go labels; ours names the JVM instead).
 */
final class BuildInfo {

  private BuildInfo() {}

  static void register(MeterRegistry registry, String version) {
    Gauge.builder("alloy.build.info", () -> 1.0)
        .description("A metric with a constant '1' value labeled by version, Java version, OS and architecture.")
        .tag("version", version)
        .tag("java_version", System.getProperty("java.version", "unknown"))
        .tag("os", System.getProperty("os.name", "unknown").toLowerCase(java.util.Locale.ROOT))
        .tag("arch", System.getProperty("os.arch", "unknown"))
        .register(registry);
  }
}
