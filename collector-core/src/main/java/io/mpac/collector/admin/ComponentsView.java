package io.mpac.collector.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.component.Handle;
import io.mpac.collector.component.Health;
import io.mpac.collector.config.value.Value;
import io.mpac.collector.livedebug.Edge;
import io.mpac.collector.livedebug.Flows;
import io.mpac.collector.pdata.Signal;
import io.mpac.collector.pipeline.Node;
import io.mpac.collector.pipeline.Pipeline;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The components as JSON, in the shape of Alloy's {@code /api/v0/web/components} (field names
 * {@code name, type, localID, moduleID, label, referencesTo, referencedBy, dataFlowEdgesTo, health,
 * liveDebuggingEnabled}, plus {@code arguments, exports, debugInfo} for one component), with our
 * additions {@code kind}, {@code counters} and {@code summary}.
 */
final class ComponentsView {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private final MeterRegistry registry;
  private final Flows flows;

  ComponentsView(MeterRegistry registry, Flows flows) {
    this.registry = registry;
    this.flows = flows;
  }

  ArrayNode list(Pipeline p) {
    ArrayNode list = F.arrayNode();
    if (p == null) return list;
    for (Node n : p.nodes()) list.add(info(n, p));
    return list;
  }

  /** One component with arguments, exports and debug info, or null when there is none by that id. */
  ObjectNode detail(Pipeline p, String id) {
    if (p == null) return null;
    for (Node n : p.nodes()) {
      if (!n.id().toString().equals(id)) continue;
      ObjectNode o = info(n, p);
      o.set("arguments", AlloyBody.of(n.args()));
      Map<String, Value> exports = new LinkedHashMap<>();
      n.exports().forEach((k, v) -> exports.put(k, v instanceof Value val ? val
          : new Value.Capsule(v instanceof Handle h ? h.handleKind() : "object", v, n.id() + "." + k)));
      o.set("exports", AlloyBody.ofAttributes(exports));
      Map<String, Value> debug = new LinkedHashMap<>();
      counters(n.id()).forEach((k, v) -> debug.put(k, Value.of(v)));
      o.set("debugInfo", AlloyBody.ofAttributes(debug));
      return o;
    }
    return null;
  }

  /** Every data-flow edge of the running graph with its cumulative item counts per signal. */
  ArrayNode flows(Pipeline p) {
    ArrayNode out = F.arrayNode();
    if (p == null) return out;
    for (Edge e : flows.edges()) {
      if (p.node(e.from()) == null || p.node(e.to()) == null) continue;
      ObjectNode o = out.addObject();
      o.put("from", e.from().toString());
      o.put("to", e.to().toString());
      ObjectNode items = o.putObject("items");
      for (Signal s : Signal.values()) items.put(s.lowerName(), e.items(s));
    }
    return out;
  }

  private ObjectNode info(Node n, Pipeline p) {
    ObjectNode o = F.objectNode();
    String id = n.id().toString();
    o.put("name", n.id().name());
    o.put("type", "block");
    o.put("localID", id);
    o.put("moduleID", "");
    o.put("label", n.id().label());
    o.put("kind", n.kind());
    ArrayNode to = o.putArray("referencesTo");
    n.references().forEach(r -> to.add(r.toString()));
    ArrayNode by = o.putArray("referencedBy");
    for (Node other : p.nodes()) {
      if (other.references().contains(n.id())) by.add(other.id().toString());
    }
    // A component references its consumers: data flows along references, except that a
    // component reading another's exported values (discovery targets) gets data from it.
    Set<String> flowTo = new LinkedHashSet<>();
    for (ComponentId r : n.references()) {
      Node target = p.node(r);
      if (target != null && !"discovery".equals(target.kind())) flowTo.add(r.toString());
    }
    for (Node other : p.nodes()) {
      if ("discovery".equals(n.kind()) && other.references().contains(n.id())) flowTo.add(other.id().toString());
    }
    ArrayNode flow = o.putArray("dataFlowEdgesTo");
    flowTo.forEach(flow::add);
    Health h = n.health();
    ObjectNode health = o.putObject("health");
    health.put("state", h.state().jsonName());
    health.put("message", h.message());
    health.put("updatedTime", h.updated().toString());
    o.put("liveDebuggingEnabled", p.liveDebugging());
    Map<String, Double> counters = counters(n.id());
    ObjectNode c = o.putObject("counters");
    counters.forEach(c::put);
    long edgesIn = 0, edgesOut = 0;
    for (Edge e : flows.edges()) {
      if (p.node(e.from()) == null || p.node(e.to()) == null) continue;
      for (Signal sig : Signal.values()) {
        if (e.to().equals(n.id())) edgesIn += e.items(sig);
        if (e.from().equals(n.id())) edgesOut += e.items(sig);
      }
    }
    o.set("summary", summary(counters, edgesIn, edgesOut));
    return o;
  }

  /**
   * The five numbers a component page leads with, summed over signals: items accepted, refused,
   * sent and failed, and the exporter queue's size (-1 when the component has none). A component
   * without accepted or sent counters of its own (a processor) gets the items counted on its
   * incoming and outgoing data-flow edges.
   */
  private static ObjectNode summary(Map<String, Double> counters, long edgesIn, long edgesOut) {
    double accepted = 0, refused = 0, sent = 0, failed = 0, queue = -1;
    for (Map.Entry<String, Double> e : counters.entrySet()) {
      String k = e.getKey();
      double v = e.getValue();
      if (k.contains("queue_size")) {
        queue = Math.max(queue, 0) + v;
      } else if (!k.endsWith("_total")) {
        continue;
      } else if (k.contains("refused")) {
        refused += v;
      } else if (k.contains("failed")) {
        failed += v;
      } else if (k.contains("accepted")) {
        accepted += v;
      } else if (k.contains("_sent_")) {
        sent += v;
      }
    }
    boolean hasAccepted = counters.keySet().stream().anyMatch(k -> k.contains("accepted") && k.endsWith("_total"));
    boolean hasSent = counters.keySet().stream().anyMatch(k -> k.contains("_sent_") && k.endsWith("_total"));
    if (!hasAccepted) accepted = edgesIn;
    if (!hasSent) sent = edgesOut;
    ObjectNode s = F.objectNode();
    s.put("accepted", accepted);
    s.put("refused", refused);
    s.put("sent", sent);
    s.put("failed", failed);
    s.put("queueSize", queue);
    return s;
  }

  /** Every meter of a component, by Prometheus-style name (tags other than the id in braces). */
  Map<String, Double> counters(ComponentId id) {
    Map<String, Double> out = new TreeMap<>();
    String idText = id.toString();
    for (Meter m : registry.getMeters()) {
      if (!idText.equals(m.getId().getTag("component_id"))) continue;
      String base = m.getId().getName().replace('.', '_');
      StringBuilder tags = new StringBuilder();
      m.getId().getTags().forEach(t -> {
        if (!t.getKey().equals("component_id")) {
          tags.append(tags.length() == 0 ? "{" : ",").append(t.getKey()).append('=').append(t.getValue());
        }
      });
      if (tags.length() > 0) tags.append('}');
      for (Measurement ms : m.measure()) {
        String suffix = switch (ms.getStatistic()) {
          case COUNT -> m.getId().getType() == Meter.Type.COUNTER ? "_total" : "_count";
          case TOTAL, TOTAL_TIME -> "_sum";
          case MAX -> "_max";
          default -> "";
        };
        out.merge(base + suffix + tags, ms.getValue(), Double::sum);
      }
    }
    return out;
  }
}
