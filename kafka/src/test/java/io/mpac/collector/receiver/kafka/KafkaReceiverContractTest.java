package io.mpac.collector.receiver.kafka;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** KafkaReceiver honours the component contract every component honours (no broker needed). */
class KafkaReceiverContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new KafkaReceiverFactory();
  }

  @Override
  protected String minimalConfig() {
    return "brokers = [\"127.0.0.1:9\"]\nprotocol_version = \"3.6.0\"\noutput {}";
  }
}
