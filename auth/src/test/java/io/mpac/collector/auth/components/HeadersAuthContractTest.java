package io.mpac.collector.auth.components;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** HeadersAuth honours the component contract every component honours. */
class HeadersAuthContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new HeadersAuthFactory();
  }

  @Override
  protected String minimalConfig() {
    return "header {" + "\n"
        + "  key = \"X-Scope-OrgID\"" + "\n"
        + "  value = \"tenant-1\"" + "\n"
        + "}";
  }
}
