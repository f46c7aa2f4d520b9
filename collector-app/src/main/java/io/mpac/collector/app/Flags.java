package io.mpac.collector.app;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A tiny flag parser: {@code --name value}, {@code --name=value} and boolean {@code --name}.
 * Unknown flags are usage errors, so a typo never goes unnoticed.
 */
final class Flags {

  final Map<String, String> values = new LinkedHashMap<>();
  final List<String> positional = new ArrayList<>();

  static Flags parse(String[] args, Set<String> valued, Set<String> booleans) {
    Flags f = new Flags();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-") || !a.startsWith("-")) {
        f.positional.add(a);
        continue;
      }
      String name = a.replaceFirst("^--?", "");
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (booleans.contains(name)) {
        f.values.put(name, value == null ? "true" : value);
      } else if (valued.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.length) throw new UsageException("flag --" + name + " needs a value");
          value = args[++i];
        }
        f.values.put(name, value);
      } else {
        throw new UsageException("unknown flag " + a);
      }
    }
    return f;
  }

  String get(String name, String defaultValue) {
    return values.getOrDefault(name, defaultValue);
  }

  boolean bool(String name) {
    return "true".equals(values.get(name));
  }

  /** The single positional argument a command needs. */
  String onePositional(String what) {
    if (positional.size() != 1) {
      throw new UsageException(positional.isEmpty() ? "missing " + what : "expected one " + what + ", got " + positional);
    }
    return positional.get(0);
  }
}
