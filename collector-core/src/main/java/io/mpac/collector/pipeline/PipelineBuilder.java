package io.mpac.collector.pipeline;

import io.micrometer.core.instrument.MeterRegistry;
import io.mpac.collector.component.Component;
import io.mpac.collector.component.ComponentContext;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.component.Handle;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.ArgsDecoder;
import io.mpac.collector.component.schema.Suggestions;
import io.mpac.collector.config.ast.Attribute;
import io.mpac.collector.config.ast.Block;
import io.mpac.collector.config.ast.ConfigFile;
import io.mpac.collector.config.ast.Expr;
import io.mpac.collector.config.ast.Statement;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.config.value.Evaluator;
import io.mpac.collector.config.value.Scope;
import io.mpac.collector.config.value.Stdlib;
import io.mpac.collector.config.value.Value;
import io.mpac.collector.consumer.OtlpConsumer;
import io.mpac.collector.livedebug.Edge;
import io.mpac.collector.livedebug.Flows;
import io.mpac.collector.livedebug.TappedConsumer;
import io.mpac.collector.livedebug.TappedLogsReceiver;
import io.mpac.collector.livedebug.TappedMetricsReceiver;
import io.mpac.collector.loki.LogsReceiver;
import io.mpac.collector.prometheus.MetricsReceiver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * Turns parsed config files into a {@link Pipeline}: declares components, resolves references
 * into graph edges, rejects cycles, then evaluates and builds each component in dependency order.
 * Every problem is collected and thrown together, each with {@code file:line:col}.
 *
 * <p>Building never starts anything, so {@code validate} runs the same code. When a previous
 * pipeline is given (reload), a component whose arguments evaluate exactly as before is reused as
 * it is, still running; since its exports are the same objects, components that reference it are
 * unchanged too, and only what the edit touched is restarted.
 */
public final class PipelineBuilder {

  /** What building needs from the process: factories, environment, storage root, metrics. */
  public record Settings(ComponentRegistry registry, Map<String, String> environment, Path storagePath,
      MeterRegistry meterRegistry) {}

  /** The {@code livedebugging} block: off unless {@code enabled = true}, as in Alloy. */
  static final io.mpac.collector.component.schema.Schema LIVE_DEBUGGING_SCHEMA =
      io.mpac.collector.component.schema.Schema.builder()
          .optional("enabled", io.mpac.collector.component.schema.Types.BOOL, false,
              "stream samples of a component's data to the UI")
          .build();

  private final Settings settings;
  private final Scope stdlib;
  private final Flows flows = new Flows();
  private volatile java.util.function.Consumer<ComponentId> exportsListener = id -> { };

  public PipelineBuilder(Settings settings) {
    this.settings = settings;
    this.stdlib = Stdlib.scope(settings.environment());
  }

  /**
   * Who is told when a component built by this builder announces new exports ({@link
   * ComponentContext#exportsChanged()}); the {@link Controller} re-evaluates dependents.
   */
  MeterRegistry meterRegistry() {
    return settings.meterRegistry();
  }

  /** The data-flow edges of every pipeline this builder built (counts survive reloads). */
  public Flows flows() {
    return flows;
  }

  public void onExportsChanged(java.util.function.Consumer<ComponentId> listener) {
    this.exportsListener = listener == null ? id -> { } : listener;
  }

  /** A declared component; {@code factory} is null when we do not implement it. */
  private record Declared(ComponentId id, Block block, ComponentFactory factory) {}

