package io.mpac.collector.exporter.storage;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** FileStorage honours the component contract every component honours. */
class FileStorageContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new FileStorageFactory();
  }

  @Override
  protected String minimalConfig() {
    return "directory = " + quoted(storage.resolve("queues").toString());
  }

  private static String quoted(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
