package io.mpac.collector.receiver.docker;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** LokiSourceDocker honours the component contract every component honours. */
class LokiSourceDockerContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new LokiSourceDockerFactory();
  }

  @Override
  protected String minimalConfig() {
    return "host = \"unix:///nonexistent/docker.sock\"" + "\n"
        + "targets = []" + "\n"
        + "forward_to = []";
  }
}
