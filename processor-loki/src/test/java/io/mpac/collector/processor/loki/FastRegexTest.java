package io.mpac.collector.processor.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import java.util.List;
import org.junit.jupiter.api.Test;

class FastRegexTest {

  @Test
  void literalPrefixIsConservative() {
    assertThat(FastRegex.literalPrefix("\"path\":\"/(health|ready)z?\"")).isEqualTo("\"path\":\"/");
    assertThat(FastRegex.literalPrefix("abc*")).isEqualTo("ab");
    assertThat(FastRegex.literalPrefix("ab+c")).isEqualTo("ab");
    assertThat(FastRegex.literalPrefix("a|b")).isEmpty();
    assertThat(FastRegex.literalPrefix("(?i)error")).isEmpty();
    assertThat(FastRegex.literalPrefix("x[|]y")).isEqualTo("x");
    assertThat(FastRegex.literalPrefix(".*x")).isEmpty();
  }

  @Test
  void findAgreesWithAPlainUnanchoredSearch() {
    List<String> regexes = List.of("\"path\":\"/(health|ready)z?\"", "ab+c", "abc*d", "a|b", "err(or)?$", "^GET ", "x[|]y");
    List<String> lines = List.of("", "{\"path\":\"/v1\",\"path\":\"/healthz\"}", "{\"path\":\"/readyz\"}",
        "{\"path\":\"/orders\"}", "zzabbbc", "abd", "abccd", "no b here", "an error", "an err", "GET /", " GET /", "x|y");
    for (String r : regexes) {
      FastRegex fast = new FastRegex(r);
      Pattern plain = Pattern.compile(r);
      for (String l : lines) {
        assertThat(fast.find(l)).as(r + " on " + l).isEqualTo(plain.matcher(l).find());
      }
    }
  }
}
