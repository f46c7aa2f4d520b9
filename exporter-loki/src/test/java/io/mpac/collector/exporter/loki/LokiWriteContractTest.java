package io.mpac.collector.exporter.loki;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** LokiWrite honours the component contract every component honours. */
class LokiWriteContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new LokiWriteFactory();
  }

  @Override
  protected String minimalConfig() {
    return "endpoint {" + "\n"
        + "  url = \"http://127.0.0.1:9/loki/api/v1/push\"" + "\n"
        + "}";
  }
}
