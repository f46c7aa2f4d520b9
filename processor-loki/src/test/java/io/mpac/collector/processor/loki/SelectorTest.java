package io.mpac.collector.processor.loki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mpac.collector.loki.Labels;
import io.mpac.collector.loki.LokiEntry;
import org.junit.jupiter.api.Test;

class SelectorTest {

  private static boolean matches(String selector, String line, String... labels) {
    return Selector.parse(selector).matches(new EntryState(new LokiEntry(Labels.of(labels), 0, line)));
  }

  @Test
  void parsesEveryMatcherKind() {
    Selector s = Selector.parse("{a=\"b\", c=~\"x.*\", d!=\"y\", e!~`z+`}");
    assertThat(s.matchers()).extracting(Selector.Matcher::name, Selector.Matcher::op, Selector.Matcher::value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", Selector.Op.EQ, "b"),
            org.assertj.core.groups.Tuple.tuple("c", Selector.Op.RE, "x.*"),
            org.assertj.core.groups.Tuple.tuple("d", Selector.Op.NEQ, "y"),
            org.assertj.core.groups.Tuple.tuple("e", Selector.Op.NRE, "z+"));
  }

  @Test
  void matchesLabelsWithAnchoredRegexes() {
    assertThat(matches("{app=\"api\"}", "", "app", "api")).isTrue();
    assertThat(matches("{app=\"api\"}", "", "app", "web")).isFalse();
    assertThat(matches("{app=~\"ap.\"}", "", "app", "api")).isTrue();
    assertThat(matches("{app=~\"ap\"}", "", "app", "api")).as("anchored").isFalse();
    assertThat(matches("{app=\"api\", level!=\"debug\"}", "", "app", "api")).as("missing label is empty").isTrue();
    assertThat(matches("{app=\"api\", level!~\"debug|trace\"}", "", "app", "api", "level", "trace")).isFalse();
  }

  @Test
  void lineFilters() {
    assertThat(matches("{app=\"api\"} |= \"error\"", "an error here", "app", "api")).isTrue();
    assertThat(matches("{app=\"api\"} |= \"error\" != \"ignored\"", "an error, ignored", "app", "api")).isFalse();
    assertThat(matches("{app=\"api\"} |~ \"err(or)?\\\\b\"", "err found", "app", "api")).isTrue();
    assertThat(matches("{app=\"api\"} !~ `^GET`", "GET /", "app", "api")).isFalse();
  }

  @Test
  void badSelectorsAreClearErrors() {
    assertThatThrownBy(() -> Selector.parse("app=\"api\"")).hasMessageContaining("expected {");
    assertThatThrownBy(() -> Selector.parse("{app=\"api\"")).hasMessageContaining("expected , or }");
    assertThatThrownBy(() -> Selector.parse("{app~\"api\"}")).hasMessageContaining("expected =, !=, =~ or !~");
    assertThatThrownBy(() -> Selector.parse("{app=~\"(\"}")).hasMessageContaining("invalid regex");
    assertThatThrownBy(() -> Selector.parse("{app=~\".*\"}")).hasMessageContaining("does not match the empty string");
    assertThatThrownBy(() -> Selector.parse("{app=\"a\"} | json")).hasMessageContaining("line filter");
    assertThatThrownBy(() -> Selector.parse("{app=\"unterminated}")).hasMessageContaining("unterminated");
  }
}
