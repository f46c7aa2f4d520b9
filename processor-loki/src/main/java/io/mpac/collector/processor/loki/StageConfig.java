package io.mpac.collector.processor.loki;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Schema.BlockSpec.Cardinality;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Position;
import io.mpac.collector.relabel.Relabeler;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The configuration of one {@code stage.*} block of {@code loki.process}: a record per stage with
 * the block's arguments, validated on construction (tests build them directly), decoded from
 * {@link Args} by {@link #from(Args)}.
 */
public sealed interface StageConfig {

  /** The block name, e.g. {@code stage.json}. */
  String blockName();

  /** Builds the stage. */
  Stage build(StageContext context);

  // ---------------------------------------------------------------- stage.json

  /**
   * {@code stage.json}: parses the line (or {@code extracted[source]}) as a JSON object and puts each
   * JMESPath expression's result into the extracted map under its key; an empty expression means
   * the key itself.
   */
  record Json(Map<String, String> expressions, String source, boolean dropMalformed) implements StageConfig {
    public Json {
      expressions = Map.copyOf(expressions);
      if (expressions.isEmpty()) throw new IllegalArgumentException("stage.json needs at least one expression");
      for (Map.Entry<String, String> e : expressions.entrySet()) JsonStage.compile(e.getKey(), e.getValue());
    }

    public String blockName() {
      return "stage.json";
    }

    public Stage build(StageContext c) {
      return new JsonStage(this, c);
    }
  }

  // ---------------------------------------------------------------- labels & metadata

  /** {@code stage.labels}: label name → extracted key (empty = same name). */
  record LabelsFromExtracted(Map<String, String> values) implements StageConfig {
    public LabelsFromExtracted {
      values = Map.copyOf(values);
      for (String name : values.keySet()) requireLabelName(name);
    }

    public String blockName() {
      return "stage.labels";
    }

    public Stage build(StageContext c) {
      return LabelStages.fromExtracted(values);
    }
  }

  /** {@code stage.structured_metadata}: metadata name → extracted key (empty = same name). */
  record StructuredMetadata(Map<String, String> values) implements StageConfig {
    public StructuredMetadata {
      values = Map.copyOf(values);
    }

    public String blockName() {
      return "stage.structured_metadata";
    }

    public Stage build(StageContext c) {
      return LabelStages.structuredMetadata(values);
    }
  }

  /** {@code stage.static_labels}: fixed labels. */
  record StaticLabels(Map<String, String> values) implements StageConfig {
    public StaticLabels {
      values = Map.copyOf(values);
      for (String name : values.keySet()) requireLabelName(name);
    }

    public String blockName() {
      return "stage.static_labels";
    }

    public Stage build(StageContext c) {
      return LabelStages.staticLabels(values);
    }
  }

  /** {@code stage.label_drop}: removes the named labels. */
  record LabelDrop(List<String> values) implements StageConfig {
    public LabelDrop {
      values = List.copyOf(values);
    }

    public String blockName() {
      return "stage.label_drop";
    }

    public Stage build(StageContext c) {
      return LabelStages.drop(values);
    }
  }

  /** {@code stage.label_keep}: keeps only the named labels. */
  record LabelKeep(List<String> values) implements StageConfig {
    public LabelKeep {
      values = List.copyOf(values);
    }

    public String blockName() {
      return "stage.label_keep";
    }

    public Stage build(StageContext c) {
      return LabelStages.keep(values);
    }
  }

  /** {@code stage.output}: replaces the line with {@code extracted[source]}. */
  record Output(String source) implements StageConfig {
    public Output {
      if (source == null || source.isEmpty()) throw new IllegalArgumentException("stage.output needs a source");
    }

    public String blockName() {
      return "stage.output";
    }

    public Stage build(StageContext c) {
      return LabelStages.output(source);
    }
  }

  // ---------------------------------------------------------------- stage.timestamp

  /** What {@code stage.timestamp} does when the value cannot be parsed. */
  enum OnFailure { FUDGE, SKIP }

  /**
   * {@code stage.timestamp}: sets the entry's time from {@code extracted[source]}, parsed with
   * {@code format} (a Go layout or a named format) or else the {@code fallbackFormats} in order.
   */
  record Timestamp(String source, String format, List<String> fallbackFormats, ZoneId location,
      OnFailure actionOnFailure) implements StageConfig {
    public Timestamp {
      if (source == null || source.isEmpty()) throw new IllegalArgumentException("stage.timestamp needs a source");
      if (format == null || format.isEmpty()) throw new IllegalArgumentException("stage.timestamp needs a format");
      fallbackFormats = List.copyOf(fallbackFormats);
      GoTime.parser(format, location);
      for (String f : fallbackFormats) GoTime.parser(f, location);
    }

    public String blockName() {
      return "stage.timestamp";
    }

    public Stage build(StageContext c) {
      return new TimestampStage(this);
    }
  }

  // ---------------------------------------------------------------- stage.drop

  /**
   * {@code stage.drop}: drops the entry when every condition that is set holds (several blocks act
   * as OR). {@code source} is a comma-separated list of extracted keys, joined with {@code separator}.
   */
  record Drop(String source, String separator, String expression, String value, Duration olderThan,
      long longerThan, String dropCounterReason) implements StageConfig {
    public Drop {
      if (source == null) source = "";
      if (separator == null) separator = ";";
      if (dropCounterReason == null || dropCounterReason.isEmpty()) dropCounterReason = "drop_stage";
      if (expression != null && value != null) {
        throw new IllegalArgumentException("stage.drop: expression and value cannot both be set");
      }
      if (expression != null) compileUnanchored(expression);
      if (source.isEmpty() && expression == null && value == null && olderThan == null && longerThan <= 0) {
        throw new IllegalArgumentException(
            "stage.drop needs at least one of source, expression, value, older_than, longer_than");
      }
    }

    public String blockName() {
      return "stage.drop";
    }

    public Stage build(StageContext c) {
      return new DropStage(this, c);
    }
  }

  // ---------------------------------------------------------------- stage.match

  /** What {@code stage.match} does with matching entries. */
  enum MatchAction { KEEP, DROP }

  /**
   * {@code stage.match}: runs {@code stages} on entries whose labels (and line) match {@code
   * selector}, or drops them ({@code action = "drop"}).
   */
  record Match(String selector, MatchAction action, String pipelineName, String dropCounterReason,
      List<StageConfig> stages) implements StageConfig {
    public Match {
      Selector.parse(selector);
      stages = List.copyOf(stages);
      if (dropCounterReason == null || dropCounterReason.isEmpty()) dropCounterReason = "match_stage";
      if (action == MatchAction.DROP && !stages.isEmpty()) {
        throw new IllegalArgumentException("stage.match with action \"drop\" cannot have nested stages");
      }
      if (action == MatchAction.KEEP && stages.isEmpty()) {
        throw new IllegalArgumentException("stage.match with action \"keep\" needs at least one nested stage");
      }
    }

    public String blockName() {
      return "stage.match";
    }

    public Stage build(StageContext c) {
      return new MatchStage(this, c);
    }
  }

  // ---------------------------------------------------------------- schema & decoding

  /** How deep {@code stage.match} blocks may nest. */
  int MAX_MATCH_DEPTH = 4;

  /** The stage blocks a {@code loki.process} (or a {@code stage.match}) accepts. */
  static Schema.Builder addStageBlocks(Schema.Builder b, int depth) {
    b.block("stage.json", Schema.builder()
        .optional("expressions", Types.STRING_MAP, Map.of(),
            "Extracted key = JMESPath expression; an empty expression means the key itself.")
        .optional("source", Types.STRING, "", "Extracted key to parse instead of the line.")
        .optional("drop_malformed", Types.BOOL, false, "Drop entries that are not a JSON object.")
        .build(), Cardinality.REPEATED, "Parses JSON and extracts values with JMESPath.");
    b.block("stage.labels", Schema.builder()
        .optional("values", Types.STRING_MAP, Map.of(), "Label name = extracted key (empty: same name).")
        .build(), Cardinality.REPEATED, "Sets labels from extracted values.");
    b.block("stage.structured_metadata", Schema.builder()
        .optional("values", Types.STRING_MAP, Map.of(), "Metadata name = extracted key (empty: same name).")
        .build(), Cardinality.REPEATED, "Adds extracted values to the entry's structured metadata.");
    b.block("stage.static_labels", Schema.builder()
        .optional("values", Types.STRING_MAP, Map.of(), "Labels to set.")
        .build(), Cardinality.REPEATED, "Sets fixed labels.");
    b.block("stage.label_drop", Schema.builder()
        .optional("values", Types.STRING_LIST, List.of(), "Labels to remove.")
        .build(), Cardinality.REPEATED, "Removes labels.");
    b.block("stage.label_keep", Schema.builder()
        .optional("values", Types.STRING_LIST, List.of(), "Labels to keep; all others are removed.")
        .build(), Cardinality.REPEATED, "Keeps only the named labels.");
    b.block("stage.output", Schema.builder()
        .required("source", Types.STRING, "Extracted key whose value becomes the line.")
        .build(), Cardinality.REPEATED, "Replaces the line with an extracted value.");
    b.block("stage.timestamp", Schema.builder()
        .required("source", Types.STRING, "Extracted key holding the time.")
        .required("format", Types.STRING,
            "Go reference layout (2006-01-02T15:04:05.999999999Z07:00) or a named format: ANSIC, UnixDate, RubyDate, RFC822, RFC822Z, RFC850, RFC1123, RFC1123Z, RFC3339, RFC3339Nano, Unix, UnixMs, UnixUs, UnixNs.")
        .optional("fallback_formats", Types.STRING_LIST, List.of(), "Formats tried in order when format fails.")
        .optional("location", Types.STRING, "", "IANA time zone for layouts without a zone (default UTC).")
        .optional("action_on_failure", Types.oneOf("fudge", "skip"), "fudge",
            "fudge: last timestamp of the stream + 1ns; skip: keep the entry's time.")
        .build(), Cardinality.REPEATED, "Sets the entry's timestamp from an extracted value.");
    b.block("stage.drop", Schema.builder()
        .optional("source", Types.STRING, "", "Comma-separated extracted keys to test (default: the line).")
        .optional("separator", Types.STRING, ";", "Joins the values of several sources.")
        .optional("expression", Types.STRING, null, "RE2 regular expression that must match (unanchored).")
        .optional("value", Types.STRING, null, "Exact value that must match.")
        .optional("older_than", Types.DURATION, null, "Drop entries older than this.")
        .optional("longer_than", Types.BYTES, 0L, "Drop lines longer than this many bytes.")
        .optional("drop_counter_reason", Types.STRING, "drop_stage", "The reason label of loki_process_dropped_lines_total.")
        .build(), Cardinality.REPEATED, "Drops entries matching every condition set.");
    if (depth < MAX_MATCH_DEPTH) {
      Schema.Builder match = Schema.builder()
          .required("selector", Types.STRING, "LogQL stream selector, optionally with line filters: {app=\"api\"} |= \"error\".")
          .optional("action", Types.oneOf("keep", "drop"), "keep", "keep: run the nested stages on matches; drop: drop matches.")
          .refused("pipeline_name", Types.STRING,
              "it names a nested pipeline in Alloy's debug output, which this collector does not have; remove it")
          .optional("drop_counter_reason", Types.STRING, "match_stage", "The reason label when action is drop.");
      b.block("stage.match", addStageBlocks(match, depth + 1).build(), Cardinality.REPEATED,
          "Runs nested stages on, or drops, entries matching a selector.");
    }
    return b;
  }

  /** Decodes the stage blocks among {@code parent}'s children, in file order. */
  static List<StageConfig> fromChildren(Args parent) throws ConfigException {
    List<StageConfig> out = new ArrayList<>();
    List<io.mpac.collector.config.syntax.Diagnostic> errors = new ArrayList<>();
    for (Args child : parent.children()) {
      if (!child.name().startsWith("stage.")) continue;
      try {
        out.add(from(child));
      } catch (ConfigException e) {
        errors.addAll(e.diagnostics());
      }
    }
    if (!errors.isEmpty()) throw new ConfigException(errors);
    return out;
  }

  /** Decodes one {@code stage.*} block. */
  static StageConfig from(Args a) throws ConfigException {
    String attr = null;
    try {
      switch (a.name()) {
        case "stage.json":
          attr = "expressions";
          return new Json(a.map("expressions"), a.string("source"), a.bool("drop_malformed"));
        case "stage.labels":
          attr = "values";
          return new LabelsFromExtracted(a.map("values"));
        case "stage.structured_metadata":
          attr = "values";
          return new StructuredMetadata(a.map("values"));
        case "stage.static_labels":
          attr = "values";
          return new StaticLabels(a.map("values"));
        case "stage.label_drop":
          attr = "values";
          return new LabelDrop(a.list("values"));
        case "stage.label_keep":
          attr = "values";
          return new LabelKeep(a.list("values"));
        case "stage.output":
          attr = "source";
          return new Output(a.string("source"));
        case "stage.timestamp": {
          attr = "location";
          String loc = a.string("location");
          ZoneId zone = loc.isEmpty() ? null : ZoneId.of(loc);
          attr = "format";
          return new Timestamp(a.string("source"), a.string("format"), a.list("fallback_formats"), zone,
              OnFailure.valueOf(a.string("action_on_failure").toUpperCase(java.util.Locale.ROOT)));
        }
        case "stage.drop":
          attr = a.isSet("expression") ? "expression" : null;
          return new Drop(a.string("source"), a.string("separator"), a.string("expression"), a.string("value"),
              a.duration("older_than"), a.bytes("longer_than"), a.string("drop_counter_reason"));
        case "stage.match":
          attr = "selector";
          List<StageConfig> nested = fromChildren(a);
          return new Match(a.string("selector"),
              MatchAction.valueOf(a.string("action").toUpperCase(java.util.Locale.ROOT)),
              "", a.string("drop_counter_reason"), nested);
        default:
          throw new ConfigException(a.position(), "unsupported stage " + a.name());
      }
    } catch (IllegalArgumentException | java.time.DateTimeException e) {
      Position p = attr == null ? a.position() : a.positionOf(attr);
      throw new ConfigException(p, a.name() + ": " + e.getMessage());
    }
  }

  private static void requireLabelName(String name) {
    if (!Relabeler.isValidLabelName(name)) {
      throw new IllegalArgumentException("\"" + name + "\" is not a valid label name");
    }
  }

  /** An RE2 pattern used as Go's regexp.MatchString does (unanchored). */
  static Pattern compileUnanchored(String regex) {
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("invalid regex \"" + regex + "\": " + e.getMessage());
    }
  }
}
