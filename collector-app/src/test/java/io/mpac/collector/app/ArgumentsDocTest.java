package io.mpac.collector.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentFactory;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Type;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Parser;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.PipelineBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/ARGUMENTS.md, the argument audit, cannot drift from the schemas: every argument and block
 * of every registered component has one row, every row names a test method that exists (in a test
 * class that mentions the argument) or the exact error a refused argument gets, and every refusal
 * declared in a schema is reported by the real pipeline builder at the argument's file:line:col.
 */
class ArgumentsDocTest {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Path DOC = ROOT.resolve("docs/ARGUMENTS.md");
  private static final Pattern SECTION = Pattern.compile("^## `([^`]+)`\\s*$");
  private static final Pattern ROW = Pattern.compile("^\\| `([^`]+)` \\| ([^|]+?) \\| (.*) \\|\\s*$");
  private static final Pattern TEST_REF = Pattern.compile("\\b([A-Z]\\w*Test)#(\\w+)");
  /** Stages nested in stage.match take the top-level stages' arguments and share their rows. */
  private static final Pattern NESTED_STAGE = Pattern.compile("^(stage\\.match\\.)+(?=stage\\.)");

  /** One argument or block of a component, as the doc names it. */
  private record Arg(String path, String leaf, String block, Schema.AttributeSpec attribute, Schema.BlockSpec spec) {
    boolean isBlock() {
      return spec != null;
    }

    Schema.Refusal refusal() {
      return isBlock() ? spec.refusal() : attribute.refusal();
    }

    /** The message the decoder gives for a refused value. */
    String refusalMessage() {
      return isBlock() ? refusal().blockMessage(block, leaf) : refusal().attributeMessage(block, leaf);
    }
  }

  private record Row(String component, String path, String status, String evidence, int line) {}

  private static Map<String, Map<String, Arg>> schemaArgs() {
    Map<String, Map<String, Arg>> out = new TreeMap<>();
    for (ComponentFactory f : ComponentRegistry.fromClassPath().factories()) {
      Map<String, Arg> args = new LinkedHashMap<>();
      walk(f.schema(), "", f.name(), args);
      out.put(f.name(), args);
    }
    return out;
  }

  private static void walk(Schema schema, String prefix, String blockName, Map<String, Arg> out) {
    for (Schema.AttributeSpec a : schema.attributes().values()) {
      String path = NESTED_STAGE.matcher(prefix + a.name()).replaceFirst("");
      out.putIfAbsent(path, new Arg(path, a.name(), blockName, a, null));
    }
    for (Schema.BlockSpec b : schema.blocks().values()) {
      String path = NESTED_STAGE.matcher(prefix + b.name()).replaceFirst("") + " { }";
      out.putIfAbsent(path, new Arg(path, b.name(), blockName, null, b));
      if (b.refusal() == null) walk(b.schema(), prefix + b.name() + ".", b.name(), out);
    }
  }

  private static List<Row> docRows() throws IOException {
    List<Row> rows = new ArrayList<>();
    String component = null;
    List<String> lines = Files.readAllLines(DOC);
    for (int i = 0; i < lines.size(); i++) {
      Matcher s = SECTION.matcher(lines.get(i));
      if (s.matches()) {
        component = s.group(1);
        continue;
      }
      Matcher r = ROW.matcher(lines.get(i));
      if (r.matches() && component != null) {
        rows.add(new Row(component, r.group(1), r.group(2).trim(), r.group(3).trim(), i + 1));
      }
    }
    return rows;
  }

