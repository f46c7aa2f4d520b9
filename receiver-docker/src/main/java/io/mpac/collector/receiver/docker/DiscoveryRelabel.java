package io.mpac.collector.receiver.docker;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.relabel.RelabelRules;
import io.mpac.collector.relabel.Relabeler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code discovery.relabel}: applies the rules to every target and exports the survivors as
 * {@code output}, and the rules themselves as {@code rules} (a {@code RelabelRules} capsule for
 * {@code loki.source.docker}'s {@code relabel_rules}). Pure: the output is computed when the
 * component is built, and rebuilt by the runtime when {@code targets} change.
 */
public final class DiscoveryRelabel implements Component {

  private final List<Map<String, String>> output;
  private final RelabelRules rules;

  public DiscoveryRelabel(ComponentContext context, DiscoveryRelabelConfig config) {
    this.rules = RelabelRules.of(config.rules());
    this.output = relabel(config.targets(), rules.relabeler());
  }

  static List<Map<String, String>> relabel(List<Map<String, String>> targets, Relabeler relabeler) {
    List<Map<String, String>> out = new ArrayList<>(targets.size());
    for (Map<String, String> t : targets) {
      Map<String, String> m = new TreeMap<>(t);
      m.values().removeIf(String::isEmpty);
      if (relabeler.apply(m)) out.add(m);
    }
    return out;
  }

  public List<Map<String, String>> output() {
    return output;
  }

  @Override
  public Map<String, Object> exports() {
    return Map.of("output", Targets.toValue(output), "rules", rules);
  }

  @Override
  public void start() {
    // Nothing runs.
  }

  @Override
  public void shutdown(Duration timeout) {
    // Nothing runs.
  }
}
