package io.mpac.collector.processor.loki;

/**
 * The decoded arguments of one {@code stage.*} block: a record declared in its stage's class next
 * to the stage's {@link StageType}, validated on construction (tests build them directly).
 */
public interface StageConfig {

  /** The block name, e.g. {@code stage.json}. */
  String blockName();

  /** Builds the stage. */
  Stage build(StageContext context);
}
