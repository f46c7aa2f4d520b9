package io.mpac.collector.receiver.docker;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Schema.BlockSpec.Cardinality;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.relabel.RelabelRule;
import java.util.List;
import java.util.Map;

/**
 * Arguments of {@code discovery.relabel}.
 *
 * @param targets the targets to relabel
 * @param rules the {@code rule} blocks in file order
 */
public record DiscoveryRelabelConfig(List<Map<String, String>> targets, List<RelabelRule> rules) {

  public static final Schema SCHEMA = Schema.builder()
      .required("targets", Types.listOf(Types.STRING_MAP), "Targets to relabel.")
      .block("rule", RelabelRule.SCHEMA, Cardinality.REPEATED, "A Prometheus relabel rule; rules run in order.")
      .build();

  public DiscoveryRelabelConfig {
    targets = Targets.copy(targets);
    rules = List.copyOf(rules);
  }

  public static DiscoveryRelabelConfig from(Args args) throws ConfigException {
    return new DiscoveryRelabelConfig(args.list("targets"), RelabelRule.fromBlocks(args, "rule"));
  }
}
