package io.mpac.collector.exporter.otlp;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** OtlpGrpcExporter honours the component contract every component honours. */
class OtlpGrpcExporterContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new OtlpGrpcExporterFactory();
  }

  @Override
  protected String minimalConfig() {
    return "client {" + "\n"
        + "  endpoint = \"127.0.0.1:9\"" + "\n"
        + "  tls {" + "\n"
        + "    insecure = true" + "\n"
        + "  }" + "\n"
        + "}";
  }
}