  @Test
  void everyArgumentOfEveryComponentHasARowAndEveryRowAnArgument() throws IOException {
    Map<String, Map<String, Arg>> schema = schemaArgs();
    Map<String, Map<String, Row>> doc = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (Row r : docRows()) {
      if (doc.computeIfAbsent(r.component(), k -> new LinkedHashMap<>()).put(r.path(), r) != null) {
        problems.add("ARGUMENTS.md:" + r.line() + ": " + r.component() + " " + r.path() + " is listed twice");
      }
    }
    StringBuilder missing = new StringBuilder();
    for (Map.Entry<String, Map<String, Arg>> c : schema.entrySet()) {
      Map<String, Row> rows = doc.getOrDefault(c.getKey(), Map.of());
      StringBuilder section = new StringBuilder();
      for (Arg a : c.getValue().values()) {
        if (rows.containsKey(a.path())) continue;
        String status = a.refusal() == null ? "works" : a.refusal().allowed() == null ? "refused"
            : "only " + allowedText(a.refusal());
        String evidence = a.refusal() == null ? "TestClass#method" : a.refusalMessage();
        section.append("| `").append(a.path()).append("` | ").append(status).append(" | ").append(evidence).append(" |\n");
      }
      if (section.length() > 0) {
        if (!doc.containsKey(c.getKey())) {
          missing.append("\n## `").append(c.getKey()).append("`\n\n| argument | status | evidence |\n|---|---|---|\n");
        } else {
          missing.append("\nin ## `").append(c.getKey()).append("`:\n");
        }
        missing.append(section);
      }
    }
    for (Map.Entry<String, Map<String, Row>> c : doc.entrySet()) {
      Map<String, Arg> args = schema.get(c.getKey());
      for (Row r : c.getValue().values()) {
        if (args == null) {
          problems.add("ARGUMENTS.md:" + r.line() + ": no registered component " + c.getKey());
          break;
        }
        if (!args.containsKey(r.path())) {
          problems.add("ARGUMENTS.md:" + r.line() + ": " + c.getKey() + " has no argument " + r.path());
        }
      }
    }
    if (missing.length() > 0) {
      Files.writeString(Path.of("target", "arguments-missing.md"), missing.toString());
      problems.add("docs/ARGUMENTS.md lacks these rows (also written to collector-app/target/arguments-missing.md;"
          + " fill in the evidence):\n" + missing);
    }
    assertThat(problems).as("docs/ARGUMENTS.md against the schemas").isEmpty();
  }

  @Test
  void everyRowShowsEvidenceThatHolds() throws IOException {
    Map<String, Map<String, Arg>> schema = schemaArgs();
    Map<String, List<Path>> testFiles = testFiles();
    List<String> problems = new ArrayList<>();
    for (Row r : docRows()) {
      Arg a = schema.getOrDefault(r.component(), Map.of()).get(r.path());
      if (a == null) continue; // reported by the other test
      String where = "ARGUMENTS.md:" + r.line() + ": " + r.component() + " " + r.path() + ": ";
      if (a.refusal() != null) {
        String status = a.refusal().allowed() == null ? "refused" : "only " + allowedText(a.refusal());
        if (!r.status().equals(status)) problems.add(where + "status must be \"" + status + "\"");
        if (!r.evidence().equals(a.refusalMessage())) {
          problems.add(where + "evidence must be the exact error: " + a.refusalMessage());
        }
        continue;
      }
      if (!r.status().equals("works") && !r.status().equals("refused")) {
        problems.add(where + "status must be works or refused (the schema declares no refusal)");
      }
      Matcher m = TEST_REF.matcher(r.evidence());
      boolean any = false;
      while (m.find()) {
        any = true;
        List<Path> files = testFiles.get(m.group(1));
        if (files == null) {
          problems.add(where + "no test class " + m.group(1));
          continue;
        }
        // classes of the same name in several modules: one of them must hold the method and name the argument
        boolean found = false;
        for (Path file : files) {
          String src = Files.readString(file);
          found |= Pattern.compile("void " + m.group(2) + "\\(").matcher(src).find() && mentions(src, a.leaf());
        }
        if (!found) problems.add(where + m.group(1) + " has no method " + m.group(2) + " in a class that names " + a.leaf());
      }
      if (!any) problems.add(where + "name the test that shows it (TestClass#method)");
    }
    assertThat(problems).isEmpty();
  }

