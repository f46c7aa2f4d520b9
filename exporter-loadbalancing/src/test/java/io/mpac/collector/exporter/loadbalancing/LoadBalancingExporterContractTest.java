package io.mpac.collector.exporter.loadbalancing;

import io.mpac.collector.component.ComponentContract;
import io.mpac.collector.component.ComponentFactory;

/** otelcol.exporter.loadbalancing honours the component contract, its back ends' exporters included. */
class LoadBalancingExporterContractTest extends ComponentContract {

  @Override
  protected ComponentFactory factory() {
    return new LoadBalancingExporterFactory();
  }

  @Override
  protected String minimalConfig() {
    return """
        resolver {
          static {
            hostnames = ["127.0.0.1:9", "127.0.0.1:19"]
          }
        }
        protocol {
          otlp {
            client {
              tls {
                insecure = true
              }
            }
          }
        }""";
  }
}
