package io.mpac.collector.processor.loki;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.loki.LogsReceiver;
import java.util.List;

/**
 * Arguments of {@code loki.process}: where processed entries go and the stages, in file order.
 *
 * @param forwardTo receivers of processed entries
 * @param stages the {@code stage.*} blocks in file order
 */
public record LokiProcessConfig(List<LogsReceiver> forwardTo, List<StageConfig> stages) {

  public static final Schema SCHEMA = Stages.addBlocks(Schema.builder()
      .required("forward_to", LogsReceiver.LIST, "Receivers of the processed entries."), 0).build();

  public LokiProcessConfig {
    forwardTo = List.copyOf(forwardTo);
    stages = List.copyOf(stages);
  }

  public static LokiProcessConfig from(Args args) throws ConfigException {
    return new LokiProcessConfig(args.list("forward_to"), Stages.fromChildren(args));
  }
}
