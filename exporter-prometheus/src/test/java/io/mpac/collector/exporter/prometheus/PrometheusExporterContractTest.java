package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** PrometheusExporter honours the component contract every component honours. */
class PrometheusExporterContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new PrometheusExporterFactory();
  }

  @Override
  protected String minimalConfig() {
    return "forward_to = []";
  }
}