  public Pipeline build(List<ConfigFile> files, Pipeline previous) throws ConfigException {
    List<Diagnostic> diagnostics = new ArrayList<>();
    Map<ComponentId, Declared> declared = new LinkedHashMap<>();
    Map<String, Block> configBlocks = declare(files, declared, diagnostics);
    Block loggingBlock = configBlocks.get("logging");

    Set<ComponentId> unusable = new HashSet<>(); // unsupported, unknown, or failed to build
    for (Declared d : declared.values()) {
      if (d.factory() == null) unusable.add(d.id());
    }

    Map<ComponentId, List<ComponentId>> edges = new LinkedHashMap<>();
    for (Declared d : declared.values()) {
      if (d.factory() == null) continue;
      Set<ComponentId> refs = new LinkedHashSet<>();
      for (References.Traversal t : References.in(d.block().body())) {
        ComponentId target = match(t.path(), declared);
        if (target != null) {
          refs.add(target);
        } else if (looksLikeComponent(t.path().get(0), declared)) {
          diagnostics.add(new Diagnostic(t.position(),
              "component \"" + t + "\" does not exist or is out of scope"));
          unusable.add(d.id());
        }
      }
      edges.put(d.id(), new ArrayList<>(refs));
    }

    for (List<ComponentId> cycle : Cycles.find(edges)) {
      ComponentId first = cycle.get(0);
      StringBuilder path = new StringBuilder();
      for (ComponentId c : cycle) path.append(c).append(" -> ");
      path.append(first);
      diagnostics.add(new Diagnostic(declared.get(first).block().position(),
          cycle.size() == 1 ? "component " + first + " references itself" : "cycle detected: " + path));
      unusable.addAll(cycle);
    }

    Map<ComponentId, Node> built = new LinkedHashMap<>();
    for (ComponentId id : Cycles.topologicalOrder(edges)) {
      Declared d = declared.get(id);
      if (unusable.contains(id) && d.factory() == null) continue;
      boolean cycleOrDangling = unusable.contains(id);
      List<ComponentId> refs = edges.get(id);
      boolean dependsOnUnusable = refs.stream().anyMatch(unusable::contains);
      Predicate<Expr> skip = expr -> References.in(expr).stream().anyMatch(t -> {
        ComponentId target = match(t.path(), declared);
        return target != null ? unusable.contains(target) : looksLikeComponent(t.path().get(0), declared);
      });
      List<Diagnostic> local = new ArrayList<>();
      Evaluator evaluator = new Evaluator(scope(built, declared));
      Args args = new ArgsDecoder(evaluator::evaluate, skip, local)
          .bindHandlesWith((capsule, handle) -> tap(id, capsule, handle, built))
          .decode(d.block(), d.factory().schema());
      diagnostics.addAll(local);
      if (!local.isEmpty() || cycleOrDangling || dependsOnUnusable) {
        unusable.add(id);
        continue;
      }
      Node node = reuseOrCreate(d, refs, args, previous, diagnostics);
      if (node == null) {
        unusable.add(id);
      } else {
        built.put(id, node);
      }
    }

    LoggingConfig logging = LoggingConfig.DEFAULT;
    if (loggingBlock != null) {
      List<Diagnostic> local = new ArrayList<>();
      Args args = new ArgsDecoder(new Evaluator(stdlib)::evaluate, e -> false, local)
          .decode(loggingBlock, LoggingConfig.SCHEMA);
      diagnostics.addAll(local);
      if (local.isEmpty()) logging = LoggingConfig.from(args);
    }

    boolean liveDebugging = false;
    Block liveDebuggingBlock = configBlocks.get("livedebugging");
    if (liveDebuggingBlock != null) {
      List<Diagnostic> local = new ArrayList<>();
      Args args = new ArgsDecoder(new Evaluator(stdlib)::evaluate, e -> false, local)
          .decode(liveDebuggingBlock, LIVE_DEBUGGING_SCHEMA);
      diagnostics.addAll(local);
      liveDebugging = local.isEmpty() && args.bool("enabled");
    }

    if (!diagnostics.isEmpty()) throw new ConfigException(diagnostics);
    return new Pipeline(new ArrayList<>(built.values()), logging, liveDebugging);
  }

  /** Config blocks we implement; the others of {@link AlloyComponents#CONFIG_BLOCKS} are refused. */
  private static final Set<String> SUPPORTED_CONFIG_BLOCKS = Set.of("logging", "livedebugging");

  /**
   * Collects top-level blocks into {@code declared}; returns the supported config blocks
   * ({@code logging}, {@code livedebugging}) by name.
   */
  private Map<String, Block> declare(List<ConfigFile> files, Map<ComponentId, Declared> declared,
      List<Diagnostic> diagnostics) {
    Map<String, Block> supported = new HashMap<>();
    Map<String, Block> configBlocks = new HashMap<>();
    Set<String> candidates = new TreeSet<>(AlloyComponents.KNOWN);
    candidates.addAll(settings.registry().names());
    for (ConfigFile file : files) {
      for (Statement st : file.body()) {
        if (st instanceof Attribute a) {
          diagnostics.add(new Diagnostic(a.position(),
              "attribute \"" + a.name() + "\" is not allowed at the top level; only blocks are"));
          continue;
        }
        Block b = (Block) st;
        String name = b.fullName();
        if (AlloyComponents.CONFIG_BLOCKS.contains(name)) {
          Block earlier = configBlocks.putIfAbsent(name, b);
          if (earlier != null) {
            diagnostics.add(new Diagnostic(b.position(),
                "config block \"" + name + "\" already declared at " + earlier.position()));
          } else if (!SUPPORTED_CONFIG_BLOCKS.contains(name)) {
            diagnostics.add(new Diagnostic(b.position(),
                "config block \"" + name + "\" is not supported by mpac-collector"));
          } else if (b.label() != null) {
            diagnostics.add(new Diagnostic(b.labelPosition(), "config block \"" + name + "\" does not take a label"));
          } else {
            supported.put(name, b);
          }
          continue;
        }
        ComponentFactory factory = settings.registry().find(name);
        if (b.label() == null) {
          diagnostics.add(new Diagnostic(b.position(), "component \"" + name + "\" must have a label"));
          continue;
        }
        ComponentId id = new ComponentId(name, b.label());
        Declared earlier = declared.get(id);
        if (earlier != null) {
          diagnostics.add(new Diagnostic(b.position(),
              "component \"" + id + "\" already declared at " + earlier.block().position()));
          continue;
        }
        if (factory == null) {
          diagnostics.add(new Diagnostic(b.position(), AlloyComponents.KNOWN.contains(name)
              ? "component \"" + name + "\" is not supported by mpac-collector"
              : "unknown component \"" + name + "\"" + Suggestions.hint(name, candidates)));
        }
        declared.put(id, new Declared(id, b, factory));
      }
    }
    return supported;
  }

