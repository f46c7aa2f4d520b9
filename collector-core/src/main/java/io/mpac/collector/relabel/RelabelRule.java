package io.mpac.collector.relabel;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.mpac.collector.component.schema.Args;
import io.mpac.collector.component.schema.Schema;
import io.mpac.collector.component.schema.Types;
import io.mpac.collector.config.syntax.ConfigException;
import java.util.List;
import java.util.Objects;

/**
 * One Prometheus relabel rule ({@code rule { ... }} in {@code discovery.relabel}, {@code
 * relabel_configs} in Prometheus). Immutable and validated on construction.
 *
 * <p>{@code regex} is anchored at both ends and compiled with RE2 semantics ({@code ^(?s:regex)$}),
 * so {@code .} matches newlines and matching is linear-time, as in Prometheus.
 *
 * @param sourceLabels labels whose values are joined with {@code separator} to form the input
 * @param separator the join separator ({@value #DEFAULT_SEPARATOR} by default)
 * @param regex the regular expression as written ({@value #DEFAULT_REGEX} by default)
 * @param targetLabel the label written by replace, lowercase, uppercase, hashmod (a template for replace)
 * @param replacement the replace/labelmap template ({@value #DEFAULT_REPLACEMENT} by default)
 * @param action what the rule does
 * @param modulus the hashmod modulus
 */
public record RelabelRule(List<String> sourceLabels, String separator, String regex, String targetLabel,
    String replacement, RelabelAction action, long modulus) {

  public static final String DEFAULT_SEPARATOR = ";";
  public static final String DEFAULT_REGEX = "(.*)";
  public static final String DEFAULT_REPLACEMENT = "$1";

  /** The {@code rule} block, shared by {@code discovery.relabel} and later {@code prometheus.relabel}. */
  public static final Schema SCHEMA = Schema.builder()
      .optional("source_labels", Types.STRING_LIST, List.of(),
          "Labels whose values are joined with separator to form the value the regex matches.")
      .optional("separator", Types.STRING, DEFAULT_SEPARATOR, "Separator placed between source label values.")
      .optional("regex", Types.STRING, DEFAULT_REGEX,
          "RE2 regular expression, anchored at both ends, matched against the joined value (or label names for labelmap, labeldrop, labelkeep).")
      .optional("target_label", Types.STRING, "",
          "Label written by replace (may use $1, ${name}), lowercase, uppercase and hashmod; compared by keepequal and dropequal.")
      .optional("replacement", Types.STRING, DEFAULT_REPLACEMENT,
          "Value written by replace and the new label name for labelmap; $1, ${1}, $name refer to regex groups.")
      .optional("action", Types.oneOf(RelabelAction.configNames()), "replace",
          "What the rule does: replace, keep, drop, keepequal, dropequal, hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase.")
      .optional("modulus", Types.INT, 0L, "Modulus of the hashmod action (required for it).")
      .build();

  public RelabelRule {
    sourceLabels = List.copyOf(sourceLabels);
    Objects.requireNonNull(separator, "separator");
    Objects.requireNonNull(regex, "regex");
    Objects.requireNonNull(targetLabel, "targetLabel");
    Objects.requireNonNull(replacement, "replacement");
    Objects.requireNonNull(action, "action");
    compile(regex);
    switch (action) {
      case REPLACE, LOWERCASE, UPPERCASE, HASHMOD, KEEPEQUAL, DROPEQUAL -> {
        if (targetLabel.isEmpty()) {
          throw new IllegalArgumentException("relabel action " + action.configName() + " requires target_label");
        }
      }
      default -> { }
    }
    if ((action == RelabelAction.LOWERCASE || action == RelabelAction.UPPERCASE
        || action == RelabelAction.HASHMOD || action == RelabelAction.KEEPEQUAL
        || action == RelabelAction.DROPEQUAL) && !Relabeler.isValidLabelName(targetLabel)) {
      throw new IllegalArgumentException("\"" + targetLabel + "\" is not a valid label name for action "
          + action.configName());
    }
    if (action == RelabelAction.HASHMOD && modulus <= 0) {
      throw new IllegalArgumentException("relabel action hashmod requires a positive modulus");
    }
    if ((action == RelabelAction.KEEPEQUAL || action == RelabelAction.DROPEQUAL) && !DEFAULT_REGEX.equals(regex)) {
      throw new IllegalArgumentException("relabel action " + action.configName() + " does not use regex; leave it unset");
    }
    if ((action == RelabelAction.LABELDROP || action == RelabelAction.LABELKEEP)
        && (!sourceLabels.isEmpty() || !targetLabel.isEmpty() || modulus != 0
            || !DEFAULT_REPLACEMENT.equals(replacement) || !DEFAULT_SEPARATOR.equals(separator))) {
      throw new IllegalArgumentException("relabel action " + action.configName()
          + " only takes regex; source_labels, separator, target_label, replacement and modulus must be unset");
    }
  }

  /** A {@code replace} rule with every other field at its default. */
  public static RelabelRule replace(List<String> sourceLabels, String regex, String targetLabel, String replacement) {
    return new RelabelRule(sourceLabels, DEFAULT_SEPARATOR, regex, targetLabel, replacement, RelabelAction.REPLACE, 0);
  }

  /** Decodes one {@code rule} block; errors point at the block. */
  public static RelabelRule from(Args rule) throws ConfigException {
    try {
      return new RelabelRule(rule.list("source_labels"), rule.string("separator"), rule.string("regex"),
          rule.string("target_label"), rule.string("replacement"),
          RelabelAction.fromConfig(rule.string("action")), rule.integer("modulus"));
    } catch (IllegalArgumentException e) {
      String attr = e.getMessage().contains("regex") ? "regex"
          : e.getMessage().contains("modulus") ? "modulus"
          : e.getMessage().contains("target_label") || e.getMessage().contains("label name") ? "target_label"
          : "action";
      throw new ConfigException(rule.positionOf(attr), e.getMessage());
    }
  }

  /** Decodes every {@code rule} block of {@code args}, in file order. */
  public static List<RelabelRule> fromBlocks(Args args, String blockName) throws ConfigException {
    List<RelabelRule> out = new java.util.ArrayList<>();
    for (Args rule : args.blocks(blockName)) out.add(from(rule));
    return List.copyOf(out);
  }

  /** The regex anchored at both ends, RE2 semantics. */
  static Pattern compile(String regex) {
    try {
      return Pattern.compile("^(?s:" + regex + ")$");
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException("invalid regex \"" + regex + "\": " + e.getMessage());
    }
  }
}
