package io.mpac.collector.exporter.loadbalancing;

import java.time.Duration;
import java.util.List;

/** The {@code resolver} block: where the back ends come from. */
sealed interface ResolverConfig {

  /**
   * {@code static { hostnames = [...] }}: a fixed list of {@code host:port}.
   *
   * @param hostnames the back ends, as written (each a valid host:port, no duplicates)
   */
  record Static(List<String> hostnames) implements ResolverConfig {
    public Static {
      hostnames = List.copyOf(hostnames);
    }
  }

  /**
   * {@code dns { ... }}: every address {@code hostname} resolves to, with {@code port}, re-resolved
   * every {@code interval}; a lookup taking longer than {@code timeout} counts as failed.
   */
  record Dns(String hostname, int port, Duration interval, Duration timeout) implements ResolverConfig {}
}
