package io.mpac.collector.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.value.Value;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A component whose config-value export changes at run time ({@code ComponentContext.exportsChanged})
 * makes the controller re-evaluate its dependents: those whose arguments changed are rebuilt and
 * restarted with the new value, the producer itself and unrelated components keep running.
 */
class ExportsChangedTest {

  @TempDir Path dir;

  final List<String> journal = Collections.synchronizedList(new ArrayList<>());
  volatile Producer producer;

  final class Producer implements Component {
    final ComponentContext ctx;
    volatile Value items = new Value.Array(List.of());

    Producer(ComponentContext ctx) {
      this.ctx = ctx;
    }

    void publish(String... values) {
      List<Value> list = new ArrayList<>();
      for (String v : values) list.add(Value.of(v));
      items = new Value.Array(list);
      ctx.exportsChanged();
    }

    @Override
    public Map<String, Object> exports() {
      return Map.of("items", items);
    }

    @Override
    public void start() {
      journal.add("start producer");
    }

    @Override
    public void shutdown(Duration timeout) {
      journal.add("stop producer");
    }
  }

  final class Dependent implements Component {
    final List<String> items;
    final String label;

    Dependent(String label, List<String> items) {
      this.label = label;
      this.items = items;
    }

    @Override
    public Map<String, Object> exports() {
      return Map.of();
    }

    @Override
    public void start() {
      journal.add("start " + label + " " + items);
    }

    @Override
    public void shutdown(Duration timeout) {
      journal.add("stop " + label + " " + items);
    }
  }

  private ComponentFactory producerFactory() {
    return new ComponentFactory() {
      public String name() {
        return "test.producer";
      }

      public Schema schema() {
        return Schema.EMPTY;
      }

      public Component create(ComponentContext context, Args args) {
        Producer p = new Producer(context);
        producer = p;
        return p;
      }
    };
  }

  private ComponentFactory dependentFactory() {
    return new ComponentFactory() {
      public String name() {
        return "test.dependent";
      }

      public Schema schema() {
        return Schema.builder().optional("items", Types.STRING_LIST, List.of()).build();
      }

      public Component create(ComponentContext context, Args args) {
        return new Dependent(context.id().label(), args.list("items"));
      }
    };
  }

  @Test
  void dependentsAreRebuiltWithTheNewExportValue() throws Exception {
    Path config = dir.resolve("config.alloy");
    Files.writeString(config, """
        test.producer "p" {}
        test.dependent "uses" {
          items = test.producer.p.items
        }
        test.dependent "other" {
          items = ["fixed"]
        }
        """);
    PipelineBuilder builder = new PipelineBuilder(new PipelineBuilder.Settings(
        new ComponentRegistry(List.of(producerFactory(), dependentFactory())), Map.of(),
        dir.resolve("data"), new SimpleMeterRegistry()));
    Controller c = new Controller(config, builder, Duration.ofSeconds(5), l -> { });
    c.start();
    assertThat(journal).containsExactlyInAnyOrder("start producer", "start uses []", "start other [fixed]");
    Producer first = producer;

    first.publish("a", "b");
    awaitJournal("start uses [a, b]");
    assertThat(journal).contains("stop uses []").doesNotContain("stop producer", "stop other [fixed]");
    Dependent uses = (Dependent) c.current().node(new ComponentId("test.dependent", "uses")).component();
    assertThat(uses.items).containsExactly("a", "b");
    assertThat(producer).as("the producer is reused, not rebuilt").isSameAs(first);

    c.shutdown(Duration.ofSeconds(5));
    assertThat(journal).contains("stop uses [a, b]", "stop producer", "stop other [fixed]");
    int before = journal.size();
    first.publish("c");
    Thread.sleep(50); // nothing may happen after shutdown; give a stray refresh a chance to show
    assertThat(journal).hasSize(before);
  }

  private void awaitJournal(String line) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!journal.contains(line)) {
      if (System.nanoTime() > deadline) throw new AssertionError("timed out waiting for " + line + " in " + journal);
      Thread.sleep(5);
    }
  }
}
