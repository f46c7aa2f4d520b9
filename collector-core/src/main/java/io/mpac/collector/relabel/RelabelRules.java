package io.mpac.collector.relabel;

import io.mpac.collector.component.Handle;
import io.mpac.collector.component.schema.Type;
import io.mpac.collector.component.schema.Types;
import java.util.List;

/**
 * The {@code rules} export of {@code discovery.relabel} (a {@code RelabelRules} capsule in Alloy):
 * what {@code loki.source.docker}'s {@code relabel_rules} and, later, {@code prometheus.relabel}
 * take to relabel at run time with the same engine.
 */
public final class RelabelRules implements Handle {

  /** The capsule type name, as Alloy spells it. */
  public static final String KIND = "RelabelRules";

  /** The schema type of a {@code relabel_rules} argument. */
  public static final Type TYPE = Types.handle(KIND, RelabelRules.class);

  /** No rules. */
  public static final RelabelRules EMPTY = new RelabelRules(Relabeler.EMPTY);

  private final Relabeler relabeler;

  public RelabelRules(Relabeler relabeler) {
    this.relabeler = relabeler;
  }

  public static RelabelRules of(List<RelabelRule> rules) {
    return rules.isEmpty() ? EMPTY : new RelabelRules(Relabeler.of(rules));
  }

  public Relabeler relabeler() {
    return relabeler;
  }

  @Override
  public String handleKind() {
    return KIND;
  }

  @Override
  public String toString() {
    return "RelabelRules" + relabeler.rules();
  }
}
