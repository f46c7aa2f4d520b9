package io.mpac.collector.auth.components;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** BasicAuth honours the component contract every component honours. */
class BasicAuthContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new BasicAuthFactory();
  }

  @Override
  protected String minimalConfig() {
    return "username = \"collector\"" + "\n"
        + "password = \"not-a-real-secret\"";
  }
}
