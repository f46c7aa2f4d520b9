package io.mpac.collector.processor.loki;

import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.ast.ConfigFile;
import io.mpac.collector.config.ast.Statement;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.loki.LogsReceiver;
import io.mpac.collector.loki.LokiEntry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** The fixture's {@code loki.process "app_json"} block, forwarding to a recording {@code test.sink}. */
final class FixtureStages {

  private FixtureStages() {}

  static String fixtureText() throws IOException {
    try (InputStream in = FixtureStages.class.getResourceAsStream("/mpac.alloy")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The fixture's loki.process block plus a {@code test.sink "out"} it forwards to. */
  static ConfigFile config() throws Exception {
    String text = fixtureText().replace("forward_to = [loki.write.default.receiver]", "forward_to = [test.sink.out.receiver]");
    ConfigFile all = Parser.parse("mpac.alloy", text);
    List<Statement> kept = new ArrayList<>();
    for (Statement st : all.body()) {
      if (st instanceof Block b && b.fullName().equals("loki.process")) kept.add(st);
    }
    if (kept.size() != 1) throw new IllegalStateException("fixture has no loki.process block");
    kept.addAll(Parser.parse("sink.alloy", "test.sink \"out\" {}\n").body());
    return new ConfigFile("mpac.alloy", kept, List.of());
  }

  /** A sink that records pushed entries. */
  static final class Sink implements Component, LogsReceiver {
    final List<LokiEntry> received = Collections.synchronizedList(new ArrayList<>());
    volatile io.mpac.collector.consumer.ConsumeException refuseWith;

    @Override
    public void push(List<LokiEntry> entries) throws io.mpac.collector.consumer.ConsumeException {
      if (refuseWith != null) throw refuseWith;
      received.addAll(entries);
    }

    @Override
    public Map<String, Object> exports() {
      return Map.of("receiver", this);
    }

    @Override
    public void start() {}

    @Override
    public void shutdown(Duration timeout) {}
  }

  static final class SinkFactory implements ComponentFactory {
    @Override
    public String name() {
      return "test.sink";
    }

    @Override
    public Schema schema() {
      return Schema.EMPTY;
    }

    @Override
    public Component create(ComponentContext context, Args args) {
      return new Sink();
    }
  }
}
