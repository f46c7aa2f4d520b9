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

  private static StageConfig.Json json(String... keyExpr) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < keyExpr.length; i += 2) m.put(keyExpr[i], keyExpr[i + 1]);
    return new StageConfig.Json(m, "", false);
  }

  private static StageConfig.LabelsFromExtracted labels(String... nameKey) {
    Map<String, String> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < nameKey.length; i += 2) m.put(nameKey[i], nameKey[i + 1]);
    return new StageConfig.LabelsFromExtracted(m);
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
    assertThat(run(entry("{\"a\":1} trailing"), new StageConfig.Json(Map.of("a", ""), "", true)).dropReason())
        .isEqualTo("malformed_json");
    assertThat(run(bad, new StageConfig.Json(Map.of("level", ""), "", true)).dropReason()).isEqualTo("malformed_json");
  }

  @Test
  void jsonCanParseAnExtractedValue() {
    LokiProcessor.Result r = run(entry("{\"msg\":\"{\\\"inner\\\":\\\"x\\\"}\"}"),
        json("msg", ""), new StageConfig.Json(Map.of("inner", ""), "msg", false), labels("inner", ""));
    assertThat(r.entry().labels().get("inner")).isEqualTo("x");
  }

  @Test
  void jsonRejectsBadExpressions() {
    assertThatThrownBy(() -> json("x", "a[")).hasMessageContaining("invalid JMESPath expression");
    assertThatThrownBy(() -> new StageConfig.Json(Map.of(), "", false)).hasMessageContaining("at least one expression");
  }

  @Test
  void structuredMetadataTakesExtractedValuesAndRemovesSameNamedLabels() {
    LokiProcessor.Result r = run(entry("{\"trace_id\":\"abc\",\"span_id\":\"\",\"store_id\":7}", "trace_id", "old", "app", "api"),
        json("trace_id", "", "span_id", "", "store_id", ""),
        new StageConfig.StructuredMetadata(Map.of("trace_id", "", "span_id", "", "store", "store_id")));
    assertThat(r.entry().structuredMetadata()).containsExactlyInAnyOrderEntriesOf(Map.of("trace_id", "abc", "store", "7"));
    assertThat(r.entry().labels()).isEqualTo(Labels.of("app", "api"));
  }

  @Test
  void staticLabelsLabelDropAndLabelKeep() {
    LokiEntry in = entry("x", "app", "api", "filename", "/var/log/x", "stream", "stdout");
    assertThat(run(in, new StageConfig.StaticLabels(Map.of("platform", "payments", "app", "override"))).entry().labels())
        .isEqualTo(Labels.of("app", "override", "filename", "/var/log/x", "platform", "payments", "stream", "stdout"));
    assertThat(run(in, new StageConfig.LabelDrop(List.of("filename", "absent"))).entry().labels())
        .isEqualTo(Labels.of("app", "api", "stream", "stdout"));
    assertThat(run(in, new StageConfig.LabelKeep(List.of("app"))).entry().labels()).isEqualTo(Labels.of("app", "api"));
    assertThatThrownBy(() -> new StageConfig.StaticLabels(Map.of("bad-name", "x"))).hasMessageContaining("not a valid label name");
  }

  @Test
  void outputReplacesTheLine() {
    assertThat(run(entry("{\"msg\":\"hello\"}"), json("msg", ""), new StageConfig.Output("msg")).entry().line())
        .isEqualTo("hello");
    assertThat(run(entry("{\"x\":1}"), json("x", ""), new StageConfig.Output("msg")).entry().line())
        .as("absent source leaves the line").isEqualTo("{\"x\":1}");
  }

  @Test
  void timestampParsesOrSkipsOrFudges() {
    StageConfig.Timestamp skip = new StageConfig.Timestamp("ts", "RFC3339Nano", List.of(), null, StageConfig.OnFailure.SKIP);
    assertThat(run(entry("{\"ts\":\"2024-05-01T10:00:05.5Z\"}"), json("ts", ""), skip).entry().timestampNanos())
        .isEqualTo(T0 + 5_500_000_000L);
    assertThat(run(entry("{\"ts\":\"yesterday\"}"), json("ts", ""), skip).entry().timestampNanos()).isEqualTo(T0);
    assertThat(run(entry("{}"), json("ts", ""), skip).entry().timestampNanos()).as("absent source").isEqualTo(T0);

    StageConfig.Timestamp fallback = new StageConfig.Timestamp("ts", "RFC3339", List.of("UnixMs", "02 Jan 06 15:04 MST"),
        null, StageConfig.OnFailure.SKIP);
    assertThat(run(entry("{\"ts\":1714557601000}"), json("ts", ""), fallback).entry().timestampNanos())
        .isEqualTo(T0 + 1_000_000_000L);
    assertThat(run(entry("{\"ts\":\"01 May 24 10:02 UTC\"}"), json("ts", ""), fallback).entry().timestampNanos())
        .isEqualTo(T0 + 120_000_000_000L);

    StageConfig.Timestamp fudge = new StageConfig.Timestamp("ts", "RFC3339", List.of(), null, StageConfig.OnFailure.FUDGE);
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
    assertThatThrownBy(() -> new StageConfig.Timestamp("ts", "yyyy", List.of(), null, StageConfig.OnFailure.SKIP))
        .hasMessageContaining("not a Go time layout");
    assertThatThrownBy(() -> new StageConfig.Timestamp("", "RFC3339", List.of(), null, StageConfig.OnFailure.SKIP))
        .hasMessageContaining("needs a source");
  }

  @Test
  void dropOnLineExpressionValueAndSources() {
    StageConfig.Drop health = new StageConfig.Drop("", ";", "\"path\":\"/(health|ready)z?\"", null, null, 0, "healthcheck");
    assertThat(run(entry("{\"path\":\"/healthz\"}"), health).dropReason()).isEqualTo("healthcheck");
    assertThat(run(entry("{\"path\":\"/ready\"}"), health).dropReason()).isEqualTo("healthcheck");
    assertThat(run(entry("{\"path\":\"/orders\"}"), health).entry()).isNotNull();

    // source = "level,app", separator = "|", value = "debug|api": the joined values must equal value
    StageConfig.Drop byValue = new StageConfig.Drop("level,app", "|", null, "debug|api", null, 0, null);
    assertThat(run(entry("{\"level\":\"debug\",\"app\":\"api\"}"), json("level", "", "app", ""), byValue).dropReason())
        .isEqualTo("drop_stage");
    assertThat(run(entry("{\"level\":\"debug\"}"), json("level", "", "app", ""), byValue).entry())
        .as("a missing source never drops").isNotNull();

    StageConfig.Drop present = new StageConfig.Drop("secret", ";", null, null, null, 0, null);
    assertThat(run(entry("{\"secret\":\"x\"}"), json("secret", ""), present).dropReason()).isEqualTo("drop_stage");
    assertThat(run(entry("{}"), json("secret", ""), present).entry()).isNotNull();
  }

  @Test
  void dropOlderThanAndLongerThanAreAnded() {
    StageConfig.Drop old = new StageConfig.Drop("", ";", null, null, Duration.ofHours(1), 0, "too_old");
    assertThat(run(new LokiEntry(Labels.EMPTY, T0 - Duration.ofHours(2).toNanos(), "x"), old).dropReason()).isEqualTo("too_old");
    assertThat(run(new LokiEntry(Labels.EMPTY, T0 - Duration.ofMinutes(2).toNanos(), "x"), old).entry()).isNotNull();

    StageConfig.Drop longOld = new StageConfig.Drop("", ";", null, null, Duration.ofHours(1), 5, "long_and_old");
    assertThat(run(new LokiEntry(Labels.EMPTY, T0 - Duration.ofHours(2).toNanos(), "123456"), longOld).dropReason())
        .isEqualTo("long_and_old");
    assertThat(run(new LokiEntry(Labels.EMPTY, T0 - Duration.ofHours(2).toNanos(), "12345"), longOld).entry()).isNotNull();
    assertThat(run(new LokiEntry(Labels.EMPTY, T0, "123456"), longOld).entry()).isNotNull();
    assertThat(run(entry("ééé"), new StageConfig.Drop("", ";", null, null, null, 5, null)).dropReason())
        .as("length in UTF-8 bytes").isEqualTo("drop_stage");
  }

  @Test
  void dropNeedsAConditionAndAValidRegex() {
    assertThatThrownBy(() -> new StageConfig.Drop("", ";", null, null, null, 0, null)).hasMessageContaining("at least one of");
    assertThatThrownBy(() -> new StageConfig.Drop("", ";", "(", null, null, 0, null)).hasMessageContaining("invalid regex");
    assertThatThrownBy(() -> new StageConfig.Drop("", ";", "a", "b", null, 0, null)).hasMessageContaining("cannot both");
  }

  @Test
  void matchRunsNestedStagesOrDrops() {
    StageConfig.Match keep = new StageConfig.Match("{app=\"api\"}", StageConfig.MatchAction.KEEP, "", null,
        List.of(new StageConfig.StaticLabels(Map.of("team", "payments"))));
    assertThat(run(entry("x", "app", "api"), keep).entry().labels().get("team")).isEqualTo("payments");
    assertThat(run(entry("x", "app", "web"), keep).entry().labels().get("team")).isNull();

    StageConfig.Match drop = new StageConfig.Match("{app=\"api\"} |= \"debug\"", StageConfig.MatchAction.DROP, "", "noisy", List.of());
    assertThat(run(entry("a debug line", "app", "api"), drop).dropReason()).isEqualTo("noisy");
    assertThat(run(entry("an info line", "app", "api"), drop).entry()).isNotNull();
    StageConfig.Match dropDefault = new StageConfig.Match("{app=\"api\"}", StageConfig.MatchAction.DROP, "", null, List.of());
    assertThat(run(entry("x", "app", "api"), dropDefault).dropReason()).isEqualTo("match_stage");

    StageConfig.Match nestedDrop = new StageConfig.Match("{app=\"api\"}", StageConfig.MatchAction.KEEP, "", null,
        List.of(new StageConfig.Drop("", ";", "secret", null, null, 0, "secret")));
    assertThat(run(entry("a secret", "app", "api"), nestedDrop).dropReason()).isEqualTo("secret");
    assertThatThrownBy(() -> new StageConfig.Match("{app=\"api\"}", StageConfig.MatchAction.DROP, "", null,
        List.of(new StageConfig.LabelDrop(List.of("x"))))).hasMessageContaining("cannot have nested stages");
  }

  @Test
  void stagesSeeWhatEarlierStagesDid() {
    StageConfig.Match onLevel = new StageConfig.Match("{level=\"debug\"}", StageConfig.MatchAction.DROP, "", "debug", List.of());
    assertThat(run(entry("{\"level\":\"debug\"}"), json("level", ""), labels("level", ""), onLevel).dropReason()).isEqualTo("debug");
    assertThat(run(entry("{\"level\":\"info\"}"), json("level", ""), labels("level", ""), onLevel).entry().labels())
        .isEqualTo(Labels.of("level", "info"));
  }
}
