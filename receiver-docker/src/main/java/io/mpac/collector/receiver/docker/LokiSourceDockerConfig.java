package io.mpac.collector.receiver.docker;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.loki.LogsReceiver;
import io.mpac.collector.relabel.RelabelRules;
import io.mpac.collector.relabel.Relabeler;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Arguments of {@code loki.source.docker}.
 *
 * @param host the daemon
 * @param targets containers to follow (targets of {@code discovery.docker}, deduplicated by
 *     {@code __meta_docker_container_id})
 * @param forwardTo receivers of the entries
 * @param labels labels added to every entry (they win over target labels)
 * @param relabelRules rules applied to each stream's labels before {@code __} labels are removed
 * @param refreshInterval longest wait before a follower whose stream ended checks the container again
 * @param positionsSyncPeriod how often read positions are written to disk
 * @param maxFollowers at most this many containers are followed at once (one thread each)
 */
public record LokiSourceDockerConfig(DockerHost host, List<Map<String, String>> targets, List<LogsReceiver> forwardTo,
    Map<String, String> labels, RelabelRules relabelRules, Duration refreshInterval, Duration positionsSyncPeriod,
    int maxFollowers) {

  public static final Duration DEFAULT_SYNC_PERIOD = Duration.ofSeconds(5);
  public static final int DEFAULT_MAX_FOLLOWERS = 256;

  public static final Schema SCHEMA = Schema.builder()
      .required("host", Types.STRING, "Docker daemon address: unix:///var/run/docker.sock or tcp://host:2375.")
      .required("targets", Types.listOf(Types.STRING_MAP), "Containers to follow, e.g. discovery.docker.<label>.targets.")
      .required("forward_to", LogsReceiver.LIST, "Receivers of the log entries.")
      .optional("labels", Types.STRING_MAP, Map.of(), "Labels added to every entry; they win over target labels.")
      .optional("relabel_rules", RelabelRules.TYPE, RelabelRules.EMPTY,
          "Relabel rules (discovery.relabel.<label>.rules) applied to each stream's labels, including __meta_docker_container_log_stream.")
      .optional("refresh_interval", Types.DURATION, Duration.ofSeconds(60),
          "Longest wait before a follower whose log stream ended (container stopped) looks at the container again.")
      .build();

  public LokiSourceDockerConfig {
    targets = Targets.copy(targets);
    forwardTo = List.copyOf(forwardTo);
    labels = Map.copyOf(labels);
    if (relabelRules == null) relabelRules = RelabelRules.EMPTY;
    for (String name : labels.keySet()) {
      if (!Relabeler.isValidLabelName(name)) throw new IllegalArgumentException("labels: \"" + name + "\" is not a valid label name");
    }
    if (refreshInterval.isNegative() || refreshInterval.isZero()) throw new IllegalArgumentException("refresh_interval must be positive");
    if (maxFollowers <= 0) throw new IllegalArgumentException("maxFollowers must be positive");
  }

  public static LokiSourceDockerConfig from(Args args) throws ConfigException {
    DockerHost host;
    try {
      host = DockerHost.parse(args.string("host"));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(args.positionOf("host"), e.getMessage());
    }
    try {
      return new LokiSourceDockerConfig(host, args.list("targets"), args.list("forward_to"), args.map("labels"),
          (RelabelRules) args.get("relabel_rules"), args.duration("refresh_interval"), DEFAULT_SYNC_PERIOD,
          DEFAULT_MAX_FOLLOWERS);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(args.positionOf(e.getMessage().startsWith("labels") ? "labels" : "refresh_interval"),
          e.getMessage());
    }
  }
}
