package io.mpac.collector.exporter.otlp;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** OtlpHttpExporter honours the component contract every component honours. */
class OtlpHttpExporterContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new OtlpHttpExporterFactory();
  }

  @Override
  protected String minimalConfig() {
    return "client {" + "\n"
        + "  endpoint = \"http://127.0.0.1:9\"" + "\n"
        + "}";
  }
}
