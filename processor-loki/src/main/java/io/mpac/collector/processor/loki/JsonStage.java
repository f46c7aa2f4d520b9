package io.mpac.collector.processor.loki;

import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.burt.jmespath.Expression;
import io.burt.jmespath.JmesPathException;
import io.burt.jmespath.jackson.JacksonRuntime;
import java.math.BigDecimal;
import java.util.Map;

/**
 * {@code stage.json}. Expressions are JMESPath (io.burt jmespath-jackson); a plain identifier
 * ({@code level}) or quoted identifier ({@code "user-agent"}) is looked up directly, which is what
 * JMESPath would do, only without the interpreter.
 *
 * <p>Values go into the extracted map as strings, as Alloy's later stages see them: strings as
 * they are, numbers in Go's shortest form, booleans as {@code true}/{@code false}, objects and
 * arrays as compact JSON; JSON null and missing paths are left out.
 */
final class JsonStage implements Stage {

  private static final String EXPRESSIONS = "expressions";
  private static final String SOURCE = "source";
  private static final String DROP_MALFORMED = "drop_malformed";

  static final StageType TYPE = new StageType("stage.json", "Parses JSON and extracts values with JMESPath.",
      depth -> Schema.builder()
          .optional(EXPRESSIONS, Types.STRING_MAP, Map.of(),
              "Extracted key = JMESPath expression; an empty expression means the key itself.")
          .optional(SOURCE, Types.STRING, "", "Extracted key to parse instead of the line.")
          .optional(DROP_MALFORMED, Types.BOOL, false, "Drop entries that are not a JSON object.")
          .build(),
      a -> Stages.blaming(a, EXPRESSIONS,
          () -> new Config(a.map(EXPRESSIONS), a.string(SOURCE), a.bool(DROP_MALFORMED))));

  /**
   * Extracted key → JMESPath expression (empty: the key itself), the extracted key to parse instead
   * of the line (empty: the line), and whether entries that are not a JSON object are dropped.
   */
  record Config(Map<String, String> expressions, String source, boolean dropMalformed) implements StageConfig {
    Config {
      expressions = Map.copyOf(expressions);
      if (expressions.isEmpty()) throw new IllegalArgumentException("stage.json needs at least one expression");
      for (Map.Entry<String, String> e : expressions.entrySet()) compile(e.getKey(), e.getValue());
    }

    public String blockName() {
      return TYPE.blockName();
    }

    public Stage build(StageContext c) {
      return new JsonStage(this, c);
    }
  }

  static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
  private static final JacksonRuntime RUNTIME = new JacksonRuntime();

  /** One expression: a direct field name, or a compiled JMESPath. */
  record Compiled(String key, String field, Expression<JsonNode> path) {}

  private final Compiled[] expressions;
  private final String source;
  private final boolean dropMalformed;
  /** When every expression is a top-level field: field name → extracted keys, for the streaming path. */
  private final Map<String, String[]> topLevel;
  /** With {@link #topLevel}: the one-pass reader tried before Jackson's streaming parser (null: not used). */
  private final TopLevelJsonScanner scanner;
  private final boolean precheck;

  /** Which way lines are read; the stage uses {@link Path#FASTEST}, tests compare it with the others. */
  enum Path {
    /** The scanner, then (when it is unsure, and whenever not every expression is a field) the others. */
    FASTEST,
    /** Jackson's streaming parser when every expression is a top-level field, else the tree. */
    STREAMING,
    /** Always a Jackson tree and a lookup (or JMESPath search) per expression. */
    TREE
  }

  JsonStage(Config config, StageContext context) {
    this(config, Path.FASTEST);
  }

