package io.mpac.collector.receiver.docker;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** DiscoveryDocker honours the component contract every component honours. */
class DiscoveryDockerContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new DiscoveryDockerFactory();
  }

  @Override
  protected String minimalConfig() {
    return "host = \"unix:///nonexistent/docker.sock\"";
  }
}
