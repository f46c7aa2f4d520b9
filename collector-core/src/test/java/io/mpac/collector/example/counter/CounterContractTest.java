package io.mpac.collector.example.counter;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** The example component honours the contract every component honours. */
class CounterContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new CounterFactory();
  }

  @Override
  protected String minimalConfig() {
    return "output {}";
  }
}
