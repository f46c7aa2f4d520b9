package io.mpac.collector.relabel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Every relabel action, mostly with the examples Prometheus documents and tests. */
class RelabelerTest {

  private static Map<String, String> labels(String... kv) {
    Map<String, String> m = new TreeMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  private static RelabelRule rule(RelabelAction action, List<String> src, String regex, String target,
      String replacement) {
    return new RelabelRule(src, ";", regex, target, replacement, action, 0);
  }

  /** Applies rules; null when the set was dropped. */
  private static Map<String, String> run(Map<String, String> in, RelabelRule... rules) {
    Map<String, String> m = new TreeMap<>(in);
    return Relabeler.of(List.of(rules)).apply(m) ? m : null;
  }

  @Test
  void replaceExpandsGroupsIntoTheTarget() {
    assertThat(run(labels("a", "foo"), RelabelRule.replace(List.of("a"), "f(.*)", "d", "ch${1}-ch${1}")))
        .isEqualTo(labels("a", "foo", "d", "choo-choo"));
  }

  @Test
  void replaceJoinsSourcesWithTheSeparator() {
    assertThat(run(labels("a", "foo", "b", "bar"),
        RelabelRule.replace(List.of("a", "b"), "f(.*);(.*)r", "a", "b${1}${2}m")))
        .isEqualTo(labels("a", "boobam", "b", "bar"));
    assertThat(run(labels("a", "foo", "b", "bar"),
        new RelabelRule(List.of("a", "b"), "|", "(.*)", "c", "$1", RelabelAction.REPLACE, 0)))
        .containsEntry("c", "foo|bar");
  }

  @Test
  void replaceIsAnchoredAndLeavesLabelsAloneWithoutAMatch() {
    assertThat(run(labels("a", "xfoo"), RelabelRule.replace(List.of("a"), "f(.*)", "d", "$1")))
        .isEqualTo(labels("a", "xfoo"));
    assertThat(run(labels("a", "foo\nbar"), RelabelRule.replace(List.of("a"), "foo.bar", "d", "ok")))
        .as("dot matches newline (?s)").containsEntry("d", "ok");
  }

  @Test
  void replaceWithAnEmptyResultRemovesTheTarget() {
    assertThat(run(labels("a", "foo", "d", "old"), RelabelRule.replace(List.of("missing"), "(.*)", "d", "$1")))
        .isEqualTo(labels("a", "foo"));
  }

  @Test
  void replaceTargetCanBeATemplateAndMustBeAValidName() {
    assertThat(run(labels("a", "some-name-value"),
        RelabelRule.replace(List.of("a"), "some-([^-]+)-([^,]+)", "${1}", "${2}")))
        .containsEntry("name", "value");
    assertThat(run(labels("a", "some-9name-value"),
        RelabelRule.replace(List.of("a"), "some-([^-]+)-([^,]+)", "${1}", "${2}")))
        .as("9name is not a label name").isEqualTo(labels("a", "some-9name-value"));
  }

  @Test
  void goTemplateRules() {
    // $1x is the group named "1x", which does not exist: empty, so the target is removed.
    assertThat(run(labels("a", "foo", "d", "x"), RelabelRule.replace(List.of("a"), "(f)oo", "d", "$1x")))
        .doesNotContainKey("d");
    assertThat(run(labels("a", "foo"), RelabelRule.replace(List.of("a"), "(f)oo", "d", "${1}x")))
        .containsEntry("d", "fx");
    assertThat(run(labels("a", "foo"), RelabelRule.replace(List.of("a"), "(?P<first>f)oo", "d", "$first-$$-${first}")))
        .containsEntry("d", "f-$-f");
    assertThat(run(labels("a", "foo"), RelabelRule.replace(List.of("a"), "(f)oo", "d", "$ {1")))
        .as("malformed $ stays literal").containsEntry("d", "$ {1");
  }

  @Test
  void dropAndKeep() {
    assertThat(run(labels("a", "foo"), rule(RelabelAction.DROP, List.of("a"), ".*o.*", "", "$1"))).isNull();
    assertThat(run(labels("a", "abc"), rule(RelabelAction.DROP, List.of("a"), ".*o.*", "", "$1")))
        .isEqualTo(labels("a", "abc"));
    assertThat(run(labels("a", "foo"), rule(RelabelAction.KEEP, List.of("a"), "f.*", "", "$1")))
        .isEqualTo(labels("a", "foo"));
    assertThat(run(labels("a", "foo"), rule(RelabelAction.KEEP, List.of("a"), "no-match", "", "$1"))).isNull();
    assertThat(run(labels("a", "foo"), rule(RelabelAction.KEEP, List.of("missing"), "", "", "$1")))
        .as("a missing label is the empty string").isEqualTo(labels("a", "foo"));
  }

  @Test
  void keepEqualAndDropEqual() {
    RelabelRule keepEqual = rule(RelabelAction.KEEPEQUAL, List.of("__tmp_port"), "(.*)", "__port1", "$1");
    assertThat(run(labels("__tmp_port", "1234", "__port1", "1234"), keepEqual)).isNotNull();
    assertThat(run(labels("__tmp_port", "1234", "__port1", "5678"), keepEqual)).isNull();
    RelabelRule dropEqual = rule(RelabelAction.DROPEQUAL, List.of("__tmp_port"), "(.*)", "__port1", "$1");
    assertThat(run(labels("__tmp_port", "1234", "__port1", "1234"), dropEqual)).isNull();
    assertThat(run(labels("__tmp_port", "1234", "__port1", "5678"), dropEqual)).isNotNull();
  }

  @Test
  void hashmodUsesTheLastEightBytesOfMd5() {
    assertThat(run(labels("a", "foo", "b", "bar", "c", "baz"),
        new RelabelRule(List.of("c"), ";", "(.*)", "d", "$1", RelabelAction.HASHMOD, 1000)))
        .containsEntry("d", "976");
    assertThat(run(labels("c", "foo"),
        new RelabelRule(List.of("c"), ";", "(.*)", "d", "$1", RelabelAction.HASHMOD, 1000)))
        .containsEntry("d", "696");
  }

  @Test
  void labelmapCopiesMatchingLabelsUnderNewNames() {
    assertThat(run(labels("a", "foo", "b1", "bar", "b2", "baz"),
        rule(RelabelAction.LABELMAP, List.of(), "(b.*)", "", "bar_${1}")))
        .isEqualTo(labels("a", "foo", "b1", "bar", "b2", "baz", "bar_b1", "bar", "bar_b2", "baz"));
    assertThat(run(labels("__meta_docker_container_label_app", "api"),
        rule(RelabelAction.LABELMAP, List.of(), "__meta_docker_container_label_(.+)", "", "$1")))
        .containsEntry("app", "api");
  }

  @Test
  void labeldropAndLabelkeepMatchNamesAnchored() {
    Map<String, String> in = labels("a", "foo", "b1", "bar", "ab", "baz");
    assertThat(run(in, rule(RelabelAction.LABELDROP, List.of(), "b.*", "", "$1"))).isEqualTo(labels("a", "foo", "ab", "baz"));
    assertThat(run(in, rule(RelabelAction.LABELKEEP, List.of(), "b.*", "", "$1"))).isEqualTo(labels("b1", "bar"));
  }

  @Test
  void lowercaseAndUppercase() {
    assertThat(run(labels("foo", "bAr123Foo"), rule(RelabelAction.LOWERCASE, List.of("foo"), "(.*)", "foo_lower", "$1")))
        .containsEntry("foo_lower", "bar123foo");
    assertThat(run(labels("foo", "bAr123Foo"), rule(RelabelAction.UPPERCASE, List.of("foo"), "(.*)", "foo_upper", "$1")))
        .containsEntry("foo_upper", "BAR123FOO");
  }

  @Test
  void rulesRunInOrderOnWhatThePreviousLeft() {
    assertThat(run(labels("__meta_docker_container_name", "/api", "__meta_docker_container_log_stream", "stderr"),
        RelabelRule.replace(List.of("__meta_docker_container_name"), "/(.*)", "container", "$1"),
        RelabelRule.replace(List.of("container", "__meta_docker_container_log_stream"), "(.*);(.*)", "stream", "$1-$2"),
        rule(RelabelAction.LABELDROP, List.of(), "__.*", "", "$1")))
        .isEqualTo(labels("container", "api", "stream", "api-stderr"));
  }

  @Test
  void invalidRulesAreRejectedWithClearMessages() {
    assertThatThrownBy(() -> RelabelRule.replace(List.of("a"), "(unclosed", "d", "$1"))
        .hasMessageContaining("invalid regex \"(unclosed\"");
    assertThatThrownBy(() -> RelabelRule.replace(List.of("a"), "(.*)", "", "$1"))
        .hasMessageContaining("requires target_label");
    assertThatThrownBy(() -> new RelabelRule(List.of("a"), ";", "(.*)", "d", "$1", RelabelAction.HASHMOD, 0))
        .hasMessageContaining("positive modulus");
    assertThatThrownBy(() -> new RelabelRule(List.of("a"), ";", "(.*)", "", "$1", RelabelAction.LABELDROP, 0))
        .hasMessageContaining("only takes regex");
    assertThatThrownBy(() -> rule(RelabelAction.LOWERCASE, List.of("a"), "(.*)", "bad-name", "$1"))
        .hasMessageContaining("not a valid label name");
    assertThatThrownBy(() -> rule(RelabelAction.KEEPEQUAL, List.of("a"), "x", "b", "$1"))
        .hasMessageContaining("does not use regex");
  }

  @Test
  void sanitizeLabelName() {
    assertThat(Relabeler.sanitizeLabelName("com.docker.compose.service")).isEqualTo("com_docker_compose_service");
    assertThat(Relabeler.sanitizeLabelName("plain_1")).isEqualTo("plain_1");
  }
}
