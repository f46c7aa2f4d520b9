package io.mpac.collector.auth.components;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** BearerAuth honours the component contract every component honours. */
class BearerAuthContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new BearerAuthFactory();
  }

  @Override
  protected String minimalConfig() {
    return "token = \"not-a-real-token\"";
  }
}
