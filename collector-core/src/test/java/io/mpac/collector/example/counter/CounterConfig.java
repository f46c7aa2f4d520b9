package io.mpac.collector.example.counter;

import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.consumer.FanoutConsumer;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.Signal;
import java.util.List;

/**
 * The arguments of {@code example.counter}, the smallest complete component (see
 * docs/CONTRIBUTING.md): the schema, declared once next to the record that reads it, and the
 * rules, checked once in {@link #from(Args)}.
 *
 * @param name a name for the log line written at shutdown
 * @param next where counted traces go
 */
public record CounterConfig(String name, OtlpConsumer next) {

  static final String NAME = "name";
  static final String OUTPUT = "output";
  static final String TRACES = "traces";

  static final Schema SCHEMA = Schema.builder()
      .optional(NAME, Types.STRING, "counter", "a name for the log line written at shutdown")
      .block(OUTPUT, Schema.builder()
          .optional(TRACES, Types.consumersOf(Signal.TRACES), List.of(), "where counted traces go").build(),
          Schema.BlockSpec.Cardinality.REQUIRED, "where data goes next")
      .build();

  static CounterConfig from(Args args) throws ConfigException {
    String name = args.string(NAME);
    if (name.isBlank()) throw new ConfigException(args.positionOf(NAME), NAME + " must not be blank");
    return new CounterConfig(name, FanoutConsumer.of(args.block(OUTPUT).list(TRACES)));
  }
}
