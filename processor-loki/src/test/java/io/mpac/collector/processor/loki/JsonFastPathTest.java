package io.mpac.collector.processor.loki;

import static org.assertj.core.api.Assertions.assertThat;

import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LokiEntry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code stage.json}'s one-pass scanner ({@link JsonStage.Path#FASTEST}) against Jackson's
 * streaming parser ({@link JsonStage.Path#STREAMING}, the path it short-cuts) on random and
 * randomly broken JSON lines: the same extracted values and the same malformed-line drops, line by
 * line. Fixed seeds, so a failure repeats.
 */
class JsonFastPathTest {

  /** The fixture's expressions, plus a field read into two keys. */
  private static final Map<String, String> EXPRESSIONS = expressions();
  private static final List<String> WANTED = List.of("level", "msg", "timestamp", "trace_id", "span_id", "request_id",
      "corr_id", "merchant_id", "store_id");
  private static final List<String> OTHER = List.of("path", "amount", "duration_ms", "user", "tags", "levels", "lvl",
      "trace", "span_id2", "");

  private static Map<String, String> expressions() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("level", "");
    m.put("severity", "level");
    m.put("msg", "");
    m.put("ts", "timestamp");
    for (String k : List.of("trace_id", "span_id", "request_id", "corr_id", "merchant_id", "store_id")) m.put(k, "");
    return m;
  }

  private static final JsonStage.Config CONFIG = new JsonStage.Config(EXPRESSIONS, "", true);
  private static final JsonStage FAST = new JsonStage(CONFIG, JsonStage.Path.FASTEST);
  private static final JsonStage STREAMING = new JsonStage(CONFIG, JsonStage.Path.STREAMING);

  /** What a stage made of a line: the extracted values and whether it was dropped as malformed. */
  private static Map<String, String> outcome(JsonStage stage, String line) {
    EntryState s = new EntryState(new LokiEntry(Labels.EMPTY, 0, line));
    stage.process(s);
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : EXPRESSIONS.keySet()) {
      String v = s.extracted.get(key);
      if (v != null) out.put(key, v);
    }
    out.put("(extracted)", Integer.toString(s.extracted.size()));
    if (s.dropped()) out.put("(dropped)", s.dropReason());
    return out;
  }

  /** The scanner FAST uses, to count the lines it read itself. */
  private static final TopLevelJsonScanner SCANNER = new TopLevelJsonScanner(fields());

  private static Map<String, String[]> fields() {
    Map<String, String[]> m = new java.util.HashMap<>();
    m.put("level", new String[] {"level", "severity"});
    m.put("timestamp", new String[] {"ts"});
    for (String k : List.of("msg", "trace_id", "span_id", "request_id", "corr_id", "merchant_id", "store_id")) {
      m.put(k, new String[] {k});
    }
    return m;
  }

  private static int scanned;
  private static int compared;

  private static void assertSameOutcome(String line) {
    compared++;
    if (SCANNER.scan(line, new char[line.length()], new String[2 * EXPRESSIONS.size()]) != TopLevelJsonScanner.UNSURE) {
      scanned++;
    }
    Map<String, String> fast = outcome(FAST, line);
    Map<String, String> streaming = outcome(STREAMING, line);
    if (!fast.equals(streaming)) assertThat(fast).as("line %s", printable(line)).isEqualTo(streaming);
  }

  /** The line with everything outside printable ASCII as a Java escape, so a failure message shows it. */
  private static String printable(String line) {
    StringBuilder sb = new StringBuilder();
    for (char c : line.toCharArray()) {
      if (c >= 0x20 && c < 0x7f && c != '\\') {
        sb.append(c);
      } else {
        sb.append(String.format("\\u%04x", (int) c));
      }
    }
    return sb.toString();
  }

  @Test
  void randomAppLinesAgreeWithTheStreamingParser() {
    Random rnd = new Random(8);
    scanned = 0;
    compared = 0;
    for (int i = 0; i < 3000; i++) assertSameOutcome(object(rnd, 0));
    assertThat(scanned).as("well-formed lines are read by the scanner, not left to Jackson").isGreaterThan(1200);
  }

  @Test
  void randomlyBrokenLinesAgreeWithTheStreamingParser() {
    Random rnd = new Random(13);
    compared = 0;
    int dropped = 0;
    for (int i = 0; i < 3000; i++) {
      String line = mutate(rnd, object(rnd, 0));
      assertSameOutcome(line);
      if (outcome(FAST, line).containsKey("(dropped)")) dropped++;
    }
    assertThat(dropped).as("many mutations break the JSON").isGreaterThan(800);
  }

  @Test
  void edgeCasesAgreeWithTheStreamingParser() {
    List<String> lines = List.of(
        "", " ", "{", "}", "{}", " {} ", "{}\n", "\t{\r\n}\t", "{} {}", "{}x", "{},", "[]", "[{\"level\":\"x\"}]", "null",
        "\"level\"", "{\"level\"}", "{\"level\":}", "{\"level\":\"a\",}", "{,\"level\":\"a\"}", "{\"level\":\"a\" \"msg\":\"b\"}",
        "{\"level\":\"a\"", "{\"level\":'a'}", "{level:\"a\"}", "{\"level\":\"a\"}}", "{\"level\":\"a\"}]",
        // values of every kind for a wanted field
        "{\"level\":true}", "{\"level\":false}", "{\"level\":null}", "{\"level\":tru}", "{\"level\":truex}",
        "{\"level\":nul}", "{\"level\":0}", "{\"level\":-0}", "{\"level\":-}", "{\"level\":01}", "{\"level\":-01}",
        "{\"level\":1.}", "{\"level\":.5}", "{\"level\":+1}", "{\"level\":1.50}", "{\"level\":1e2}", "{\"level\":1E+2}",
        "{\"level\":1e-2}", "{\"level\":-0.0}", "{\"level\":2.5e}", "{\"level\":1.0e0}", "{\"level\":123456789012345678901234567890}",
        "{\"level\":1e99999999999}", "{\"level\":1e2147483647}", "{\"level\":1e-2147483647}", "{\"level\":1e998}",
        "{\"other\":1e99999999999,\"level\":\"x\"}", "{\"level\":NaN}", "{\"level\":Infinity}", "{\"level\":0x10}", "{\"level\":1_000}",
        "{\"level\":\"" + "9".repeat(70) + "\"}", "{\"level\":" + "9".repeat(70) + "}", "{\"level\":" + "9".repeat(1001) + "}",
        "{\"level\":{\"a\":1}}", "{\"level\":[1,2]}", "{\"level\":[]}", "{\"level\":{}}",
        // strings and escapes
        "{\"level\":\"\"}", "{\"level\":\"a\\\"b\"}", "{\"level\":\"a\\\\b\"}", "{\"level\":\"a\\/b\"}",
        "{\"level\":\"\\b\\f\\n\\r\\t\"}", "{\"level\":\"\\u00e9\\u00C9\"}", "{\"level\":\"\\ud83d\\ude00\"}",
        "{\"level\":\"\\ud83d\"}", "{\"level\":\"\\u12\"}", "{\"level\":\"\\u12G4\"}", "{\"level\":\"\\u０１２３\"}",
        "{\"level\":\"\\x41\"}", "{\"level\":\"\\'\"}", "{\"level\":\"a\u0001b\"}", "{\"level\":\"a\tb\"}",
        "{\"level\":\"a\nb\"}", "{\"level\":\"\u007f\u0080\u00ff\u0100\"}", "{\"level\":\"é😀\"}", "{\"level\":\"\ud83d\"}",
        "{\"level\":\"abc", "{\"level\":\"abc\\", "{\"level\":\"abc\\\"}",
        // names
        "{\"\\u006cevel\":\"escaped name\"}", "{\"lev\\u0065l\":\"x\",\"level\":\"y\"}", "{\"level\":\"a\",\"level\":\"b\"}",
        "{\"level\":\"a\",\"level\":null}", "{\"\":\"empty name\"}", "{\"le\nvel\":\"x\"}", "{\"levelx\":\"x\"}", "{\"leve\":\"x\"}",
        "{\"LEVEL\":\"x\"}", "{\"timestamp\":\"t\",\"severity\":\"s\"}",
        // unwanted values are validated too
        "{\"other\":tru,\"level\":\"x\"}", "{\"other\":[1,,2],\"level\":\"x\"}", "{\"other\":{\"a\" 1},\"level\":\"x\"}",
        "{\"other\":{\"a\":1,},\"level\":\"x\"}", "{\"other\":[1,2,],\"level\":\"x\"}", "{\"other\":\"\\q\",\"level\":\"x\"}",
        "{\"other\":01,\"level\":\"x\"}", "{\"other\":{\"\\u00zz\":1},\"level\":\"x\"}", "{\"other\":\"\u0000\",\"level\":\"x\"}",
        "{\"other\":" + "[".repeat(63) + "]".repeat(63) + ",\"level\":\"x\"}",
        "{\"other\":" + "[".repeat(70) + "]".repeat(70) + ",\"level\":\"x\"}",
        "{\"other\":" + "{\"a\":".repeat(70) + "1" + "}".repeat(70) + ",\"level\":\"x\"}",
        "{\"other\":" + "[".repeat(1001) + "]".repeat(1001) + ",\"level\":\"x\"}",
        "{\"other\":\"" + "x".repeat(40_000) + "\",\"level\":\"long line\"}",
        "{\"" + "n".repeat(50_001) + "\":1,\"level\":\"long name\"}",
        // whitespace Jackson does not take
        "\u000b{\"level\":\"x\"}", "{\"level\":\"x\"}\u000c", "\u00a0{\"level\":\"x\"}", "\ufeff{\"level\":\"x\"}",
        "{\"level\"\u00a0:\"x\"}", "/*c*/{\"level\":\"x\"}", "# c\n{\"level\":\"x\"}", "{\"level\":\"x\"}//c");
    compared = 0;
    for (String line : lines) assertSameOutcome(line);
    assertThat(compared).isEqualTo(lines.size());
  }

  @Test
  void numbersTooLongToWriteOutAreMalformedOnEveryPathNotACrash() {
    JsonStage tree = new JsonStage(CONFIG, JsonStage.Path.TREE);
    for (String line : List.of("{\"level\":1e99999999999}", "{\"level\":1e2147483647}", "{\"level\":1e-2147483647}",
        "{\"level\":1e2147483648}", "{\"level\":1000e2147483647}", "{\"level\":1e1000}", "{\"level\":1e-999}")) {
      for (JsonStage stage : List.of(FAST, STREAMING, tree)) {
        assertThat(outcome(stage, line)).as(line).containsEntry("(dropped)", "malformed_json");
      }
    }
    // Up to 1000 characters a number is written out in full, as before.
    for (String line : List.of("{\"level\":1e998}", "{\"level\":-1.5e-990}")) {
      for (JsonStage stage : List.of(FAST, STREAMING, tree)) {
        assertThat(outcome(stage, line).get("level")).as(line).hasSizeGreaterThan(990);
      }
    }
    // An unwanted number is never converted by the streaming paths; the tree converts every one.
    String unwanted = "{\"other\":1e99999999999,\"level\":\"x\"}";
    assertThat(outcome(FAST, unwanted)).containsEntry("level", "x");
    assertThat(outcome(STREAMING, unwanted)).containsEntry("level", "x");
    assertThat(outcome(tree, unwanted)).containsEntry("(dropped)", "malformed_json");
  }

  @Test
  void precheckOnlyRejectsWhatJacksonRejects() {
    for (String line : List.of("", "  ", "x", " [1]", "panic: boom", "\"s\"", "1", "\u0001{}", "\t\n\r")) {
      assertThat(JsonStage.mayBeObject(line)).as(line).isFalse();
      assertThat(outcome(STREAMING, line)).as(line).containsEntry("(dropped)", "malformed_json");
    }
    for (String line : List.of("{", " {", "\n\t{}", "é", "\ufeff{}", "/*x*/{}", "#x\n{}")) {
      assertThat(JsonStage.mayBeObject(line)).as(line).isTrue();
    }
  }

  // ---------------------------------------------------------------- generators

  private static String object(Random rnd, int depth) {
    StringBuilder sb = new StringBuilder();
    ws(rnd, sb);
    sb.append('{');
    int fields = rnd.nextInt(depth == 0 ? 14 : 4);
    for (int f = 0; f < fields; f++) {
      if (f > 0) sb.append(',');
      ws(rnd, sb);
      sb.append(string(rnd, name(rnd)));
      ws(rnd, sb);
      sb.append(':');
      ws(rnd, sb);
      sb.append(value(rnd, depth));
      ws(rnd, sb);
    }
    sb.append('}');
    ws(rnd, sb);
    return sb.toString();
  }

  private static String name(Random rnd) {
    int r = rnd.nextInt(10);
    if (r < 6) return WANTED.get(rnd.nextInt(WANTED.size()));
    if (r < 9) return OTHER.get(rnd.nextInt(OTHER.size()));
    return text(rnd);
  }

  private static String value(Random rnd, int depth) {
    switch (rnd.nextInt(depth > 3 ? 9 : 11)) {
      case 0, 1, 2, 3:
        return string(rnd, text(rnd));
      case 4:
        return number(rnd);
      case 5:
        return rnd.nextBoolean() ? "true" : "false";
      case 6:
        return "null";
      case 7:
        return string(rnd, "2024-05-01T10:00:" + rnd.nextInt(60) + "." + rnd.nextInt(1_000_000) + "Z");
      case 8:
        return string(rnd, "");
      case 9: {
        StringBuilder sb = new StringBuilder("[");
        int n = rnd.nextInt(4);
        for (int k = 0; k < n; k++) {
          if (k > 0) sb.append(',');
          ws(rnd, sb);
          sb.append(value(rnd, depth + 1));
        }
        return sb.append(']').toString();
      }
      default:
        return object(rnd, depth + 1);
    }
  }

  private static String number(Random rnd) {
    StringBuilder sb = new StringBuilder();
    if (rnd.nextInt(4) == 0) sb.append('-');
    if (rnd.nextInt(5) == 0) {
      sb.append('0');
    } else {
      sb.append((char) ('1' + rnd.nextInt(9)));
      int digits = rnd.nextInt(rnd.nextInt(10) == 0 ? 30 : 6);
      for (int k = 0; k < digits; k++) sb.append((char) ('0' + rnd.nextInt(10)));
    }
    if (rnd.nextInt(3) == 0) {
      sb.append('.');
      int digits = 1 + rnd.nextInt(5);
      for (int k = 0; k < digits; k++) sb.append(rnd.nextInt(3) == 0 ? '0' : (char) ('0' + rnd.nextInt(10)));
    }
    if (rnd.nextInt(6) == 0) {
      sb.append(rnd.nextBoolean() ? 'e' : 'E');
      if (rnd.nextBoolean()) sb.append(rnd.nextBoolean() ? '+' : '-');
      sb.append(rnd.nextInt(30));
    }
    return sb.toString();
  }

  private static final String[] PIECES = {"a", "b", "z", "0", "9", " ", "-", "_", ".", ":", "/", "é", "€", "😀", "{", "}", "[",
      "]", ",", "\u007f", "\u00a0"};

  private static String text(Random rnd) {
    StringBuilder sb = new StringBuilder();
    int n = rnd.nextInt(12);
    for (int k = 0; k < n; k++) sb.append(PIECES[rnd.nextInt(PIECES.length)]);
    return sb.toString();
  }

  /** {@code s} as a JSON string literal, with a random choice of escapes. */
  private static String string(Random rnd, String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      int r = rnd.nextInt(20);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (r == 0) {
        sb.append(String.format("\\u%04x", (int) c));
      } else if (r == 1) {
        sb.append(String.format("\\u%04X", (int) c));
      } else if (r == 2 && c == '/') {
        sb.append("\\/");
      } else {
        sb.append(c);
      }
    }
    if (rnd.nextInt(15) == 0) sb.append(new String[] {"\\n", "\\t", "\\\"", "\\\\", "\\b", "\\f", "\\r"}[rnd.nextInt(7)]);
    return sb.append('"').toString();
  }

  private static void ws(Random rnd, StringBuilder sb) {
    if (rnd.nextInt(4) != 0) return;
    int n = 1 + rnd.nextInt(2);
    for (int k = 0; k < n; k++) sb.append(" \t\n\r".charAt(rnd.nextInt(4)));
  }

  private static final String NOISE = "{}[]:,\"\\ \t0123456789-+.eEtrufalsn\u0000\u0001\u000b\u00a0é";

  /** One to three random edits: delete, insert, replace, truncate, or append something. */
  private static String mutate(Random rnd, String line) {
    StringBuilder sb = new StringBuilder(line);
    int edits = 1 + rnd.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = sb.length() == 0 ? 0 : rnd.nextInt(sb.length());
      switch (rnd.nextInt(6)) {
        case 0 -> {
          if (sb.length() > 0) sb.deleteCharAt(at);
        }
        case 1 -> sb.insert(at, NOISE.charAt(rnd.nextInt(NOISE.length())));
        case 2 -> {
          if (sb.length() > 0) sb.setCharAt(at, NOISE.charAt(rnd.nextInt(NOISE.length())));
        }
        case 3 -> sb.setLength(at);
        case 4 -> sb.append(new String[] {" {}", "x", " ", "\n", ",", "}", "\u0000"}[rnd.nextInt(7)]);
        default -> { } // unchanged: some lines stay valid
      }
    }
    return sb.toString();
  }
}
