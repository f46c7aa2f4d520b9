package io.mpac.collector.config.value;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.mpac.collector.config.syntax.Parser;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StdlibTest {

  private static final Scope STD = Stdlib.scope(Map.of("HOME", "/home/u", "EMPTY", ""), "1.2.3");

  static Value eval(String src) throws Exception {
    return new Evaluator(STD).evaluate(Parser.parseExpression("t.alloy", src));
  }

  static String str(String src) throws Exception {
    Value v = eval(src);
    assertThat(v).isInstanceOf(Value.Str.class);
    return ((Value.Str) v).value();
  }

  static String error(String src) {
    EvalException e = catchThrowableOfType(EvalException.class, () -> eval(src));
    assertThat(e).as("expected an EvalException for %s", src).isNotNull();
    return e.position().line() + ":" + e.position().column() + ": " + e.getMessage();
  }

  private static Value arr(Value... vs) {
    return new Value.Array(List.of(vs));
  }

  @Test
  void sysEnvAndDeprecatedEnv() throws Exception {
    assertThat(str("sys.env(\"HOME\")")).isEqualTo("/home/u");
    assertThat(str("sys.env(\"NOT_SET\")")).isEmpty();
    assertThat(str("env(\"HOME\")")).isEqualTo("/home/u");
    assertThat(error("sys.env()")).isEqualTo("1:1: sys.env: expected 1 argument, got 0");
  }

  @Test
  void constantsAreValues() throws Exception {
    assertThat(str("constants.os")).isIn("linux", "darwin", "windows", "freebsd");
    assertThat(str("constants.arch")).isIn("amd64", "arm64", "386", "arm", "ppc64le", "s390x");
    assertThat(str("constants.version")).isEqualTo("v1.2.3");
    assertThat(eval("constants.hostname")).isInstanceOf(Value.Str.class);
    assertThat(Stdlib.goOs("Mac OS X")).isEqualTo("darwin");
    assertThat(Stdlib.goOs("Windows 11")).isEqualTo("windows");
    assertThat(Stdlib.goArch("x86_64")).isEqualTo("amd64");
    assertThat(Stdlib.goArch("aarch64")).isEqualTo("arm64");
    assertThat(Stdlib.normalizeVersion(null)).isEqualTo("v0.0.0");
  }

  @Test
  void coalesce() throws Exception {
    assertThat(str("coalesce(sys.env(\"EMPTY\"), \"info\")")).isEqualTo("info");
    assertThat(eval("coalesce(null, [], {}, \"\", [1])")).isEqualTo(arr(Value.of(1)));
    assertThat(eval("coalesce(null, \"\")")).isEqualTo(Value.of(""));
    assertThat(eval("coalesce(0, false, 7)")).isEqualTo(Value.of(7));
    assertThat(eval("coalesce()")).isEqualTo(Value.NULL);
  }

  @Test
  void arrayConcat() throws Exception {
    assertThat(eval("array.concat([1], [], [2, 3])")).isEqualTo(arr(Value.of(1), Value.of(2), Value.of(3)));
    assertThat(eval("concat([\"a\"], [\"b\"])")).isEqualTo(arr(Value.of("a"), Value.of("b")));
    assertThat(eval("array.concat()")).isEqualTo(arr());
    assertThat(error("array.concat([1], 2)")).isEqualTo("1:1: array.concat: argument 2: expected array, got number");
  }

  @Test
  void fromJsonKeepsOrderAndNumbers() throws Exception {
    Value v = eval("encoding.from_json(`{\"z\": 1, \"a\": [1.5, true, null, \"s\"]}`)");
    Value.Obj o = (Value.Obj) v;
    assertThat(o.fields().keySet()).containsExactly("z", "a");
    assertThat(((Value.Num) o.fields().get("z")).isInteger()).isTrue();
    assertThat(o.fields().get("a")).isEqualTo(arr(Value.of(1.5), Value.of(true), Value.NULL, Value.of("s")));
    assertThat(eval("json_decode(\"[1]\")")).isEqualTo(arr(Value.of(1)));
    assertThat(error("encoding.from_json(\"{\")")).startsWith("1:1: encoding.from_json: invalid JSON: ");
  }

  @Test
  void toJsonSortsKeysLikeGo() throws Exception {
    assertThat(str("encoding.to_json({ b = [1, 2.5, \"<x>\"], a = { c = null, d = true } })"))
        .isEqualTo("{\"a\":{\"c\":null,\"d\":true},\"b\":[1,2.5,\"\\u003cx\\u003e\"]}");
    assertThat(error("encoding.to_json([1])")).isEqualTo("1:1: encoding.to_json: argument 1: expected object, got array");
  }

  @Test
  void base64() throws Exception {
    assertThat(str("encoding.to_base64(\"héllo\")")).isEqualTo("aMOpbGxv");
    assertThat(str("encoding.from_base64(\"aMOpbGxv\")")).isEqualTo("héllo");
    assertThat(str("base64_decode(\"YQ==\")")).isEqualTo("a");
    assertThat(error("encoding.from_base64(\"!!\")")).isEqualTo("1:1: encoding.from_base64: illegal base64 data");
  }

  @Test
  void urlEncoding() throws Exception {
    assertThat(str("encoding.url_encode(\"a b&c=d~*\")")).isEqualTo("a+b%26c%3Dd~%2A");
    assertThat(str("encoding.url_decode(\"a+b%26c\")")).isEqualTo("a b&c");
  }

  @Test
  void formatVerbs() throws Exception {
    assertThat(str("string.format(\"%s=%d (%v) %t %%\", \"n\", 42, [1, \"a\"], true)")).isEqualTo("n=42 ([1 a]) true %");
    assertThat(str("string.format(\"%b %o %x %X %#x\", 5, 8, 255, 255, 255)")).isEqualTo("101 10 ff FF 0xff");
    assertThat(str("string.format(\"%e|%E|%f|%.2f|%g|%G\", 1234.5678, 0.5, 3.14159, 2.005, 1e21, 1e-7)"))
        .isEqualTo("1.234568e+03|5.000000E-01|3.141590|2.00|1e+21|1E-07");
    assertThat(str("string.format(\"%q\", \"a\\\"b\\n\")")).isEqualTo("\"a\\\"b\\n\"");
    assertThat(str("format(\"%[2]s-%[1]s\", \"a\", \"b\")")).isEqualTo("b-a");
    assertThat(str("string.format(\"%5d|%-4s|%05d|%+d\", 42, \"ab\", -42, 3)")).isEqualTo("   42|ab  |-0042|+3");
    assertThat(str("string.format(\"%v %v %v\", 1.5, 1000000.0, null)")).isEqualTo("1.5 1e+06 <nil>");
  }

  @Test
  void formatMismatchesRenderLikeGo() throws Exception {
    assertThat(str("string.format(\"%d\", \"x\")")).isEqualTo("%!d(string=x)");
    assertThat(str("string.format(\"%d %d\", 1)")).isEqualTo("1 %!d(MISSING)");
    assertThat(str("string.format(\"%d\", 1, 2)")).isEqualTo("1%!(EXTRA int64=2)");
    assertThat(str("string.format(\"%f\", 1)")).isEqualTo("%!f(int64=1)");
    assertThat(error("string.format()")).isEqualTo("1:1: string.format: expected at least 1 argument, got 0");
  }

  @Test
  void joinSplitReplace() throws Exception {
    assertThat(str("string.join([\"a\", \"b\", \"c\"], \", \")")).isEqualTo("a, b, c");
    assertThat(str("join([], \"-\")")).isEmpty();
    assertThat(error("string.join([\"a\"])")).isEqualTo("1:1: string.join: expected 2 arguments, got 1");
    assertThat(error("join([1], \"-\")")).isEqualTo("1:1: join: argument 1: expected array of strings, found number");
    assertThat(eval("string.split(\"a,b,,c\", \",\")"))
        .isEqualTo(arr(Value.of("a"), Value.of("b"), Value.of(""), Value.of("c")));
    assertThat(eval("split(\"a.b\", \".\")")).isEqualTo(arr(Value.of("a"), Value.of("b")));
    assertThat(eval("string.split(\"ab\", \"\")")).isEqualTo(arr(Value.of("a"), Value.of("b")));
    assertThat(eval("string.split(\"\", \",\")")).isEqualTo(arr(Value.of("")));
    assertThat(str("string.replace(\"a.b.c\", \".\", \"_\")")).isEqualTo("a_b_c");
    assertThat(str("replace(\"ab\", \"\", \"-\")")).isEqualTo("-a-b-");
  }

  @Test
  void caseAndTrimming() throws Exception {
    assertThat(str("string.to_lower(\"ÀBC\")")).isEqualTo("àbc");
    assertThat(str("to_upper(\"abc\")")).isEqualTo("ABC");
    assertThat(str("string.trim(\"xxhixyx\", \"xy\")")).isEqualTo("hi");
    assertThat(str("trim(\"  hi  \", \" \")")).isEqualTo("hi");
    assertThat(str("string.trim_prefix(\"prefix-x\", \"prefix-\")")).isEqualTo("x");
    assertThat(str("trim_prefix(\"x\", \"y\")")).isEqualTo("x");
    assertThat(str("string.trim_suffix(\"file.alloy\", \".alloy\")")).isEqualTo("file");
    assertThat(str("trim_suffix(\"a\", \"b\")")).isEqualTo("a");
    assertThat(str("string.trim_space(\"\\t a b \\n\")")).isEqualTo("a b");
    assertThat(str("trim_space(\"\\u00a0x\\u2003\")")).isEqualTo("x");
    assertThat(error("string.to_upper([1])")).isEqualTo("1:1: string.to_upper: argument 1: expected string, got array");
  }

  @Test
  void nonsensitive() throws Exception {
    Scope withSecret = name -> name.equals("pw") ? new Value.Str("s3cret", true) : STD.lookup(name);
    Value v = new Evaluator(withSecret).evaluate(Parser.parseExpression("t", "convert.nonsensitive(pw)"));
    assertThat(v).isEqualTo(new Value.Str("s3cret", false));
    Value alias = new Evaluator(withSecret).evaluate(Parser.parseExpression("t", "nonsensitive(pw + \"!\")"));
    assertThat(alias).isEqualTo(Value.of("s3cret!"));
    assertThat(error("nonsensitive(1)")).isEqualTo("1:1: nonsensitive: argument 1: expected secret, got number");
  }

  @Test
  void pathJoin() throws Exception {
    assertThat(str("file.path_join(\"/etc\", \"alloy\", \"../x//y/\", \"z.alloy\")")).isEqualTo("/etc/x/y/z.alloy");
    assertThat(str("file.path_join(\"a\", \"\", \"b\")")).isEqualTo("a/b");
    assertThat(str("file.path_join()")).isEmpty();
  }

  @Test
  void namesListsTopLevelIdentifiers() {
    assertThat(Stdlib.names())
        .contains("sys", "constants", "coalesce", "array", "convert", "encoding", "string", "file")
        .contains("env", "concat", "json_decode", "format", "join", "trim_space", "nonsensitive")
        .doesNotContain("otelcol", "loki");
    assertThat(STD.lookup("otelcol")).isNull();
  }
}
