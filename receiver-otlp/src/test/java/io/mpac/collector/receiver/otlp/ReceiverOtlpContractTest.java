package io.mpac.collector.receiver.otlp;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** ReceiverOtlp honours the component contract every component honours. */
class ReceiverOtlpContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new ReceiverOtlpFactory();
  }

  @Override
  protected String minimalConfig() {
    return "grpc {" + "\n"
        + "  endpoint = \"127.0.0.1:0\"" + "\n"
        + "}" + "\n"
        + "http {" + "\n"
        + "  endpoint = \"127.0.0.1:0\"" + "\n"
        + "}" + "\n"
        + "output {}";
  }
}