  JsonStage(Config config, Path path) {
    this.expressions = config.expressions().entrySet().stream()
        .map(e -> compile(e.getKey(), e.getValue())).toArray(Compiled[]::new);
    this.source = config.source().isEmpty() ? null : config.source().intern();
    this.dropMalformed = config.dropMalformed();
    Map<String, String[]> fields = new java.util.HashMap<>();
    boolean allFields = true;
    for (Compiled c : expressions) {
      if (c.field == null) {
        allFields = false;
        break;
      }
      fields.merge(c.field, new String[] {c.key}, (a, b) -> {
        String[] m = java.util.Arrays.copyOf(a, a.length + 1);
        m[a.length] = b[0];
        return m;
      });
    }
    this.topLevel = allFields && path != Path.TREE ? fields : null;
    this.scanner = topLevel != null && path == Path.FASTEST ? new TopLevelJsonScanner(fields) : null;
    this.precheck = path == Path.FASTEST;
  }

  static Compiled compile(String key, String expression) {
    String expr = expression == null || expression.isEmpty() ? key : expression;
    key = key.intern(); // later stages look keys up with their own (interned) copies
    if (isIdentifier(expr)) return new Compiled(key, expr.intern(), null);
    if (expr.length() >= 2 && expr.charAt(0) == '"' && expr.charAt(expr.length() - 1) == '"'
        && expr.indexOf('"', 1) == expr.length() - 1 && expr.indexOf('\\') < 0) {
      return new Compiled(key, expr.substring(1, expr.length() - 1).intern(), null);
    }
    try {
      return new Compiled(key, null, RUNTIME.compile(expr));
    } catch (JmesPathException e) {
      throw new IllegalArgumentException("invalid JMESPath expression \"" + expr + "\" for " + key + ": "
          + e.getMessage());
    }
  }

