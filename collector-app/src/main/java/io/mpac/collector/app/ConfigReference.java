package io.mpac.collector.app;

import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Type;
import io.mpac.collector.component.schema.Units;
import io.mpac.collector.pipeline.ComponentRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The configuration reference in Markdown, generated from the components' schemas so it can never
 * drift from what the collector accepts ({@code mpac-collector reference}; README.md embeds it and
 * a test keeps the two equal).
 */
final class ConfigReference {

  private ConfigReference() {}

  static String markdown(ComponentRegistry registry) {
    StringBuilder sb = new StringBuilder();
    sb.append("Generated from the components' schemas by `mpac-collector reference`.\n");
    sb.append("In the default column, `required` means the config must set it and `optional` that it is unset unless given;\n");
    sb.append("`refused` marks an Alloy argument this collector does not implement: setting it is a config error that says why.\n");
    sb.append("docs/ARGUMENTS.md names, for every argument, the test that shows it works or the exact error.\n");
    for (ComponentFactory f : registry.factories()) {
      sb.append("\n#### `").append(f.name()).append("`\n\n");
      table(sb, f.schema(), "");
    }
    return sb.toString();
  }

  private static void table(StringBuilder sb, Schema schema, String prefix) {
    if (prefix.isEmpty()) {
      sb.append("| argument or block | type | default | description |\n");
      sb.append("|---|---|---|---|\n");
    }
    if (prefix.isEmpty() && schema.attributes().isEmpty() && schema.blocks().isEmpty()) {
      sb.append("| (none) | | | |\n");
    }
    for (Schema.AttributeSpec a : schema.attributes().values()) {
      sb.append("| `").append(prefix).append(a.name()).append("` | ").append(escape(a.type().describe()))
          .append(" | ").append(a.required() ? "required" : refusedOutright(a) ? "refused" : escape(defaultText(a)))
          .append(" | ")
          .append(escape(a.doc())).append(" |\n");
    }
    for (Schema.BlockSpec b : schema.blocks().values()) {
      String card = switch (b.cardinality()) {
        case REQUIRED -> "block, required";
        case OPTIONAL -> b.refusal() != null ? "block, refused" : "block";
        case REPEATED -> "block, repeatable";
      };
      sb.append("| `").append(prefix).append(b.name()).append(" { }` | ").append(card).append(" | | ")
          .append(escape(b.doc())).append(" |\n");
      table(sb, b.schema(), prefix + b.name() + ".");
    }
  }

  /** An attribute refused whatever its value (the doc column says why). */
  private static boolean refusedOutright(Schema.AttributeSpec a) {
    return a.refusal() != null && a.refusal().allowed() == null;
  }

  private static String defaultText(Schema.AttributeSpec a) {
    Object v = a.defaultValue();
    if (v == null) return "optional";
    if (v instanceof Duration d) return '"' + Units.formatDuration(d) + '"';
    if (a.type() == Type.Scalar.BYTES && v instanceof Long n) return '"' + bytes(n) + '"';
    if (v instanceof String s) return '"' + s + '"';
    if (v instanceof List<?> l) return l.isEmpty() ? "[]" : l.stream().map(e -> e instanceof String s ? '"' + s + '"' : String.valueOf(e)).toList().toString();
    if (v instanceof Map<?, ?> m) return m.isEmpty() ? "{}" : m.toString();
    return String.valueOf(v);
  }

  private static String bytes(long n) {
    if (n != 0 && n % (1L << 30) == 0) return n / (1L << 30) + "GiB";
    if (n != 0 && n % (1L << 20) == 0) return n / (1L << 20) + "MiB";
    if (n != 0 && n % (1L << 10) == 0) return n / (1L << 10) + "KiB";
    return n + "B";
  }

  private static String escape(String s) {
    return s.replace("|", "\\|");
  }
}
