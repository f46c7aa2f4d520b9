package io.mpac.collector.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Config-load metrics under Alloy's names, so its alerts work unchanged:
 * {@code alloy_config_last_load_successful} (1 or 0), {@code
 * alloy_config_last_load_success_timestamp_seconds} and {@code alloy_config_load_failures_total}.
 * Loads are the initial start and every reload (SIGHUP, {@code /-/reload}).
 */
final class ConfigLoadMetrics {

  private volatile double lastSuccessful;
  private volatile double lastSuccessSeconds;
  private final Counter failures;

  ConfigLoadMetrics(MeterRegistry registry) {
    Gauge.builder("alloy.config.last.load.successful", this, m -> m.lastSuccessful)
        .description("Config loaded successfully.").register(registry);
    Gauge.builder("alloy.config.last.load.success.timestamp.seconds", this, m -> m.lastSuccessSeconds)
        .description("Timestamp of the last successful configuration load.").register(registry);
    failures = Counter.builder("alloy.config.load.failures")
        .description("Configuration load failures.").register(registry);
  }

  void succeeded() {
    lastSuccessful = 1;
    lastSuccessSeconds = System.currentTimeMillis() / 1000.0;
  }

  void failed() {
    lastSuccessful = 0;
    failures.increment();
  }
}
