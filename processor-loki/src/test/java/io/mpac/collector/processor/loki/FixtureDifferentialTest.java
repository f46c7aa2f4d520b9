package io.mpac.collector.processor.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mpac.collector.component.ComponentId;
import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LokiEntry;
import io.mpac.collector.pipeline.ComponentRegistry;
import io.mpac.collector.pipeline.Pipeline;
import io.mpac.collector.pipeline.PipelineBuilder;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture's {@code loki.process "app_json"}, built from {@code mpac.alloy}, against a plain
 * model of the same stages made of the general paths: RE2's own unanchored search for
 * {@code stage.drop}, Jackson's streaming parser for {@code stage.json}, the general Go layout
 * parser for {@code stage.timestamp}, and sorted maps for labels and metadata. Random app lines
 * (fixed seeds) must come out with the same labels, structured metadata, timestamps and drops, also
 * when several threads push at once (each thread has its own reused entry state).
 */
class FixtureDifferentialTest {

  @TempDir Path dir;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  // ---------------------------------------------------------------- the model

  private static final List<String> IDS = List.of("trace_id", "span_id", "request_id", "corr_id", "merchant_id", "store_id");
  private static final Pattern DROP = Pattern.compile("\"path\":\"/(health|ready)z?\"");
  private static final JsonStage JSON = new JsonStage(new JsonStage.Config(jsonExpressions(), "", false),
      JsonStage.Path.STREAMING);
  private static final GoTime.Parser TIME = GoTime.layoutParser("2006-01-02T15:04:05.999999999Z07:00", ZoneOffset.UTC);

