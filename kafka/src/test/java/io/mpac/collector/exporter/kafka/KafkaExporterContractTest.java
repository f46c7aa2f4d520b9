package io.mpac.collector.exporter.kafka;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** KafkaExporter honours the component contract every component honours (no broker needed). */
class KafkaExporterContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new KafkaExporterFactory();
  }

  @Override
  protected String minimalConfig() {
    return "brokers = [\"127.0.0.1:9\"]\nprotocol_version = \"3.6.0\"";
  }
}
