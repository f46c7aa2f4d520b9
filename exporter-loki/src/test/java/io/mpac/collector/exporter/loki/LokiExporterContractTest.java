package io.mpac.collector.exporter.loki;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** LokiExporter honours the component contract every component honours. */
class LokiExporterContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new LokiExporterFactory();
  }

  @Override
  protected String minimalConfig() {
    return "forward_to = []";
  }
}
