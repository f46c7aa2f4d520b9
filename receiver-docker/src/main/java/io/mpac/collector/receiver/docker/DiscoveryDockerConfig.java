package io.mpac.collector.receiver.docker;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Schema.BlockSpec.Cardinality;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Arguments of {@code discovery.docker}.
 *
 * @param host the daemon
 * @param port the port of targets for containers without TCP ports ({@value #DEFAULT_PORT})
 * @param hostNetworkingHost {@code __address__} of containers in host network mode
 * @param matchFirstNetwork use only the first network (by name) of containers on several
 * @param filters Docker container-list filters, name → values
 * @param refreshInterval how often the container list is read
 */
public record DiscoveryDockerConfig(DockerHost host, int port, String hostNetworkingHost, boolean matchFirstNetwork,
    Map<String, List<String>> filters, Duration refreshInterval) {

  public static final int DEFAULT_PORT = 80;

  static final Schema FILTER = Schema.builder()
      .required("name", Types.STRING, "Docker filter name, e.g. status, label, name, network.")
      .required("values", Types.STRING_LIST, "Values the filter accepts (any of them).")
      .build();

  public static final Schema SCHEMA = Schema.builder()
      .required("host", Types.STRING, "Docker daemon address: unix:///var/run/docker.sock or tcp://host:2375.")
      .optional("port", Types.INT, (long) DEFAULT_PORT, "Port of targets for containers that expose no TCP port.")
      .optional("host_networking_host", Types.STRING, "localhost", "Address of targets for containers in host network mode.")
      .optional("match_first_network", Types.BOOL, true, "Use only the first network (by name) of a container on several.")
      .optional("refresh_interval", Types.DURATION, Duration.ofMinutes(1), "How often the container list is read.")
      .block("filter", FILTER, Cardinality.REPEATED, "A container-list filter passed to the daemon (e.g. name = \"status\", values = [\"running\"]).")
      .build();

  public DiscoveryDockerConfig {
    filters = Map.copyOf(filters);
    if (port <= 0 || port > 65535) throw new IllegalArgumentException("port must be in 1..65535");
    if (refreshInterval.isNegative() || refreshInterval.isZero()) {
      throw new IllegalArgumentException("refresh_interval must be positive");
    }
  }

  public static DiscoveryDockerConfig from(Args args) throws ConfigException {
    DockerHost host;
    try {
      host = DockerHost.parse(args.string("host"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(args.positionOf("host"), e.getMessage());
    }
    Map<String, List<String>> filters = new LinkedHashMap<>();
    for (Args f : args.blocks("filter")) {
      filters.computeIfAbsent(f.string("name"), k -> new ArrayList<>()).addAll(f.list("values"));
    }
    try {
      return new DiscoveryDockerConfig(host, (int) args.integer("port"), args.string("host_networking_host"),
          args.bool("match_first_network"), filters, args.duration("refresh_interval"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(args.positionOf(e.getMessage().startsWith("port") ? "port" : "refresh_interval"),
          e.getMessage());
    }
  }

  /** Bound on one call to the daemon: the refresh interval, between 1 s and 1 min. */
  Duration requestTimeout() {
    Duration d = refreshInterval;
    if (d.compareTo(Duration.ofSeconds(1)) < 0) return Duration.ofSeconds(1);
    return d.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1) : d;
  }
}
