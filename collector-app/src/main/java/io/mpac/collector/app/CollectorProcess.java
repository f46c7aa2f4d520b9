package io.mpac.collector.app;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.mpac.collector.admin.AdminServer;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.logging.LogSetup;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Controller;
import io.mpac.collector.pipeline.PipelineBuilder;
import io.mpac.collector.pipeline.StartException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * One running collector: metrics registry, admin server and pipeline controller, wired together.
 * The admin server starts first so {@code /-/ready} answers 503 while the pipeline starts.
 */
final class CollectorProcess implements AutoCloseable {

  /** What {@code run} was asked to do. */
  record Options(Path config, InetSocketAddress listenAddress, String uiPathPrefix, Path storagePath,
      Duration shutdownTimeout, Map<String, String> environment) {}

  private final Options options;
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Controller controller;
  private AdminServer admin;

  CollectorProcess(Options options) {
    this.options = options;
    new JvmMemoryMetrics().bindTo(registry);
    new JvmGcMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ClassLoaderMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    new FileDescriptorMetrics().bindTo(registry);
    new ProcessMetrics().bindTo(registry);
    BuildInfo.register(registry, Main.version());
    PipelineBuilder builder = new PipelineBuilder(new PipelineBuilder.Settings(
        ComponentRegistry.fromClassPath(), options.environment(), options.storagePath(), registry));
    this.controller = new Controller(options.config(), builder, options.shutdownTimeout(),
        logging -> LogSetup.apply(logging.level(), logging.format()));
  }

  /** Starts the admin server, then the pipeline. On failure nothing is left running. */
  void start() throws IOException, ConfigException, StartException {
    admin = AdminServer.start(options.listenAddress(), controller, registry, options.uiPathPrefix());
    try {
      controller.start();
    } catch (ConfigException | StartException | RuntimeException e) {
      admin.close();
      throw e;
    }
  }

  Controller controller() {
    return controller;
  }

  InetSocketAddress adminAddress() {
    return admin.address();
  }

  /** Graceful stop: pipeline (sources first) within the shutdown timeout, then the admin server. */
  @Override
  public void close() {
    controller.shutdown(options.shutdownTimeout());
    if (admin != null) admin.close();
    registry.close();
  }
}
