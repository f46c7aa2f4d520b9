package io.mpac.collector.processor.loki;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Schema.BlockSpec.Cardinality;
import io.mpac.collector.config.syntax.ConfigException;
import io.mpac.collector.config.syntax.Diagnostic;
import io.mpac.collector.relabel.Relabeler;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The stages {@code loki.process} knows. A new stage is one class (its config record, its
 * {@link StageType} and the stage itself) plus one line in {@link #ALL}; the schema and the decoder
 * are both read from that list.
 */
final class Stages {

  /** How deep {@code stage.match} blocks may nest. */
  static final int MAX_MATCH_DEPTH = 4;

  /** Every stage, in the order the configuration reference lists them. */
  static final List<StageType> ALL = List.of(
      JsonStage.TYPE,
      LabelsStage.TYPE,
      StructuredMetadataStage.TYPE,
      StaticLabelsStage.TYPE,
      LabelDropStage.TYPE,
      LabelKeepStage.TYPE,
      OutputStage.TYPE,
      TimestampStage.TYPE,
      DropStage.TYPE,
      MatchStage.TYPE);

  private static final Map<String, StageType> BY_NAME = byName(ALL);

  private Stages() {}

  static Map<String, StageType> byName(List<StageType> types) {
    Map<String, StageType> m = new LinkedHashMap<>();
    for (StageType t : types) {
      if (!t.blockName().startsWith("stage.")) {
        throw new IllegalStateException("stage block names start with \"stage.\": " + t.blockName());
      }
      if (m.putIfAbsent(t.blockName(), t) != null) {
        throw new IllegalStateException("two stages named " + t.blockName());
      }
    }
    return Map.copyOf(m);
  }

  /** Adds every stage's block, as allowed {@code depth} {@code stage.match} blocks deep, to {@code b}. */
  static Schema.Builder addBlocks(Schema.Builder b, int depth) {
    for (StageType t : ALL) {
      Schema s = t.schema().at(depth);
      if (s != null) b.block(t.blockName(), s, Cardinality.REPEATED, t.doc());
    }
    return b;
  }

  /** Decodes the stage blocks among {@code parent}'s children, in file order, with every error. */
  static List<StageConfig> fromChildren(Args parent) throws ConfigException {
    List<StageConfig> out = new ArrayList<>();
    List<Diagnostic> errors = new ArrayList<>();
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
  static StageConfig from(Args block) throws ConfigException {
    StageType type = BY_NAME.get(block.name());
    if (type == null) throw new ConfigException(block.position(), "unsupported stage " + block.name());
    return type.decoder().decode(block);
  }

  /**
   * Runs {@code decode}; a rule it breaks ({@link IllegalArgumentException}, or a bad time zone or
   * layout) becomes a config error at {@code attribute} (at the block when null).
   */
  static <T> T blaming(Args block, String attribute, Supplier<T> decode) throws ConfigException {
    try {
      return decode.get();
    } catch (IllegalArgumentException | DateTimeException e) {
      throw new ConfigException(attribute == null ? block.position() : block.positionOf(attribute),
          block.name() + ": " + e.getMessage());
    }
  }

  static void requireLabelName(String name) {
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
