package io.mpac.collector.processor.loki;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.syntax.ConfigException;

/**
 * One kind of {@code loki.process} stage, listed in {@link Stages#ALL}: its block name, its
 * arguments and how a block of it decodes. Each stage's class declares its type next to its config
 * record, so a stage's argument names are written in one file and there is no switch to forget.
 *
 * @param blockName the block name, e.g. {@code stage.json}
 * @param doc one line for the configuration reference
 * @param schema the block's arguments at a nesting depth ({@code stage.match} nests; null where the
 *     stage is not allowed at that depth)
 * @param decoder decodes a block that passed the schema
 */
record StageType(String blockName, String doc, SchemaAt schema, Decoder decoder) {

  /** The arguments of the stage's block when nested {@code depth} {@code stage.match} blocks deep. */
  interface SchemaAt {
    Schema at(int depth);
  }

  /** Builds the stage's config from its block, with errors positioned at the offending argument. */
  interface Decoder {
    StageConfig decode(Args block) throws ConfigException;
  }
}
