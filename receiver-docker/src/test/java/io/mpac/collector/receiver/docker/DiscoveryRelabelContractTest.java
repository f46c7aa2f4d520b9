package io.mpac.collector.receiver.docker;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** DiscoveryRelabel honours the component contract every component honours. */
class DiscoveryRelabelContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new DiscoveryRelabelFactory();
  }

  @Override
  protected String minimalConfig() {
    return "targets = []";
  }
}