  private static boolean isIdentifier(String s) {
    if (s.isEmpty()) return false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
      if (!ok) return false;
    }
    return true;
  }

  @Override
  public void process(EntryState entry) {
    String input;
    if (source == null) {
      input = entry.line;
    } else {
      input = entry.extracted.get(source);
      if (input == null) return;
    }
    if (precheck && !mayBeObject(input)) {
      if (dropMalformed) entry.drop("malformed_json");
      return;
    }
    if (topLevel != null) {
      if (!streamTopLevel(input, entry) && dropMalformed) entry.drop("malformed_json");
      return;
    }
    JsonNode root;
    try {
      root = MAPPER.readTree(input);
    } catch (JsonProcessingException | NumberFormatException e) {
      root = null; // NumberFormatException: a number BigDecimal cannot hold (1e99999999999)
    }
    if (root == null || !root.isObject()) {
      if (dropMalformed) entry.drop("malformed_json");
      return;
    }
    String[] found = entry.scratch(2 * expressions.length);
    int n = 0;
    try {
      for (Compiled c : expressions) {
        JsonNode v;
        if (c.field != null) {
          v = root.get(c.field);
        } else {
          try {
            v = c.path.search(root);
          } catch (JmesPathException e) {
            v = null;
          }
        }
        String s = toExtracted(v);
        if (s != null) {
          found[n++] = c.key;
          found[n++] = s;
        }
      }
    } catch (NumberFormatException e) {
      if (dropMalformed) entry.drop("malformed_json"); // a number too long to write out (see goFloat)
      return;
    }
    commit(found, n, entry.extracted);
  }

  /**
   * When every expression is a top-level field: reads the line with the {@link TopLevelJsonScanner}
   * or, when that is unsure, with Jackson's streaming parser, converting only the wanted fields and
   * skipping the rest without building a tree. Extracted values are only committed once the whole
   * input proved to be one well-formed JSON object.
   *
   * @return false when the input is not a JSON object
   */
  private boolean streamTopLevel(String input, EntryState entry) {
    String[] found = entry.scratch(2 * expressions.length);
    int n = scanner == null ? TopLevelJsonScanner.UNSURE : scanner.scan(input,
        entry.chars(Math.min(input.length(), TopLevelJsonScanner.MAX_LINE_LENGTH)), found);
    if (n != TopLevelJsonScanner.UNSURE) {
      commit(found, n, entry.extracted);
      return true;
    }
    n = 0;
    try (com.fasterxml.jackson.core.JsonParser p = MAPPER.getFactory().createParser(input)) {
      if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) return false;
      com.fasterxml.jackson.core.JsonToken t;
      while ((t = p.nextToken()) == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
        String[] keys = topLevel.get(p.currentName());
        com.fasterxml.jackson.core.JsonToken v = p.nextToken();
        if (keys == null) {
          p.skipChildren();
          continue;
        }
        String value;
        switch (v) {
          case VALUE_STRING -> value = p.getText();
          case VALUE_NUMBER_INT -> value = p.getText();
          case VALUE_NUMBER_FLOAT -> value = goFloat(p.getDecimalValue());
          case VALUE_TRUE -> value = "true";
          case VALUE_FALSE -> value = "false";
          case VALUE_NULL -> value = null;
          default -> value = p.readValueAsTree().toString();
        }
        if (value == null) continue;
        for (String k : keys) {
          if (n + 2 > found.length) found = java.util.Arrays.copyOf(found, found.length * 2);
          found[n++] = k;
          found[n++] = value;
        }
      }
      if (t != com.fasterxml.jackson.core.JsonToken.END_OBJECT || p.nextToken() != null) return false;
    } catch (java.io.IOException | NumberFormatException e) {
      return false; // NumberFormatException: from getDecimalValue or goFloat, a number beyond writing out
    }
    commit(found, n, entry.extracted);
    return true;
  }

  private static void commit(String[] found, int n, Extracted extracted) {
    for (int i = 0; i < n; i += 2) extracted.put(found[i], found[i + 1]);
    java.util.Arrays.fill(found, 0, n, null);
  }

  /**
   * False when {@code input} certainly is not a JSON object, without running the parser (and
   * without the exception it would throw): it is empty or blank, or its first character after JSON
   * whitespace is ASCII and neither an opening brace nor the start of a comment. Anything else is
   * left to the parser.
   */
  static boolean mayBeObject(String input) {
    int n = input.length();
    for (int i = 0; i < n; i++) {
      char c = input.charAt(i);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
      return c == '{' || c >= 0x80 || c == '/' || c == '#';
    }
    return false;
  }

  /**
   * A fraction in Go's shortest plain form ({@code 1.50} → {@code 1.5}, {@code 1e2} → {@code 100}).
   *
   * @throws NumberFormatException when the plain form would be longer than {@value
   *     #MAX_PLAIN_NUMBER} characters ({@code 1e2147483647} would otherwise take gigabytes, and a
   *     thread's time); the line then counts as malformed JSON, as Alloy (whose numbers are
   *     float64) treats anything beyond 1.8e308
   */
  static String goFloat(BigDecimal raw) {
    BigDecimal d;
    try {
      d = raw.stripTrailingZeros();
    } catch (ArithmeticException e) {
      throw new NumberFormatException("number out of range: " + e.getMessage());
    }
    long scale = d.scale();
    long length = scale <= 0 ? d.precision() - scale : Math.max(d.precision(), scale) + 2;
    if (length > MAX_PLAIN_NUMBER) throw new NumberFormatException("number too long to write out: " + d);
    return scale <= 0 ? d.toBigInteger().toString() : d.toPlainString();
  }

  /** The longest plain form of a number {@link #goFloat} writes (Jackson's limit on number text). */
  static final int MAX_PLAIN_NUMBER = 1000;

  /** A JSON value as the string later stages see, or null for null/missing. */
  static String toExtracted(JsonNode v) {
    if (v == null || v.isNull() || v.isMissingNode()) return null;
    if (v.isTextual()) return v.textValue();
    if (v.isBoolean()) return v.booleanValue() ? "true" : "false";
    if (v.isIntegralNumber()) return v.asText();
    if (v.isNumber()) return goFloat(v.decimalValue());
    return v.toString();
  }
}
