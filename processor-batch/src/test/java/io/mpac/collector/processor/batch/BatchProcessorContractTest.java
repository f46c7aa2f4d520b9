package io.mpac.collector.processor.batch;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** BatchProcessor honours the component contract every component honours. */
class BatchProcessorContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new BatchProcessorFactory();
  }

  @Override
  protected String minimalConfig() {
    return "output {}";
  }
}