  /**
   * What component {@code from} is handed for an output capsule: an OTLP consumer, a Loki or a
   * Prometheus receiver is wrapped so the edge to its component is counted (and can be watched);
   * other handles pass as they are.
   */
  private Handle tap(ComponentId from, Value.Capsule capsule, Handle handle, Map<ComponentId, Node> built) {
    if (capsule.origin() == null) return handle;
    ComponentId best = null;
    for (ComponentId target : built.keySet()) {
      String prefix = target + ".";
      if (capsule.origin().startsWith(prefix) && (best == null || prefix.length() > best.toString().length() + 1)) {
        best = target;
      }
    }
    if (best == null) return handle;
    Edge edge = flows.edge(from, best);
    if (handle instanceof OtlpConsumer consumer) return new TappedConsumer(consumer, edge);
    if (handle instanceof LogsReceiver logs) return new TappedLogsReceiver(logs, edge);
    if (handle instanceof MetricsReceiver metrics) return new TappedMetricsReceiver(metrics, edge);
    return handle;
  }

  private Node reuseOrCreate(Declared d, List<ComponentId> refs, Args args, Pipeline previous,
      List<Diagnostic> diagnostics) {
    Node old = previous == null ? null : previous.node(d.id());
    if (old != null && old.factory().name().equals(d.factory().name()) && old.args().equals(args)) {
      return new Node(d.id(), d.block(), d.factory(), refs, args, old.component(), old.started());
    }
    ComponentContext context = new ComponentContext(d.id(),
        settings.storagePath().resolve(d.id().toString()), settings.meterRegistry(),
        Logger.getLogger("component." + d.id()), () -> exportsListener.accept(d.id()));
    try {
      Component component = d.factory().create(context, args);
      return new Node(d.id(), d.block(), d.factory(), refs, args, component, false);
    } catch (ConfigException e) {
      diagnostics.addAll(e.diagnostics());
    } catch (RuntimeException e) {
      diagnostics.add(new Diagnostic(d.block().position(),
          "cannot build component " + d.id() + ": " + Pipeline.describe(e)));
    }
    return null;
  }

  /** The component a traversal starts with, e.g. {@code a.b.label} of {@code a.b.label.export}. */
  private static ComponentId match(List<String> path, Map<ComponentId, Declared> declared) {
    for (int i = path.size() - 1; i >= 1; i--) {
      ComponentId id = new ComponentId(String.join(".", path.subList(0, i)), path.get(i));
      if (declared.containsKey(id)) return id;
    }
    return null;
  }

  /** Whether an identifier starts a component name (and is not a stdlib name). */
  private boolean looksLikeComponent(String first, Map<ComponentId, Declared> declared) {
    if (stdlib.lookup(first) != null) return false;
    for (ComponentId id : declared.keySet()) {
      if (id.name().startsWith(first + ".")) return true;
    }
    for (String n : AlloyComponents.KNOWN) {
      if (n.startsWith(first + ".")) return true;
    }
    return false;
  }

  /**
   * Identifiers resolve to component exports first ({@code otelcol} → {@code {receiver = {otlp =
   * {default = {...exports}}}}}), then to the standard library.
   */
  private Scope scope(Map<ComponentId, Node> built, Map<ComponentId, Declared> declared) {
    return identifier -> {
      Map<String, Object> tree = null;
      for (Node n : built.values()) {
        String[] parts = n.id().name().split("\\.");
        if (!parts[0].equals(identifier)) continue;
        if (tree == null) tree = new LinkedHashMap<>();
        Map<String, Object> at = tree;
        for (int i = 1; i < parts.length; i++) at = child(at, parts[i]);
        Map<String, Value> exports = new LinkedHashMap<>();
        n.exports().forEach((k, v) -> exports.put(k, toValue(n.id(), k, v)));
        at.put(n.id().label(), new Value.Obj(exports));
      }
      if (tree != null) return toObj(tree);
      return stdlib.lookup(identifier);
    };
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> child(Map<String, Object> at, String key) {
    return (Map<String, Object>) at.computeIfAbsent(key, k -> new LinkedHashMap<String, Object>());
  }

  @SuppressWarnings("unchecked")
  private static Value toObj(Map<String, Object> tree) {
    Map<String, Value> out = new LinkedHashMap<>();
    tree.forEach((k, v) -> out.put(k, v instanceof Value val ? val : toObj((Map<String, Object>) v)));
    return new Value.Obj(out);
  }

  /** An export as a config value: handles become capsules that remember where they came from. */
  static Value toValue(ComponentId id, String export, Object v) {
    if (v instanceof Value val) return val;
    if (v instanceof Handle h) return new Value.Capsule(h.handleKind(), h, id + "." + export);
    throw new IllegalStateException(id + " exports " + export + " of unsupported type " + v.getClass());
  }
}
