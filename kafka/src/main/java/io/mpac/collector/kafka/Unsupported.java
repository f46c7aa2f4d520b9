package io.mpac.collector.kafka;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.config.syntax.Diagnostic;
import java.util.List;

/**
 * Alloy arguments and blocks the Kafka components accept in the schema (so the error is ours, not
 * "unknown") but do not implement: setting one is a positioned error naming it.
 */
public final class Unsupported {

  private Unsupported() {}

  /** Adds an error for each of {@code names} that is set in {@code args}. */
  public static void refuseIfSet(Args args, String component, List<Diagnostic> diags, String... names) {
    if (args == null) return;
    for (String n : names) {
      if (args.isSet(n)) {
        diags.add(new Diagnostic(args.positionOf(n), n + " is not supported by mpac-collector's " + component));
      }
    }
  }

  /** Adds an error for each of {@code blocks} present in {@code args}. */
  public static void refuseBlocks(Args args, String component, List<Diagnostic> diags, String... blocks) {
    if (args == null) return;
    for (String b : blocks) {
      Args block = args.block(b);
      if (block != null) {
        diags.add(new Diagnostic(block.position(), "block " + b + " is not supported by mpac-collector's "
            + component));
      }
    }
  }
}
