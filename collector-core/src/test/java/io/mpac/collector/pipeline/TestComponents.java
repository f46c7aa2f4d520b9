package io.mpac.collector.pipeline;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.consumer.FanoutConsumer;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.pdata.OtlpRequest;
import io.mpac.collector.pdata.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Small components for pipeline tests: {@code test.source} (sends nothing by itself, holds its
 * outputs), {@code test.processor} (forwards), {@code test.sink} (records). Every lifecycle call is
 * written to a shared journal so tests can check the order.
 */
public final class TestComponents {

  public final List<String> journal = Collections.synchronizedList(new ArrayList<>());

  /** Each running test.source's traces output by component id, for tests that send data. */
  public final Map<String, OtlpConsumer> sourceOutputs = new java.util.concurrent.ConcurrentHashMap<>();

  static final Schema OUTPUT = Schema.builder()
      .optional("traces", Types.consumersOf(Signal.TRACES), List.of())
      .optional("metrics", Types.consumersOf(Signal.METRICS), List.of())
      .optional("logs", Types.consumersOf(Signal.LOGS), List.of())
      .build();

  public ComponentRegistry registry() {
    return new ComponentRegistry(List.of(new SourceFactory(), new ProcessorFactory(), new SinkFactory()));
  }

  /** Base: journals start and stop. */
  abstract class Journaled implements Component {
    final String id;

    Journaled(ComponentContext ctx) {
      this.id = ctx.id().toString();
      journal.add("create " + id);
    }

    @Override
    public void start() throws Exception {
      journal.add("start " + id);
    }

    @Override
    public void shutdown(Duration timeout) {
      journal.add("stop " + id);
    }
  }

  class Source extends Journaled {
    final OtlpConsumer traces;

    Source(ComponentContext ctx, Args args) {
      super(ctx);
      traces = FanoutConsumer.of(args.blockOrDefaults("output").list("traces"));
      sourceOutputs.put(id, traces);
    }

    @Override
    public Map<String, Object> exports() {
      return Map.of();
    }
  }

  final class SourceFactory implements ComponentFactory {
    @Override
    public String name() {
      return "test.source";
    }

    @Override
    public Schema schema() {
      return Schema.builder()
          .optional("port", Types.INT, 0L)
          .optional("fail_start", Types.BOOL, false)
          .optional("token", Types.SECRET, "")
          .optional("headers", Types.mapOf(Types.SECRET), Map.of())
          .block("output", OUTPUT, Schema.BlockSpec.Cardinality.REQUIRED)
          .build();
    }

    @Override
    public Component create(ComponentContext context, Args args) {
      boolean failStart = args.bool("fail_start");
      return new Source(context, args) {
        @Override
        public void start() throws Exception {
          super.start();
          if (failStart) throw new IllegalStateException("cannot listen on 127.0.0.1:" + args.integer("port"));
        }
      };
    }
  }

  final class Processor extends Journaled implements OtlpConsumer {
    final OtlpConsumer next;

    Processor(ComponentContext ctx, Args args) {
      super(ctx);
      next = FanoutConsumer.of(args.blockOrDefaults("output").list("traces"));
    }

    @Override
    public Map<String, Object> exports() {
      return Map.of("input", this);
    }

    @Override
    public Set<Signal> signals() {
      return EnumSet.allOf(Signal.class);
    }

    @Override
    public void consume(OtlpRequest request) throws io.mpac.collector.consumer.ConsumeException {
      next.consume(request);
    }
  }

  final class ProcessorFactory implements ComponentFactory {
    @Override
    public String name() {
      return "test.processor";
    }

    @Override
    public Schema schema() {
      return Schema.builder()
          .optional("timeout", Types.DURATION, Duration.ofMillis(200))
          .optional("size", Types.INT, 10L)
          .optional("max_size", Types.INT, 20L)
          .block("output", OUTPUT, Schema.BlockSpec.Cardinality.REQUIRED)
          .build();
    }

    @Override
    public Component create(ComponentContext context, Args args) throws ConfigException {
      if (args.integer("max_size") < args.integer("size")) {
        throw new ConfigException(args.positionOf("max_size"), "max_size must be at least size");
      }
      return new Processor(context, args);
    }
  }

  final class Sink extends Journaled implements OtlpConsumer {
    final Set<Signal> signals;
    final List<OtlpRequest> received = Collections.synchronizedList(new ArrayList<>());

    Sink(ComponentContext ctx, Set<Signal> signals) {
      super(ctx);
      this.signals = signals;
    }

    @Override
    public Map<String, Object> exports() {
      return Map.of("input", this);
    }

    @Override
    public Set<Signal> signals() {
      return signals;
    }

    @Override
    public void consume(OtlpRequest request) {
      received.add(request);
    }
  }

  final class SinkFactory implements ComponentFactory {
    @Override
    public String name() {
      return "test.sink";
    }

    @Override
    public Schema schema() {
      return Schema.builder()
          .optional("signals", Types.STRING_LIST, List.of("traces", "metrics", "logs"))
          .optional("endpoint", Types.STRING, "localhost:1")
          .optional("headers", Types.STRING_MAP, Map.of())
          .optional("batch_size", Types.BYTES, 1L << 20)
          .build();
    }

    @Override
    public Component create(ComponentContext context, Args args) {
      EnumSet<Signal> signals = EnumSet.noneOf(Signal.class);
      for (String s : args.<String>list("signals")) signals.add(Signal.valueOf(s.toUpperCase(Locale.ROOT)));
      return new Sink(context, signals);
    }
  }
}
