package io.mpac.collector.processor.loki;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** LokiProcess honours the component contract every component honours. */
class LokiProcessContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new LokiProcessFactory();
  }

  @Override
  protected String minimalConfig() {
    return "forward_to = []";
  }
}