  private static Map<String, String> jsonExpressions() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("level", "");
    m.put("msg", "");
    m.put("ts", "timestamp");
    for (String id : IDS) m.put(id, "");
    return m;
  }

  /** What the fixture's stages should make of {@code in}: the entry, or null when dropped as a health check. */
  private static LokiEntry model(LokiEntry in) {
    if (DROP.matcher(in.line()).find()) return null;
    EntryState parsed = new EntryState(in);
    JSON.process(parsed);
    Map<String, String> extracted = new TreeMap<>();
    for (String key : jsonExpressions().keySet()) {
      String v = parsed.extracted.get(key);
      if (v != null) extracted.put(key, v);
    }
    long time = in.timestampNanos();
    if (extracted.containsKey("ts")) {
      try {
        time = TIME.parse(extracted.get("ts"));
      } catch (DateTimeException | ArithmeticException e) {
        // action_on_failure = "skip"
      }
    }
    TreeMap<String, String> labels = new TreeMap<>(in.labels().toMap());
    String level = extracted.get("level");
    if (level != null && !level.isEmpty()) labels.put("level", level);
    Map<String, String> metadata = new LinkedHashMap<>(in.structuredMetadata());
    for (String id : new TreeMap<>(Map.of("trace_id", "", "span_id", "", "request_id", "", "corr_id", "", "merchant_id", "",
        "store_id", "")).keySet()) {
      String v = extracted.get(id);
      if (v != null && !v.isEmpty()) {
        metadata.put(id, v);
        labels.remove(id);
      }
    }
    labels.put("platform", "payments");
    labels.remove("filename");
    return new LokiEntry(Labels.of(labels), time, in.line(), metadata);
  }

  // ---------------------------------------------------------------- tests

  private Pipeline build() throws Exception {
    return new PipelineBuilder(new PipelineBuilder.Settings(
        new ComponentRegistry(List.of(new LokiProcessFactory(), new FixtureStages.SinkFactory())), Map.of(), dir, meters))
        .build(List.of(FixtureStages.config()), null);
  }

  @Test
  void randomLinesComeOutAsTheModelSays() throws Exception {
    Pipeline p = build();
    LokiProcess process = (LokiProcess) p.node(new ComponentId("loki.process", "app_json")).component();
    FixtureStages.Sink sink = (FixtureStages.Sink) p.node(new ComponentId("test.sink", "out")).component();
    Random rnd = new Random(4);
    List<LokiEntry> expected = new ArrayList<>();
    int healthChecks = 0;
    for (int i = 0; i < 3000; ) {
      int size = 1 + rnd.nextInt(rnd.nextBoolean() ? 1 : 6);
      List<LokiEntry> batch = new ArrayList<>();
      for (int k = 0; k < size; k++, i++) {
        LokiEntry in = entry(rnd, "main");
        batch.add(in);
        LokiEntry out = model(in);
        if (out == null) {
          healthChecks++;
        } else {
          expected.add(out);
        }
      }
      process.push(List.copyOf(batch));
    }
    assertThat(sink.received).hasSameSizeAs(expected);
    for (int k = 0; k < expected.size(); k++) {
      LokiEntry e = expected.get(k);
      LokiEntry a = sink.received.get(k);
      if (!a.equals(e)) {
        assertThat(a).as("entry %d, line %s", k, e.line()).isEqualTo(e);
      }
      assertThat(a.structuredMetadata().keySet()).as("metadata order, entry %d", k)
          .containsExactlyElementsOf(e.structuredMetadata().keySet());
    }
    assertThat(healthChecks).isGreaterThan(100);
    assertThat(process.droppedLines("healthcheck")).isEqualTo(healthChecks);
  }

  @Test
  void threadsPushingAtOnceGetTheModelsResultsToo() throws Exception {
    Pipeline p = build();
    LokiProcess process = (LokiProcess) p.node(new ComponentId("loki.process", "app_json")).component();
    FixtureStages.Sink sink = (FixtureStages.Sink) p.node(new ComponentId("test.sink", "out")).component();
    int threads = 4;
    Map<String, List<LokiEntry>> expected = new TreeMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        String name = "t" + t;
        List<LokiEntry> in = new ArrayList<>();
        List<LokiEntry> out = new ArrayList<>();
        Random rnd = new Random(100 + t);
        for (int i = 0; i < 1500; i++) {
          LokiEntry e = entry(rnd, name);
          in.add(e);
          LokiEntry m = model(e);
          if (m != null) out.add(m);
        }
        expected.put(name, out);
        done.add(pool.submit(() -> {
          for (LokiEntry e : in) process.push(List.of(e));
          return null;
        }));
      }
      for (Future<?> f : done) f.get(60, TimeUnit.SECONDS);
    } finally {
      pool.shutdownNow();
    }
    Map<String, List<LokiEntry>> actual = new TreeMap<>();
    for (LokiEntry e : sink.received) actual.computeIfAbsent(e.labels().get("thread"), k -> new ArrayList<>()).add(e);
    assertThat(actual.keySet()).isEqualTo(expected.keySet());
    for (String t : expected.keySet()) {
      List<LokiEntry> a = actual.get(t);
      List<LokiEntry> e = expected.get(t);
      assertThat(a).hasSameSizeAs(e);
      for (int k = 0; k < e.size(); k++) {
        if (!a.get(k).equals(e.get(k))) assertThat(a.get(k)).as("thread %s entry %d", t, k).isEqualTo(e.get(k));
      }
    }
  }

  // ---------------------------------------------------------------- generators

  private static final String[] LEVELS = {"info", "warn", "error", "", "INFO", "de\"bug", "é", " "};
  private static final String[] PATHS = {"/healthz", "/health", "/readyz", "/ready", "/healthzz", "/v1/payments", "/v1/healthz",
      "/", "/ready/z"};

  /** A random app line with labels and (sometimes) metadata, as loki.source.docker would push it. */
  private static LokiEntry entry(Random rnd, String thread) {
    TreeMap<String, String> labels = new TreeMap<>();
    labels.put("thread", thread);
    labels.put("container", rnd.nextBoolean() ? "payments-api" : "orders-api");
    if (rnd.nextBoolean()) labels.put("stream", rnd.nextBoolean() ? "stdout" : "stderr");
    if (rnd.nextInt(3) == 0) labels.put("filename", "/var/log/app.log");
    if (rnd.nextInt(8) == 0) labels.put("level", "from-label");
    if (rnd.nextInt(8) == 0) labels.put("trace_id", "label-trace");
    if (rnd.nextInt(10) == 0) labels.put("platform", "other");
    Map<String, String> metadata = new LinkedHashMap<>();
    if (rnd.nextInt(6) == 0) metadata.put("trace_id", "old");
    if (rnd.nextInt(6) == 0) metadata.put("pod", "p-1");
    return new LokiEntry(Labels.of(labels), 1_714_557_600_000_000_000L + rnd.nextInt(1_000_000), line(rnd), metadata);
  }

  private static String line(Random rnd) {
    int kind = rnd.nextInt(20);
    if (kind == 0) return "panic: runtime error: index out of range [" + rnd.nextInt(9) + "]";
    if (kind == 1) return "{\"level\":\"info\",\"path\":\"" + PATHS[rnd.nextInt(PATHS.length)] + "\",\"status\":200}";
    if (kind == 2) return "{\"level\":\"info\",\"msg\":\"broken";
    List<String> fields = new ArrayList<>();
    if (rnd.nextInt(8) != 0) fields.add(q("timestamp") + ":" + timestamp(rnd));
    if (rnd.nextInt(8) != 0) fields.add(q("level") + ":" + q(LEVELS[rnd.nextInt(LEVELS.length)]));
    if (rnd.nextInt(4) != 0) fields.add(q("msg") + ":" + q("payment \\\"authorised\\\" \\u00e9 " + rnd.nextInt(1000)));
    for (String id : IDS) {
      int r = rnd.nextInt(12);
      if (r == 0) continue;
      String v = switch (r) {
        case 1 -> "\"\"";
        case 2 -> "null";
        case 3 -> Integer.toString(rnd.nextInt(100_000) - 50);
        case 4 -> rnd.nextInt(10) + "." + rnd.nextInt(1000) + "0";
        case 5 -> "true";
        case 6 -> "{\"nested\": [1, \"x\"]}";
        case 7 -> q(id.substring(0, 2) + "-\\u0041" + rnd.nextInt(1000));
        default -> q(id.substring(0, 2) + "-" + Long.toHexString(rnd.nextLong()));
      };
      fields.add(q(id) + (rnd.nextInt(5) == 0 ? " : " : ":") + v);
    }
    if (rnd.nextBoolean()) fields.add(q("path") + ":" + q(PATHS[rnd.nextInt(PATHS.length)]));
    if (rnd.nextBoolean()) fields.add(q("amount") + ":" + rnd.nextInt(100) + ".5");
    if (rnd.nextInt(10) == 0) fields.add(fields.get(rnd.nextInt(fields.size()))); // a duplicate key
    java.util.Collections.shuffle(fields, rnd);
    String line = "{" + String.join(rnd.nextInt(4) == 0 ? ", " : ",", fields) + "}";
    if (rnd.nextInt(25) == 0) line = line.substring(0, rnd.nextInt(line.length())); // cut short
    return line;
  }

  private static String timestamp(Random rnd) {
    return switch (rnd.nextInt(10)) {
      case 0 -> q("yesterday");
      case 1 -> Long.toString(1_714_557_600L + rnd.nextInt(100));
      case 2 -> q(String.format("2024-05-01T10:%02d:%02d+02:00", rnd.nextInt(60), rnd.nextInt(60)));
      case 3 -> q(String.format("2024-02-30T10:00:%02dZ", rnd.nextInt(60)));
      case 4 -> q(String.format("2024-05-01 10:00:%02dZ", rnd.nextInt(60)));
      default -> q(String.format("2024-05-01T10:%02d:%02d.%09dZ", rnd.nextInt(60), rnd.nextInt(60), rnd.nextInt(1_000_000_000)));
    };
  }

  private static String q(String s) {
    return "\"" + s + "\"";
  }
}
