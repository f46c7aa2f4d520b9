package io.mpac.collector.processor.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LokiEntry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each stage on its own (and a few together), with configs built directly. */
class StagesTest {

  private static final long T0 = 1_714_557_600_000_000_000L; // 2024-05-01T10:00:00Z
  private static final StageContext CTX = new StageContext(Clock.fixed(Instant.ofEpochSecond(1_714_557_600L), ZoneOffset.UTC));

  private static LokiProcessor.Result run(LokiEntry in, StageConfig... stages) {
    return new LokiProcessor(List.of(stages), CTX).process(in);
  }

  private static LokiEntry entry(String line, String... labels) {
    return new LokiEntry(Labels.of(labels), T0, line);
  }

  private static JsonStage.Config json(String... keyExpr) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keyExpr.length; i += 2) m.put(keyExpr[i], keyExpr[i + 1]);
    return new JsonStage.Config(m, "", false);
  }

  private static LabelsStage.Config labels(String... nameKey) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < nameKey.length; i += 2) m.put(nameKey[i], nameKey[i + 1]);
    return new LabelsStage.Config(m);
  }

  @Test
  void jsonExtractsFieldsNestedQuotedAndIndexedPaths() {
    LokiProcessor.Result r = run(entry("{\"level\":\"info\",\"user\":{\"id\":42,\"tags\":[\"a\",\"b\"]},"
            + "\"user-agent\":\"curl\",\"ok\":true,\"ratio\":1.50,\"nothing\":null}"),
        json("level", "", "uid", "user.id", "ua", "\"user-agent\"", "first", "user.tags[0]", "tags", "user.tags",
            "ok", "", "ratio", "", "nothing", "", "missing", "no.such.path"),
        labels("level", "", "uid", "", "ua", "", "first", "", "tags", "", "ok", "", "ratio", "", "nothing", "",
            "missing", ""));
    assertThat(r.entry().labels().toMap()).containsExactlyInAnyOrderEntriesOf(Map.of(
        "level", "info", "uid", "42", "ua", "curl", "first", "a", "tags", "[\"a\",\"b\"]",
        "ok", "true", "ratio", "1.5"));
  }

  @Test
  void jsonPassesMalformedLinesUnlessToldToDropThem() {
    LokiEntry bad = entry("not json {");
    assertThat(run(bad, json("level", ""), labels("level", "")).entry()).isEqualTo(bad);
    assertThat(run(entry("[1,2]"), json("level", "")).entry()).as("not an object: passes").isNotNull();
    assertThat(run(entry("{\"a\":1} trailing"), new JsonStage.Config(Map.of("a", ""), "", true)).dropReason())
        .isEqualTo("malformed_json");
    assertThat(run(bad, new JsonStage.Config(Map.of("level", ""), "", true)).dropReason()).isEqualTo("malformed_json");
  }

  @Test
  void jsonCanParseAnExtractedValue() {
    LokiProcessor.Result r = run(entry("{\"msg\":\"{\\\"inner\\\":\\\"x\\\"}\"}"),
        json("msg", ""), new JsonStage.Config(Map.of("inner", ""), "msg", false), labels("inner", ""));
    assertThat(r.entry().labels().get("inner")).isEqualTo("x");
  }

  @Test
  void jsonRejectsBadExpressions() {
    assertThatThrownBy(() -> json("x", "a[")).hasMessageContaining("invalid JMESPath expression");
    assertThatThrownBy(() -> new JsonStage.Config(Map.of(), "", false)).hasMessageContaining("at least one expression");
  }

  @Test
  void structuredMetadataTakesExtractedValuesAndRemovesSameNamedLabels() {
    LokiProcessor.Result r = run(entry("{\"trace_id\":\"abc\",\"span_id\":\"\",\"store_id\":7}", "trace_id", "old", "app", "api"),
        json("trace_id", "", "span_id", "", "store_id", ""),
        new StructuredMetadataStage.Config(Map.of("trace_id", "", "span_id", "", "store", "store_id")));
    assertThat(r.entry().structuredMetadata()).containsExactlyInAnyOrderEntriesOf(Map.of("trace_id", "abc", "store", "7"));
    assertThat(r.entry().labels()).isEqualTo(Labels.of("app", "api"));
  }

  @Test
  void staticLabelsLabelDropAndLabelKeep() {
    LokiEntry in = entry("x", "app", "api", "filename", "/var/log/x", "stream", "stdout");
    assertThat(run(in, new StaticLabelsStage.Config(Map.of("platform", "payments", "app", "override"))).entry().labels())
        .isEqualTo(Labels.of("app", "override", "filename", "/var/log/x", "platform", "payments", "stream", "stdout"));
    assertThat(run(in, new LabelDropStage.Config(List.of("filename", "absent"))).entry().labels())
        .isEqualTo(Labels.of("app", "api", "stream", "stdout"));
    assertThat(run(in, new LabelKeepStage.Config(List.of("app"))).entry().labels()).isEqualTo(Labels.of("app", "api"));
    assertThatThrownBy(() -> new StaticLabelsStage.Config(Map.of("bad-name", "x"))).hasMessageContaining("not a valid label name");
  }

  @Test
  void outputReplacesTheLine() {
    assertThat(run(entry("{\"msg\":\"hello\"}"), json("msg", ""), new OutputStage.Config("msg")).entry().line())
        .isEqualTo("hello");
    assertThat(run(entry("{\"x\":1}"), json("x", ""), new OutputStage.Config("msg")).entry().line())
        .as("absent source leaves the line").isEqualTo("{\"x\":1}");
  }

  @Test
  void timestampParsesOrSkipsOrFudges() {
    TimestampStage.Config skip = new TimestampStage.Config("ts", "RFC3339Nano", List.of(), null, TimestampStage.OnFailure.SKIP);
    assertThat(run(entry("{\"ts\":\"2024-05-01T10:00:05.5Z\"}"), json("ts", ""), skip).entry().timestampNanos())
        .isEqualTo(T0 + 5_500_000_000L);
    assertThat(run(entry("{\"ts\":\"yesterday\"}"), json("ts", ""), skip).entry().timestampNanos()).isEqualTo(T0);
    assertThat(run(entry("{}"), json("ts", ""), skip).entry().timestampNanos()).as("absent source").isEqualTo(T0);

    TimestampStage.Config fallback = new TimestampStage.Config("ts", "RFC3339", List.of("UnixMs", "02 Jan 06 15:04 MST"),
        null, TimestampStage.OnFailure.SKIP);
    assertThat(run(entry("{\"ts\":1714557601000}"), json("ts", ""), fallback).entry().timestampNanos())
        .isEqualTo(T0 + 1_000_000_000L);
    assertThat(run(entry("{\"ts\":\"01 May 24 10:02 UTC\"}"), json("ts", ""), fallback).entry().timestampNanos())
        .isEqualTo(T0 + 120_000_000_000L);

    TimestampStage.Config fudge = new TimestampStage.Config("ts", "RFC3339", List.of(), null, TimestampStage.OnFailure.FUDGE);
    LokiProcessor p = new LokiProcessor(List.of(json("ts", ""), fudge), CTX);
    assertThat(p.process(entry("{\"ts\":\"bad\"}", "app", "a")).entry().timestampNanos())
        .as("no earlier time for the stream: unchanged").isEqualTo(T0);
    assertThat(p.process(entry("{\"ts\":\"2024-05-01T11:00:00Z\"}", "app", "a")).entry().timestampNanos())
        .isEqualTo(T0 + 3_600_000_000_000L);
    assertThat(p.process(entry("{\"ts\":\"bad\"}", "app", "a")).entry().timestampNanos()).isEqualTo(T0 + 3_600_000_000_001L);
    assertThat(p.process(entry("{\"ts\":\"bad\"}", "app", "a")).entry().timestampNanos()).isEqualTo(T0 + 3_600_000_000_002L);
    assertThat(p.process(entry("{\"ts\":\"bad\"}", "app", "other")).entry().timestampNanos()).isEqualTo(T0);
  }

  @Test
  void timestampRejectsBadConfig() {
    assertThatThrownBy(() -> new TimestampStage.Config("ts", "yyyy", List.of(), null, TimestampStage.OnFailure.SKIP))
        .hasMessageContaining("not a Go time layout");
    assertThatThrownBy(() -> new TimestampStage.Config("", "RFC3339", List.of(), null, TimestampStage.OnFailure.SKIP))
        .hasMessageContaining("needs a source");
  }

  @Test
  void dropOnLineExpressionValueAndSources() {
    DropStage.Config health = new DropStage.Config("", ";", "\"path\":\"/(health|ready)z?\"", null, null, 0, "healthcheck");
    assertThat(run(entry("{\"path\":\"/healthz\"}"), health).dropReason()).isEqualTo("healthcheck");
    assertThat(run(entry("{\"path\":\"/ready\"}"), health).dropReason()).isEqualTo("healthcheck");
    assertThat(run(entry("{\"path\":\"/orders\"}"), health).entry()).isNotNull();

    // source = "level,app", separator = "|", value = "debug|api": the joined values must equal value
    DropStage.Config byValue = new DropStage.Config("level,app", "|", null, "debug|api", null, 0, null);
    assertThat(run(entry("{\"level\":\"debug\",\"app\":\"api\"}"), json("level", "", "app", ""), byValue).dropReason())
        .isEqualTo("drop_stage");
    assertThat(run(entry("{\"level\":\"debug\"}"), json("level", "", "app", ""), byValue).entry())
        .as("a missing source never drops").isNotNull();

    DropStage.Config present = new DropStage.Config("secret", ";", null, null, null, 0, null);
    assertThat(run(entry("{\"secret\":\"x\"}"), json("secret", ""), present).dropReason()).isEqualTo("drop_stage");
    assertThat(run(entry("{}"), json("secret", ""), present).entry()).isNotNull();
  }

  @Test
  void dropOlderThanAndLongerThanAreAnded() {
    DropStage.Config old = new DropStage.Config("", ";", null, null, Duration.ofHours(1), 0, "too_old");
    assertThat(run(new LokiEntry(Labels.EMPTY, T0 - Duration.ofHours(2).toNanos(), "x"), old).dropReason()).isEqualTo("too_old");
    assertThat(run(new LokiEntry(Labels.EMPTY, T0 - Duration.ofMinutes(2).toNanos(), "x"), old).entry()).isNotNull();

    DropStage.Config longOld = new DropStage.Config("", ";", null, null, Duration.ofHours(1), 5, "long_and_old");
    assertThat(run(new LokiEntry(Labels.EMPTY, T0 - Duration.ofHours(2).toNanos(), "123456"), longOld).dropReason())
        .isEqualTo("long_and_old");
    assertThat(run(new LokiEntry(Labels.EMPTY, T0 - Duration.ofHours(2).toNanos(), "12345"), longOld).entry()).isNotNull();
    assertThat(run(new LokiEntry(Labels.EMPTY, T0, "123456"), longOld).entry()).isNotNull();
    assertThat(run(entry("ééé"), new DropStage.Config("", ";", null, null, null, 5, null)).dropReason())
        .as("length in UTF-8 bytes").isEqualTo("drop_stage");
  }

  @Test
  void dropNeedsAConditionAndAValidRegex() {
    assertThatThrownBy(() -> new DropStage.Config("", ";", null, null, null, 0, null)).hasMessageContaining("at least one of");
    assertThatThrownBy(() -> new DropStage.Config("", ";", "(", null, null, 0, null)).hasMessageContaining("invalid regex");
    assertThatThrownBy(() -> new DropStage.Config("", ";", "a", "b", null, 0, null)).hasMessageContaining("cannot both");
  }

  @Test
  void matchRunsNestedStagesOrDrops() {
    MatchStage.Config keep = new MatchStage.Config("{app=\"api\"}", MatchStage.Action.KEEP, "", null,
        List.of(new StaticLabelsStage.Config(Map.of("team", "payments"))));
    assertThat(run(entry("x", "app", "api"), keep).entry().labels().get("team")).isEqualTo("payments");
    assertThat(run(entry("x", "app", "web"), keep).entry().labels().get("team")).isNull();

    MatchStage.Config drop = new MatchStage.Config("{app=\"api\"} |= \"debug\"", MatchStage.Action.DROP, "", "noisy", List.of());
    assertThat(run(entry("a debug line", "app", "api"), drop).dropReason()).isEqualTo("noisy");
    assertThat(run(entry("an info line", "app", "api"), drop).entry()).isNotNull();
    MatchStage.Config dropDefault = new MatchStage.Config("{app=\"api\"}", MatchStage.Action.DROP, "", null, List.of());
    assertThat(run(entry("x", "app", "api"), dropDefault).dropReason()).isEqualTo("match_stage");

    MatchStage.Config nestedDrop = new MatchStage.Config("{app=\"api\"}", MatchStage.Action.KEEP, "", null,
        List.of(new DropStage.Config("", ";", "secret", null, null, 0, "secret")));
    assertThat(run(entry("a secret", "app", "api"), nestedDrop).dropReason()).isEqualTo("secret");
    assertThatThrownBy(() -> new MatchStage.Config("{app=\"api\"}", MatchStage.Action.DROP, "", null,
        List.of(new LabelDropStage.Config(List.of("x"))))).hasMessageContaining("cannot have nested stages");
  }

  @Test
  void stagesSeeWhatEarlierStagesDid() {
    MatchStage.Config onLevel = new MatchStage.Config("{level=\"debug\"}", MatchStage.Action.DROP, "", "debug", List.of());
    assertThat(run(entry("{\"level\":\"debug\"}"), json("level", ""), labels("level", ""), onLevel).dropReason()).isEqualTo("debug");
    assertThat(run(entry("{\"level\":\"info\"}"), json("level", ""), labels("level", ""), onLevel).entry().labels())
        .isEqualTo(Labels.of("level", "info"));
  }
}
