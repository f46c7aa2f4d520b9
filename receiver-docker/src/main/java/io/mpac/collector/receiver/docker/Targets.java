package io.mpac.collector.receiver.docker;

import io.mpac.collector.config.value.Value;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Targets ({@code list(map(string))}) as config values and back. */
final class Targets {

  private Targets() {}

  static Value toValue(List<Map<String, String>> targets) {
    List<Value> out = new ArrayList<>(targets.size());
    for (Map<String, String> t : targets) {
      Map<String, Value> fields = new LinkedHashMap<>();
      new TreeMap<>(t).forEach((k, v) -> fields.put(k, Value.of(v)));
      out.add(new Value.Obj(fields));
    }
    return new Value.Array(out);
  }

  /** Copies of the targets, each a sorted mutable map. */
  static List<Map<String, String>> copy(List<Map<String, String>> targets) {
    List<Map<String, String>> out = new ArrayList<>(targets.size());
    for (Map<String, String> t : targets) out.add(new TreeMap<>(t));
    return out;
  }
}
