package io.mpac.collector.processor.loki;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link FastRegex}'s literal analysis, and its searches against plain RE2 on random regexes and lines. */
class FastRegexLiteralsTest {

  @Test
  void theFixtureDropExpressionIsFourLiteralStrings() {
    FastRegex r = new FastRegex("\"path\":\"/(health|ready)z?\"");
    assertThat(r.isLiteralSet()).isTrue();
    assertThat(r.candidates()).containsExactlyInAnyOrder("\"path\":\"/health\"", "\"path\":\"/healthz\"",
        "\"path\":\"/ready\"", "\"path\":\"/readyz\"");
    assertThat(r.find("{\"level\":\"info\",\"path\":\"/healthz\",\"status\":200}")).isTrue();
    assertThat(r.find("{\"path\":\"/v1/payments\",\"msg\":\"/healthz\"}")).isFalse();
    assertThat(r.find("{\"path\":\"/healthzz\"}")).isFalse();
  }

  @Test
  void literalsAreFoundWhereTheyAreSureAndNowhereElse() {
    assertThat(FastRegex.literals("abc")).isEqualTo(new FastRegex.Literals(java.util.Set.of("abc"), true));
    assertThat(FastRegex.literals("a(b|c)d").strings()).containsExactlyInAnyOrder("abd", "acd");
    assertThat(FastRegex.literals("a(?:b|c)?").strings()).containsExactlyInAnyOrder("a", "ab", "ac");
    assertThat(FastRegex.literals("x\\.y\\(").strings()).containsExactly("x.y(");
    assertThat(FastRegex.literals("err(or)?$")).satisfies(l -> {
      assertThat(l.exact()).isFalse();
      assertThat(l.strings()).containsExactlyInAnyOrder("err", "error");
    });
    assertThat(FastRegex.literals("GET|POST /x.*")).satisfies(l -> {
      assertThat(l.exact()).isFalse();
      assertThat(l.strings()).containsExactlyInAnyOrder("GET", "POST /x");
    });
    assertThat(FastRegex.literals("abc*").strings()).containsExactly("ab");
    assertThat(FastRegex.literals("a+")).as("would start with an empty prefix").isNull();
    assertThat(FastRegex.literals("(?i)error")).isNull();
    assertThat(FastRegex.literals(".*x")).isNull();
    assertThat(FastRegex.literals("a|")).as("matches the empty string").isNull();
    assertThat(FastRegex.literals("\\d+")).isNull();
    assertThat(FastRegex.literals("[ab]c")).isNull();
    // Found by the random test below: a quantifier after an empty flag group or quote binds to the
    // atom before it, and a quote may hide a '|' or a parenthesis.
    assertThat(FastRegex.literals("-?ab(?i)*").strings()).containsExactlyInAnyOrder("a", "-a");
    assertThat(FastRegex.literals("ab\\Q\\E*")).isNull();
    assertThat(new FastRegex("aa-\\Q(|\\E*|b").find("b")).isTrue();
    assertThat(FastRegex.literals("(a|b)(c|d)(e|f)(g|h)(i|j)(k|l)(m|n)").strings())
        .as("more than 64 strings: stops before the group that would make them").hasSize(64);
  }

  @Test
  void findAgreesWithPlainRe2OnRandomRegexesAndLines() {
    Random rnd = new Random(2);
    int literalSets = 0;
    int prefiltered = 0;
    int regexes = 0;
    String firstMismatch = null;
    while (regexes < 3000 && firstMismatch == null) {
      String regex = regex(rnd, 0);
      Pattern plain;
      try {
        plain = Pattern.compile(regex);
      } catch (PatternSyntaxException e) {
        continue;
      }
      regexes++;
      FastRegex fast = new FastRegex(regex);
      if (fast.isLiteralSet()) {
        literalSets++;
      } else if (fast.candidates() != null) {
        prefiltered++;
      }
      for (int k = 0; k < 40 && firstMismatch == null; k++) {
        String line = k < 8 ? embed(rnd, sample(rnd, regex)) : line(rnd);
        if (fast.find(line) != plain.matcher(line).find()) firstMismatch = "/" + regex + "/ on \"" + line + "\"";
      }
    }
    assertThat(firstMismatch).isNull();
    assertThat(literalSets).as("regexes searched without RE2").isGreaterThan(300);
    assertThat(prefiltered).as("regexes with a literal prefilter").isGreaterThan(300);
  }

  // ---------------------------------------------------------------- generators

  private static final String ALPHABET = "ab\"/.(|)";

  /** Random regexes in RE2 syntax, mostly of the shapes the analysis understands, some not. */
  private static String regex(Random rnd, int depth) {
    StringBuilder sb = new StringBuilder();
    int atoms = 1 + rnd.nextInt(4);
    for (int a = 0; a < atoms; a++) {
      int r = rnd.nextInt(depth > 2 ? 12 : 16);
      switch (r) {
        case 0, 1, 2, 3, 4, 5 -> sb.append("ab\"/:-".charAt(rnd.nextInt(6)));
        case 6 -> sb.append('\\').append(".()|\"/?*+[]{}".charAt(rnd.nextInt(13)));
        case 7 -> sb.append(List.of(".", "[ab]", "[^a]", "\\d", "\\b", "^", "$", "\\Q(|\\E", "(?i)", "\\x61").get(rnd.nextInt(10)));
        case 8, 9, 10, 11 -> sb.append("ab".charAt(rnd.nextInt(2)));
        default -> {
          String open = rnd.nextInt(3) == 0 ? "(?:" : "(";
          sb.append(open).append(regex(rnd, depth + 1));
          int alternatives = rnd.nextInt(3);
          for (int k = 0; k < alternatives; k++) sb.append('|').append(rnd.nextInt(6) == 0 ? "" : regex(rnd, depth + 1));
          sb.append(')');
        }
      }
      int q = rnd.nextInt(10);
      if (q == 0) sb.append('?');
      if (q == 1) sb.append('*');
      if (q == 2) sb.append('+');
      if (q == 3) sb.append("{1,2}");
      if (q == 4 && rnd.nextBoolean()) sb.append("??");
    }
    if (depth == 0 && rnd.nextInt(5) == 0) sb.append('|').append(regex(rnd, 1));
    return sb.toString();
  }

  private static String line(Random rnd) {
    StringBuilder sb = new StringBuilder();
    int n = rnd.nextInt(14);
    for (int k = 0; k < n; k++) sb.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
    return sb.toString();
  }

  /** A string likely to match: the regex's literal characters, some dropped or doubled. */
  private static String sample(Random rnd, String regex) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\' && i + 1 < regex.length()) {
        sb.append(regex.charAt(++i));
      } else if ("()|?*+[]{}^$".indexOf(c) < 0 && rnd.nextInt(6) != 0) {
        sb.append(c);
        if (rnd.nextInt(8) == 0) sb.append(c);
      }
    }
    return sb.toString();
  }

  private static String embed(Random rnd, String s) {
    String before = line(rnd);
    String after = line(rnd);
    return before.substring(0, Math.min(before.length(), rnd.nextInt(3))) + s
        + after.substring(0, Math.min(after.length(), rnd.nextInt(3)));
  }
}
