package io.mpac.collector.receiver.docker;

import com.fasterxml.jackson.databind.JsonNode;
import io.mpac.collector.relabel.Relabeler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns {@code /containers/json} and {@code /networks} answers into targets with the labels of
 * Prometheus' Docker discovery: one target per container × network × TCP port (or one per network
 * with the default port when a container exposes none), with {@code __address__},
 * {@code __meta_docker_container_{id,name,network_mode,label_*}},
 * {@code __meta_docker_network_{id,name,scope,internal,ingress,ip,label_*}} and
 * {@code __meta_docker_port_{private,public,public_ip}}.
 */
final class DockerTargets {

  static final String PREFIX = "__meta_docker_";

  private DockerTargets() {}

  static List<Map<String, String>> compute(JsonNode containers, JsonNode networks, int defaultPort,
      String hostNetworkingHost, boolean matchFirstNetwork) {
    Map<String, Map<String, String>> networkLabels = new HashMap<>();
    for (JsonNode n : networks) {
      Map<String, String> l = new TreeMap<>();
      l.put(PREFIX + "network_id", n.path("Id").asText(""));
      l.put(PREFIX + "network_name", n.path("Name").asText(""));
      l.put(PREFIX + "network_scope", n.path("Scope").asText(""));
      l.put(PREFIX + "network_internal", Boolean.toString(n.path("Internal").asBoolean(false)));
      l.put(PREFIX + "network_ingress", Boolean.toString(n.path("Ingress").asBoolean(false)));
      for (Iterator<Map.Entry<String, JsonNode>> it = n.path("Labels").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        l.put(PREFIX + "network_label_" + Relabeler.sanitizeLabelName(e.getKey()), e.getValue().asText(""));
      }
      networkLabels.put(n.path("Id").asText(""), l);
    }
    Map<String, JsonNode> byId = new HashMap<>();
    for (JsonNode c : containers) byId.put(c.path("Id").asText(""), c);

    List<Map<String, String>> targets = new ArrayList<>();
    for (JsonNode c : containers) {
      JsonNode names = c.path("Names");
      if (!names.isArray() || names.isEmpty()) continue;
      String networkMode = c.path("HostConfig").path("NetworkMode").asText("");
      Map<String, String> common = new TreeMap<>();
      common.put(PREFIX + "container_id", c.path("Id").asText(""));
      common.put(PREFIX + "container_name", names.get(0).asText(""));
      common.put(PREFIX + "container_network_mode", networkMode);
      for (Iterator<Map.Entry<String, JsonNode>> it = c.path("Labels").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        common.put(PREFIX + "container_label_" + Relabeler.sanitizeLabelName(e.getKey()), e.getValue().asText(""));
      }

      // Networks, following "container:<id>" network modes to the container that owns them.
      Map<String, JsonNode> nets = fields(c.path("NetworkSettings").path("Networks"));
      String mode = networkMode;
      for (int hops = 0; nets.isEmpty() && mode.startsWith("container:") && hops < 10; hops++) {
        JsonNode other = byId.get(mode.substring("container:".length()));
        if (other == null) break;
        nets = fields(other.path("NetworkSettings").path("Networks"));
        mode = other.path("HostConfig").path("NetworkMode").asText("");
      }
      if (matchFirstNetwork && nets.size() > 1) {
        String first = new TreeMap<>(nets).firstKey();
        nets = Map.of(first, nets.get(first));
      }
      for (JsonNode n : new TreeMap<>(nets).values()) {
        if (n == null || n.isNull()) continue;
        String ip = n.path("IPAddress").asText("");
        Map<String, String> netLabels = networkLabels.getOrDefault(n.path("NetworkID").asText(""), Map.of());
        boolean added = false;
        for (JsonNode p : c.path("Ports")) {
          if (!"tcp".equals(p.path("Type").asText(""))) continue;
          Map<String, String> t = new TreeMap<>();
          t.put(PREFIX + "network_ip", ip);
          t.put(PREFIX + "port_private", Integer.toString(p.path("PrivatePort").asInt()));
          if (p.path("PublicPort").asInt(0) > 0) {
            t.put(PREFIX + "port_public", Integer.toString(p.path("PublicPort").asInt()));
            t.put(PREFIX + "port_public_ip", p.path("IP").asText(""));
          }
          t.putAll(common);
          t.putAll(netLabels);
          t.put("__address__", joinHostPort(ip, p.path("PrivatePort").asInt()));
          targets.add(t);
          added = true;
        }
        if (!added) {
          Map<String, String> t = new TreeMap<>();
          t.put(PREFIX + "network_ip", ip);
          t.putAll(common);
          t.putAll(netLabels);
          t.put("__address__", "host".equals(networkMode) ? hostNetworkingHost : joinHostPort(ip, defaultPort));
          targets.add(t);
        }
      }
    }
    return targets;
  }

  private static Map<String, JsonNode> fields(JsonNode obj) {
    Map<String, JsonNode> m = new HashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      m.put(e.getKey(), e.getValue());
    }
    return m;
  }

  /** Go's net.JoinHostPort: IPv6 addresses in brackets. */
  static String joinHostPort(String host, int port) {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
