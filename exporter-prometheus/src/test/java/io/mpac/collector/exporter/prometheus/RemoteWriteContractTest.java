package io.mpac.collector.exporter.prometheus;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** RemoteWrite honours the component contract every component honours. */
class RemoteWriteContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new RemoteWriteFactory();
  }

  @Override
  protected String minimalConfig() {
    return "endpoint {" + "\n"
        + "  url = \"http://127.0.0.1:9/api/v1/write\"" + "\n"
        + "}";
  }
}
