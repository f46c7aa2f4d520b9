package io.mpac.collector.exporter;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import java.util.List;

/**
 * An exporter's {@code sending_queue} and {@code retry_on_failure} blocks, decoded together so a
 * config's problems in both are reported at once.
 *
 * @param queue the decoded {@code sending_queue} (null when it had errors)
 * @param retry the decoded {@code retry_on_failure} (null when it had errors)
 */
public record DeliveryBlocks(QueueConfig queue, RetryConfig retry) {

  /** Decodes both blocks of {@code args}, adding any problem to {@code diagnostics}. */
  public static DeliveryBlocks from(Args args, List<Diagnostic> diagnostics) {
    QueueConfig queue = null;
    RetryConfig retry = null;
    try {
      queue = QueueConfig.from(args.blockOrDefaults("sending_queue"));
    } catch (ConfigException e) {
      diagnostics.addAll(e.diagnostics());
    }
    try {
      retry = RetryConfig.from(args.blockOrDefaults("retry_on_failure"));
    } catch (ConfigException e) {
      diagnostics.addAll(e.diagnostics());
    }
    return new DeliveryBlocks(queue, retry);
  }
}