  /** Every refusal a schema declares is a diagnostic at the argument's file:line:col, from the real builder. */
  @Test
  void everySchemaRefusalIsAPositionedErrorNamingTheArgument() {
    List<String> problems = new ArrayList<>();
    int checked = 0;
    for (Map.Entry<String, Map<String, Arg>> c : schemaArgs().entrySet()) {
      for (Arg a : c.getValue().values()) {
        if (a.refusal() == null) continue;
        checked++;
        // dotted block names (stage.json) are one block: rebuild the nesting from the schema
        List<String> nesting = nesting(c.getKey(), a.path().replace(" { }", ""));
        StringBuilder cfg = new StringBuilder(c.getKey()).append(" \"t\" {\n");
        String indent = "  ";
        for (String b : nesting) {
          cfg.append(indent).append(b).append(" {\n");
          indent += "  ";
        }
        int line = nesting.size() + 2;
        int col = indent.length() + 1;
        cfg.append(indent).append(a.isBlock() ? a.leaf() + " { }" : a.leaf() + " = " + refusedValue(a)).append('\n');
        for (int i = nesting.size() - 1; i >= 0; i--) cfg.append("  ".repeat(i + 1)).append("}\n");
        cfg.append("}\n");
        String expected = "refusal.alloy:" + line + ":" + col + ": " + a.refusalMessage();
        List<String> got = diagnostics(cfg.toString());
        if (!got.contains(expected)) {
          problems.add(c.getKey() + " " + a.path() + ": wanted " + expected + "\n  got " + got + "\n  for\n" + cfg);
        }
      }
    }
    assertThat(checked).as("refusals found in the schemas").isGreaterThan(10);
    assertThat(problems).isEmpty();
  }

  /** The blocks enclosing {@code path} in component {@code name}, matched against the schema. */
  private static List<String> nesting(String name, String path) {
    Schema schema = ComponentRegistry.fromClassPath().factories().stream().filter(f -> f.name().equals(name))
        .findFirst().orElseThrow().schema();
    List<String> out = new ArrayList<>();
    String rest = path;
    while (true) {
      String next = null;
      for (String b : schema.blocks().keySet()) {
        if (rest.startsWith(b + ".") && (next == null || b.length() > next.length())) next = b;
      }
      if (next == null) return out;
      out.add(next);
      schema = schema.blocks().get(next).schema();
      rest = rest.substring(next.length() + 1);
    }
  }

  private static String refusedValue(Arg a) {
    Object allowed = a.refusal().allowed();
    Type t = a.attribute().type();
    if (t instanceof Type.OneOf one) {
      return '"' + one.allowed().stream().filter(v -> !v.equals(allowed)).findFirst().orElseThrow() + '"';
    }
    if (t instanceof Type.Scalar s) {
      return switch (s) {
        case BOOL -> String.valueOf(!Boolean.TRUE.equals(allowed));
        case INT, NUMBER -> "7";
        case DURATION -> "\"7s\"";
        case BYTES -> "\"7MiB\"";
        default -> "\"x\"";
      };
    }
    if (t instanceof Type.ListOf) return "[\"x\"]";
    if (t instanceof Type.MapOf) return "{ a = \"x\" }";
    throw new AssertionError("no test value for " + t);
  }

  private static List<String> diagnostics(String config) {
    try {
      new PipelineBuilder(new PipelineBuilder.Settings(ComponentRegistry.fromClassPath(), Map.of(),
          Path.of("target", "refusal-test"), new SimpleMeterRegistry()))
          .build(List.of(Parser.parse("refusal.alloy", config)), null);
      return List.of();
    } catch (ConfigException e) {
      return e.diagnostics().stream().map(Object::toString).toList();
    }
  }

  private static String allowedText(Schema.Refusal r) {
    return r.allowed() instanceof String s ? "\"" + s + "\"" : String.valueOf(r.allowed());
  }

  /** True when the test source names the argument: as written in config text or as a Java name. */
  private static boolean mentions(String src, String leaf) {
    String last = leaf.contains(".") ? leaf.substring(leaf.lastIndexOf('.') + 1) : leaf;
    if (src.contains(leaf) || src.contains(last)) return true;
    StringBuilder camel = new StringBuilder();
    boolean up = false;
    for (char ch : last.toCharArray()) {
      if (ch == '_') {
        up = true;
      } else {
        camel.append(up ? Character.toUpperCase(ch) : ch);
        up = false;
      }
    }
    return src.toLowerCase().contains(camel.toString().toLowerCase());
  }

  private static Map<String, List<Path>> testFiles() throws IOException {
    Map<String, List<Path>> out = new TreeMap<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path m : modules.toList()) {
        Path tests = m.resolve("src/test/java");
        if (!Files.isDirectory(tests)) continue;
        try (Stream<Path> files = Files.walk(tests)) {
          files.filter(p -> p.toString().endsWith("Test.java"))
              .forEach(p -> out.computeIfAbsent(p.getFileName().toString().replace(".java", ""), k -> new ArrayList<>())
                  .add(p));
        }
      }
    }
    return out;
  }
}
