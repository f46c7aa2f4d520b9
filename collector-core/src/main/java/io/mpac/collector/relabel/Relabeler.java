package io.mpac.collector.relabel;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Applies a list of {@link RelabelRule}s to a label set, with Prometheus' semantics: rules run in
 * order on the labels the previous rule left; {@code keep}/{@code drop} (and the {@code *equal}
 * variants) can drop the whole set; setting a label to the empty string removes it.
 *
 * <p>Immutable and thread-safe once built (regexes are compiled once). The label set is a mutable
 * map the caller owns; {@link #apply} changes it in place.
 */
public final class Relabeler {

  /** A relabeler without rules: keeps every label set unchanged. */
  public static final Relabeler EMPTY = new Relabeler(List.of());

  private final List<RelabelRule> rules;
  private final Pattern[] patterns;
  private final boolean[] literalReplacement;
  private final boolean[] literalTarget;

  private Relabeler(List<RelabelRule> rules) {
    this.rules = List.copyOf(rules);
    this.patterns = new Pattern[rules.size()];
    this.literalReplacement = new boolean[rules.size()];
    this.literalTarget = new boolean[rules.size()];
    for (int i = 0; i < rules.size(); i++) {
      patterns[i] = RelabelRule.compile(rules.get(i).regex());
      literalReplacement[i] = GoTemplate.isLiteral(rules.get(i).replacement());
      literalTarget[i] = GoTemplate.isLiteral(rules.get(i).targetLabel());
    }
  }

  public static Relabeler of(List<RelabelRule> rules) {
    return rules.isEmpty() ? EMPTY : new Relabeler(rules);
  }

  public List<RelabelRule> rules() {
    return rules;
  }

  public boolean isEmpty() {
    return rules.isEmpty();
  }

  /**
   * Runs every rule on {@code labels} (changed in place).
   *
   * @return false when a rule dropped the label set (then {@code labels} is in an unspecified state)
   */
  public boolean apply(Map<String, String> labels) {
    for (int i = 0; i < patterns.length; i++) {
      if (!applyOne(i, labels)) return false;
    }
    return true;
  }

  private boolean applyOne(int i, Map<String, String> labels) {
    RelabelRule r = rules.get(i);
    Pattern p = patterns[i];
    switch (r.action()) {
      case DROP -> {
        return !p.matches(join(r, labels));
      }
      case KEEP -> {
        return p.matches(join(r, labels));
      }
      case DROPEQUAL -> {
        return !join(r, labels).equals(labels.getOrDefault(r.targetLabel(), ""));
      }
      case KEEPEQUAL -> {
        return join(r, labels).equals(labels.getOrDefault(r.targetLabel(), ""));
      }
      case REPLACE -> {
        String value = join(r, labels);
        Matcher m = p.matcher(value);
        if (!m.matches()) return true;
        String target = literalTarget[i] ? r.targetLabel() : GoTemplate.expand(r.targetLabel(), m);
        if (!isValidLabelName(target)) return true;
        String result = literalReplacement[i] ? r.replacement() : GoTemplate.expand(r.replacement(), m);
        set(labels, target, result);
        return true;
      }
      case LOWERCASE -> {
        set(labels, r.targetLabel(), join(r, labels).toLowerCase(Locale.ROOT));
        return true;
      }
      case UPPERCASE -> {
        set(labels, r.targetLabel(), join(r, labels).toUpperCase(Locale.ROOT));
        return true;
      }
      case HASHMOD -> {
        long mod = Long.remainderUnsigned(sum64(md5(join(r, labels))), r.modulus());
        set(labels, r.targetLabel(), Long.toUnsignedString(mod));
        return true;
      }
      case LABELMAP -> {
        List<Map.Entry<String, String>> snapshot = new ArrayList<>(labels.entrySet());
        for (Map.Entry<String, String> e : snapshot) {
          Matcher m = p.matcher(e.getKey());
          if (m.matches()) {
            String name = literalReplacement[i] ? r.replacement() : GoTemplate.expand(r.replacement(), m);
            set(labels, name, e.getValue());
          }
        }
        return true;
      }
      case LABELDROP -> {
        labels.keySet().removeIf(p::matches);
        return true;
      }
      case LABELKEEP -> {
        labels.keySet().removeIf(name -> !p.matches(name));
        return true;
      }
      default -> throw new IllegalStateException("unknown action " + r.action());
    }
  }

  private static String join(RelabelRule r, Map<String, String> labels) {
    List<String> src = r.sourceLabels();
    if (src.size() == 1) return labels.getOrDefault(src.get(0), "");
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < src.size(); i++) {
      if (i > 0) sb.append(r.separator());
      sb.append(labels.getOrDefault(src.get(i), ""));
    }
    return sb.toString();
  }

  /** Sets a label; an empty value removes it, as Prometheus' label builder does. */
  private static void set(Map<String, String> labels, String name, String value) {
    if (value.isEmpty()) {
      labels.remove(name);
    } else {
      labels.put(name, value);
    }
  }

  private static byte[] md5(String s) {
    try {
      return MessageDigest.getInstance("MD5").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required by the JDK", e);
    }
  }

  /** Prometheus' hashmod folds the MD5 sum to its last 8 bytes, big-endian. */
  private static long sum64(byte[] hash) {
    long s = 0;
    for (int i = 8; i < 16; i++) s = (s << 8) | (hash[i] & 0xff);
    return s;
  }

  /** A Prometheus label name: {@code [a-zA-Z_][a-zA-Z0-9_]*}. */
  public static boolean isValidLabelName(String name) {
    if (name.isEmpty()) return false;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
      if (!ok) return false;
    }
    return true;
  }

  /** Replaces every character outside {@code [a-zA-Z0-9_]} with {@code _} (Prometheus' SanitizeLabelName). */
  public static String sanitizeLabelName(String name) {
    StringBuilder sb = null;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!ok) {
        if (sb == null) sb = new StringBuilder(name.substring(0, i));
        sb.append('_');
      } else if (sb != null) {
        sb.append(c);
      }
    }
    return sb == null ? name : sb.toString();
  }
}
