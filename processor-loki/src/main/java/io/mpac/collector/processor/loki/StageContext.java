package io.mpac.collector.processor.loki;

import java.time.Clock;

/** What stages get from their component: the clock {@code stage.drop}'s {@code older_than} reads. */
public record StageContext(Clock clock) {

  public static final StageContext SYSTEM = new StageContext(Clock.systemUTC());
}
